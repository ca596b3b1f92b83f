"""The dump parser (pure: no database)."""

import datetime

import pytest

from cms.ingest.dumps import DumpFormatError, parse_dump
from tests.conftest import DUMPS

EXPECTED = {
    "000_27f2ed0fe0b26878.txt": {
        "main": "省医保和省内异地区别",
        "first": "工程变更超过30%怎么处理",
        "last": "省医保是在本省内都能刷吗",
        "date": datetime.date(2025, 3, 21),
    },
    "001_da4836c33a4ad2da.txt": {
        "main": "异地医保在哪里办理",
        "first": "普洱医保中心电话号码",
        "last": "医疗机构违规典型案例",
        "date": datetime.date(2025, 3, 22),
    },
    "002_4f65deb304f4958d.txt": {
        "main": "市里的医保卡可以到省里用吗",
        "first": "异地职工医保和居民医保同时参加",
        "last": "2025黑龙江大兴安岭补牙医保报销比例是多少",
        "date": datetime.date(2025, 3, 18),
    },
}


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_sample_dump_items(path):
    expected = EXPECTED[path.name]

    parsed = parse_dump(path.read_bytes())

    assert parsed.main.title == expected["main"]
    assert parsed.main.is_excerpt is False
    assert parsed.main.date is None
    assert len(parsed.items) == 20
    assert parsed.items[0].title == expected["first"]
    assert parsed.items[-1].title == expected["last"]
    assert {item.date for item in parsed.items} == {expected["date"]}
    assert all(item.is_excerpt for item in parsed.items)
    assert [item.position for item in parsed.all_items] == list(range(21))
    assert all(item.body for item in parsed.all_items)


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_sample_dump_chrome_is_dropped(path):
    parsed = parse_dump(path.read_bytes())

    for item in parsed.all_items:
        assert "相关推荐" not in item.body
        assert "本内容不能代替面诊" not in item.body
        assert "健康新闻" not in item.body
    titles = [item.title for item in parsed.items]
    assert len(titles) == len(set(titles)), "a title repeated after its date became an item"


def test_main_article_keeps_its_whole_body():
    parsed = parse_dump(DUMPS[0].read_bytes())

    assert parsed.main.body.startswith("省医保与省内异地医保的区别主要在于")
    assert parsed.main.body.rstrip().endswith("政策知晓率低,存在疑虑")
    assert "起付线2000左右" in parsed.main.body


def test_item_body_is_its_excerpt():
    parsed = parse_dump(DUMPS[0].read_bytes())
    wuchuan = next(item for item in parsed.items if item.title == "湛江吴川医保电话")

    assert wuchuan.body.startswith("根据最新信息,湛江市吴川市医疗保障局联系电话为 0759-5586822")
    assert wuchuan.line == 89


UNSEEN = """\ufeff首页 > 健康 > 医保
返回顶部

通辽医保报销比例是多少

通辽市职工医保住院报销比例一般在 80% 以上。

  • 一级医院：90%
  • 三级医院：80%

温馨提示：以上内容仅供参考。
猜你喜欢
通辽医保局电话是多少
通辽医保局的电话是0475-8910921 。详细信息如下
健康新闻 2024年12月5日
通辽医保局电话是多少

{padded_title}

根据最新信息,湛江市吴川市医疗保障局联系电话为 0759-5586822 。
补充说明: 若需具体业务
健康新闻  2024/12/06

大家都在搜
医保报销
异地就医
Copyright © 2024 健康网 版权所有
""".format(padded_title="  湛江吴川医保电话  ")


def test_unseen_dump_of_the_same_family():
    parsed = parse_dump(UNSEEN.replace("\n", "\r\n").encode("utf-8"))

    assert parsed.main.title == "通辽医保报销比例是多少"
    assert "三级医院：80%" in parsed.main.body
    assert "温馨提示" not in parsed.main.body
    assert [(i.title, i.date) for i in parsed.items] == [
        ("通辽医保局电话是多少", datetime.date(2024, 12, 5)),
        ("湛江吴川医保电话", datetime.date(2024, 12, 6)),
    ]
    assert parsed.items[1].body.endswith("补充说明: 若需具体业务")
    dropped = [text for _, text in parsed.dropped_lines]
    assert "首页 > 健康 > 医保" in dropped
    assert "医保报销" in dropped  # footer keywords


