"""Checks that compare items: duplicate bodies, opposite answers, different numbers for one
organisation across records (pure: no database)."""

import datetime

import pytest

from cms.checks import CheckInput, check_collection, check_item
from cms.checks.collection import answer_polarity, question_key

TODAY = datetime.date(2025, 6, 1)
BODY = (
    "医保卡丢失后,应第一时间拨打社保服务热线或到社保经办机构办理挂失,然后携带本人身份证到银行网点或社保窗口"
    "申请补办。补办期间可以使用医保电子凭证就医结算,新卡一般在十五个工作日内制成,领卡时需本人到场。"
)


def codes(results, index, code):
    return [f for f in results[index] if f.code == code]


def test_the_same_body_under_two_titles_is_flagged_on_both():
    items = [
        CheckInput(title="医保卡丢了怎么办", body=BODY),
        CheckInput(title="医保卡丢失如何补办", body=BODY),
    ]

    results = check_collection(items, today=TODAY)

    assert len(codes(results, 0, "duplicate-body")) == 1
    assert "医保卡丢失如何补办" in codes(results, 0, "duplicate-body")[0].message
    assert len(codes(results, 1, "duplicate-body")) == 1


def test_a_nearly_identical_body_is_a_duplicate_too():
    items = [
        CheckInput(title="医保卡丢了怎么办", body=BODY),
        CheckInput(title="医保卡丢失如何补办", body=BODY.replace("银行网点", "银行的网点")),
    ]

    assert codes(check_collection(items, today=TODAY), 1, "duplicate-body")


def test_the_same_item_twice_or_short_bodies_are_not_duplicates():
    items = [
        CheckInput(title="医保卡丢了怎么办", body=BODY),
        CheckInput(title="医保卡丢了怎么办", body=BODY),  # the same item imported twice: not this check
        CheckInput(title="甲", body="详见正文。"),
        CheckInput(title="乙", body="详见正文。"),
    ]

    results = check_collection(items, today=TODAY)

    assert not any(codes(results, i, "duplicate-body") for i in range(4))


def test_check_item_alone_never_compares_items():
    assert not [
        f for f in check_item(CheckInput(title="医保卡丢了怎么办", body=BODY)) if f.code == "duplicate-body"
    ]


def test_opposite_answers_to_the_same_question_contradict_each_other():
    items = [
        CheckInput(title="异地就医备案后能直接结算吗", body="可以。参保人员办理备案后可以直接结算。"),
        CheckInput(title="2025年异地就医备案后可不可以直接结算？", body="不能。备案后仍需个人先行垫付。"),
        CheckInput(title="异地就医备案后能直接结算吗", body="可以。在联网定点医疗机构直接结算。"),
    ]

    results = check_collection(items, today=TODAY)

    (first,) = codes(results, 0, "contradiction")
    assert first.quote == "可以。"
    assert "“不能”" in first.message
    assert codes(results, 1, "contradiction")
    assert codes(results, 2, "contradiction")


def test_the_same_answer_hedged_answers_and_other_regions_do_not_contradict():
    items = [
        CheckInput(title="湛江医保能在东莞用吗", body="可以,需先备案。"),
        CheckInput(title="湛江医保可以在东莞用吗", body="能够使用,但需要备案。"),
        CheckInput(title="湛江医保能不能在东莞用", body="取决于是否办理备案。"),
        CheckInput(title="茂名医保能在东莞用吗", body="不能直接使用。"),
        CheckInput(title="湛江医保在东莞怎么用", body="不能直接刷卡。"),  # not a yes/no question
    ]

    results = check_collection(items, today=TODAY)

    assert not any(codes(results, i, "contradiction") for i in range(len(items)))


def test_question_key_and_polarity():
    assert question_key("2025年湛江医保能不能在东莞用？") == question_key("湛江医保可以在东莞用吗")
    assert question_key("湛江医保在东莞怎么用") is None
    assert answer_polarity("不能 同时参加职工医保和居民医保。")[0] is False
    assert answer_polarity("是的,可以在省内异地使用。")[0] is True
    assert answer_polarity("取决于具体的医保政策。")[0] is None
    assert answer_polarity("找到工作后可以由新单位接续缴纳，不会影响待遇。")[0] is True  # what it says first
    assert answer_polarity("不能转为单位职工医保，但可以重新参保。")[0] is False
    assert answer_polarity("未备案可能无法直接结算。")[0] is False  # 可能 is not 能


