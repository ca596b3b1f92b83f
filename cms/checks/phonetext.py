"""Telephone numbers written in a text, with whom and what they are given for.

Finding the digits is this module's job; whether they make a valid number is
``cms.verification.phones.parse_phone``'s, and what a number means for its organisation and region is
``cms.verification.rules``'. The owner of a number is the organisation named just before it in the
same sentence (通辽市医保局办公室电话 :0475-8836278); a number with no owner of its own in a list of
numbers (思茅区 :0879-3012539 宁洱县 :0879-3235661) takes the owner and purpose of the one before it.
"""

import functools
import re
from dataclasses import dataclass

from cms.verification import phones, rules

from .places import Place, find_places, most_specific
from .text import ASCII, CJK

# Words that say a number is a telephone number (needed before a bare local or short number).
PHONE_WORDS = re.compile(
    r"电话|热线|号码|拨打|致电|联系|咨询|预约|挂号|传真|服务台|院办|办公室|举报|投诉|监督|查询|值班|手机|座机|tel",
    re.IGNORECASE,
)
_UNITS = "个元万亿千百年月日号天次人名位张床岁平米%％倍栋层楼家条项种期届分秒例台辆"
_CANDIDATE = re.compile(
    rf"""
    (?<![0-9A-Za-z.\-/_])
    (?:
        (?P<intl>(?:\+|00)86[\s-]?(?:\(0?\d{{2,3}}\)|0?\d{{2,3}})[\s-]?\d{{7,8}})
      | (?P<area>(?:\(0\d{{2,3}}\)\s?|0\d{{2,3}}\s?-\s?|0\d{{2,3}}\s)\d{{3,9}})
      | (?P<areaplain>0\d{{9,11}})
      | (?P<mobile>1\d{{2}}(?:[\s-]?\d{{4}}){{2}})
      | (?P<service>[48]00[\s-]?\d{{3}}[\s-]?\d{{4}})
      | (?P<local>[2-9]\d{{6,7}})
      | (?P<short>1\d{{2,4}}|9[56]\d{{3}})
    )
    (?P<ext>\s*(?:转|分机)\s*\d{{1,6}})?
    (?![0-9]|\.\d|[{_UNITS}]|\s+[年月日])  # not 1949 年建立
    """,
    re.VERBOSE,
)
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*$")
_BOUNDARY = re.compile(r"[。！？!?；;\n]")
_AFTER = re.compile(r"\s*[(（]([^()（）]{1,16})[)）]")
_WORDS_IN = re.compile(rf"[{CJK}]{{2,}}")
_TRAIL = re.compile(rf"\s*([{CJK}]{{2,12}})")  # what follows a short number: 12345政务服务便民热线
_PLACE_COLON = re.compile(r"\s*[:：]\s*")
MEDICAL_INSURANCE = re.compile(r"医保(?!卡)|医疗保障")  # 医保 the agency, not 医保卡 (the 人社 card)
_LIST_LABEL = re.compile(rf"^[{CJK}]{{2,8}}\s*[:：]$")
_ANAPHORA = re.compile(r"该(?:中心|局|院|医院|机构|单位|部门|分局|所)")
_LIST_GAP = re.compile(r"^[\s、,，/]*(?:或者|以及|或|和|及|与)?[\s、,，/]*$")
_LABEL_WINDOW = 48  # how far before a number its purpose and region are looked for
_OWNER_WINDOW = 100  # … and its organisation

