"""Telephone numbers in an item: invalid, without area code, in another region's area code, a
government short number passed off as an organisation's own line, or two numbers for one organisation.

The number rules themselves are ``cms.verification.rules``, shared with the hotline re-check job."""

from collections import defaultdict
from collections.abc import Iterator

from cms.verification import rules

from ..context import Context
from ..findings import Finding, finding
from ..phonetext import MEDICAL_INSURANCE, PhoneMention, organisations

PURPOSE_NAMES = {
    "consultation": "咨询",
    "complaint": "投诉举报",
    "appointment": "预约挂号",
    "office": "办公室",
    "emergency": "急诊急救",
    "cross_region": "异地就医",
    "desk": "服务台",
    "switchboard": "总机",
    "fax": "传真",
    "other": "其他",
}
_NATIONAL = ("国家", "全国", "国务院")
PHONE_FIELDS = ("title", "summary", "body", "number")


def mentions(ctx: Context) -> list[PhoneMention]:
    return [m for field in PHONE_FIELDS if ctx.item.text(field) for m in ctx.phones(field)]


def phone_checks(ctx: Context) -> Iterator[Finding]:
    found = mentions(ctx)
    for mention in found:
        text = ctx.item.text(mention.field)
        yield from _validity(ctx, mention, text)
        yield from _short_code(ctx, mention, text)
        yield from _region(ctx, mention, text)
    yield from _conflicts_in_text(ctx, found)


def _validity(ctx: Context, mention: PhoneMention, text: str) -> Iterator[Finding]:
    if mention.local:
        completed = f"，按所属地区应写作 {mention.phone.display}" if mention.phone else ""
        yield finding(
            "phone-missing-area-code",
            f"号码“{mention.raw}”没有写区号{completed}：外地读者照着拨打不通。",
            text,
            mention.start,
            mention.end,
            mention.field,
        )
    elif mention.error:
        yield finding("phone-invalid", mention.error, text, mention.start, mention.end, mention.field)


_LISTED_WINDOW = 200  # a list of hospitals: 某某医院 特色:… 预约方式:可拨打12320


def _owner(ctx: Context, mention: PhoneMention) -> str:
    """Whose line a number is presented as: the organisation named with it, the record's, the one
    the title names, or the last one named before it in the text (an entry of a list)."""
    if mention.owner:
        return mention.owner
    if ctx.item.organisation:
        return ctx.item.organisation
    named = organisations(ctx.item.title, ctx.title_places)
    if named:
        return named[0][2]
    text = ctx.item.text(mention.field)
    before = [
        name
        for _start, end, name in organisations(text, ctx.places(mention.field))
        if end <= mention.start and mention.start - end <= _LISTED_WINDOW
    ]
    if before:
        return before[-1]
    # 绵阳医保咨询热线为12333: a line presented as 医保's (not 医保卡's, which is the 人社 card)
    return "医保" if MEDICAL_INSURANCE.search(mention.label) else ""


def _short_code(ctx: Context, mention: PhoneMention, text: str) -> Iterator[Finding]:
    if not mention.short_code:
        return
    reason = rules.short_code_misuse(mention.short_code, owner=_owner(ctx, mention), label=mention.label)
    if reason:
        yield finding("phone-short-code-misused", reason, text, mention.start, mention.end, mention.field)


def _region(ctx: Context, mention: PhoneMention, text: str) -> Iterator[Finding]:
    phone = mention.phone
    if phone is None or phone.kind != "fixed" or phone.completed or not phone.area_code:
        return
    if any(word in mention.owner or word in mention.label for word in _NATIONAL):
        return  # a national agency's number is in Beijing whatever the article's region
    table = ctx.table
    if mention.region_explicit and mention.region:
        region = table.get(mention.region)
        provincial = (
            region is not None
            and region.level == rules.PROVINCE
            and bool(mention.owner)
            and rules.is_agency(mention.owner)
        )
        if rules.area_code_matches_region(phone.area_code, mention.region, provincial_agency=provincial):
            return
        regions = [mention.region]
    else:
        regions = list(ctx.regions)
        if not regions or any(rules.area_code_matches_region(phone.area_code, code) for code in regions):
            return
    where = "、".join(table.path_name(code) for code in regions)
    expected = "、".join(f"0{c}" for code in regions for c in table.dialling_area_codes(code)) or "未知"
    yield finding(
        "phone-region-mismatch",
        f"区号 0{phone.area_code}（{rules.describe_area_code(phone.area_code)}）与所属地区“{where}”"
        f"（区号 {expected}）不符：号码可能写错了，或者是别处机构的电话。",
        text,
        mention.start,
        mention.end,
        mention.field,
    )


def number_records(found: list[PhoneMention], group: object = None) -> list[rules.NumberRecord]:
    """The mentions that can conflict: valid numbers (not short ones) with a known owner. A number's
    purpose is the most specific one the text gives it anywhere (办公室电话 as well as 电话)."""
    purposes: dict[str, set[str]] = defaultdict(set)
    for mention in found:
        if mention.phone is not None:
            purposes[mention.phone.number].add(mention.line)
    records = []
    for mention in found:
        phone = mention.phone
        if phone is None or phone.kind == "short" or not mention.organisation_key:
            continue
        given = purposes[phone.number]
        purpose = next(iter(sorted(given - {"consultation"})), "consultation") if given else mention.line
        records.append(
            rules.NumberRecord(
                organisation=mention.organisation_key,
                purpose=purpose,
                number=phone.number,
                source=mention,
                group=mention.group if group is None else group,
            )
        )
    return records


def conflict_message(conflict: rules.Conflict, mention: PhoneMention, where: str = "") -> str:
    others = [n for n in conflict.numbers if n != mention.phone.number]
    shown = "、".join(_display(n, conflict) for n in others)
    general, _colon, topic = conflict.purpose.partition(":")
    purpose = topic + PURPOSE_NAMES.get(general, general)
    message = (
        f"“{mention.owner}”的{purpose}电话{where}还写作 {shown}，与这里的 {mention.phone.display} 不一致"
    )
    if conflict.one_digit_apart:
        message += "（只差一位数字，很可能有一处笔误）"
    return message + "：请核实哪个号码正确。"


def _display(number: str, conflict: rules.Conflict) -> str:
    for record in conflict.records:
        mention = record.source
        if isinstance(mention, PhoneMention) and mention.phone and mention.phone.number == number:
            return mention.phone.display
    return number


def _conflicts_in_text(ctx: Context, found: list[PhoneMention]) -> Iterator[Finding]:
    for field in PHONE_FIELDS:
        in_field = [m for m in found if m.field == field]
        for conflict in rules.find_conflicts(number_records(in_field)):
            for record in conflict.records:
                mention = record.source
                yield finding(
                    "phone-conflict",
                    conflict_message(conflict, mention, "在同一文中"),
                    ctx.item.text(field),
                    mention.start,
                    mention.end,
                    field,
                )


RULES = (phone_checks,)
