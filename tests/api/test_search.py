"""Search finds exactly the items whose text contains every term, however the terms are looked up
(Chinese tokens, LIKE, or both: cms.search), and ranks titles with more of the terms first."""

import random
from urllib.parse import urlencode

import pytest

from cms.models import LiveArticle, LiveHotline
from cms.search import search_tokens, term_tokens

API = "/api/v1"

BODIES = [
    ("湛江吴川医保电话", "湛江市吴川市医疗保障局联系电话为 0759-5586822。"),
    ("连云港异地就医备案", "连云港市参保人员异地就医，请先办理备案，咨询电话 0518-85801234。"),
    ("医保卡丢了怎么办", "社保卡（医保卡）遗失后，可在国家医保服务平台 APP 挂失补办。"),
    ("门诊慢特病待遇", "门诊慢特病病种包括高血压、糖尿病等，医保报销比例 60%。"),
    ("生育保险报销", "职工生育保险待遇含生育医疗费用和生育津贴，Ｅ类人员另行规定。"),
    ("长护险试点", "长期护理保险试点城市：上海、青岛、成都。"),
]


@pytest.fixture
def articles(make_article):
    return [make_article(title=title, body=body) for title, body in BODIES]


def found(client, q: str) -> set[str]:
    response = client.get(f"{API}/articles/?{urlencode({'q': q, 'page_size': 100})}")
    assert response.status_code == 200, response.content
    return {r["title"] for r in response.json()["results"]}


def expected(q: str) -> set[str]:
    terms = [t.lower() for t in q.split()[:5]]
    return {
        title
        for title, text in LiveArticle.objects.values_list("title", "search_text")
        if all(term in text for term in terms)
    }


def test_search_matches_substrings_exactly(client, articles, unthrottled):
    """Every substring of one to five characters of every text (and pairs of them), against the plain
    definition: the text contains each term."""
    texts = list(LiveArticle.objects.values_list("search_text", flat=True))
    rng = random.Random(20261123)  # noqa: S311 -- sampling test input
    queries = set()
    for text in texts:
        for length in (1, 2, 3, 5):
            for _ in range(6):
                start = rng.randrange(0, max(1, len(text) - length))
                queries.add(text[start : start + length].strip())
    queries = {q for q in queries if q and "\n" not in q}
    pairs = [f"{a} {b}" for a, b in zip(sorted(queries)[::7], sorted(queries)[3::7], strict=False)]
    extra = [
        "医保 电话",
        "湛江 医保 电话",
        "吴川",
        "医",
        "保医",
        "电话 连云港",
        "APP",
        "app",
        "ｅ类",
        "不存在的词",
    ]
    checked = 0
    for q in [*sorted(queries), *pairs, *extra]:
        assert found(client, q) == expected(q), q
        checked += 1
    assert checked > 100
    assert found(client, "医保 电话") == {"湛江吴川医保电话"}
    assert found(client, "APP") == found(client, "app") == {"医保卡丢了怎么办"}


def test_titles_with_more_terms_come_first(client, articles):
    response = client.get(f"{API}/articles/?{urlencode({'q': '医保 电话'})}")
    assert [r["title"] for r in response.json()["results"]][:1] == ["湛江吴川医保电话"]
    response = client.get(f"{API}/articles/?{urlencode({'q': '医保'})}")
    titles = [r["title"] for r in response.json()["results"]]
    assert set(titles[:2]) == {"湛江吴川医保电话", "医保卡丢了怎么办"}  # 医保 in the title
    assert titles[2:] == ["门诊慢特病待遇"]  # 医保 in the body only


def test_hotlines_are_searched_the_same_way(client, make_hotline):
    make_hotline(organisation="吴川市医疗保障局")
    make_hotline(organisation="连云港市医疗保障局", number="0518-85801234", code="320700")
    names = [r["organisation"] for r in client.get(f"{API}/hotlines/?q=吴川").json()["results"]]
    assert names == ["吴川市医疗保障局"]
    assert len(client.get(f"{API}/hotlines/?q=保障").json()["results"]) == 2
    assert LiveHotline.objects.filter(search_tokens__contains="吴川").count() == 1


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("医保", "保 医 医保"),
        ("湛江 0759", "江 湛 湛江"),
        ("ABC-123", ""),
        ("吴川市", "吴 吴川 川 川市 市"),
    ],
)
def test_search_tokens(text, tokens):
    assert search_tokens(text) == tokens


@pytest.mark.parametrize(
    ("term", "tokens", "confirm"),
    [
        ("医", ["医"], False),
        ("医保", ["医保"], False),
        ("湛江市", ["湛江", "江市"], True),
        ("12393热线", ["热线"], True),
        ("app", [], True),
    ],
)
def test_term_tokens(term, tokens, confirm):
    assert term_tokens(term) == (tokens, confirm)
