"""Text hygiene: what scraping and answer generation leave in a text that a reader must not see
(citation markers, markup, page chrome, stray answer fragments, the title again, empty contacts,
placeholders) and texts that do not answer or that doubt themselves."""

import re
from collections.abc import Iterator

from ..context import Context
from ..findings import Finding, finding
from ..terms import alternation, terms
from ..text import CJK, SENTENCE, lines, standalone

# --- citation-marker --------------------------------------------------------------------------------

CITATION = re.compile(
    r"\[\d{1,3}(?:\s*[,，、\-–]\s*\d{1,3})*\]"  # [14], [1,3], [2-4]
    r"|【\d{1,3}(?:†[^】\n]{0,20})?】|〔\d{1,2}〕"  # 【3†source】; 〔2〕, not a document number's 〔2020〕
    r"|\[\d{1,3}†[^\]\n]{0,20}\]"
    r"|(?<![0-9A-Za-z^])\^\d{1,2}(?![\d.])"  # 申请^3
    r"|\[\^?\d{1,3}\^?\]"
    r"|\[(?:citation|cite|ref|source|来源|引用)\s*[:：]?\s*\d{1,3}\]"
    r"|(?<![\d.])以\s*\d{1,3}\s*为准"  # 以15为准: a source number left where its text was
    r"|(?:来源|引用|参见|参考)\s*[:：]?\s*\[?\d{1,3}\]?(?![\d%年月日元个.])",
    re.IGNORECASE,
)


