"""Each check code on texts that must fire it and on near-misses that must not (pure: no database)."""

import datetime

import pytest

from cms.checks import CheckInput, check_item
from cms.checks.findings import CODES, Severity

TODAY = datetime.date(2025, 6, 1)
DATED = datetime.date(2025, 3, 21)
OFFICIAL = (("https://ybj.zhanjiang.gov.cn/x.html", True),)


def article(body: str = "", title: str = "医保报销说明", **kwargs) -> CheckInput:
    kwargs.setdefault("date", DATED)
    kwargs.setdefault("sources", OFFICIAL)
    return CheckInput(kind="article", title=title, body=body, **kwargs)


def found(item: CheckInput, code: str, today: datetime.date = TODAY) -> list[str]:
    """The quotes of ``code``'s findings on ``item``."""
    return [f.quote for f in check_item(item, today=today) if f.code == code]


POSITIVE = [
    # code, item, the quote it must report
    ("impossible-time", article("门诊时间 :每日9:00-18:76(周末休息)。"), "9:00-18:76"),
    ("impossible-time", article("窗口下午14点75分停止受理。"), "14点75分"),
    ("impossible-time", article("营业时间25:00开始。"), "25:00"),
    ("impossible-date", article("新规程自2025年2月30日起执行。"), "2025年2月30日"),
    ("impossible-date", article("截止日期为2025-04-31。"), "2025-04-31"),
    ("impossible-date", article("2023年13月发布的通知。"), "2023年13月"),
    ("impossible-date", article("2025年2月29日起办理。"), "2025年2月29日"),
    ("citation-marker", article("宁洱县 :0879-3235661(注意:与[14]中的号码不同)"), "[14]"),
    ("citation-marker", article("该号码可能有误,建议以15为准。"), "以15为准"),
    ("citation-marker", article("报销比例为85%【2】。"), "【2】"),
    ("markup-residue", article("以下介绍**报销比例**和办理渠道。"), "**报销比例**"),
    ("markup-residue", article("要点如下:\n  • 职工医保:85%\n  • 居民医保:70%"), "•"),
    ("markup-residue", article("办理地点<br>社保中心"), "<br>"),
    ("markup-residue", article("报销比例 医院等级 报销比例 一级医院 80% 二级医院 58% 三级医院 45%"), None),
    ("markup-residue", article("对比表\n\n项目\n职工医保\n居民医保\n起付线\n800元\n1000元"), None),
    ("markup-residue", article("# 标题\n正文"), "# "),
    ("page-chrome", article("首页 顶部\n林芝地区参保人员应先备案。"), "首页 顶部"),
    ("page-chrome", article("政策已调整。大家都在搜 医保报销 异地就医"), "大家都在搜"),
    ("page-chrome", article("首页 > 政策法规 > 医保政策"), None),
    ("page-chrome", article("相关推荐 医保卡怎么激活"), "相关推荐"),
    ("answer-residue", article("能 河北灵活就业保险可以转为职工保险。"), "能"),
    ("answer-residue", article("3个月 灵活就业人员断缴超过3个月停保。"), "3个月"),
    ("answer-residue", article("不可以 职工医保和居民医保不能同时参加。"), "不可以"),
    (
        "repeated-title",
        article("以下是详细信息。 连云港市口腔医院电话号码 联系电话 …", title="连云港市口腔医院电话号码"),
        "连云港市口腔医院电话号码",
    ),
    (
        "repeated-title",
        article("黑龙江绥化补牙医保报销比例 根据最新的信息,…", title="2025黑龙江绥化补牙医保报销比例是多少"),
        "黑龙江绥化补牙医保报销比例",
    ),
    ("repeated-title", article("吴川医保电话\n吴川市医疗保障局电话…", title="吴川医保电话"), "吴川医保电话"),
    ("empty-contact", article("如发现信息有误,请反馈至:\n其他说明。"), "反馈至:"),
    ("empty-contact", article("投诉邮箱:。联系电话:0759-5586822"), "投诉邮箱:"),
    ("empty-contact", article("联系电话: 地址:湛江市赤坎区"), "联系电话:"),
    ("empty-contact", article("办公时间为工作日。咨询邮箱:", is_excerpt=True), "咨询邮箱:"),
    ("placeholder", article("起付线与报销额\n_\n例如:起付线2000左右"), "_"),
    ("placeholder", article("联系电话:0xxx-xxxxxxx。"), "0xxx-xxxxxxx"),
    ("placeholder", article("请到XXX医院办理。"), "XXX"),
    ("placeholder", article("起付线 _ 封顶线 20万元"), "_"),
    ("non-answer", article("没有找到“大兴安岭拔牙医保能报销吗”的直接相关信息,不过…"), None),
    ("non-answer", article("该医院的电话暂时无法得知。"), "暂时无法得知"),
    ("non-answer", article("关于补牙报销比例的具体信息尚未明确。"), "具体信息尚未明确"),
    ("non-answer", article("暂无相关信息。"), "暂无相关信息"),
    ("self-flagged-uncertainty", article("每日9:00-18:00(可能为输入错误,建议提前确认)"), "可能为输入错误"),
    ("self-flagged-uncertainty", article("与3235651可能有误,建议以15为准"), "可能有误,建议以15为准"),
    (
        "self-flagged-uncertainty",
        article("鹤庆县医疗保障局 :0872-4123651 以上号码可能存在更新,请以官方公布为准。"),
        "可能存在更新,请以官方公布为准",
    ),
    (
        "self-flagged-uncertainty",
        article("温馨提示:该号码仅供参考,可能已经变更,建议拨打前确认。"),
        "仅供参考,可能已经变更",
    ),
    (
        "self-flagged-uncertainty",
        article("以上金额系根据往年数据推算得出,可能与实际公布数据存在差异。"),
        "系根据往年数据推算得出,可能与实际公布数据存在差异",
    ),
    ("self-flagged-uncertainty", article("以上信息可能存在误差。"), "可能存在误差"),
    ("self-flagged-uncertainty", article("该号码未经核实。"), "未经核实"),
    ("phone-invalid", article("通辽市医保中心统一查询电话 :0475-12333"), "0475-12333"),
    ("phone-invalid", article("吴川县医疗保障局咨询电话:0759-558682。"), "0759-558682"),
    ("phone-invalid", article("联系手机:12912345678。"), "12912345678"),
    (
        "phone-missing-area-code",
        article("预约挂号电话为85767777(服务时间7:30-17:30)。", title="连云港市口腔医院预约挂号电话"),
        "85767777",
    ),
    ("phone-missing-area-code", article("咨询电话:3387110。"), "3387110"),
    ("phone-region-mismatch", article("嘉峪关市医疗保障局投诉电话:0931-8812345。"), "0931-8812345"),
    (
        "phone-region-mismatch",
        article("咨询电话:0458-3602000。", title="湛江医保电话", region_codes=("440800",)),
        "0458-3602000",
    ),
    ("phone-region-mismatch", article("黑龙江省医疗保障局电话:0458-1234567。"), "0458-1234567"),
    (
        "phone-conflict",
        article("宁洱县医保中心 :0879-3235661(注意:与3235651可能有误)", title="普洱医保中心电话号码"),
        "3235651",
    ),
    (
        "phone-conflict",
        article("湛江市医疗保障局咨询电话为0759-3387110。湛江市医保局的咨询电话是0759-3387222。"),
        "0759-3387222",
    ),
    (
        "phone-short-code-misused",
        article("连云港市口腔医院的预约挂号电话为12345(24小时服务)。"),
        "12345",
    ),
    ("phone-short-code-misused", article("通辽市医保中心统一查询电话 :0475-12333"), "0475-12333"),
    (
        "phone-short-code-misused",
        article("预约挂号电话为12345。", title="连云港市口腔医院预约挂号电话"),
        "12345",
    ),
    (
        "stale-figure",
        article("2022年城乡居民医保个人缴费标准为350元,2025年为400元。"),
        "2022年城乡居民医保个人缴费标准为350元",
    ),
    ("stale-figure", article("2023年度缴费基数下限为4000元。"), "2023年度缴费基数下限为4000元"),
    ("stale-figure", article("缴费基数上限为每月26421元（2022年标准）。"), "26421元（2022年标准）"),
    ("year-in-title", article(title="2024年门诊共济保障政策解读"), "2024年"),
    ("year-in-title", article(title="2023黑龙江黑河补牙医保能报销吗"), "2023"),
    ("obsolete-term", article("一、新农合参保人员报销比例分档"), "新农合"),
    ("obsolete-term", article("通辽市医疗保险管理局电话 :0475-8242927"), "医疗保险管理局"),
    ("obsolete-term", article("林芝地区的参保人员"), "林芝地区"),
    ("obsolete-term", article("吴川县医疗保障局"), "吴川县"),
    ("obsolete-term", article(title="济宁附属新农合报销比例"), "新农合"),
    ("obsolete-term", article("请到区卫计委办理。"), "卫计委"),
    ("obsolete-term", article("", title="重庆开县医保局电话"), "开县"),
    ("obsolete-term", article("医院位于北京市宣武区。"), "宣武区"),
    ("obsolete-term", article("可到蓟县医保分中心窗口办理参保登记。"), "蓟县"),
    ("obsolete-term", article("", title="2025宁夏固原新农合住院报销比例"), "新农合"),  # 固原 is no 原
    ("obsolete-term", article("上虞市医保局办公室地址位于上虞区百官街道。"), "上虞市"),
    (
        "self-flagged-uncertainty",
        article("门诊时间 :8:00-17:65(此时间疑似录入错误,请以医院实际公布为准)。"),
        "疑似录入错误,请以医院实际公布为准",
    ),
    (
        "stale-figure",
        article(
            "根据2022年重庆市公布的全口径城镇单位就业人员平均工资,灵活就业人员缴费基数下限为每月4045元。"
        ),
        "2022年重庆市公布的全口径城镇单位就业人员平均工资,灵活就业人员缴费基数下限为每月4045元",
    ),
    (
        "self-flagged-uncertainty",
        article("注意:以上号码摘自网络公开资料,可能已有变动,不能保证完全准确,请以官方公布为准。"),
        "摘自网络公开资料,可能已有变动,不能保证完全准确,请以官方公布为准",
    ),
    (
        "self-flagged-uncertainty",
        article("以下数据仅供参考,具体以宜昌市医保局最新文件为准。"),
        "仅供参考,具体以宜昌市医保局最新文件为准",
    ),
    (
        "clinical-advice",
        article("例如: 奥美拉唑 20mg,每日2次,早晚餐前半小时服用; 枸橼酸铋钾 220mg,每日2次,餐前服用。"),
        "枸橼酸铋钾 220mg,每日2次,餐前服用。",
    ),
    (
        "markup-residue",
        article("职工医保 医院等级 报销比例 一级医院 90% 二级医院 85% 三级医院 80%\n起付线按年度计算。"),
        "职工医保 医院等级 报销比例 一级医院 90% 二级医院 85%",
    ),
    ("markup-residue", article("南充市中心医院 ## 康复医学科 :采用牵引治疗。"), "## "),
    ("non-answer", article("目前无法给出宜宾补牙的准确报销比例。"), "无法给出宜宾补牙的准确报销比例"),
    (
        "self-flagged-uncertainty",
        article("以上号码可能随机构调整而变化，请以绵阳市医疗保障局官网公布的为准。"),
        "可能随机构调整而变化，请以绵阳市医疗保障局官网公布的为准",
    ),
    ("phone-short-code-misused", article("绵阳医保咨询热线为12333 ，可受理医保业务咨询。"), "12333"),
    (
        "phone-missing-area-code",
        article(
            "郴州市医疗保障事务中心常用电话: 综合服务大厅 :0735-2883015。 待遇审核科 :2883027,咨询报销。"
        ),
        "2883027",
    ),
    (
        "self-flagged-uncertainty",
        article("以上流程系根据网络公开信息整理,部分环节可能与实际办理要求不一致。"),
        "可能与实际办理要求不一致",
    ),
    ("self-flagged-uncertainty", article("门诊时间 :8:00-11:30(该时段信息可能录入有误)。"), "可能录入有误"),
    (
        "off-topic",
        article(
            "桂林住房公积金离职后提取需满足一定条件,未在异地继续缴存的可申请销户提取。",
            title="桂林住房公积金离职后怎么提取",
        ),
        "桂林住房公积金离职后怎么提取",
    ),
    (
        "page-chrome",
        article("神经内科可对病因进行诊断和治疗。医院 河北廊坊市人民医院 廊坊市广阳区人民医院 :综合性医院"),
        "医院 河北廊坊市人民医院",
    ),
    (
        "phone-short-code-misused",
        article(
            "盐城市第一人民医院 特色 :睡眠医学科。 预约方式 :可拨打12320预约挂号,或通过医院微信公众号预约。"
        ),
        "12320",
    ),
    (
        "clinical-advice",
        article("对乙酰氨基酚混悬滴剂 :适用于3个月以上婴幼儿,每次10-15mg/kg,间隔4-6小时。"),
        "对乙酰氨基酚混悬滴剂 :适用于3个月以上婴幼儿,每次10-15mg/kg,间隔4-6小时。",
    ),
    (
        "clinical-advice",
        article("对乙酰氨基酚片也可以用于缓解牙痛，成人一次0.5g，24小时内不超过4次。"),
        "对乙酰氨基酚片也可以用于缓解牙痛，成人一次0.5g，24小时内不超过4次。",
    ),
    ("obsolete-term", article("汉中市南郑区参加合疗的农村居民"), "合疗"),
    ("obsolete-term", article("请到县卫计局办理。"), "卫计局"),
    (
        "self-flagged-uncertainty",
        article("上述比例系根据网络资料汇总，未必与2026年执行标准一致，具体以区医保经办机构解释为准。"),
        "网络资料汇总，未必与2026年执行标准一致，具体以区医保经办机构解释为准",
    ),
    ("self-flagged-uncertainty", article("以上作息时间整理自网络，仅作参考。"), "整理自网络，仅作参考"),
    (
        "policy-date",
        article("2023年7月起未办理转诊备案的区外住院费用报销比例下调10个百分点。"),
        "2023年7月起",
    ),
    (
        "empty-contact",
        article("3. 咨询电话：0536-8888888\n4. 医保基金监督举报电话：\n\n2019年潍坊市医疗保障局挂牌成立。"),
        "举报电话：",
    ),
    (
        "clinical-advice",
        article(
            "确诊后可长期口服苯磺酸氨氯地平片，每次5mg，每日1次；血压控制不理想时可加服缬沙坦胶囊80mg，每日1次。"
        ),
        "确诊后可长期口服苯磺酸氨氯地平片，每次5mg，每日1次；血压控制不理想时可加服缬沙坦胶囊80mg，每日1次。",
    ),
    (
        "answer-residue",
        article("立等可取 南京参保人员的医保卡丢失后，应先挂失。", is_excerpt=True),
        "立等可取",
    ),
    (
        "answer-residue",
        article("400多元 重庆市灵活就业人员参加职工医保,可按规定选择档次。", is_excerpt=True),
        "400多元",
    ),
    ("citation-marker", article("备案后可直接结算【3†source】。"), "【3†source】"),
    (
        "self-flagged-uncertainty",
        article("以上比例根据公开资料整理,如有出入请以海南省医保局发布的口径为准。"),
        "如有出入请以海南省医保局发布的口径为准",
    ),
    (
        "self-flagged-uncertainty",
        article("各病种年度支付限额系参考往年资料整理,可能与现行标准存在出入。"),
        "可能与现行标准存在出入",
    ),
    ("placeholder", article("地址 :天津市蓟州区XX路XX号 门诊时间 :周一至周五"), "XX路XX"),
    (
        "answer-residue",
        article("7个工作日左右 日喀则市参保人员的医保卡丢失后，应先挂失。", is_excerpt=True),
        "7个工作日左右",
    ),
    ("citation-marker", article("可通过定点医疗机构医保办提交申请^3，上传诊断证明。"), "^3"),
    (
        "non-answer",
        article("目前没有检索到太原市2026年新增门诊慢特病病种的相关公告。"),
        "没有检索到太原市2026年新增门诊慢特病病种的相关公告",
    ),
    ("self-flagged-uncertainty", article("此号码来源于网络，可能已经更换。"), "来源于网络，可能已经更换"),
    ("empty-contact", article("联系电话：0902-2231546 传真： 办公时间：周一至周五"), "传真："),
    ("obsolete-term", article("携带资料到当地社保中心申请异地就医备案。"), "社保中心"),
    ("obsolete-term", article("泉州市生育保险是独立于职工医保的单独险种。"), "生育保险"),
    ("obsolete-term", article("呼伦贝尔盟各旗县的参保人员"), "呼伦贝尔盟"),
    ("obsolete-term", article("需提供暂住证。"), "暂住证"),
    ("policy-date", article("广东省自2025年1月1日起实施《经办规程》。"), "自2025年1月1日起实施"),
    ("policy-date", article("自2023年4月起,普通门诊统筹报销比例提高至50%。"), "自2023年4月起"),
    ("policy-date", article("从2025年起,个人账户可用于家庭共济。"), "从2025年起"),
    ("policy-date", article("本办法2024年7月1日起施行。"), "2024年7月1日起施行"),
    (
        "off-topic",
        article(
            "根据《招标投标法》,工程变更超过30%可能需要重新招标,施工合同价……", title="工程变更超过30%怎么处理"
        ),
        "工程变更超过30%怎么处理",
    ),
    (
        "off-topic",
        article("千山风景名胜区是国家5A级旅游景区,游客可以登山徒步、品尝美食。", title="鞍山市最好的地方"),
        "鞍山市最好的地方",
    ),
    (
        "off-topic",
        article("填报志愿要先看分数线和位次,再对照院校往年录取情况选择学校和专业。", title="志愿怎么填"),
        "志愿怎么填",
    ),
    (
        "clinical-advice",
        article("感冒初期可以服用布洛芬缓释胶囊,每次1粒,每日2次,同时多喝水。"),
        "感冒初期可以服用布洛芬缓释胶囊,每次1粒,每日2次,同时多喝水。",
    ),
    ("clinical-advice", article("第一阶段 :服用米非司酮(通常需48小时),使胚胎停止发育。"), None),
    ("clinical-advice", article("腿痛可以先在家刮痧缓解。"), "腿痛可以先在家刮痧缓解。"),
    ("missing-date", article("正文", date=None), ""),
    ("missing-official-source", article("正文", sources=()), ""),
    ("missing-official-source", article("正文", sources=(("https://baike.example.com", False),)), ""),
]

