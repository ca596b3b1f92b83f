"""Rules about telephone numbers that the content checks and the hotline re-check job share (pure: no
database, no network).

Whether a string is a valid Chinese number at all is ``phones.parse_phone``'s business; this module
adds what a number means for the record that lists it: does its area code belong to the record's
region, do two records of one organisation give different numbers for one purpose, is a government
short number (12345, 12333) presented as a hospital's or a 医保 agency's own line.

The region data come from ``cms/data/regions.json`` (GB/T 2260 divisions with their area codes), loaded
once into a small ``RegionTable``.
"""

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cms.verification import phones

REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.json"

PROVINCE = "province"
PREFECTURE = "prefecture"
COUNTY = "county"

# Ethnic names inside autonomous divisions (楚雄彝族自治州 → 楚雄), longest first when stripped.
_ETHNIC = (
    "柯尔克孜|维吾尔|哈萨克|达斡尔|鄂温克|鄂伦春|塔吉克|布依|土家|哈尼|景颇|傈僳|蒙古|朝鲜|纳西|拉祜|"
    "布朗|独龙|普米|仡佬|毛南|仫佬|撒拉|保安|东乡|裕固|锡伯|各族|彝|藏|回|苗|壮|侗|傣|白|羌|满|瑶|黎|"
    "畲|土|佤|怒|水|京"
)
_ETHNIC_TAIL = re.compile(rf"(?:(?:{_ETHNIC})族?)+$")
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:自治州|地区|市|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|县|市|旗)$")

# Short names that are also everyday words or other proper names: they count only with their suffix
# (中山大学 is not 中山市, 大同小异 not 大同市, 阿里健康 not 阿里地区).
AMBIGUOUS_SHORT_NAMES = frozenset(
    {"中山", "大同", "长治", "阿里", "白银", "日照", "安康", "黄山", "海东", "海北", "海西", "玉树", "白山",
     "吉安", "新余", "承德", "东方", "和平", "永安", "龙门", "南山", "新城", "开平", "太和", "长安"}
)  # fmt: skip


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None
    area_codes: tuple[str, ...]  # without the trunk 0: ("759",)


@dataclass(frozen=True)
class NameEntry:
    """What a name written in a text can stand for."""

    code: str
    short: bool  # written without its suffix (湛江 for 湛江市)
    needs_context: bool  # a county's or district's short name counts only next to its city or province


def short_name(name: str, level: str) -> str:
    """湛江市 → 湛江, 楚雄彝族自治州 → 楚雄, 广西壮族自治区 → 广西, 顺德区 → 顺德; names that would be too
    short or not a place without their suffix (城区, 高新区) keep it."""
    if level == PROVINCE:
        stem = _PROVINCE_SUFFIX.sub("", name)
    elif level == PREFECTURE:
        stem = _PREFECTURE_SUFFIX.sub("", name)
    elif name.endswith(("林区", "新区", "开发区", "示范区", "管理区", "园区")) or len(name) <= 2:
        return name  # 城区, 郊区, 矿区 …: too short or not a place name without the suffix
    elif name.endswith("区"):
        stem = name[:-1]  # 顺德区 → 顺德 (a district is written without 区 as often as with it)
    else:
        stem = _COUNTY_SUFFIX.sub("", name)
    if "自治" in name:
        bare = _ETHNIC_TAIL.sub("", stem)
        stem = bare if len(bare) >= 2 else stem
    return stem if len(stem) >= 2 else name


