"""Checks that compare items: the same body under different titles, opposite answers to the same
yes/no question, and one organisation given different numbers in different records."""

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from cms.verification import rules

from .context import Context
from .findings import Finding, finding
from .phonetext import PhoneMention
from .rules.hygiene import NON_ANSWER
from .rules.phones import conflict_message, mentions, number_records
from .terms import terms
from .text import spans

MIN_DUPLICATE = 40  # characters of normalised body below which two bodies may well coincide
NEAR_DUPLICATE = 0.85  # Jaccard similarity of 4-character shingles
SIMILAR_QUESTION = 0.5  # with ``_DISTINCT`` below keeping 绥化拔牙 and 绥化补牙 apart
_NOISE = re.compile(r"[\W_]+")


def _normalised(text: str) -> str:
    return _NOISE.sub("", text)


def _first_sentence(text: str) -> tuple[int, int]:
    for start, end in spans(text):
        return start, min(end, start + 80)
    return 0, 0


def _shingles(text: str, size: int = 4) -> set[str]:
    return {text[i : i + size] for i in range(max(1, len(text) - size + 1))}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# --- duplicate-body --------------------------------------------------------------------------------


def duplicate_bodies(contexts: Sequence[Context]) -> Iterator[tuple[int, Finding]]:
    bodies = {i: _normalised(ctx.item.body) for i, ctx in enumerate(contexts)}
    bodies = {i: b for i, b in bodies.items() if len(b) >= MIN_DUPLICATE}
    buckets: dict[str, list[int]] = defaultdict(list)
    for index, body in bodies.items():
        buckets["head:" + body[:30]].append(index)
        buckets["tail:" + body[-30:]].append(index)
    shingles: dict[int, set[str]] = {}
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        for n, a in enumerate(members):
            for b in members[n + 1 :]:
                if (a, b) in pairs or contexts[a].item.title.strip() == contexts[b].item.title.strip():
                    continue
                if bodies[a] != bodies[b]:
                    sa = shingles.setdefault(a, _shingles(bodies[a]))
                    sb = shingles.setdefault(b, _shingles(bodies[b]))
                    if _jaccard(sa, sb) < NEAR_DUPLICATE:
                        continue
                pairs.add((a, b))
    twins: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(pairs):
        twins[a].append(b)
        twins[b].append(a)
    for index, others in sorted(twins.items()):
        body = contexts[index].item.body
        start, end = _first_sentence(body)
        titles = "”“".join(contexts[o].item.title for o in others[:3])
        yield (
            index,
            finding(
                "duplicate-body",
                f"正文与“{titles}”相同（标题不同）：重复内容只应保留一条，或分别写出各自的回答。",
                body,
                start,
                end,
                "body",
            ),
        )


# --- contradiction ---------------------------------------------------------------------------------

# "How much does 医保 pay for X": an answer that says it pays nothing answers "does it pay" too.
HOW_MUCH = re.compile(
    r"(?:医保)?(?:能|可以)?(?:报销比例|报销标准|报销多少|报多少|报几成)(?:是多少|是什么|多少|有多少)?$"
)
YES_NO = re.compile(r"吗$|能不能|可不可以|是不是|是否|会不会|有没有|要不要|行不行|能否|可否")
_FOLD = (
    ("能不能", ""),
    ("可不可以", ""),
    ("是不是", "是"),
    ("会不会", ""),
    ("有没有", "有"),
    ("要不要", ""),
    ("行不行", ""),
    ("能否", ""),
    ("可否", ""),
    ("是否", ""),
    ("可以", ""),
    ("能够", ""),
    ("能", ""),
    ("会", ""),
    ("可", ""),
    ("要", ""),
    ("的", ""),
    ("了", ""),
)
NEGATIVE = re.compile(
    r"不能|不可以|不可|不行|不会|不是|无法|不予|不属于|不支持|不允许|不得|禁止|不纳入|不在[^，。,]{0,8}范围|^否|^没有"
)
POSITIVE = re.compile(
    r"^(?:是的|是|可以|能|可|会|有|行)|可以|能够"
    r"|(?<![可功性智本职技体才效动潜])能(?![力源否])"  # not 可能, 功能, 能力
)
# Words that lean to yes only when nothing in the opening says no (属于自费项目 is a no).
LEANING_YES = re.compile(r"可行|支持|允许|属于|纳入")
_INSIDE_NO = re.compile(r"可(?:以)?不")  # 可不必, 可以不: a yes that says no
HEDGE = re.compile(r"取决于|视情况|因[^，。,]{0,8}而异|需要根据|需根据|分情况|不一定|具体情况|有的|部分地区")


# Words that ask the same thing in other words (父母 and 家人 both ask about one's family), folded in
# order; filler dropped; families of words that make alike questions different ones (拔牙 / 补牙).
_QUESTIONS = terms()["questions"]
_SYNONYMS = tuple((re.compile(pattern), word) for pattern, word in _QUESTIONS["synonyms"])
_FILLER = re.compile(_QUESTIONS["filler"])
_DISTINCT = tuple(re.compile(words) for words in _QUESTIONS["distinct_families"])


def question_key(title: str, places: Sequence = ()) -> str | None:
    """The question a yes/no title asks, in one spelling, without its modal verbs (the answer carries
    yes or no) or the places it is asked about (compared separately): 2025年湛江医保能不能在东莞用？ and
    湛江医保可以在东莞用吗 → 医保用; 南昌职工医保个人账户能给父母交医保吗 → 职工个人账户给家人交医保."""
    for place in sorted(places, key=lambda p: p.start, reverse=True):
        title = title[: place.start] + title[place.end :]
    text = re.sub(r"[\s?？!！。]", "", title)
    how_much = HOW_MUCH.search(text)
    if how_much and not YES_NO.search(text):
        # 补牙医保报销比例是多少 asks first whether it is paid at all
        text = text[: how_much.start()] + "医保能报销吗"
    if not YES_NO.search(text):
        return None
    text = re.sub(r"^(?:19|20)\d{2}年?", "", text)
    text = re.sub(r"[吗呢]$", "", text)
    for pattern, word in _SYNONYMS:
        text = pattern.sub(word, text)
    for old, new in _FOLD:
        text = text.replace(old, new)
    return _FILLER.sub("", text)