NEGATIVE = [
    # code, item: near-misses that must not fire
    ("impossible-time", article("门诊时间:每日9:00-18:00,夜间急诊24:00前。")),
    ("impossible-time", article("报销比例1:2,视力5.0。")),
    ("impossible-date", article("2024年2月29日起办理;2025年2月28日截止;3月31日前。")),
    ("impossible-date", article("健康新闻 2025-03-21 发布。")),
    ("citation-marker", article("(国办发〔2020〕53号)")),
    ("citation-marker", article("具体范围以医保目录为准。")),
    ("markup-residue", article("1. 职工医保\n2. 居民医保\n\n一、报销比例")),
    ("markup-residue", article("以下是**粗体**。", markdown=True)),
    ("markup-residue", article("起付线 :300元,报销比例 :60%,封顶线 :1500元")),
    ("markup-residue", article("第一行很短\n第二行\n\n第三行")),
    ("page-chrome", article("携带户口簿首页和常住人口登记卡办理。")),
    ("page-chrome", article("在页面顶部的搜索框输入,点击底部菜单栏【我的】。")),
    ("page-chrome", article("进入首页后点击“医保服务”。")),
    ("page-chrome", article("打开微信扫一扫,点击查看报销进度,可分享到家人。")),
    ("obsolete-term", article("原卫计委的职能已划入卫健委;城乡居民(原新农合)参保人。")),
    ("obsolete-term", article("原城镇居民医保和新农合已整合为城乡居民医保。")),
    ("obsolete-term", article("社保卡丢失后到社保中心挂失;养老保险请咨询社保局。")),
    ("obsolete-term", article("生育保险已与职工医保合并实施。")),
    ("self-flagged-uncertainty", article("不同地区的报销政策可能存在差异,具体以当地政策为准。")),
    ("stale-figure", article("2025年个人缴费标准为400元,较2024年度的380元提高20元。")),
    ("stale-figure", article("2025年个人缴费标准与2024年度持平，较2022年度的350元有所提高。")),
    ("stale-figure", article("2025年度个人缴费标准为420元,与2023年度的380元相比提高了40元。")),
    ("stale-figure", article("回顾往年，2019年中小学生个人缴费仅为每人每年150元，此后逐年提高。")),
    (
        "stale-figure",
        article("新农合（2014年更名）城乡居民医保住院报销按医院等级分档：乡镇卫生院起付线200元。"),
    ),
    ("policy-date", article("上述比例未必与2026年执行标准一致。")),
    ("obsolete-term", article("采用综合疗法治疗。")),
    ("obsolete-term", article("黄浦市场监管部门;上虞区医保局。")),
    ("clinical-advice", article("冷敷 :术后24小时内可在脸颊外侧冷敷,每次15-20分钟,有助于消肿。")),
    (
        "clinical-advice",
        article(
            "五邑中医院 简介 :该院针灸科采用中药调理、针灸等方法改善睡眠,适合不愿长期服用安眠类药物的患者。"
        ),
    ),
    ("obsolete-term", article("“0663-6658106”为原惠来县社保局医疗保险股的号码,机构改革后可能已不再使用。")),
    ("stale-figure", article("成年居民 :每人每年400元(与2025年度持平,2023年度标准为380元)。")),
    (
        "clinical-advice",
        article(
            "漳州市中医院 :推拿科、针灸科在颈椎病的非手术治疗方面有特色,"
            "常用推拿、针灸、牵引等方法缓解颈肩疼痛。"
        ),
    ),
    ("clinical-advice", article("拔牙后是否需要吃消炎药及服用天数,要根据拔牙的难度和伤口情况决定。")),
    (
        "markup-residue",
        article("居民医保门诊统筹 医院等级 报销比例 一级医院 60% 二级医院 50% 三级医院 40%", is_excerpt=True),
    ),
    (
        "phone-region-mismatch",
        article(
            "目前暂未查到白城市的专门规定: "
            "据吉林省医疗保障局(0431-88906712)公开信息,吉林省自2023年4月起执行集采。"
        ),
    ),
    ("stale-figure", article("2026年个人缴费标准为每人每年400元,与2025年度持平,2023年度这一标准为380元。")),
    ("stale-figure", article("三、标准变化 2022年个人缴费标准为350元,此后逐年提高。")),
    (
        "answer-residue",
        article("宜宾补牙一般 不在基本医保报销范围内。", title="宜宾补牙医保给报销吗", is_excerpt=True),
    ),
    ("phone-short-code-misused", article("医保卡丢失可拨打12333挂失。")),
    ("phone-invalid", article("海城市中心医院口腔科 :1949 年建立的三级综合医院。")),
    ("clinical-advice", article("待遇内容\n用药范围\n限病种对应的治疗用药\n起付线")),
    (
        "phone-conflict",
        article(
            "郴州市医疗保障事务中心: 综合服务大厅 :0735-2883015。 政策咨询 :0735-2883016,可咨询医保政策。"
        ),
    ),
    ("obsolete-term", article("南阳市医疗保障局(原南阳市医疗保险管理局)咨询电话。")),
    ("page-chrome", article("推荐医院 河北廊坊市人民医院是三甲医院。")),
    ("obsolete-term", article("会议决定召开县级医保工作会议;开县(现为开州区)医疗保障局。")),
    ("answer-residue", article("以下是 2025 年河北廊坊治疗腰痛的一些医院:", is_excerpt=True)),
    ("answer-residue", article("立等可取 南京参保人员的医保卡丢失后应先挂失。")),  # not a teaser
    (
        "markup-residue",
        article(
            "全国医保服务热线:12393\n政务服务便民热线:12345\n医疗保障局咨询电话:0898-65236000\n地址:海口市"
        ),
    ),
    (
        "self-flagged-uncertainty",
        article("以上内容综合整理自公开资料，建议办理前咨询当地医保部门了解最新要求。"),
    ),
    ("citation-marker", article("个人缴费为10^3元量级。")),
    ("answer-residue", article("能为牙痛的诊断和治疗提供技术支持。")),
    ("answer-residue", article("可以。参保人员办理备案后可直接结算。")),
    ("answer-residue", article("2025年 黑龙江黑河的医保政策")),
    (
        "repeated-title",
        article("济宁附属新农合报销比例根据医疗类型有所不同。", title="济宁附属新农合报销比例"),
    ),
    ("repeated-title", article("关于“吴川医保电话”的查询。", title="吴川医保电话")),
    (
        "repeated-title",
        article("湛江市中心人民医院医保办电话:0759-3218999", title="湛江市中心人民医院医保办电话"),
    ),
    ("empty-contact", article("电话:0759-5586822;地址:湛江市赤坎区。")),
    ("empty-contact", article("电话:\n0759-5586822")),
    (
        "empty-contact",  # a teaser cut off at the site's length limit
        article(
            "在2025年,浙江衢州有多家医院可以治疗心跳过快,以下是一些推荐的医院: 三级甲等医院 衢州市人民医院 "
            "地址 :浙江省衢州市智慧新城闽江大道100号 特色 :心血管内科经验丰富。 "
            "衢州市中医院 地址 :浙江省衢州市"
            "柯城区衢化路117号 电话 :",
            is_excerpt=True,
        ),
    ),
    ("placeholder", article("某地级市医保监管中发现某医院伪造诊疗记录。")),
    ("placeholder", article("文件名 report_2025.pdf")),
    ("non-answer", article("未备案可能无法直接结算;个人无法直接获得现金返还。")),
    ("non-answer", article("并未直接规定工程量变更达到某一数值就必须重新招标。")),
    ("self-flagged-uncertainty", article("具体范围以医保目录为准,请以当地医保部门公布为准。")),
    ("self-flagged-uncertainty", article("如发现信息有误,请联系我们。经办机构需核实参保人身份。")),
    ("phone-invalid", article("地址:通辽市行政中心 邮政编码:028000。咨询电话:0475-8910921")),
    ("phone-invalid", article("自费金额在 7000-10000元 :报销50%,共7434.24元。")),
    ("phone-missing-area-code", article("参保人数达8576777人,基金支出12345678元。")),
    ("phone-missing-area-code", article("湛江市医疗保障局电话0759-3387110。")),
    (
        "phone-region-mismatch",
        article("嘉峪关市医疗保障局咨询电话:0937-6225100;酒泉市医保中心:0937-2612345。"),
    ),
    (
        "phone-region-mismatch",
        article(
            "也可以拨打黑龙江省医保局的电话(0451-87130270)进行咨询。",
            title="2025黑龙江大兴安岭拔牙医保能报销吗",
        ),
    ),
    (
        "phone-region-mismatch",
        article("湛江市吴川市医疗保障局联系电话为 0759-5586822。", title="湛江吴川医保电话"),
    ),
    ("phone-region-mismatch", article("国家医保服务平台热线 010-89061396。", title="湛江医保电话")),
    (
        "phone-conflict",
        article("吴川市医疗保障局咨询电话0759-5586822,办公室电话(0759-5586698)。"),
    ),
    ("phone-conflict", article("湛江市医疗保障局咨询电话:0759-3387110、0759-3387111。")),
    ("phone-conflict", article("思茅区医保中心 :0879-3012539 宁洱县 :0879-3235661")),
    ("phone-short-code-misused", article("反映问题可拨打12345政务服务便民热线。")),
    ("phone-short-code-misused", article("湛江市医疗保障局:医保政策咨询可拨打12393医保服务热线。")),
    ("phone-short-code-misused", article("湛江市社会保险基金管理局咨询电话12333。")),
    ("stale-figure", article("2025年个人缴费标准为每人每年400元。")),
    ("stale-figure", article("自2023年4月起,普通门诊统筹报销比例提高至50%。")),
    ("stale-figure", article("医院始建于1949年,总资产9.21亿元。")),
    ("stale-figure", article("截至2024年底,基金累计结余1000亿元。")),
    ("stale-figure", article("2022年城乡居民医保个人缴费标准为350元。", date=None)),
    ("year-in-title", article(title="2025年黑龙江伊春治疗喘息的医院有哪些")),
    ("year-in-title", article(title="异地医保在哪里办理")),
    (
        "obsolete-term",
        article("城乡居民医保由湛江市医疗保障局管理;大兴安岭地区、伊春地区的参保人员;宁洱县。"),
    ),
    ("policy-date", article("截至2024年底,17个省份实现跨省共济;2025年医保政策。")),
    (
        "off-topic",
        article("灵活就业人员可以参加企业职工基本养老保险和社保。", title="河北灵活就业保险能转职工保险吗"),
    ),
    ("off-topic", article("补牙属于治疗性质的项目,可以纳入医保报销范围。", title="补牙医保能报销吗")),
    ("clinical-advice", article("布洛芬已纳入医保目录,在定点药店购买可以刷医保卡。")),
    ("clinical-advice", article("患者应遵医嘱服药,不得自行停药。")),
    ("clinical-advice", article("擅长耳鼻咽喉各类微创手术及鼻内窥镜手术。")),
    ("clinical-advice", article("糖尿病患者需长期服用降糖药,可申请门诊慢特病待遇。")),
    ("clinical-advice", article("在定点药店购买医保目录内药品(如感冒灵)结算时刷卡激活。")),
    ("missing-date", article("正文")),
    ("missing-date", CheckInput(kind="hotline", title="湛江市医疗保障局", number="0759-3387110")),
    ("missing-official-source", article("正文")),
]