# An agency's name: a domain (医疗保障, 社会保险 …), what it does (事业管理, 事务, 经办 …) and what it is
# (局, 中心 …), so that 医疗保障事务中心 and 社会保险事务中心 are names as much as 医疗保障局 is.
AGENCY_NAME = (
    "(?:医疗保障|医疗保险|社会保险|医保|社保|人力资源和社会保障|卫生健康|卫生和计划生育)"
    "(?:事业管理|事业服务|事业|事务|服务|经办|基金管理|结算|管理){0,2}(?:委员会|分中心|分局|中心|局|机构|处|大厅)"
)
ORGANISATION_WORDS = (
    f"{AGENCY_NAME}|"
    "医疗保障事业管理中心|医疗保障事业服务中心|医疗保障服务中心|医疗保障局|医保经办机构|医保服务中心|医保中心|"
    "医保局|医保分局|医疗保障分局|医疗保险事业管理局|医疗保险管理局|医疗保险局|医疗保险中心|社会保险基金管理局|社会保险事业管理局|"
    "社会保险事业局|社保局|社保中心|人力资源和社会保障局|人社局|卫生健康委员会|卫健委|卫生健康局|卫生局|"
    "政务服务中心|政务服务数据管理局|市场监督管理局|社区卫生服务中心|医院|卫生院|卫生室|诊所|门诊部|保健院"
)
# A branch keeps its parent's name: 佛山市医疗保障局顺德分局, 某某医院东院区.
ORGANISATION = re.compile(
    rf"[{CJK}A-Za-z0-9（）()]{{0,24}}?(?:{ORGANISATION_WORDS}|口腔(?![{CJK}]))"
    rf"(?:[{CJK}]{{1,4}}?(?:分局|分中心|分院|院区))?"
)
# A desk or department of an organisation, named before its own line (待遇审核科 :2883027).
DEPARTMENT = re.compile(rf"([{CJK}]{{2,8}}(?:科|股|室|大厅|窗口|服务台))\s*[:：]?\s*$")
# A bare number right after a name and a colon (章贡区医疗保障局：8172635) is that body's telephone.
_ORGANISATION_COLON = re.compile(
    rf"(?:{ORGANISATION_WORDS}|[{CJK}]{{2,8}}(?:科|股|室|大厅|窗口))\s*[:：]\s*$"
)
_LEAD = re.compile(
    r"^(?:以下是|以下|关于|根据|其中|包括|主要有|主要|例如|比如|如|是|为|由|在|到|向|拨打|联系|咨询|位于|"
    r"前往|推荐|选择|去|此|该|这|本|即|也|可|可以|还|和|与|及|或|的|、)+"
)
_GENERIC = re.compile(
    r"^(?:三级甲等|三级乙等|二级甲等|二级乙等|三甲|一级|二级|三级|甲等|乙等|综合性?|专科|定点|公立|私立|民营|当地|本地|"
    r"附近|各|市级|县级|省级|基层|乡镇|社区|上级|大型|知名|正规|指定|就近|医保|异地|参保地|就医地|选定|所在地|"
    r"多家|部分|其他|相关|周边|下列|上述|较好|最好|好的|著名|优质)*"
    r"(?:医院|卫生院|卫生室|诊所|门诊部|保健院|医疗中心|医学中心|口腔|医疗机构)$"
)
# Words that do not occur in the name of an organisation but do in the phrase around it
# (衢州市有多家医院, 按一档缴费者在一级医院, 作为四省边际中心医院).
_NOT_A_NAME = re.compile(
    r"的|是|在|到|有|多家|几家|一所|一家|每所|某|作为|综合类|专科类|中医类|需|等|通常|包括|以及|部分|适用|查询|"
    r"直接|自行|集中|选定|或|但|哪|什么|治疗|推荐|排名|号码|电话|地点|缴费|省外|省内|外地|本地"
)


@dataclass(frozen=True)
class PhoneMention:
    field: str
    start: int
    end: int
    raw: str  # as written
    kind: str  # intl, area, areaplain, mobile, service, local, short
    phone: phones.Phone | None  # parsed; a local number completed with its region's area code
    error: str  # why it is not a valid number ("" when it is)
    short_code: str  # a government short number, also when written after an area code (0475-12333)
    owner: str  # the organisation it is given for, as written ("" if none)
    region: str | None  # the region of the owner (or of the item, see ``region_explicit``)
    region_explicit: bool  # the region is written next to the number, not taken from the item
    purpose: str  # consultation, office, complaint … (see ``rules.PURPOSE_WORDS``)
    label: str  # the text before the number that says what it is
    group: int  # numbers of one list (0759-…、0759-…) share a group
    topic: str = ""  # the business a line is for, when its label names one (生育津贴申领咨询 → 生育)
    unplaced: str = ""  # a name before the agency's that is no region we know (达县医疗保障局 → 达县)

    @property
    def local(self) -> bool:
        return self.kind == "local"

    @property
    def organisation_key(self) -> str:
        if not self.owner:
            return ""
        key = rules.organisation_key(self.owner, self.region)
        return f"{key}:{self.unplaced}" if self.unplaced else key

    @property
    def line(self) -> str:
        """What the number is for: its purpose, and its business when the label names one."""
        return f"{self.purpose}:{self.topic}" if self.topic else self.purpose


def clean_organisation(name: str, places: list[Place], offset: int) -> tuple[str, bool]:
    """Trim a matched organisation name to the name itself: from its first region name, or without
    the words that lead into it (以下是关于…, 主要有…). Also says whether the name starts at a region."""
    inside = [p for p in places if offset <= p.start < offset + len(name)]
    for place in inside:
        cut = name[place.start - offset :]
        if len(cut) > len(place.name):
            return cut, True
    return re.sub(r"^[（()）]+", "", _LEAD.sub("", name)), False