def distinct_questions(key_a: str, key_b: str) -> bool:
    """Whether two question keys name different words of one family (拔牙 / 补牙)."""
    for family in _DISTINCT:
        a, b = set(family.findall(key_a)), set(family.findall(key_b))
        if a and b and not a & b:
            return True
    return False


def _within(inner: str, outer: str) -> bool:
    """Whether region ``inner`` is ``outer`` or lies in it (division codes are hierarchical)."""
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


def same_place(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two questions are asked about the same place: the same regions, or a region and one of
    its parts (a province's rule holds in its cities). A question with no place meets only others."""
    if not a or not b:
        return a == b
    return all(any(_within(x, y) or _within(y, x) for y in b) for x in a)


def _province(code: str) -> str:
    return code[:2] + "0000"


def answer_polarity(body: str) -> tuple[bool | None, tuple[int, int]]:
    """Whether the opening of an answer says yes (True) or no (False), and where it says it."""
    start, end = _first_sentence(body)
    opening = body[start:end]
    if not opening or HEDGE.search(opening) or NON_ANSWER.search(opening):
        return None, (start, end)  # 无法给出准确的比例 says nothing, not "no"
    no, yes = NEGATIVE.search(opening), POSITIVE.search(opening)
    if no and not (yes and yes.start() < no.start() and not _INSIDE_NO.match(opening, yes.start())):
        return False, (start, end)  # the answer is what the opening says first (可以…，不会影响: yes)
    if yes or (LEANING_YES.search(opening) and not no):
        return True, (start, end)
    return None, (start, end)


def contradictions(contexts: Sequence[Context]) -> Iterator[tuple[int, Finding]]:
    questions = []
    for index, ctx in enumerate(contexts):
        key = question_key(ctx.item.title, ctx.title_places)
        if key is None:
            continue
        polarity, span = answer_polarity(ctx.item.body)
        if polarity is None:
            continue
        regions = frozenset(ctx.regions)
        questions.append((index, key, regions, polarity, span))
    by_province: dict[frozenset[str], list] = defaultdict(list)
    for question in questions:
        by_province[frozenset(_province(code) for code in question[2])].append(question)
    for group in by_province.values():
        bigrams = {q[0]: {q[1][i : i + 2] for i in range(len(q[1]) - 1)} for q in group}
        for n, (a, key_a, regions_a, yes_a, span_a) in enumerate(group):
            for b, key_b, regions_b, yes_b, span_b in group[n + 1 :]:
                if yes_a == yes_b or not same_place(regions_a, regions_b):
                    continue
                if key_a != key_b and (
                    _jaccard(bigrams[a], bigrams[b]) < SIMILAR_QUESTION or distinct_questions(key_a, key_b)
                ):
                    continue
                for index, other, yes, span in ((a, b, yes_a, span_a), (b, a, yes_b, span_b)):
                    said, other_said = ("能", "不能") if yes else ("不能", "能")
                    body = contexts[index].item.body
                    yield (
                        index,
                        finding(
                            "contradiction",
                            f"这里的回答是“{said}”，而“{contexts[other].item.title}”对同一问题的回答是“{other_said}”："
                            "两条不能同时正确，请核实后统一。",
                            body,
                            span[0],
                            span[1],
                            "body",
                        ),
                    )


# --- phone-conflict across records -----------------------------------------------------------------


def phone_conflicts(contexts: Sequence[Context]) -> Iterator[tuple[int, Finding]]:
    records = []
    for index, ctx in enumerate(contexts):
        records.extend(number_records(mentions(ctx), group=index))
    for conflict in rules.find_conflicts(records):
        for record in conflict.records:
            mention: PhoneMention = record.source
            index = record.group
            elsewhere = sorted({r.group for r in conflict.records if r.group != index})
            titles = "”“".join(contexts[i].item.title for i in elsewhere[:3])
            yield (
                index,
                finding(
                    "phone-conflict",
                    conflict_message(conflict, mention, f"在“{titles}”中"),
                    contexts[index].item.text(mention.field),
                    mention.start,
                    mention.end,
                    mention.field,
                ),
            )


COLLECTION_RULES = (duplicate_bodies, contradictions, phone_conflicts)


# --- which items to compare ------------------------------------------------------------------------

KEY_LENGTH = 200  # a longer key is cut: two keys that then coincide only add a candidate


def comparison_keys(ctx: Context) -> frozenset[str]:
    """Keys of one item such that two items can only get a finding from ``COLLECTION_RULES`` about
    each other if they share one: the opening and the end of the body (``duplicate_bodies`` pairs only
    bodies sharing one), the regions of a yes/no question with an answer (``contradictions`` compares
    only within them), and the organisations the item gives a number for (``phone_conflicts``)."""
    keys = set()
    body = _normalised(ctx.item.body)
    if len(body) >= MIN_DUPLICATE:
        keys.update(("head:" + body[:30], "tail:" + body[-30:]))
    if question_key(ctx.item.title) is not None and answer_polarity(ctx.item.body)[0] is not None:
        keys.add("question:" + ",".join(sorted({_province(code) for code in ctx.regions})))
    for record in number_records(mentions(ctx), group=0):
        keys.add("phone:" + record.organisation)
    return frozenset(key[:KEY_LENGTH] for key in keys)
