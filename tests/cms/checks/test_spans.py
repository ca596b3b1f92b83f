"""Every finding quotes exactly the text at its position: ``text[start:end] == quote``."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cms.checks import CheckInput, check_collection, check_item
from cms.checks.dumps import dump_inputs
from cms.checks.evaluation import SYNTHETIC_DIR
from tests.conftest import DUMPS

TODAY = datetime.date(2026, 11, 23)

# Pieces of the dump family, defects and near-misses among them, glued together at random.
FRAGMENTS = [
    "门诊时间:每日9:00-18:76", "9:00-18:00", "与[14]中的3235651可能有误,建议以15为准", "**报销比例**",
    "\n  • 职工医保:85%", "首页 顶部", "大家都在搜", "能 ", "3个月 ", "反馈至:", "\n_\n", "0xxx-xxxxxxx",
    "没有找到相关信息", "暂时无法得知", "0475-12333", "0759-5586822", "85767777", "预约挂号电话为12345",
    "12345政务服务便民热线", "2022年缴费标准为350元", "自2025年1月1日起实施", "从2025年起", "新农合",
    "林芝地区", "吴川县", "招标", "旅游", "服用布洛芬,每次1粒", "2025年2月30日", "湛江市医疗保障局",
    "通辽医保局的电话是0475-8910921", "连云港市口腔医院", "。", ",", " ", "\n", "（", "）",
    "０７５９－３３８７１１０",
]  # fmt: skip
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=14).map("".join)


def _assert_quotes(item: CheckInput, findings) -> None:
    for found in findings:
        text = item.text(found.field)
        assert 0 <= found.start <= found.end <= len(text)
        assert text[found.start : found.end] == found.quote, found


@settings(max_examples=200, deadline=None)
@given(title=texts, body=texts, summary=texts, number=texts, excerpt=st.booleans(), markdown=st.booleans())
def test_quotes_match_their_positions_on_any_text(title, body, summary, number, excerpt, markdown):
    item = CheckInput(
        title=title,
        body=body,
        summary=summary,
        number=number,
        date=datetime.date(2025, 3, 21),
        is_excerpt=excerpt,
        markdown=markdown,
    )

    _assert_quotes(item, check_item(item, today=TODAY))


@settings(max_examples=50, deadline=None)
@given(bodies=st.lists(texts, min_size=2, max_size=5))
def test_quotes_match_their_positions_across_a_collection(bodies):
    items = [CheckInput(title=f"标题{i}", body=body) for i, body in enumerate(bodies)]

    results = check_collection(items, today=TODAY)

    for index, item in enumerate(items):
        _assert_quotes(item, results[index])


def test_quotes_match_their_positions_on_every_sample_finding():
    entries = [e for path in [*DUMPS, *sorted(SYNTHETIC_DIR.glob("*.txt"))] for e in dump_inputs(path)]

    results = check_collection([e.input for e in entries], today=TODAY)

    assert sum(len(found) for found in results.values()) > 200
    for index, entry in enumerate(entries):
        _assert_quotes(entry.input, results[index])