def is_generic(name: str) -> bool:
    return bool(_GENERIC.match(name)) or bool(_NOT_A_NAME.search(name))


def organisations(text: str, places: list[Place]) -> list[tuple[int, int, str]]:
    """Organisations named in ``text``: (start, end, name). A name starts at a region (伊春市第一医院)
    or right after punctuation or space (鞍钢集团公司总医院); generic phrases (定点医院) are left out."""
    found = []
    for match in ORGANISATION.finditer(text):
        name, at_region = clean_organisation(match.group(), places, match.start())
        anchored = at_region or match.start() == 0 or not re.match(f"[{CJK}]", text[match.start() - 1])
        if len(name) < 3 or is_generic(name) or not (anchored or _LEAD.match(match.group())):
            continue
        found.append((match.end() - len(name), match.end(), name))
    return found


def find_phones(
    text: str,
    field: str,
    places: list[Place],
    *,
    fallback_regions: tuple[str, ...] = (),
    default_owner: str = "",
    default_purpose: str = "",
    require_context: bool = True,
    subject: str = "",
) -> list[PhoneMention]:
    """Every telephone number written in ``text`` (one field of an item).

    ``subject`` is what the item is about (its title): in a list of places and numbers under a 医保
    heading (枝江市 :0717-4221376), each number is that place's 医保 agency's.

    ``places`` are the regions named in the text; ``fallback_regions`` those of the item, used when
    nothing next to a number says where it is. In a field that holds only numbers (a hotline's number)
    ``require_context`` is off and ``default_owner`` / ``default_purpose`` say whose they are.
    """
    plain = text.translate(ASCII)
    orgs = organisations(plain, places)
    mentions: list[PhoneMention] = []
    previous: PhoneMention | None = None
    last: PhoneMention | None = None  # the last number with an owner, in any sentence
    group = 0
    for match in _CANDIDATE.finditer(plain):
        kind = _kind(match)
        start, end = match.start(), match.end()
        boundary = max((m.end() for m in _BOUNDARY.finditer(plain, 0, start)), default=0)
        same_sentence = previous is not None and previous.end > boundary
        floor = max(boundary, previous.end if same_sentence and previous is not None else 0)
        label_start = max(floor, start - _LABEL_WINDOW)
        label = plain[label_start:start]
        if _POSTCODE.search(label):
            continue
        unlikely = kind in ("local", "short") or (kind == "mobile" and plain[start + 1] in "012")
        if unlikely and require_context:
            context = plain[max(boundary, start - 20) : start]
            if (
                not PHONE_WORDS.search(context)
                and not _ORGANISATION_COLON.search(context)
                and not (same_sentence and start - previous.end <= 30)
            ):
                continue
        after_match = _AFTER.match(plain, end)
        after = after_match.group(1) if after_match else ""

        owner_names = [name for s, e, name in orgs if max(floor, start - _OWNER_WINDOW) <= s and e <= start]
        owner = owner_names[-1] if owner_names else ""
        listed = [p for p in places if label_start <= p.start and _PLACE_COLON.fullmatch(plain, p.end, start)]
        if not owner and listed and MEDICAL_INSURANCE.search(label + subject):
            owner = listed[-1].name + "医保"  # 各县市区医保咨询电话 枝江市 :0717-…: that place's 医保 agency
        elif (
            not owner
            and last is not None
            and (
                _ANAPHORA.search(label)
                or (_LIST_LABEL.match(label.strip()) and start - last.end <= _OWNER_WINDOW)
            )
        ):
            owner = last.owner  # 该中心咨询电话为…, or the next line of its list (业务咨询 :…)
        label_places = most_specific([p.code for p in places if label_start <= p.start and p.end <= start])
        region = label_places[-1] if label_places else None
        explicit = region is not None
        purpose = rules.purpose_of(after) or rules.purpose_of(_purpose_label(label))
        if same_sentence and previous is not None:
            owner = owner or previous.owner
            if region is None and previous.region_explicit and not owner_names:
                region, explicit = previous.region, True
            if not _WORDS_IN.search(_AFTER.sub("", label)):
                purpose = purpose or previous.purpose  # a bare list: 12345(24小时服务)和85767777
        if field == "number" or not require_context:
            owner = owner or default_owner
            purpose = purpose or default_purpose
        unplaced = ""
        if owner:
            owner_regions = most_specific([p.code for p in places if p.name in owner])
            if owner_regions and owner_names:
                region, explicit = owner_regions[-1], True  # 吉林省医疗保障局(0431-…): the owner's own place
            elif region is None:
                region, explicit = (owner_regions[-1], True) if owner_regions else (None, False)
            if not owner_regions:
                unplaced = _unplaced_prefix(owner)
        if region is None and fallback_regions:
            region = fallback_regions[-1]
        purpose = purpose or "consultation"

        raw = text[start:end]
        phone, error, short_code = _parse(raw, kind, region, fallback_regions)
        if short_code and not after:
            trail = _TRAIL.match(plain, end)
            after = trail.group(1) if trail else ""  # 12345政务服务便民热线 says what it is
        gap = plain[previous.end : start] if same_sentence and previous is not None else None
        if gap is not None and previous is not None:
            gap = _AFTER.sub("", gap, count=1) if _AFTER.match(gap) else gap
        if gap is None or not _LIST_GAP.match(gap):
            group += 1
        mention = PhoneMention(
            field=field,
            start=start,
            end=end,
            raw=raw,
            kind=kind,
            phone=phone,
            error=error,
            short_code=short_code,
            owner=owner,
            region=region,
            region_explicit=explicit,
            purpose=purpose,
            label=label.strip() + (f"（{after}）" if after else ""),
            group=group,
            topic=_topic(label),
            unplaced=unplaced,
        )
        mentions.append(mention)
        previous = mention
        if mention.owner:
            last = mention
    return mentions