def test_different_numbers_for_one_agency_in_two_articles_conflict():
    items = [
        CheckInput(title="通辽医保咨询热线", body="通辽市医疗保障局业务咨询电话为0475-8910921 。"),
        CheckInput(
            title="通辽市医保局电话号码", body="通辽市医疗保险管理局电话 :0475-8242927 该电话可用于咨询。"
        ),
        CheckInput(title="通辽医保局办公室", body="通辽市医保局办公室电话 :0475-8836278"),  # another purpose
    ]

    results = check_collection(items, today=TODAY)

    assert [f.quote for f in codes(results, 0, "phone-conflict")] == ["0475-8910921"]
    assert [f.quote for f in codes(results, 1, "phone-conflict")] == ["0475-8242927"]
    assert "通辽医保咨询热线" in codes(results, 1, "phone-conflict")[0].message
    assert codes(results, 2, "phone-conflict") == []


def test_hotline_records_conflict_with_each_other_and_with_articles():
    hotline = CheckInput(
        kind="hotline", title="湛江市医疗保障局", organisation="湛江市医疗保障局", purpose="consultation",
        number="0759-3387110", region_codes=("440800",),
    )  # fmt: skip
    other = CheckInput(
        kind="hotline", title="湛江市医保局", organisation="湛江市医保局", purpose="consultation",
        number="0759-3387111", region_codes=("440800",),
    )  # fmt: skip
    article = CheckInput(title="湛江医保电话", body="湛江市医疗保障局咨询电话为0759-3387110。")

    results = check_collection([hotline, other, article], today=TODAY)

    (conflict,) = codes(results, 1, "phone-conflict")
    assert conflict.field == "number"
    assert "只差一位数字" in conflict.message
    assert codes(results, 0, "phone-conflict")
    assert codes(results, 2, "phone-conflict")


def test_a_bureau_and_its_service_centre_have_numbers_of_their_own():
    text = (
        "四平市医疗保障局对外咨询电话为0434-3256789。下属经办机构 四平市医疗保障服务中心 :0434-3265471,"
        "负责参保登记。"
    )
    items = [
        CheckInput(title="四平市医保局电话号码", body=text),
        CheckInput(title="四平医保中心电话", body="四平市医保中心咨询电话:0434-3265478。"),
    ]

    results = check_collection(items, today=TODAY)

    assert [f.quote for f in codes(results, 0, "phone-conflict")] == ["0434-3265471"]
    assert [f.quote for f in codes(results, 1, "phone-conflict")] == ["0434-3265478"]


def test_agencies_of_places_we_cannot_map_are_not_merged_with_their_neighbours():
    body = "达州市各县医保部门电话：通川区医疗保障局:0818-2128345 达县医疗保障局:0818-3212345 。"

    results = check_collection([CheckInput(title="达州医保电话号码", body=body)], today=TODAY)

    assert codes(results, 0, "phone-conflict") == []


def test_a_line_for_one_business_is_not_the_general_line():
    body = "开封市医疗保障局咨询电话:0371-23912345,生育津贴申领咨询:0371-25661234。"

    results = check_collection([CheckInput(title="开封市生育保险怎么报销", body=body)], today=TODAY)

    assert codes(results, 0, "phone-conflict") == []


def test_the_same_number_in_several_records_is_consistent():
    items = [
        CheckInput(title="通辽医保咨询热线", body="通辽市医保经办机构业务咨询电话为0475-8910921 。"),
        CheckInput(title="通辽医保局电话是多少", body="通辽医保局的电话是0475-8910921 。"),
    ]

    results = check_collection(items, today=TODAY)

    assert not codes(results, 0, "phone-conflict")
    assert not codes(results, 1, "phone-conflict")


def test_a_province_and_its_city_answering_the_same_question_oppositely_contradict():
    items = [
        CheckInput(
            title="江西职工医保个人账户能给家人交医保吗",
            body="可以 江西省职工医保个人账户可以为配偶、父母、子女缴纳城乡居民医保个人缴费部分。",
        ),
        CheckInput(
            title="南昌职工医保个人账户能给父母交医保吗",
            body="南昌市职工医保个人账户不能用于为父母缴纳城乡居民医保，仅限本人使用。",
        ),
        CheckInput(
            title="内蒙古职工医保个人账户能给家人交医保吗",
            body="内蒙古职工医保个人账户不能为家人缴纳城乡居民医保。",
        ),
    ]

    results = check_collection(items, today=TODAY)

    assert len(codes(results, 0, "contradiction")) == 1
    assert "南昌职工医保个人账户能给父母交医保吗" in codes(results, 0, "contradiction")[0].message
    assert len(codes(results, 1, "contradiction")) == 1
    assert codes(results, 2, "contradiction") == []  # another province may have another rule


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("大庆灵活就业医保断缴后能补缴吗", "大庆灵活就业医保断了还能补交吗"),
        ("石家庄医保卡丢了能在网上补办吗", "石家庄社保卡丢失可以线上补办吗"),
        ("江西职工医保个人账户能给家人交医保吗", "江西职工医保个人账户可以给父母缴纳医保吗"),
        ("宁夏医保未备案异地住院能报销吗", "宁夏医保没备案在外地住院可以报吗"),
        ("宝鸡灵活就业医保能转职工医保吗", "宝鸡灵活就业人员可以转单位职工医保吗"),
        ("齐齐哈尔种植牙医保能报销吗", "齐齐哈尔种植牙能走医保吗"),
        ("四平补牙医保能报销吗", "四平补牙能用医保卡吗"),
        ("遵义种植牙医保能报销吗", "遵义种牙可以走医保吗"),
        ("赤峰医保个人账户可以给家人用吗", "赤峰医保卡里的钱能给父母看病吗"),
        ("合肥医保个人账户能给家人用吗", "合肥医保卡可以给父母买药吗"),
    ],
)
def test_one_question_in_other_words_has_one_key(one, other):
    assert question_key(one) == question_key(other)


