"""What a text is about and what it may say: items that are not about health insurance, hospitals or
health services; medication and treatment advice that belongs to a clinician; names that are no
longer in use."""

import functools
import re
from collections.abc import Iterator

from cms.verification.rules import COUNTY, region_table, short_name

from ..context import Context
from ..findings import Finding, finding
from ..terms import alternation, terms
from ..text import CJK, SENTENCE, spans

# --- off-topic -------------------------------------------------------------------------------------

HEALTH = re.compile(alternation(terms()["health_terms"]))
OFF_TOPIC = re.compile(alternation(terms()["off_topic_terms"]))
MIN_BODY = 20


def topic_scores(title: str, body: str) -> tuple[int, int, list[str]]:
    """(health words, off-topic words, the off-topic words found) in a title and body."""
    text = f"{title}\n{body}"
    health = len(HEALTH.findall(text))
    off = OFF_TOPIC.findall(text)
    return health, len(off), sorted(set(off), key=off.index)


def off_topic(ctx: Context) -> Iterator[Finding]:
    item = ctx.item
    if item.kind != "article" or not item.title:
        return
    body = f"{item.summary}\n{item.body}"
    health, off, words = topic_scores(item.title, body)
    title_health = bool(HEALTH.search(item.title))
    unrelated = off >= 2 and off > health
    nothing_medical = health == 0 and len(body.strip()) >= MIN_BODY
    if not (unrelated or (nothing_medical and not title_health)):
        return
    about = f"（讲的是{'、'.join(words[:4])}）" if words else ""
    yield finding(
        "off-topic",
        f"这一条与医保、医院和健康服务无关{about}，不应出现在本站。",
        item.title,
        0,
        len(item.title),
        "title",
    )


# --- clinical-advice -------------------------------------------------------------------------------

_CLINICAL = terms()["clinical"]
DRUG = re.compile(
    alternation(_CLINICAL["drugs"]) + rf"|[{CJK}]{{1,6}}(?:{alternation(_CLINICAL['drug_suffixes'])})"
)
USE = re.compile(alternation(_CLINICAL["use_verbs"]))
SELF_TREATMENT = re.compile(alternation(_CLINICAL["self_treatment"]))
ADVICE = re.compile(alternation(_CLINICAL["advice_words"]))
DOSE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:mg|毫克|g|克|ml|毫升|片|粒|袋|支|丸|滴|单位|IU)\s*[/／每]?\s*(?:次|日|天)"
    r"|(?:每|一)(?:次|日|天)\s*\d+(?:\.\d+)?(?:\s*[-~至到]\s*\d+(?:\.\d+)?)?\s*(?:次|片|粒|袋|mg|毫克|g|克|ml|毫升)"
    r"|(?:每|一)(?:日|天)\s*[一二两三四\d]\s*次"
    r"|(?:每|一)(?:日|天|次|晚|早)\s*(?:服用|口服|服|吃|注射|外用)"  # a schedule: 每日服用…
    r"|(?:服用|口服|注射)[^,，。；;\n]{1,12}?\d+(?:\.\d+)?\s*(?:mg|毫克|μg|微克|ml|毫升|片|粒|袋|丸|单位|IU)",
    re.IGNORECASE,
)
# Verbs that take a drug without advising its use: buying it, paying for it, listing it.
_NOT_USE = re.compile(
    r"购买|购药|报销|支付|目录|纳入|价格|集采|医保|药店|药品费|费用|待遇|慢特病|申请|认定|参保"
)
_LIST_ENTRY = re.compile(rf"[{CJK}]{{2,12}}\s*\d")  # 枸橼酸铋钾 220mg…: a list's next entry, not one sentence
# A hospital's specialties (推拿、针灸…缓解疼痛) or a question put back (是否需要…) are not advice.
_NOT_ADVISING = re.compile(r"医院|科室|[^学]科[、,，:： 在]|特色|擅长|开展|设有|是否")
_NOT_ADVICE = re.compile(r"对应|相应|适应|反应|供应|应用")  # 应 inside other words
# Sentences that send the reader to a clinician are the right advice, not clinical advice.
_DEFER = re.compile(
    r"遵医嘱|遵照医嘱|在医生指导下|在医师指导下|在医生或药师指导下|咨询医生|请医生|由医生|听从医生"
)