@pytest.mark.parametrize(("code", "item", "quote"), POSITIVE, ids=lambda v: v if isinstance(v, str) else "")
def test_code_fires_on_its_defect(code, item, quote):
    quotes = found(item, code)

    assert quotes, f"{code} did not fire"
    if quote is not None:
        assert quote in quotes


@pytest.mark.parametrize(("code", "item"), NEGATIVE, ids=lambda v: v if isinstance(v, str) else "")
def test_code_does_not_fire_on_near_misses(code, item):
    assert found(item, code) == []


def test_every_code_has_positive_and_negative_examples():
    item_codes = {"duplicate-body", "contradiction"}  # compare items: see test_collection.py

    assert {c for c, *_ in POSITIVE} | item_codes == set(CODES)
    assert {c for c, *_ in NEGATIVE} | item_codes == set(CODES)


def test_findings_carry_the_severity_and_label_of_their_code():
    (time_error,) = [
        f for f in check_item(article("每日9:00-18:76"), today=TODAY) if f.code == "impossible-time"
    ]
    (policy,) = [
        f for f in check_item(article("自2025年1月1日起实施"), today=TODAY) if f.code == "policy-date"
    ]

    assert time_error.severity is Severity.ERROR
    assert policy.severity is Severity.INFO
    assert all(isinstance(label, str) and label for _severity, label in CODES.values())