class RegionTable:
    """China's divisions down to county level: code → region, and name (full or short) → codes."""

    def __init__(self, rows: Iterable[Sequence]) -> None:
        self.regions: dict[str, Region] = {}
        for code, name, level, parent, area_codes in rows:
            self.regions[code] = Region(code, name, level, parent, tuple(area_codes))
        self.regions_by_name = {region.name for region in self.regions.values()}
        entries: dict[str, list[NameEntry]] = defaultdict(list)
        for region in self.regions.values():
            entries[region.name].append(NameEntry(region.code, short=False, needs_context=False))
            stem = short_name(region.name, region.level)
            if stem != region.name and stem not in AMBIGUOUS_SHORT_NAMES:
                entries[stem].append(NameEntry(region.code, short=True, needs_context=region.level == COUNTY))
                # 楚雄州 for 楚雄彝族自治州, 宁洱县 for 宁洱哈尼族彝族自治县: how they are usually written.
                for suffix, alias in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
                    if region.name.endswith(suffix) and stem + alias not in self.regions_by_name:
                        entries[stem + alias].append(NameEntry(region.code, short=True, needs_context=False))
        self.names: dict[str, tuple[NameEntry, ...]] = {name: tuple(found) for name, found in entries.items()}
        self.longest_name = max(len(name) for name in self.names)
        self.name_prefixes = frozenset(name[:2] for name in self.names)
        by_area: dict[str, list[str]] = defaultdict(list)
        for region in self.regions.values():
            for area_code in region.area_codes:
                by_area[area_code].append(region.code)
        self.by_area_code: dict[str, tuple[str, ...]] = {
            area: tuple(codes) for area, codes in by_area.items()
        }

    def __contains__(self, code: object) -> bool:
        return code in self.regions

    def get(self, code: str) -> Region | None:
        return self.regions.get(code)

    def lookup(self, name: str) -> tuple[str, ...]:
        """Codes a written name can mean, full names first: 吴川 → ("440883",)."""
        found = self.names.get(name, ())
        return tuple(e.code for e in sorted(found, key=lambda e: e.short))

    def chain(self, code: str) -> list[Region]:
        """The region and its ancestors, the region first."""
        result = []
        region = self.regions.get(code)
        while region is not None:
            result.append(region)
            region = self.regions.get(region.parent) if region.parent else None
        return result

    def province_of(self, code: str) -> str | None:
        chain = self.chain(code)
        return chain[-1].code if chain else None

    def is_within(self, code: str, ancestor: str) -> bool:
        return any(r.code == ancestor for r in self.chain(code))

    def dialling_area_codes(self, code: str) -> tuple[str, ...]:
        """A region's own area codes, else those of the nearest ancestor that has some (吴川 → 湛江's)."""
        for region in self.chain(code):
            if region.area_codes:
                return region.area_codes
        return ()

    def capital_of(self, province: str) -> str | None:
        """The provincial capital: by the GB/T 2260 convention the first prefecture, xx0100."""
        capital = province[:2] + "0100"
        return capital if capital in self.regions else None

    def path_name(self, code: str) -> str:
        """湛江市吴川市 for 440883: the prefecture and the county (a province, or a prefecture, alone;
        the districts of a municipality under it: 北京市东城区)."""
        chain = list(reversed(self.chain(code)))
        if len(chain) == 3:
            return chain[1].name + chain[2].name
        if len(chain) == 2 and chain[0].name.endswith("市"):
            return chain[0].name + chain[1].name
        return chain[-1].name if chain else ""

    def scan(self, text: str) -> list[tuple[int, int, tuple[NameEntry, ...]]]:
        """Every region name written in ``text``, longest first, left to right, not overlapping:
        (start, end, what it can stand for)."""
        found = []
        position, length = 0, len(text)
        while position < length - 1:
            if text[position : position + 2] not in self.name_prefixes:
                position += 1
                continue
            for size in range(min(self.longest_name, length - position), 1, -1):
                entries = self.names.get(text[position : position + size])
                if entries:
                    found.append((position, position + size, entries))
                    position += size
                    break
            else:
                position += 1
        return found

    def full_name(self, code: str) -> str:
        """广东省湛江市吴川市."""
        return "".join(r.name for r in reversed(self.chain(code)))


@functools.cache
def region_table() -> RegionTable:
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return RegionTable(data["regions"])


# ---------------------------------------------------------------------------------------------------
# Area codes and regions


def area_code_matches_region(
    area_code: str, region_code: str, *, provincial_agency: bool = False, table: RegionTable | None = None
) -> bool:
    """Whether a landline with ``area_code`` (without the trunk 0) may be listed under ``region_code``.

    A region dials its own area codes, or its city's (a county under its prefecture: 吴川 dials 湛江's
    0759); several cities may share one (0937: 嘉峪关 and 酒泉). A record of a whole province may list
    any of its cities, except a province-level agency (``provincial_agency``), which sits in the
    provincial capital (黑龙江省医保局: 0451 哈尔滨).
    """
    table = table or region_table()
    area_code = area_code.lstrip("0")
    region = table.get(region_code)
    if region is None:
        return True  # nothing to compare with
    if area_code in table.dialling_area_codes(region_code):
        return True
    province = table.province_of(region_code)
    if province is None:
        return True
    if provincial_agency:
        capital = table.capital_of(province)
        return capital is not None and area_code in table.dialling_area_codes(capital)
    if region.level == PROVINCE:
        return any(table.is_within(code, province) for code in table.by_area_code.get(area_code, ()))
    return False


def regions_of_area_code(area_code: str, table: RegionTable | None = None) -> tuple[str, ...]:
    """The cities that dial ``area_code``: 937 → 嘉峪关市 and 酒泉市."""
    table = table or region_table()
    return table.by_area_code.get(area_code.lstrip("0"), ())