def test_a_number_given_again_for_the_same_centre_in_other_words_conflicts():
    body = (
        "中卫市医疗保障服务中心咨询电话为0955-7012836 ,可办理参保业务。"
        "另据中卫市政府门户网站早前公布的信息,该中心咨询电话为0955-7012863。"
    )

    results = check_collection([CheckInput(title="中卫市医保中心电话", body=body)], today=TODAY)

    assert [f.quote for f in codes(results, 0, "phone-conflict")] == ["0955-7012836", "0955-7012863"]


def test_alike_questions_about_different_things_do_not_contradict():
    items = [
        CheckInput(title="绥化拔牙医保能报销吗", body="绥化拔牙可以按门诊统筹报销。"),
        CheckInput(title="绥化补牙医保能报销吗", body="绥化补牙不能用医保报销。"),
        CheckInput(title="河南职工医保个人账户能给家人用吗", body="能 河南职工医保个人账户可以给家人使用。"),
        CheckInput(
            title="河南医保个人账户可以给父母交医保吗",
            body="河南职工医保个人账户不能用于为父母缴纳居民医保。",
        ),
    ]

    results = check_collection(items, today=TODAY)

    assert codes(results, 0, "contradiction") == []  # 拔牙 is not 补牙
    assert codes(results, 1, "contradiction") == []
    assert len(codes(results, 2, "contradiction")) == 1  # the same question in other words
    assert len(codes(results, 3, "contradiction")) == 1


def test_how_much_it_pays_and_whether_it_pays_are_one_question_when_the_answer_is_plain():
    items = [
        CheckInput(title="四平补牙医保能报销吗", body="四平地区补牙费用可以纳入医保报销,按门诊统筹结算。"),
        CheckInput(title="四平补牙医保能报多少", body="补牙不在医保报销范围内,费用需自理。"),
        CheckInput(
            title="四平拔牙医保报销比例是多少", body="目前无法给出四平拔牙的准确报销比例。"
        ),  # says nothing
    ]

    results = check_collection(items, today=TODAY)

    assert len(codes(results, 0, "contradiction")) == 1
    assert len(codes(results, 1, "contradiction")) == 1
    assert codes(results, 2, "contradiction") == []
    assert answer_polarity("补牙一般属于口腔科自费项目,不能使用医保统筹基金报销。")[0] is False


def test_the_next_line_of_an_agencys_list_is_the_agencys():
    body = (
        "上饶医保局的业务咨询电话是0793-8208653 。 上饶市医疗保障局对外公布的电话: 办公室 :0793-8208617,"
        "工作时间为周一至周五。 业务咨询 :0793-8208635,可咨询参保登记。"
    )

    results = check_collection([CheckInput(title="上饶医保局电话号码", body=body)], today=TODAY)

    assert sorted(f.quote for f in codes(results, 0, "phone-conflict")) == ["0793-8208635", "0793-8208653"]


def test_a_list_of_places_under_a_medical_insurance_heading_gives_each_places_agency():
    items = [
        CheckInput(title="枝江医保局电话", body="枝江市医疗保障局的联系电话为 0717-4221376 。"),
        CheckInput(
            title="宜昌市医保局咨询电话",
            body="各县市区医保咨询电话 枝江市 :0717-4212376 宜都市 :0717-4831220 。",
        ),
    ]

    results = check_collection(items, today=TODAY)

    assert [f.quote for f in codes(results, 0, "phone-conflict")] == ["0717-4221376"]
    assert [f.quote for f in codes(results, 1, "phone-conflict")] == ["0717-4212376"]  # not 宜都's


def test_a_service_hall_is_the_service_centres():
    items = [
        CheckInput(title="四平医保局电话", body="补充说明: 市医保经办服务大厅咨询电话为0434-3221576 ;"),
        CheckInput(title="四平市医保中心电话号码", body="四平市医保中心咨询电话为0434-3221567 。"),
    ]

    results = check_collection(items, today=TODAY)

    assert [f.quote for f in codes(results, 0, "phone-conflict")] == ["0434-3221576"]
    assert [f.quote for f in codes(results, 1, "phone-conflict")] == ["0434-3221567"]