def test_year_in_title_depends_on_the_day_of_the_check():
    item = article(title="2025年黑龙江伊春治疗喘息的医院有哪些")

    assert found(item, "year-in-title", today=datetime.date(2025, 12, 31)) == []
    assert found(item, "year-in-title", today=datetime.date(2026, 1, 1)) == ["2025年"]


def test_a_hotline_record_is_checked_on_its_number_field():
    item = CheckInput(
        kind="hotline",
        title="连云港市口腔医院",
        organisation="连云港市口腔医院",
        purpose="appointment",
        number="12345",
        region_codes=("320700",),
    )

    findings = check_item(item, today=TODAY)

    (misuse,) = [f for f in findings if f.code == "phone-short-code-misused"]
    assert (misuse.field, misuse.quote) == ("number", "12345")


def test_a_hotline_in_another_city_is_a_region_mismatch():
    item = CheckInput(
        kind="hotline", title="嘉峪关市医疗保障局", organisation="嘉峪关市医疗保障局", number="0931-8812345",
        region_codes=("620200",),
    )  # fmt: skip

    assert [f.quote for f in check_item(item, today=TODAY) if f.code == "phone-region-mismatch"] == [
        "0931-8812345"
    ]


def test_a_province_level_hotline_listed_in_the_capital_is_fine():
    item = CheckInput(
        kind="hotline", title="黑龙江省医疗保障局", organisation="黑龙江省医疗保障局", number="0451-87130270",
        region_codes=("230000",),
    )  # fmt: skip

    assert [f for f in check_item(item, today=TODAY) if f.code.startswith("phone-")] == []


def test_hospital_numbers_are_checked_line_by_line():
    item = CheckInput(
        kind="hospital", title="连云港市口腔医院", organisation="连云港市口腔医院", region_codes=("320700",),
        number="总机 0518-85460611\n预约挂号 12345",
    )  # fmt: skip

    codes = {(f.code, f.quote) for f in check_item(item, today=TODAY)}

    assert ("phone-short-code-misused", "12345") in codes
    assert not any(code == "phone-invalid" for code, _ in codes)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        CheckInput(kind="video")
