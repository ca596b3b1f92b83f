"""Records to confirm, proposed from an imported item (pure: no database): the hotlines, hospitals,
regions and policies it mentions. Nothing here is verified: an editor confirms each proposal, and only
then does it become a record."""

import datetime
import re
from dataclasses import dataclass

from cms.verification import rules

from .context import Context
from .items import CheckInput
from .phonetext import PhoneMention, organisations
from .places import find_places, most_specific
from .rules.dates import policy_dates
from .text import ASCII, CJK, sentence_at

EXTRACT_FIELDS = ("title", "summary", "body")


@dataclass(frozen=True)
class HotlineProposal:
    organisation: str
    purpose: str  # a cms.models.Purpose value
    number: str  # display form: 0759-5586822, 12393
    normalised: str  # E.164 or the short number
    region_code: str | None
    quote: str
    start: int
    end: int
    field: str = "body"


@dataclass(frozen=True)
class HospitalProposal:
    name: str
    region_code: str | None  # the most specific region known (a county where the text says one)
    city_code: str | None  # its prefecture-level city
    level: str  # a cms.models.HospitalLevel value, "" if the text does not say
    address: str
    quote: str
    start: int
    end: int
    field: str = "body"


@dataclass(frozen=True)
class RegionMention:
    name: str  # as written: 吴川
    code: str  # 440883
    path: str  # 湛江市吴川市
    full_name: str  # 广东省湛江市吴川市


@dataclass(frozen=True)
class PolicyProposal:
    title: str | None  # 《…》 without the brackets
    document_number: str | None  # 国办发〔2020〕53号
    effective_from: datetime.date | None
    quote: str
    start: int
    end: int
    field: str = "body"


@dataclass(frozen=True)
class Proposals:
    hotlines: tuple[HotlineProposal, ...]
    hospitals: tuple[HospitalProposal, ...]
    regions: tuple[RegionMention, ...]
    policies: tuple[PolicyProposal, ...]


def extract(item: CheckInput) -> Proposals:
    """What ``item`` proposes to record. Proposals are plain data: nothing is created or verified."""
    ctx = Context(item, today=datetime.date.min)  # extraction does not depend on the day
    return Proposals(
        hotlines=tuple(_hotlines(ctx)),
        hospitals=tuple(_hospitals(ctx)),
        regions=tuple(_regions(ctx)),
        policies=tuple(_policies(ctx)),
    )


# --- hotlines --------------------------------------------------------------------------------------


def _hotlines(ctx: Context) -> list[HotlineProposal]:
    found: dict[tuple, HotlineProposal] = {}
    title_orgs = organisations(ctx.item.title, ctx.title_places)
    for field, text in ctx.fields(*EXTRACT_FIELDS, "number"):
        for mention in ctx.phones(field):
            proposal = _hotline(ctx, mention, text, title_orgs[0][2] if title_orgs else "")
            if proposal is None:
                continue
            key = (rules.organisation_key(proposal.organisation, proposal.region_code), proposal.normalised)
            found.setdefault(key, proposal)
    return list(found.values())


def _hotline(ctx: Context, mention: PhoneMention, text: str, title_owner: str) -> HotlineProposal | None:
    phone = mention.phone
    if phone is None:
        return None
    owner = mention.owner or ctx.item.organisation or title_owner
    if phone.kind == "short":
        code = rules.SHORT_CODES.get(phone.number)
        if code is None or rules.short_code_misuse(phone.number, owner=owner, label=mention.label):
            return None
        if not owner or rules.organisation_kind(owner) != code.owner:
            owner = code.name
    if not owner:
        return None
    purpose = rules.MODEL_PURPOSES.get(mention.purpose, mention.purpose)
    return HotlineProposal(
        organisation=owner,
        purpose=purpose,
        number=phone.display,
        normalised=phone.number,
        region_code=mention.region,
        quote=text[mention.start : mention.end],
        start=mention.start,
        end=mention.end,
        field=mention.field,
    )


# --- hospitals -------------------------------------------------------------------------------------

LEVELS = (
    ("3A", re.compile(r"三级甲等|三甲")),
    ("3B", re.compile(r"三级乙等|三乙")),
    ("3C", re.compile(r"三级丙等")),
    ("2A", re.compile(r"二级甲等|二甲")),
    ("2B", re.compile(r"二级乙等|二乙")),
    ("2C", re.compile(r"二级丙等")),
    ("1A", re.compile(r"一级甲等")),
    ("1B", re.compile(r"一级乙等")),
    ("1C", re.compile(r"一级丙等")),
    ("3", re.compile(r"三级")),
    ("2", re.compile(r"二级")),
    ("1", re.compile(r"一级")),
)
ADDRESS = re.compile(r"(?:地址|位于|坐落于)\s*[:：]?\s*([^\s,，。；;、:：()（）]{4,60})")
_DETAIL_WINDOW = 120