def test_dump_without_section_marker_splits_at_the_first_item():
    text = (
        "主文章标题\n\n正文第一段。\n\n正文第二段。\n\n"
        + "条目标题\n\n条目摘要很长很长\n\n健康新闻 2025-03-01\n"
    )

    parsed = parse_dump(text.encode())

    assert parsed.main.title == "主文章标题"
    assert parsed.main.body == "正文第一段。\n\n正文第二段。"
    assert [(i.title, i.body) for i in parsed.items] == [("条目标题", "条目摘要很长很长")]


def test_main_article_may_carry_its_own_date():
    text = "主文章标题\n健康新闻 2025-01-02\n正文。\n相关推荐\n条目\n摘要\n健康新闻 2025-03-01\n"

    parsed = parse_dump(text.encode())

    assert parsed.main.date == datetime.date(2025, 1, 2)
    assert parsed.main.body == "正文。"
    assert len(parsed.items) == 1


def _error(data: bytes) -> DumpFormatError:
    with pytest.raises(DumpFormatError) as excinfo:
        parse_dump(data)
    return excinfo.value


@pytest.mark.parametrize("data", [b"", b"   \n\n  \n"], ids=["empty", "blank"])
def test_empty_file_is_refused(data):
    assert "空" in _error(data).message


def test_binary_file_is_refused():
    error = _error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    assert "二进制" in error.message
    assert error.line == 3


def test_wrong_encoding_is_refused_with_its_line():
    error = _error(DUMPS[0].read_text(encoding="utf-8").encode("gb18030"))

    assert "UTF-8" in error.message
    assert error.line == 1


def test_file_cut_inside_a_character_is_refused():
    data = DUMPS[0].read_bytes()

    error = _error(data[: len(data) - 4])

    assert "截断" in error.message


def test_text_without_items_is_refused():
    error = _error("这只是一段普通文字。\n没有任何条目。\n".encode())

    assert "没有找到任何条目" in error.message


def test_dump_cut_off_mid_item_is_refused_with_the_line():
    lines = DUMPS[0].read_text(encoding="utf-8").splitlines()
    cut = lines.index("湛江吴川医保电话") + 3  # title, blank, excerpt: the date line is lost

    error = _error("\n".join(lines[:cut]).encode())

    assert "截断" in error.message
    assert error.line == cut - 2
    assert "湛江吴川医保电话" in error.message


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_cutting_a_dump_at_any_line_never_yields_a_wrong_item(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    full = parse_dump(path.read_bytes())
    for cut in range(1, len(lines) + 1):
        parsed = _parse_or_none("\n".join(lines[:cut]).encode())
        if parsed is not None:
            assert parsed.items == full.items[: len(parsed.items)], cut


def _parse_or_none(data: bytes):
    try:
        return parse_dump(data)
    except DumpFormatError:
        return None


@pytest.mark.parametrize(
    ("date_line", "problem"),
    [("健康新闻 2025-02-30", "不存在"), ("健康新闻 2025-0", "不完整"), ("健康新闻 昨天", "不完整")],
)
def test_bad_date_line_is_refused_with_its_line(date_line, problem):
    text = f"主文章\n正文\n相关推荐\n条目\n摘要\n{date_line}\n"

    error = _error(text.encode())

    assert problem in error.message
    assert error.line == 6


def test_date_line_without_an_item_is_refused():
    text = "主文章\n正文\n相关推荐\n条目\n摘要\n健康新闻 2025-03-01\n\n健康新闻 2025-03-02\n"

    error = _error(text.encode())

    assert error.line == 8


def test_overlong_title_is_refused():
    text = "主文章\n正文\n相关推荐\n" + "长" * 301 + "\n摘要\n健康新闻 2025-03-01\n"

    error = _error(text.encode())

    assert "标题过长" in error.message
    assert error.line == 4


def test_error_names_its_line():
    assert str(DumpFormatError("日期不对", 7)) == "第 7 行：日期不对"
    assert str(DumpFormatError("文件是空的。")) == "文件是空的。"