_AGENCY_AT_END = re.compile(rf"(?:{AGENCY_NAME}|医保局|医保中心|卫健委)$")
_NOT_A_PLACE = re.compile(r"^(?:我|本|该|当地|各|全|省|市|县|区|州|盟|旗)+")


@functools.lru_cache(maxsize=4096)
def _unplaced_prefix(owner: str) -> str:
    """The words before an agency's name that name no known region: a place we cannot map (达县, an
    old name) or a body (国家). Two agencies with such different words are not one organisation."""
    match = _AGENCY_AT_END.search(owner)
    if match is None:
        return ""
    prefix = _NOT_A_PLACE.sub("", owner[: match.start()])
    if len(prefix) < 2 or find_places(prefix, (), rules.region_table()):
        return ""
    return prefix


# Businesses a line can be given for (生育津贴申领咨询, 异地备案咨询): a number for one of them is not
# the organisation's general line, so it does not contradict it.
_TOPIC = re.compile(
    r"生育|备案|挂失|补卡|补办|制卡|电子凭证|个人账户|慢特病|慢病|特病|门特|大病|长护|长期护理|稽核|救助|缴费|报销"
)


def _topic(label: str) -> str:
    """The business or desk named between the number and its organisation's name (or in the whole
    label when it names no organisation): 生育津贴申领咨询 → 生育, 综合服务大厅 : → 综合服务大厅."""
    matches = list(ORGANISATION.finditer(label))
    tail = label[matches[-1].end() :] if matches else label[-24:]
    desk = DEPARTMENT.search(tail)
    if desk and not rules.purpose_of(desk.group(1)):
        return desk.group(1)
    found = _TOPIC.search(tail)
    return found.group() if found else ""


def _kind(match: re.Match[str]) -> str:
    for name in ("intl", "area", "areaplain", "mobile", "service", "local", "short"):
        if match.group(name):
            return name
    return "short"


def _purpose_label(label: str) -> str:
    """The part of a label closest to the number: the words after the last organisation name."""
    matches = list(ORGANISATION.finditer(label))
    tail = label[matches[-1].start() :] if matches else label
    return tail[-24:]


def _parse(raw: str, kind: str, region: str | None, fallback: tuple[str, ...]) -> tuple:
    """(phone or None, error message, short code) for one written number."""
    table = rules.region_table()
    area_codes: tuple[str, ...] = ()
    for code in ([region] if region else []) + list(reversed(fallback)):
        area_codes = table.dialling_area_codes(code)
        if area_codes:
            break
    digits = re.sub(r"\D", "", raw.translate(ASCII))
    short_code = ""
    if kind == "short":
        short_code = digits
    elif kind in ("area", "areaplain") and digits.startswith("0"):
        _area, subscriber = phones.split_area_code(digits)
        if subscriber in rules.SHORT_CODES:
            short_code = subscriber
    try:
        phone = phones.parse_phone(raw, area_codes=area_codes if kind == "local" else ())
    except phones.PhoneNumberError as exc:
        if kind == "local" and not area_codes:
            return None, "", short_code
        return None, exc.message, short_code
    return phone, "", short_code