def _hospitals(ctx: Context) -> list[HospitalProposal]:
    found: dict[str, HospitalProposal] = {}
    for field, text in ctx.fields(*EXTRACT_FIELDS):
        plain = text.translate(ASCII)
        places = ctx.places(field)
        names = [o for o in organisations(plain, places) if rules.organisation_kind(o[2]) == "医院"]
        for n, (start, end, name) in enumerate(names):
            following = names[n + 1][0] if n + 1 < len(names) else len(plain)
            detail = plain[end : min(following, end + _DETAIL_WINDOW)]
            level = next((value for value, pattern in LEVELS if pattern.search(detail[:40])), "")
            address_match = ADDRESS.search(detail)
            address = address_match.group(1) if address_match else ""
            region = _hospital_region(ctx, field, start, end, name, address)
            city = _city(region)
            key = rules.organisation_key(name, city)
            previous = found.get(key)
            if previous is not None:
                if (not previous.level and level) or (not previous.address and address):
                    found[key] = HospitalProposal(
                        previous.name,
                        previous.region_code,
                        previous.city_code,
                        previous.level or level,
                        previous.address or address,
                        previous.quote,
                        previous.start,
                        previous.end,
                        previous.field,
                    )
                continue
            found[key] = HospitalProposal(
                name, region, city, level, address, text[start:end], start, end, field
            )
    return list(found.values())


def _hospital_region(ctx: Context, field: str, start: int, end: int, name: str, address: str) -> str | None:
    inside = most_specific([p.code for p in ctx.places(field) if start <= p.start and p.end <= end])
    if inside:
        return inside[-1]
    if address:
        in_address = most_specific([p.code for p in find_places(address, ctx.regions)])
        if in_address:
            return in_address[-1]
    sentence_start, _ = sentence_at(ctx.item.text(field), start)
    before = most_specific(
        [p.code for p in ctx.places(field) if sentence_start <= p.start and p.end <= start]
    )
    if before:
        return before[-1]
    return ctx.regions[-1] if ctx.regions else None


def _city(code: str | None) -> str | None:
    if code is None:
        return None
    table = rules.region_table()
    for region in table.chain(code):
        if region.level == rules.PREFECTURE:
            return region.code
    region = table.get(code)
    return region.code if region is not None else None


# --- regions ---------------------------------------------------------------------------------------


def _regions(ctx: Context) -> list[RegionMention]:
    table = ctx.table
    found: dict[str, RegionMention] = {}
    for field, _text in ctx.fields(*EXTRACT_FIELDS):
        for place in ctx.places(field) if field != "title" else ctx.title_places:
            if place.code not in found:
                found[place.code] = RegionMention(
                    place.name, place.code, table.path_name(place.code), table.full_name(place.code)
                )
    return list(found.values())


# --- policies --------------------------------------------------------------------------------------

DOCUMENT_NUMBER = re.compile(
    rf"[{CJK}]{{1,12}}\s*[〔\[［(（【]\s*((?:19|20)\d{{2}})\s*[〕\]］)）】]\s*\d{{1,4}}\s*号"
)
_NUMBER_LEAD = re.compile(
    r"^(?:另据|又据|现据|根据|依据|按照|参照|执行|依照|印发|转发|详见|参见|以及|同时|见|按|据|即|和|及|与|或|另|又|并|还|的)+"
)
POLICY_TITLE = re.compile(
    r"《([^《》\n]{4,80}(?:办法|规定|通知|意见|规程|方案|细则|条例|决定|目录|法|指南|标准|政策|公告|通告|批复|函))》"
)


def _policies(ctx: Context) -> list[PolicyProposal]:
    proposals: list[PolicyProposal] = []
    for field, text in ctx.fields(*EXTRACT_FIELDS):
        plain = text.translate(ASCII)
        taken: list[tuple[int, int]] = []
        numbers = []
        for match in DOCUMENT_NUMBER.finditer(plain):
            number = _NUMBER_LEAD.sub("", match.group())
            start = match.end() - len(number)
            numbers.append((start, match.end(), re.sub(r"\s+", "", number)))
        titles = [(m.start(), m.end(), m.group(1)) for m in POLICY_TITLE.finditer(plain)]
        dates = policy_dates(plain)
        for start, end, number in numbers:
            sentence = sentence_at(plain, start)
            title = _nearest(titles, start, sentence, before=True)
            date = _nearest([(d.start, d.end, d.date) for d in dates], start, sentence)
            span = (min(start, title[0]) if title else start, end)
            taken.extend([(start, end)] + ([title[:2]] if title else []) + ([date[:2]] if date else []))
            proposals.append(_policy(text, field, title, number, date, span))
        for start, end, name in titles:
            if any(s <= start < e for s, e in taken):
                continue
            sentence = sentence_at(plain, start)
            date = _nearest([(d.start, d.end, d.date) for d in dates], start, sentence)
            taken.extend([(start, end)] + ([date[:2]] if date else []))
            span = (min(start, date[0]) if date else start, max(end, date[1]) if date else end)
            proposals.append(_policy(text, field, (start, end, name), None, date, span))
        for found in dates:
            if any(s <= found.start < e for s, e in taken):
                continue
            proposals.append(
                PolicyProposal(
                    None, None, found.date, text[found.start : found.end], found.start, found.end, field
                )
            )
    return proposals


def _nearest(candidates: list[tuple], position: int, sentence: tuple[int, int], *, before: bool = False):
    inside = [
        c for c in candidates if sentence[0] <= c[0] < sentence[1] and (not before or c[1] <= position + 1)
    ]
    return min(inside, key=lambda c: abs(c[0] - position)) if inside else None


def _policy(text: str, field: str, title, number: str | None, date, span: tuple[int, int]) -> PolicyProposal:
    return PolicyProposal(
        title=title[2] if title else None,
        document_number=number,
        effective_from=date[2] if date else None,
        quote=text[span[0] : span[1]],
        start=span[0],
        end=span[1],
        field=field,
    )