def describe_area_code(area_code: str, table: RegionTable | None = None) -> str:
    table = table or region_table()
    names = [table.get(code).name for code in regions_of_area_code(area_code, table)]
    return "、".join(names) if names else "未知地区"


# ---------------------------------------------------------------------------------------------------
# Comparing numbers


def national_digits(number: str) -> str:
    """Digits as dialled inside China: +867595586822 → 07595586822, 0759-5586822 → 07595586822."""
    text = phones.clean_text(number)
    digits = re.sub(r"\D", "", text)
    if text.startswith("+86") or digits.startswith("0086"):
        digits = digits[4:] if digits.startswith("0086") else digits[2:]
        mobile = len(digits) == 11 and digits.startswith("1")  # +86 10 … is Beijing: 010 …
        return digits if mobile or digits.startswith(("400", "800")) else "0" + digits
    return digits


def one_digit_apart(a: str, b: str) -> bool:
    """Two numbers of the same length that differ in exactly one digit (0879-3235661 / 0879-3235651):
    usually one of them is a typing error."""
    da, db = national_digits(a), national_digits(b)
    if len(da) != len(db) or not da:
        return False
    return sum(x != y for x, y in zip(da, db, strict=True)) == 1


# ---------------------------------------------------------------------------------------------------
# Who a number belongs to, and what it is for

PURPOSE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fax", ("传真",)),
    ("complaint", ("投诉", "举报", "监督")),
    ("appointment", ("预约", "挂号")),
    ("emergency", ("急诊", "急救", "急诊科")),
    ("office", ("办公室", "院办", "办公电话", "局办", "值班室")),
    ("cross_region", ("异地就医", "异地备案", "跨省")),
    ("desk", ("服务台", "导医台", "总服务台", "前台")),
    ("switchboard", ("总机",)),
    ("consultation", ("咨询", "热线", "查询", "服务电话", "联系电话", "电话", "号码")),
)
# The purposes of ``cms.models.Purpose`` these map onto.
MODEL_PURPOSES = {"fax": "other", "desk": "other", "switchboard": "other"}


def purpose_of(label: str) -> str | None:
    """The purpose a label names (办公室电话 → office), the most specific one first; None if none."""
    for purpose, words in PURPOSE_WORDS:
        if any(word in label for word in words):
            return purpose
    return None


_AGENCY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("医保", re.compile(r"医疗保障|医保|医疗保险管理|医疗保险事业|医疗保险局|医疗保险中心|医疗保险经办")),
    ("人社", re.compile(r"人力资源和社会保障|人社|社会保险|社保")),
    ("卫健", re.compile(r"卫生健康|卫健|卫生局|卫生和计划生育|卫计")),
    ("政务", re.compile(r"政务服务|政府|便民服务中心|市民服务")),
    ("市监", re.compile(r"市场监督|市场监管|工商")),
    ("税务", re.compile(r"税务")),
)
_HOSPITAL = re.compile(r"(?:医院|卫生院|卫生室|诊所|门诊部|保健院|社区卫生服务中心|口腔)")
_AGENCY_WORDS = re.compile(r"(?:局|厅|委员会|委|中心|办公室|机构|窗口|部门)")


def organisation_kind(name: str) -> str:
    """医保 / 人社 / 卫健 / 政务 / 市监 / 税务 for agencies, 医院 for hospitals and clinics, "" otherwise."""
    if _HOSPITAL.search(name):
        return "医院"
    for kind, pattern in _AGENCY_KINDS:
        if pattern.search(name):
            return kind
    return ""


def is_agency(name: str) -> bool:
    return bool(_AGENCY_WORDS.search(name)) and organisation_kind(name) != "医院"


@dataclass(frozen=True)
class ShortCode:
    number: str
    owner: str  # organisation_kind of its real owner
    name: str  # what it is, in Chinese
    labels: tuple[str, ...]  # words that present it as what it is


SHORT_CODES = {
    s.number: s
    for s in (
        ShortCode(
            "12345",
            "政务",
            "政务服务便民热线",
            ("政务", "便民", "市民热线", "市长", "12345热线", "热线12345"),
        ),
        ShortCode("12333", "人社", "人力资源和社会保障服务热线", ("人社", "人力资源", "社保", "社会保障")),
        ShortCode("12393", "医保", "医疗保障服务热线", ("医保", "医疗保障")),
        ShortCode("12320", "卫健", "卫生健康服务热线", ("卫生", "卫健", "健康热线")),
        ShortCode("12315", "市监", "市场监管投诉举报热线", ("市场监管", "消费", "工商")),
        ShortCode("12366", "税务", "纳税服务热线", ("税务", "纳税")),
    )
}