def citation_marker(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields():
        found = [(m.start(), m.end()) for m in CITATION.finditer(text)]
        for start, end in _merge_runs(text, found, gap=""):
            yield finding(
                "citation-marker",
                f"残留的引用标记“{text[start:end]}”：来源编号不应出现在正文里，请删除或改为注明出处。",
                text,
                start,
                end,
                field,
            )


# --- markup-residue --------------------------------------------------------------------------------

BULLET = re.compile(r"[•●▪◆■◦‣▶►]")
HTML = re.compile(
    r"</?(?:p|br|div|span|strong|b|em|i|li|ul|ol|table|tr|td|th|tbody|thead|h[1-6]|img|a|font|sup|sub)\b[^>]*>"
    r"|&(?:nbsp|amp|lt|gt|quot|#\d{2,5});",
    re.IGNORECASE,
)
MARKDOWN_PLAIN = re.compile(
    r"\*\*[^*\n]{1,40}?\*\*|\*\*|^\s{0,3}#{1,6}\s|(?<=\s)#{2,6}\s|^\s*>\s|\|\s*:?-{3,}", re.MULTILINE
)  # (?<=\s)##: a heading flattened into a teaser
EMPHASIS = re.compile(r"\*\*")
# A table flattened into a teaser: header cells, then label / value pairs, separated by spaces only.
INLINE_TABLE = re.compile(
    rf"(?<![{CJK}])(?:[{CJK}]{{2,12}}[ \t]+){{1,3}}"
    rf"(?:[{CJK}A-Za-z]{{2,10}}[ \t]+\d+(?:\.\d+)?\s?(?:%|％|元|万元)?(?:[ \t]+|$)){{2,}}"
)
TABLE_CELL_MAX = 32


def markup_residue(ctx: Context) -> Iterator[Finding]:
    markdown = ctx.item.markdown
    for field, text in ctx.fields():
        markdown_field = markdown and field == "body"
        for match in BULLET.finditer(text):
            yield finding(
                "markup-residue",
                f"残留的项目符号“{match.group()}”：请改为列表（“- ”开头）或删除。",
                text,
                match.start(),
                match.end(),
                field,
            )
        for match in HTML.finditer(text):
            yield finding(
                "markup-residue",
                f"残留的网页代码“{match.group()}”。",
                text,
                match.start(),
                match.end(),
                field,
            )
        if markdown_field:
            yield from _unpaired_emphasis(text, field)
        else:
            for match in MARKDOWN_PLAIN.finditer(text):
                yield finding(
                    "markup-residue",
                    f"残留的排版符号“{match.group().strip()}”：纯文本里会原样显示给读者。",
                    text,
                    match.start(),
                    match.end(),
                    field,
                )
        # A teaser is flattened whole by the site, tables included: five labellers of six did not mark
        # a table run into a teaser's line, so only a full text's is reported.
        for match in INLINE_TABLE.finditer(text) if not ctx.item.is_excerpt else ():
            yield finding(
                "markup-residue",
                "表格被压成了一行文字（表头和单元格挤在一起），请整理成表格或句子。",
                text,
                match.start(),
                match.start() + len(match.group().rstrip()),
                field,
            )
        if field == "body":
            yield from _flattened_tables(text, field)


def _unpaired_emphasis(text: str, field: str) -> Iterator[Finding]:
    """In Markdown, ``**`` must open and close on one paragraph line; a lone one is residue."""
    for start, end in lines(text):
        marks = list(EMPHASIS.finditer(text, start, end))
        if len(marks) % 2:
            mark = marks[-1]
            yield finding(
                "markup-residue", "不成对的“**”：会原样显示给读者。", text, mark.start(), mark.end(), field
            )


def _flattened_tables(text: str, field: str) -> Iterator[Finding]:
    """A table turned into one cell per line: four or more consecutive short lines that are neither
    list items nor sentences."""
    run: list[tuple[int, int]] = []
    for start, end in [*lines(text), (len(text) + 1, len(text) + 1)]:
        line = text[start:end].strip() if start <= len(text) else ""
        cell = (
            bool(line)
            and len(line) <= TABLE_CELL_MAX
            and not _list_item(line)
            and not line.endswith("。")
            and not re.search(r"\S\s*[:：]\s*\S", line)  # 咨询电话:12393 is a list of labelled values
        )
        if cell:
            run.append((start, end))
            continue
        if len(run) >= 4:
            first_line = text[run[0][0] : run[0][1]]
            first = run[0][0] + len(first_line) - len(first_line.lstrip())
            yield finding(
                "markup-residue",
                f"表格被拆成了逐行的单元格（{len(run)} 行），读者看不出行列关系，请整理成表格。",
                text,
                first,
                run[-1][1],
                field,
            )
        run = []


def _list_item(line: str) -> bool:
    return bool(re.match(r"^(?:[•●▪◆■\-*+]|\d{1,2}[.、)]|[一二三四五六七八九十]+、|[(（]\d{1,2}[)）])", line))


# --- page-chrome -----------------------------------------------------------------------------------

_CHROME = terms()["page_chrome"]
CHROME_PHRASE = re.compile(alternation(_CHROME["phrases"]), re.IGNORECASE)
CHROME_WORD = re.compile(alternation(_CHROME["standalone_words"]))
CHROME_STRONG = set(_CHROME["standalone_strong"])
BREADCRUMB = re.compile(rf"首页\s*[>›»/|]\s*[{CJK}A-Za-z]")
# A hospital's link card left in an answer: the card's caption 医院, then the hospital's name.
LINK_CARD = re.compile(rf"(?:^|(?<=[\s。！？；;]))(医院[ \t\u3000]+[{CJK}]{{2,24}}?(?:医院|卫生院))(?=\s|$)")
# A link's text goes with it (上一篇：某某 下一篇：某某), and so do a share bar's targets.
LINK_PHRASES = set(_CHROME["link_phrases"])
LINK_TEXT = re.compile(r"\s*[:：]\s*[^\s。！？]{1,40}")
SHARE_TARGETS = re.compile(rf"\s*[:：]?(?:\s*(?:{alternation(_CHROME['share_targets'])}))+")


def page_chrome(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        spans_found = [
            (m.start(), _chrome_end(text, m))
            for m in CHROME_PHRASE.finditer(text)
            if m.group() != "分享到" or _chrome_end(text, m) > m.end()  # not 可分享到家人
        ]
        spans_found += [(m.start(), m.end()) for m in BREADCRUMB.finditer(text)]
        spans_found += [(m.start(1), m.end(1)) for m in LINK_CARD.finditer(text)]
        words = [m for m in CHROME_WORD.finditer(text) if standalone(text, m.start(), m.end())]
        for match in words:
            others = [w for w in words if w is not match and abs(w.start() - match.start()) <= 12]
            if match.group() in CHROME_STRONG or others:
                spans_found.append((match.start(), match.end()))
        for start, end in _merge_runs(text, spans_found):
            quote = text[start:end]
            yield finding(
                "page-chrome", f"网页栏目或导航“{quote}”混进了正文，请删除。", text, start, end, field
            )


def _chrome_end(text: str, match: re.Match[str]) -> int:
    tail = (
        LINK_TEXT if match.group() in LINK_PHRASES else SHARE_TARGETS if match.group() == "分享到" else None
    )
    extended = tail.match(text, match.end()) if tail else None
    return extended.end() if extended else match.end()


def _merge_runs(text: str, found: list[tuple[int, int]], gap: str = " \t\u3000") -> list[tuple[int, int]]:
    """Spans that touch or are separated only by ``gap`` characters become one (首页 顶部 is one piece
    of chrome, [2][3] one citation)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        between = text[merged[-1][1] : start] if merged else "x"
        joined = not between.strip(gap) if gap else not between
        if merged and (start <= merged[-1][1] or joined):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- answer-residue --------------------------------------------------------------------------------

ANSWER = re.compile(
    r"^\s*((?:能|不能|可以|不可以|不可|可|会|不会|是|不是|否|有|没有|需要|不需要|要|不要|不用|行|不行|必须|"
    r"免费|收费|属于|不属于|(?:约|大约|最多|最少|最高|不超过)?\d{1,3}(?:\.\d+)?(?:\s*[-~至到]\s*\d{1,3})?\s*"
    r"(?:个月|个工作日|个小时|小时|周|天|日|年|岁|元|万元|%|％|次|倍)"
    r"(?:左右|以内|之内|内|以上)?))[ \t\u3000]+(?=\S)"
)


# In a teaser (an excerpt of the site's answer box) any short fragment standing before the first sentence
# is the box's one-line answer (立等可取, 能用, 400多元), unless it leads into the text (以下是, 答:).
TEASER_FRAGMENT = re.compile(r"^\s*([^\s。！？，,：:；;、#*•·\-|>]{1,8})[ \t\u3000]+(?=\S)")
_LEAD_IN = re.compile(
    r"^(?:以下是|以下|如下|根据|关于|其中|注意|提示|温馨提示|答|回答|解答|[一二三四五六七八九十]+、|\d+[.、)）])$"
)


def _names_the_subject(fragment: str, title: str) -> bool:
    """宜宾补牙一般 …: the start of a sentence about the title's subject, split by a lost bold mark."""
    return any(fragment[i : i + 2] in title for i in range(len(fragment) - 1))


def answer_residue(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        match = ANSWER.match(text)
        if match is None and ctx.item.is_excerpt:
            match = TEASER_FRAGMENT.match(text)
            if match and (
                _LEAD_IN.match(match.group(1)) or _names_the_subject(match.group(1), ctx.item.title)
            ):
                match = None
        if match:
            yield finding(
                "answer-residue",
                f"开头的“{match.group(1)}”是网页上答案标签的残留，不成句子，请删除或改写成完整的回答。",
                text,
                match.start(1),
                match.end(1),
                field,
            )


# --- repeated-title --------------------------------------------------------------------------------

_YEAR_LEAD = re.compile(r"^(?:19|20)\d{2}\s*年?\s*")
_QUESTION_TAIL = re.compile(r"(?:是多少|有哪些|是什么|怎么办|怎么样|吗|呢|[?？])$")
MIN_CORE = 6


def title_core(title: str) -> str:
    return _QUESTION_TAIL.sub("", _YEAR_LEAD.sub("", title.strip())).strip()


def repeated_title(ctx: Context) -> Iterator[Finding]:
    title = ctx.item.title.strip()
    if len(title) < 4:
        return
    forms = [title]
    core = title_core(title)
    if core != title and len(core) >= MIN_CORE:
        forms.append(core)
    for field, text in ctx.fields("summary", "body"):
        seen: list[tuple[int, int]] = []
        for form in forms:
            for match in re.finditer(re.escape(form), text):
                start, end = match.start(), match.end()
                if any(s <= start < e for s, e in seen) or not standalone(text, start, end):
                    continue
                seen.append((start, end))
                yield finding(
                    "repeated-title",
                    "标题在正文里又出现了一次（网页小标题的残留），请删除。",
                    text,
                    start,
                    end,
                    field,
                )


# --- empty-contact ---------------------------------------------------------------------------------

CONTACT_LABEL = (
    r"(?:反馈至|反馈渠道|(?:咨询|投诉|举报|反馈|联系|服务|监督|官方|电子|办公|值班|医保)?"
    r"(?:邮箱|E-?mail|电话|热线|联系方式|联系人|地址|网址|官网|传真|微信号|公众号))"
)
EMPTY_CONTACT = re.compile(
    rf"(?:{CONTACT_LABEL})[ \t\u3000]*[:：][ \t\u3000]*(?=$|\n|[。；;，,、)）]|[{CJK}]{{2,6}}\s*[:：])"
    rf"|反馈至[ \t\u3000]*(?=$|\n|[。；;，,])",
    re.IGNORECASE,
)


_NUMBERED = re.compile(r"\d{1,2}[.、)）]\s*\D")  # 5. 异地就医…: the next item of a list, not a value
TRUNCATED_TEASER = 100  # teasers are cut at about 150 characters; a shorter one ended by itself
_VALUE_LINE = re.compile(r"[\d(（+]|https?:|www\.|[\w.-]+@")


def empty_contact(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        for match in EMPTY_CONTACT.finditer(text):
            rest = text[match.end() :]
            if ctx.item.is_excerpt and not rest.strip() and len(text) >= TRUNCATED_TEASER:
                continue  # the teaser was cut off here, at the site's length limit
            next_line = rest[1:].split("\n", 1)[0].strip() if rest.startswith("\n") else ""
            if _VALUE_LINE.match(next_line) and not _NUMBERED.match(next_line):
                continue  # the value stands on the next line
            label = match.group().strip()
            yield finding(
                "empty-contact",
                f"“{label}”后面什么都没有：联系方式缺失，请补上或删除这一句。",
                text,
                match.start(),
                match.start() + len(match.group().rstrip()),
                field,
            )


# --- placeholder -----------------------------------------------------------------------------------

PLACEHOLDER = re.compile(
    r"(?<![^\s|:：])(?:_+|＿+)(?![^\s|。，,；;])"  # a bare _ cell
    r"|(?<![A-Za-z\d])\d{0,2}[xX]{2,4}-[xX]{3,8}(?![A-Za-z])"  # 0xxx-xxxxxxx
    r"|(?<![A-Za-z])(?:[xX]{3,}|×{3,})(?![A-Za-z])"  # XXX医院
    rf"|(?<=[{CJK}])(?:XX|xx|××)(?=[{CJK}])"  # 驻马店XX口腔医院
    r"|待补充|待完善|待填写|此处填写|请填写|TODO|TBD|（待定）|\(待定\)|【待定】",
)


_PLACEHOLDER_GAP = re.compile(rf"[{CJK}]{{0,2}}")  # XX路XX号 is one unfilled address


def placeholder(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields():
        found = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
        runs: list[tuple[int, int]] = []
        for start, end in found:
            if runs and _PLACEHOLDER_GAP.fullmatch(text, runs[-1][1], start):
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        for start, end in runs:
            yield finding("placeholder", f"占位符“{text[start:end]}”没有换成内容。", text, start, end, field)


# --- non-answer ------------------------------------------------------------------------------------

NON_ANSWER = re.compile(
    r"(?:没有|没能|未能|未|暂未|尚未|并未)(?:找到|查到|查询到|检索到|搜索到|搜到|获取到|获得)"
    r"[^。！？\n]{0,60}?(?:相关|有关|具体|直接|确切|准确|详细)?"
    r"(?:信息|资料|内容|结果|数据|消息|规定|政策|电话|号码|联系方式|名单|文件|通知|公告|公示|通报|说明|报道|"
    r"标准|答案|答复|记录)"
    r"|(?:暂时|目前|暂)?无法(?:得知|获知|确定具体|查询到|获取(?:到)?(?:相关|具体)?(?:信息|数据))"
    r"|(?:暂时|目前|暂)无法(?:确定|确认|提供|回答)"
    r"|(?:无法|不能)(?:确定|得知|获知|查到|找到|提供|给出|回答|答复|说明)[^。！？\n]{0,30}?(?:具体|确切|准确|详细)(?:的)?"
    r"[^。！？，,\n]{0,4}?"
    r"(?:内容|信息|数据|标准|号码|电话|情况|比例|金额|规定|政策)"
    r"|(?:具体|相关|详细|确切)(?:的)?(?:信息|数据|标准|政策|比例|规定|金额|电话)(?:暂时|目前)?(?:尚未|暂未|还未|未|无法)"
    r"(?:明确|公开|公布|查到|找到|确定|得知)"
    r"|暂无(?:相关|具体|详细|公开|确切)?(?:的)?(?:信息|资料|数据|报道|消息|说明)"
    r"|(?:很)?抱歉[,，]?\s*(?:我|暂时|目前|未能|无法)"
)


def non_answer(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        for match in NON_ANSWER.finditer(text):
            yield finding(
                "non-answer",
                f"“{match.group()}”：这一条没有回答标题的问题，不应作为答案发布。",
                text,
                match.start(),
                match.end(),
                field,
            )


# --- self-flagged-uncertainty ----------------------------------------------------------------------

UNCERTAIN = re.compile(
    r"可能(?:为|是)?(?:输入|录入|打字|拼写|书写|印刷)?(?:错误|笔误)"
    r"|可能(?:录入|输入|填写|记录|标注)?有误|或有误|疑似(?:录入|输入|填写)?(?:有误|错误)|恐有误|可能存在(?:错误|误差|偏差|出入)|可能不准确|不一定准确"
    r"|建议以[^。！？；;\n]{1,24}?为准"
    r"|(?:有待|尚待)(?:进一步)?(?:核实|核对|查证|证实)"
    r"|未经(?:核实|证实|确认|官方确认)"
    r"|(?:无法|不能)(?:确认|保证)(?:其|该|此|信息|号码|数据)?(?:的)?(?:完全|绝对)?(?:准确|真实|正确)"
    r"|存疑|真实性(?:待|有待)"
)


# Doubts that are about the text itself only when the sentence says so (以上号码可能存在更新, 该号码仅供参考;
# not 报销政策可能存在差异, which is about the regions).
SELF_REFERENCE = re.compile(
    r"以上|以下是|以下(?:数据|内容|信息|号码|金额|比例|标准)|上述|上面|该号码|该电话|该数据|此号码|本文|文中|这些|所列|本条|本表|上表|表中|(?:信息|数据|资料)来源"
    r"|资料(?:整理|汇总)|(?:整理|汇总)自|系参考|系根据"
)
SELF_DOUBT = re.compile(
    r"仅(?:供|作|做)参考"
    r"|可能(?:与[^。！？；;\n]{1,30}?)?存在(?:错误|误差|偏差|出入|差异|更新|变动|变化|调整)"
    r"|可能(?:已经|已)?会?(?:有所|已有|有)?(?:变更|更改|更换|调整|变化|变动|更新|失效|过时|停用|停机|作废)"
    r"|来源于网络|来自网络|摘自网络|整理自网络|(?:网络|网上)(?:公开)?(?:资料)?(?:整理|汇总)"
    r"|如有(?:出入|变动|变化|差异|不符|误差|错误|不一致|调整|更新)"
    r"|(?:未必|不一定|不见得)(?:是|为)?(?:现行|最新|准确|正确|可靠|有效)"
    r"|(?:未必|不一定|不见得)与[^。！？；;\n]{1,20}?(?:一致|相符|相同)"
    r"|可能与[^。！？；;\n]{1,20}?(?:不一致|不符|不同)"
    r"|可能(?:会)?随[^。！？；;\n，,]{1,12}(?:变化|调整|变动|更新|改变)"
    r"|(?:系|是)?(?:根据|按|依据)[^。！？；;\n]{0,12}?(?:推算|估算|推测)(?:得出|而来|所得)?"
)
# What often follows a doubt in the same breath: 请以官方公布为准 (one instance with it).
DEFER = re.compile(
    r"[,，]?\s*(?:(?:实际|具体)[^。！？；;\n,，]{0,8}?)?(?:请|建议|应|需)?以[^。！？；;\n]{1,24}?为准"
)


def self_flagged_uncertainty(ctx: Context) -> Iterator[Finding]:
    for field, text in ctx.fields("summary", "body"):
        for sentence in SENTENCE.finditer(text):
            spans = [(m.start(), m.end()) for m in UNCERTAIN.finditer(text, sentence.start(), sentence.end())]
            for match in SELF_DOUBT.finditer(text, sentence.start(), sentence.end()):
                if SELF_REFERENCE.search(text, sentence.start(), match.start()):
                    spans.append((match.start(), match.end()))
            if not spans:
                continue
            start, end = min(s for s, _e in spans), max(e for _s, e in spans)
            deferred = DEFER.match(text, end, sentence.end())
            if deferred:
                end = deferred.end()
            yield finding(
                "self-flagged-uncertainty",
                f"文中自己说“{text[start:end]}”：请核实后改成确定的内容，或删除这一句。",
                text,
                start,
                end,
                field,
            )


RULES = (
    citation_marker,
    markup_residue,
    page_chrome,
    answer_residue,
    repeated_title,
    empty_contact,
    placeholder,
    non_answer,
    self_flagged_uncertainty,
)
