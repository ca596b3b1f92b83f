"""Times, dates and years: times and dates that cannot exist, figures tied to a year before the text's
own, titles whose year has passed, and policy effective dates worth recording."""

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import Context
from ..findings import Finding, finding, item_finding
from ..text import ASCII

# --- impossible-time -------------------------------------------------------------------------------

_CLOCK = r"(?<![\d:.])(\d{1,2})\s*:\s*(\d{2})(?![\d:])"
_CN_CLOCK = r"(?<!\d)(\d{1,2})\s*[点时]\s*(\d{1,2})\s*分"
TIME = re.compile(f"{_CLOCK}|{_CN_CLOCK}")
RANGE_JOIN = re.compile(r"\s*(?:-|~|至|到|—)\s*")


def _valid_time(hour: int, minute: int) -> bool:
    return (hour < 24 and minute < 60) or (hour == 24 and minute == 0)


def impossible_time(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields():
        plain = text.translate(ASCII)
        times = list(TIME.finditer(plain))
        for index, match in enumerate(times):
            hour, minute = (int(g) for g in match.groups() if g is not None)
            if _valid_time(hour, minute):
                continue
            start, end = match.start(), match.end()
            before = times[index - 1] if index else None
            after = times[index + 1] if index + 1 < len(times) else None
            if before is not None and RANGE_JOIN.fullmatch(plain[before.end() : start]):
                start = before.start()
            if after is not None and RANGE_JOIN.fullmatch(plain[end : after.start()]):
                end = after.end()
            yield finding(
                "impossible-time",
                f"时间“{match.group()}”不存在（小时应为 0–24，分钟应为 00–59），请核实正确的时间。",
                text,
                start,
                end,
                field,
            )


# --- impossible-date -------------------------------------------------------------------------------

DATE_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.\-/])"),
    re.compile(r"(?<![\d年])()(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])"),
)


def _date_parts(match: re.Match[str]) -> tuple[int | None, int, int | None]:
    groups = [g for g in match.groups() if g not in ("-", "/", ".")]
    year = int(groups[0]) if groups[0] else None
    month = int(groups[1])
    day = int(groups[2]) if len(groups) > 2 and groups[2] else None
    return year, month, day