def short_code_misuse(number: str, *, owner: str, label: str = "") -> str | None:
    """Why presenting government short number ``number`` as ``owner``'s own line is wrong, or None.

    12345 is the government service hotline and 12333 the 人社 hotline: as a hospital's or a 医保
    agency's own number (预约挂号电话为12345, 医保中心查询电话 12333) they send readers to the wrong
    place. Presented as what they are (12345政务服务便民热线, 人社热线12333) they are fine, and so is
    12393 for a 医保 agency.
    """
    digits = national_digits(number)
    if digits.startswith("0") and len(digits) > 3:
        digits = phones.split_area_code(digits)[1]  # 0475-12333: a short number behind an area code
    code = SHORT_CODES.get(digits)
    if code is None:
        return None
    if any(word in label for word in code.labels):
        return None
    kind = organisation_kind(owner)
    if kind not in ("医院", "医保") or kind == code.owner:
        return None
    who = "医院" if kind == "医院" else "医保部门"
    return f"{code.number} 是{code.name}，不是{who}（{owner}）自己的电话。"


# ---------------------------------------------------------------------------------------------------
# Conflicts between records


@dataclass(frozen=True)
class NumberRecord:
    """One number given for an organisation and purpose, by a record, an article or a text."""

    organisation: str  # a key from ``organisation_key`` (or any string that identifies it)
    purpose: str
    number: str  # E.164 or a short number
    source: object = None  # whatever identifies the record to the caller
    group: object = None  # numbers of one group (one text, one list) never conflict with each other


@dataclass(frozen=True)
class Conflict:
    organisation: str
    purpose: str
    numbers: tuple[str, ...]
    records: tuple[NumberRecord, ...]
    one_digit_apart: bool


def find_conflicts(records: Iterable[NumberRecord]) -> list[Conflict]:
    """Groups of records that give different numbers for the same organisation and purpose.

    Records of one ``group`` (one text) are compared with the other groups as a set: a group that
    shares at least one number with another does not contradict it (listing two lines is not a
    conflict, listing only other ones is). Records without a group each stand alone. Faxes never
    conflict with anything.
    """
    by_key: dict[tuple[str, str], list[NumberRecord]] = defaultdict(list)
    for record in records:
        if record.purpose == "fax" or not record.organisation:
            continue
        by_key[(record.organisation, record.purpose)].append(record)
    conflicts = []
    for (organisation, purpose), found in by_key.items():
        groups: dict[object, set[str]] = defaultdict(set)
        for index, record in enumerate(found):
            groups[record.group if record.group is not None else ("record", index)].add(record.number)
        if len({r.number for r in found}) < 2 or len(groups) < 2:
            continue
        clashing = set()
        for a, numbers_a in groups.items():
            for b, numbers_b in groups.items():
                if a != b and not numbers_a & numbers_b:
                    clashing.update((a, b))
        if not clashing:
            continue
        involved = tuple(
            r for i, r in enumerate(found) if (r.group if r.group is not None else ("record", i)) in clashing
        )
        numbers = tuple(sorted({r.number for r in involved}))
        apart = any(one_digit_apart(x, y) for i, x in enumerate(numbers) for y in numbers[i + 1 :])
        conflicts.append(Conflict(organisation, purpose, numbers, involved, apart))
    return conflicts


# A 医保 agency's service centre (经办机构) is an organisation of its own, with its own numbers: the
# bureau (医疗保障局) sets policy, the centre (医疗保障事业管理中心, 医保服务中心, formerly the
# 医疗保险事业管理局) serves the insured.
_SERVICE_CENTRE = re.compile(r"中心|经办|事务|事业|服务大厅|服务站")


def organisation_key(name: str, region_code: str | None) -> str:
    """A key under which two spellings of one organisation meet: 通辽医保局, 通辽市医疗保障局 and
    通辽市医疗保险管理局 (its former name) are all ``150500:医保``, and 通辽市医保中心 and
    通辽市医疗保障事业管理中心 are ``150500:医保经办``; a hospital keeps its own name without the region
    (衢州市人民医院 → ``330800:医院:人民医院``)."""
    kind = organisation_kind(name)
    region = region_code or ""
    if kind == "医保" and _SERVICE_CENTRE.search(name):
        return f"{region}:医保经办"
    if kind == "医院":
        bare = name
        for start, end, _entries in reversed(region_table().scan(name)):
            bare = bare[:start] + bare[end:]
        bare = re.sub(r"^[市县区省州]+", "", bare)
        return f"{region}:医院:{bare}"
    if kind:
        return f"{region}:{kind}"
    return f"{region}:{name}" if name else ""
