"""Parser for scraped article dumps (pure: no database).

A dump is a main article followed by related items. Each related item is a title line, an excerpt
(the teaser the site showed, usually cut off mid-sentence) and a ``健康新闻 YYYY-MM-DD`` line; the
site's chrome (``提示：…``, ``相关推荐``, ``大家都在搜``, breadcrumbs, footers, the title repeated after
the date) varies between dumps and is dropped. Anything that does not fit this shape is refused with
a ``DumpFormatError`` that names the line, so that nothing half-understood is imported.
"""

import datetime
import re
from dataclasses import dataclass, field

MAX_TITLE_LENGTH = 300

DATE_LINE = re.compile(r"^\s*健康新闻\s*(?P<rest>.*?)\s*$")
DATE_VALUE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

# Lines that close the main article: what follows is the list of related items.
SECTION_MARKERS = re.compile(
    r"^\s*(提示\s*[:：]|温馨提示\s*[:：]|相关推荐|相关阅读|相关文章|猜你喜欢|热门推荐|延伸阅读|推荐阅读)"
)
# Lines after which nothing more is content: the page footer.
FOOTER_MARKERS = re.compile(r"^\s*(大家都在搜|热门搜索|相关搜索|热门标签|友情链接)")
# Site chrome that can stand anywhere and is never content.
CHROME = re.compile(
    r"^\s*(首页\s*([>›»/|].*)?|顶部|返回顶部|回到顶部|分享到.*|上一篇.*|下一篇.*|.*版权所有.*|"
    r"copyright.*|©.*|.*ICP备.*|免责声明.*|本文来源.*|关于我们.*|联系我们.*|.*\|.*\|.*|展开全文|查看更多|"
    r"点击查看.*|收起|阅读全文)\s*$",
    re.IGNORECASE,
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DumpFormatError(ValueError):
    """The file is not a dump of this family. ``line`` is 1-based where it applies."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass(frozen=True)
class DumpItem:
    position: int  # 0 for the main article, 1… for related items in file order
    title: str
    body: str
    date: datetime.date | None
    is_excerpt: bool
    line: int  # where the title stands


@dataclass
class ParsedDump:
    main: DumpItem | None
    items: list[DumpItem]
    dropped_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def all_items(self) -> list[DumpItem]:
        return ([self.main] if self.main else []) + self.items


def decode(data: bytes) -> str:
    """Bytes to text, refusing what is not UTF-8 text."""
    if not data.strip():
        raise DumpFormatError("文件是空的。")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DumpFormatError("文件含有空字节，是二进制文件而不是文本导出。", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if exc.reason == "unexpected end of data":
            raise DumpFormatError("文件在一个字符中间结束，文件被截断了。", line) from exc
        raise DumpFormatError("不是 UTF-8 编码的文本（从这一行起无法解码），请先转换编码。", line) from exc
    match = CONTROL_CHARACTERS.search(text)
    if match:
        line = text[: match.start()].count("\n") + 1
        raise DumpFormatError(f"含有控制字符 U+{ord(match.group()):04X}，不像文本导出。", line)
    return text


def parse_date_line(text: str, line: int) -> datetime.date | None:
    """The date of a ``健康新闻 …`` line, None for any other line."""
    match = DATE_LINE.match(text)
    if not match:
        return None
    value = DATE_VALUE.match(match.group("rest"))
    if not value:
        raise DumpFormatError(f"日期行“{text.strip()}”不完整或格式不对，应为“健康新闻 YYYY-MM-DD”。", line)
    try:
        return datetime.date(*(int(part) for part in value.groups()))
    except ValueError as exc:
        raise DumpFormatError(f"日期行“{text.strip()}”中的日期不存在。", line) from exc


def parse_dump(data: bytes) -> ParsedDump:
    lines = decode(data).splitlines()
    dates = {}
    for number, text in enumerate(lines, start=1):
        date = parse_date_line(text, number)
        if date is not None:
            dates[number] = date
    if not dates:
        raise DumpFormatError("没有找到任何条目：缺少“健康新闻 YYYY-MM-DD”日期行，不是这一类导出文件。")

    dropped: list[tuple[int, str]] = []
    date_lines = sorted(dates)

    # A date line straight under the first title dates the main article, not an item.
    content = [n for n in range(1, len(lines) + 1) if _is_content(lines[n - 1])]
    main_date = None
    if len(content) > 1 and content[0] not in dates and content[1] == date_lines[0]:
        main_date = dates[date_lines.pop(0)]
        if not date_lines:
            raise DumpFormatError("只有主文章，没有找到任何相关条目（“健康新闻 YYYY-MM-DD”日期行）。")

    # The main article runs from the top to the first section marker (or, without one, to the
    # title of the first item, which is the two content lines before the first date line).
    marker = next(
        (
            n
            for n in range(1, date_lines[0])
            if SECTION_MARKERS.match(lines[n - 1]) or FOOTER_MARKERS.match(lines[n - 1])
        ),
        None,
    )
    content_before = [n for n in content if n < date_lines[0] and n not in dates]
    if marker is not None:
        main_end = marker
    elif len(content_before) >= 3:
        main_end = content_before[-2]
    else:
        main_end = 1
    main_lines = [n for n in content_before if n < main_end]
    main = None
    if main_lines:
        title_line = main_lines[0]
        main = DumpItem(
            position=0,
            title=_title(lines[title_line - 1], title_line),
            body=_body(lines, title_line + 1, main_end, dropped),
            date=main_date,
            is_excerpt=False,
            line=title_line,
        )
    for n in range(1, main_lines[0] if main_lines else main_end):
        if lines[n - 1].strip():
            dropped.append((n, lines[n - 1]))
    first_item_start = main_end
    if marker is not None:
        dropped.append((marker, lines[marker - 1]))
        first_item_start = marker + 1

    items: list[DumpItem] = []
    start = first_item_start
    previous_title = main.title if main else None
    for date_line in date_lines:
        if date_line < start:
            continue
        segment = []
        for n in range(start, date_line):
            text = lines[n - 1]
            if not text.strip():
                continue
            if _is_chrome(text) or SECTION_MARKERS.match(text):
                dropped.append((n, text))
                continue
            if FOOTER_MARKERS.match(text):
                raise DumpFormatError("页脚（如“大家都在搜”）之后又出现了条目，文件结构不对。", n)
            segment.append(n)
        while segment and previous_title is not None and lines[segment[0] - 1].strip() == previous_title:
            dropped.append((segment[0], lines[segment[0] - 1]))
            segment.pop(0)
        if not segment:
            raise DumpFormatError("日期行前没有条目标题和摘要。", date_line)
        title_line = segment[0]
        title = _title(lines[title_line - 1], title_line)
        body = "\n".join(lines[n - 1].strip() for n in segment[1:])
        items.append(
            DumpItem(
                position=len(items) + 1,
                title=title,
                body=body,
                date=dates[date_line],
                is_excerpt=True,
                line=title_line,
            )
        )
        previous_title = title
        start = date_line + 1

    _check_tail(lines, start, previous_title, dropped)
    if not items and main is None:
        raise DumpFormatError("没有找到任何条目。")
    return ParsedDump(main=main, items=items, dropped_lines=sorted(dropped))


def _is_chrome(text: str) -> bool:
    return bool(CHROME.match(text))


def _is_content(text: str) -> bool:
    return bool(text.strip()) and not _is_chrome(text)


def _title(text: str, line: int) -> str:
    title = text.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise DumpFormatError(f"标题过长（{len(title)} 字），条目结构不对。", line)
    return title


def _body(lines: list[str], start: int, end: int, dropped: list[tuple[int, str]]) -> str:
    kept = []
    for n in range(start, end):
        text = lines[n - 1].rstrip()
        if text.strip() and (_is_chrome(text) or DATE_LINE.match(text)):
            dropped.append((n, text))
            continue
        kept.append(text)
    return "\n".join(kept).strip("\n")


def _check_tail(lines: list[str], start: int, last_title: str | None, dropped: list[tuple[int, str]]) -> None:
    """After the last date line only chrome, a repeat of the last title or a footer may follow;
    any other content is an item that lost its date: the file was cut off."""
    in_footer = False
    for n in range(start, len(lines) + 1):
        text = lines[n - 1]
        if not text.strip():
            continue
        if in_footer or FOOTER_MARKERS.match(text):
            in_footer = True
            dropped.append((n, text))
            continue
        if _is_chrome(text) or SECTION_MARKERS.match(text) or text.strip() == last_title:
            dropped.append((n, text))
            continue
        raise DumpFormatError(
            f"文件在条目“{text.strip()[:30]}”中途结束："
            "这个条目没有“健康新闻 YYYY-MM-DD”日期行，文件可能被截断。",
            n,
        )