def clinical_advice(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        advice: list[tuple[int, int, str]] = []
        for start, end in spans(text):
            sentence = text[start:end]
            dose = DOSE.search(sentence)
            use = USE.search(sentence)
            drug = DRUG.search(sentence)
            bare_use = (
                use
                and use.group() in ("服药", "用药", "吃药", "停药")
                and ADVICE.search(_NOT_ADVICE.sub("", sentence))
            )
            described = _NOT_ADVISING.search(sentence)  # a hospital's specialties, a question put back
            medication = dose or (use and drug and not described) or (bare_use and not described)
            home = (
                SELF_TREATMENT.search(sentence)
                and ADVICE.search(sentence)
                and not _NOT_ADVISING.search(sentence)
            )
            if not (medication or home):
                continue
            if (not dose and _NOT_USE.search(sentence)) or _DEFER.search(sentence):
                continue
            what = "用药" if medication else "自行处理"
            if (
                advice
                and text[advice[-1][1] - 1] in "；;"
                and not text[advice[-1][1] : start].strip()
                and not _LIST_ENTRY.match(sentence)
            ):
                advice[-1] = (advice[-1][0], end, advice[-1][2])  # one sentence, its clauses joined by ；
            else:
                advice.append((start, end, what))
        for start, end, what in advice:
            yield finding(
                "clinical-advice",
                f"这句是具体的{what}建议，应由医生根据病情给出，不能作为医保信息发布：请删除或改为“请遵医嘱”。",
                text,
                start,
                end,
                field,
            )


# --- obsolete-term ---------------------------------------------------------------------------------


@functools.cache
def _curated() -> tuple[re.Pattern[str], dict[str, tuple[str, str, re.Pattern[str] | None]]]:
    """The curated old names, with the current name, a note and, for a name short enough to occur
    inside other words (开县 in 召开县级会议), what may stand before it: its parent, or a phrase boundary."""
    entries = {
        e["term"]: (
            e["current"],
            e.get("note", ""),
            re.compile(rf"(?:^|[\s，,。；;：:、（(“\"原到在去往赴向至于]|{e['only_after']})$")
            if e.get("only_after")
            else None,
        )
        for e in terms()["obsolete_terms"]
    }
    return re.compile(alternation(list(entries))), entries


@functools.cache
def _former_counties() -> tuple[re.Pattern[str] | None, dict[str, list[str]]]:
    """County names that are no longer written with 县: 吴川县 → 吴川市 (the table has a 吴川市 and no
    吴川县 anywhere), 番禺县 → 番禺区; and county-level cities that became districts: 上虞市 → 上虞区."""
    table = region_table()
    names = {r.name for r in table.regions.values()}
    county_stems = {short_name(n, COUNTY) for n in names if "县" in n}
    stems = {short_name(r.name, r.level) for r in table.regions.values() if r.name[-1] != "区"}
    current: dict[str, list[str]] = {}
    for region in table.regions.values():
        if region.level != COUNTY or region.name[-1] not in "市区" or "开发" in region.name:
            continue
        stem = region.name[:-1]
        if len(stem) >= 2 and stem + "县" not in names and stem not in county_stems:
            current.setdefault(stem + "县", []).append(table.path_name(region.code))
        if region.name[-1] == "区" and len(stem) >= 2 and stem + "市" not in names and stem not in stems:
            current.setdefault(stem + "市", []).append(table.path_name(region.code))
    if not current:
        return None, {}
    # 上虞市医保局, not 黄浦市场 or 上虞市民
    return re.compile(f"(?:{alternation(list(current))})(?![场民政内级委区属辖直])"), current


# An old name given as history is not a defect: 原新农合, 新农合已整合为城乡居民医保, 原莱芜市于2019年撤销.
_FORMERLY = re.compile(
    rf"(?:(?<![{CJK}])原(?![因则件本始告])|(?<=[为即是系的])原|原来的|原先的|以前的|过去的|旧称|曾称|前身为|前身是)"
    rf"(?:[{CJK}]{{1,6}}?[省市县区州盟旗])?\s*$"
)  # 原新农合, 原南阳市医疗保险管理局
_BECAME = re.compile(
    r"^[^。！？；;，,\n]{0,12}?(?:已经|现已|已|于\d{4}年)?(?:整合|合并|并入|更名|改名|撤销|撤地|撤县|撤盟|改为|改称|现为|现称|"
    r"划归|调整为|升级为|统一为)"
)


def as_history(text: str, start: int, end: int) -> bool:
    return bool(_FORMERLY.search(text, max(0, start - 12), start) or _BECAME.match(text[end : end + 24]))


# Since 2018 医保 has its own bureau (医疗保障局) and service centres: a 社保 office named as the
# place for 医保 business (到社保中心办理报销) is the old arrangement. 社保 for pensions, work injury
# and the social security card (社保卡) is still right.
SOCIAL_SECURITY_OFFICE = re.compile(r"社保(?:经办机构|机构|中心|局|部门|官方网站|官网)")
_STILL_SOCIAL_SECURITY = re.compile(r"养老|失业|工伤|挂失|补办|补领|制卡|换卡|人社|人力资源|12333")
# 生育保险 presented as a scheme of its own, after it was merged into 职工医保 (2019).
SEPARATE_MATERNITY = re.compile(
    r"生育保险(?=[^。！？；;\n]{0,8}(?:独立于|单独的?险种|单独参保|单独缴[费纳]|另行缴[费纳]))"
)


def obsolete_term(ctx: Context) -> Iterator[Finding]:
    pattern, entries = _curated()
    counties, county_names = _former_counties()
    for field, text in ctx.fields():
        taken: list[tuple[int, int]] = []
        for sentence in SENTENCE.finditer(text):
            if _STILL_SOCIAL_SECURITY.search(sentence.group()):
                continue
            for match in SOCIAL_SECURITY_OFFICE.finditer(text, sentence.start(), sentence.end()):
                taken.append((match.start(), match.end()))
                if as_history(text, match.start(), match.end()):
                    continue  # 原惠来县社保局医疗保险股
                yield finding(
                    "obsolete-term",
                    f"“{match.group()}”：2018 年机构改革后，医保业务由医疗保障局及其经办机构"
                    "（医保服务中心）办理，不再由社保部门办理。",
                    text,
                    match.start(),
                    match.end(),
                    field,
                )
        for match in SEPARATE_MATERNITY.finditer(text):
            yield finding(
                "obsolete-term",
                "生育保险已于 2019 年与职工基本医疗保险合并实施，不再是单独缴费的险种。",
                text,
                match.start(),
                match.end(),
                field,
            )
        for match in pattern.finditer(text):
            current, note, only_after = entries[match.group()]
            if as_history(text, match.start(), match.end()):
                continue
            if only_after is not None and not only_after.search(
                text, max(0, match.start() - 4), match.start()
            ):
                continue
            taken.append((match.start(), match.end()))
            yield finding(
                "obsolete-term",
                f"“{match.group()}”已不再使用，现称“{current}”" + (f"（{note}）。" if note else "。"),
                text,
                match.start(),
                match.end(),
                field,
            )
        if counties is None:
            continue
        for match in counties.finditer(text):
            if any(s <= match.start() < e for s, e in taken) or as_history(text, match.start(), match.end()):
                continue
            now = "、".join(county_names[match.group()])
            yield finding(
                "obsolete-term",
                f"“{match.group()}”已撤县，现为“{now}”。",
                text,
                match.start(),
                match.end(),
                field,
            )


RULES = (off_topic, clinical_advice, obsolete_term)