def date_problem(year: int | None, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return f"没有 {month} 月"
    if day is None:
        return None
    last = calendar.monthrange(year if year else 2024, month)[1]  # without a year, 2 月 29 日 may exist
    if not 1 <= day <= last:
        return (
            f"{month} 月没有 {day} 日"
            if not (month == 2 and day == 29)
            else f"{year} 年不是闰年，2 月没有 29 日"
        )
    return None


def impossible_date(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields():
        plain = text.translate(ASCII)
        taken: list[tuple[int, int]] = []
        for pattern in DATE_PATTERNS:
            for match in pattern.finditer(plain):
                if any(s <= match.start() < e or match.start() <= s < match.end() for s, e in taken):
                    continue
                taken.append((match.start(), match.end()))
                problem = date_problem(*_date_parts(match))
                if problem:
                    yield finding(
                        "impossible-date",
                        f"日期“{match.group()}”不存在：{problem}。",
                        text,
                        match.start(),
                        match.end(),
                        field,
                    )


# --- policy-date -----------------------------------------------------------------------------------

_WHEN = r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?"
_ACT = r"(?:正式)?(?:施行|实施|执行|生效|启用|实行|开始执行|开始实施)"
_NOT_AN_ACT = r"(?!标准|口径|情况|力度|层面|政策|的)"  # 2026年执行标准: a noun, not a start
POLICY_DATE = re.compile(
    rf"(?:自|从|于)\s*{_WHEN}\s*(?:起|开始)\s*(?:{_ACT}{_NOT_AN_ACT})?"
    rf"|(?<![自从于\d])(?<![自从于]\s){_WHEN}\s*(?:起\s*)?{_ACT}{_NOT_AN_ACT}"
    # 2023年7月起未转诊的…下调: a month and 起 say when a rule starts, without 自
    rf"|(?<![自从于\d年])(?<![自从于]\s)((?:19|20)\d{{2}})\s*年\s*(\d{{1,2}})\s*月(?:\s*(\d{{1,2}})\s*[日号])?\s*起(?!\s*至|\s*到)"
)


@dataclass(frozen=True)
class PolicyDate:
    start: int
    end: int
    date: datetime.date
    precision: str  # day, month or year


def policy_dates(text: str) -> list[PolicyDate]:
    """Effective dates written as 自2025年1月1日起实施, 自2023年4月起, 从2025年起, 2024年7月1日起施行."""
    found = []
    for match in POLICY_DATE.finditer(text.translate(ASCII)):
        groups = match.groups()
        year, month, day = next((groups[i], groups[i + 1], groups[i + 2]) for i in (0, 3, 6) if groups[i])
        if year is None:
            continue
        m, d = int(month) if month else 1, int(day) if day else 1
        if date_problem(int(year), m, d):
            continue
        precision = "day" if day else "month" if month else "year"
        found.append(PolicyDate(match.start(), match.end(), datetime.date(int(year), m, d), precision))
    return found


def policy_date(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        for found in policy_dates(text):
            shown = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[found.precision]
            yield finding(
                "policy-date",
                f"政策生效日期 {found.date.strftime(shown)}："
                "请确认是哪项政策，并在政策记录中登记其生效日期。",
                text,
                found.start,
                found.end,
                field,
            )


# --- stale-figure ----------------------------------------------------------------------------------

YEAR = re.compile(r"(?<![\d〔\[(（])((?:19|20)\d{2})\s*(?:年度|年|届)")
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|亿元|%|％|倍)")
_FIGURE_SPAN = re.compile(r"[^。！？；;\n]{0,48}")
_NEXT_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_MONTH_DAY = r"\s*(?:\d{1,2}\s*月\s*)?(?:\d{1,2}\s*[日号]\s*)?"
# A year that starts a period (2023年4月起, 2020年以来) or dates a founding (1949年建立) ties no figure.
_NOT_A_FIGURE_YEAR = re.compile(
    rf"{_MONTH_DAY}(?:起|开始|以来|以前|之前|以后|之后|前|后|建|成立|创建|始建|建立|开业|创办|组建|"
    r"更名|改名|撤销|合并|整合|改革|设立|撤县|撤地)"
)
_STATUS = re.compile(r"(?:截至|截止|截止到|截至到)\s*$")
# A past year's figure told as the past: in an aside (…,2023年度标准为380元), referred back to (2023年度这一
# 标准), followed by what came after (…350元,此后逐年提高), introduced as history (回顾往年，2019年…), or
# given to compare with the current one (较2024年度的380元, 与2023年度的380元相比).
_ASIDE = re.compile(r"[(（][^()（）]*$")
_EARLIER = re.compile(r"\s*(?:度)?(?:这一|该|此)(?:标准|数字|金额|数额)")
_LATER = re.compile(r"[^。！？；;\n]{0,6}?(?:此后|之后|以后|后来)")
_PAST = re.compile(r"回顾|往年|此前|过去|早在|当年|以前|曾经|历史上|最初")
_COMPARED_AFTER = re.compile(r"[^。！？；;，,\n]{0,20}?(?:相比|相较|比较|对比)")
_COMPARED = re.compile(
    r"(?:较|比|相比|相较|比起|同比|对比|高于|低于|少于|多于|上涨|增加|提高|下降)(?:于|了)?\s*$"
)
# …or the year tagged after the figure: 上限为26421元（2022年标准）.
YEAR_TAG = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:元|万元|亿元|%|％)[^。！？；;\n(（]{0,12})[(（]\s*((?:19|20)\d{2})\s*年度?"
    r"(?:标准|数据|口径|水平)?\s*[)）]"
)


def stale_figure(ctx: Context) -> Iterator[Finding]:
    date = ctx.item.date
    if date is None:
        return
    for field, text in ctx.fields("summary", "body"):
        plain = text.translate(ASCII)
        for match in YEAR.finditer(plain):
            year = int(match.group(1))
            if year >= date.year:
                continue
            before = plain[max(0, match.start() - 6) : match.start()]
            if re.search(r"[自从于]\s*$", before) or _NOT_A_FIGURE_YEAR.match(plain, match.end()):
                continue
            clause = plain[max(0, match.start() - 12) : match.start()]
            if _PAST.search(re.split(r"[。！？；;\n]", clause)[-1]):
                continue  # 回顾往年，2019年…: history, told as such
            if _COMPARED.search(before) or (
                re.search(r"[与同和跟]\s*$", before) and _COMPARED_AFTER.match(plain, match.end())
            ):
                continue
            if _STATUS.search(before) and year == date.year - 1:
                continue  # 截至去年底: the latest statistics there are
            window = _NEXT_YEAR.split(_FIGURE_SPAN.match(plain, match.end()).group(), maxsplit=1)[0]
            figure = FIGURE.search(window)  # a figure after another year is that year's
            if figure is None or _EARLIER.match(plain, match.end()):
                continue
            if _ASIDE.search(plain, max(0, match.start() - 20), match.start()):
                continue  # (与2025年度持平,2023年度标准为380元): an aside on the past
            if _LATER.match(plain, match.end() + figure.end()):
                continue  # 2022年…350元,此后逐年提高: history, told as such
            yield _stale(text, field, year, date, match.start(), match.end() + figure.end())
        for match in YEAR_TAG.finditer(plain):
            year = int(match.group(2))
            if year < date.year:
                yield _stale(text, field, year, date, match.start(), match.end())


def _stale(text: str, field: str, year: int, date: datetime.date, start: int, end: int) -> Finding:
    return finding(
        "stale-figure",
        f"{year} 年的数字出现在 {date.year} 年的文章里：请换成 {date.year} 年的标准，或注明这是往年数据。",
        text,
        start,
        end,
        field,
    )


# --- year-in-title ---------------------------------------------------------------------------------

TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年度?)?(?!\d)")


def year_in_title(ctx: Context) -> Iterator[Finding]:
    title = ctx.item.title
    for match in TITLE_YEAR.finditer(title.translate(ASCII)):
        year = int(match.group(1))
        if year < ctx.today.year:
            yield finding(
                "year-in-title",
                f"标题里的 {year} 年已经过去：请更新内容和标题中的年份，或去掉年份。",
                title,
                match.start(),
                match.end(),
                "title",
            )


# --- missing-date ----------------------------------------------------------------------------------


def missing_date(ctx: Context) -> Iterator[Finding]:
    if ctx.item.kind == "article" and ctx.item.date is None:
        yield item_finding("missing-date", "没有日期：读者无法判断信息是否过时，请补上原文日期。")


RULES = (impossible_time, impossible_date, policy_date, stale_figure, year_in_title, missing_date)
