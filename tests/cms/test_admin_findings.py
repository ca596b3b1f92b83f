"""The checks in the admin: each item's page shows its findings with the quote highlighted in context and
a false-alarm form (reason required) for those who may mark; an article's page lists its proposals with
one-click confirm and reject and a page to correct them first; the findings list filters by code,
severity, status and kind of item; the review queue counts open errors and warnings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import Article, Finding, Hotline, Proposal, ProposalKind
from cms.services import checks as services_checks
from cms.services import workflow
from cms.services.revisions import content_save, current_revision
from tests.factories import SourceFactory, UserFactory, region

BAD_TIME = "湛江市吴川市医疗保障局联系电话为 0759-5586822，工作时间 8:30-18:76。"


@pytest.fixture
def article(editor):
    source = SourceFactory(is_official=True)
    article = Article(title="湛江吴川医保电话", slug="wuchuan", body=BAD_TIME)
    content_save(item=article, user=editor, expected_version=None, m2m={"sources": [source.pk]})
    return article


@pytest.fixture
def finding(article) -> Finding:
    return Finding.objects.get(article=article, code="impossible-time")


def page(response) -> str:
    return response.content.decode()


def change_url(item) -> str:
    return f"/admin/cms/{item._meta.model_name}/{item.pk}/change/"


# --- the panel ---------------------------------------------------------------------------------------


def test_change_page_shows_the_finding_with_its_quote_in_context(client, editor, article, finding):
    client.force_login(editor)

    response = client.get(change_url(article))

    assert response.status_code == 200
    html = page(response)
    assert 'id="findings"' in html
    assert "不存在的时间" in html
    assert "impossible-time" in html
    assert '工作时间 <mark class="finding-quote">8:30-18:76</mark>。' in html
    assert "1 个未处理的错误" in html
    assert f"/findings/{finding.pk}/false-alarm/" in html
    assert "标记为误报" in html


def test_hotline_change_page_shows_its_findings_too(client, editor):
    hotline = Hotline(organisation="吴川市医疗保障局", number="0759-5586822", region=region("440883"))
    content_save(item=hotline, user=editor, expected_version=None)
    client.force_login(editor)

    html = page(client.get(change_url(hotline)))

    assert "缺少官方来源" in html
    assert "整条内容" in html
    assert 'id="proposals"' not in html  # only articles propose records


def test_marking_a_false_alarm_needs_a_reason(client, editor, article, finding):
    client.force_login(editor)

    response = client.post(
        f"/admin/cms/article/{article.pk}/findings/{finding.pk}/false-alarm/", {"reason": ""}
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "open"
    followed = client.get(response.url)
    assert "请说明为什么这条检查结果是误报" in page(followed)


def test_marking_a_false_alarm_with_a_reason(client, fact_checker, article, finding):
    client.force_login(fact_checker)

    response = client.post(
        f"/admin/cms/article/{article.pk}/findings/{finding.pk}/false-alarm/",
        {"reason": "原网页即如此，已截图"},
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.reason, finding.marked_by) == (
        "false_alarm",
        "原网页即如此，已截图",
        fact_checker,
    )
    html = page(client.get(change_url(article)))
    assert "误报：原网页即如此，已截图" in html
    assert "0 个未处理的错误" in html


def test_a_publisher_sees_findings_but_no_false_alarm_form_and_cannot_post_one(
    client, publisher, article, finding
):
    client.force_login(publisher)

    html = page(client.get(change_url(article)))
    response = client.post(
        f"/admin/cms/article/{article.pk}/findings/{finding.pk}/false-alarm/", {"reason": "我觉得没问题"}
    )

    assert "8:30-18:76" in html
    assert "mark-false-alarm" not in html
    finding.refresh_from_db()
    assert finding.status == "open"
    assert "只有编辑和核查员可以把检查结果标记为误报" in page(client.get(response.url))


def test_a_finding_of_another_item_is_not_found(client, editor, article, finding):
    other = Article(title="另一篇", slug="other", body="正文。")
    content_save(item=other, user=editor, expected_version=None)
    client.force_login(editor)

    response = client.post(
        f"/admin/cms/article/{other.pk}/findings/{finding.pk}/false-alarm/", {"reason": "x"}
    )

    assert response.status_code == 404


def test_the_transition_page_says_which_error_holds_approval(client, editor, fact_checker, article):
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    approver = UserFactory(username="publisher-2", role="审核发布")
    client.force_login(approver)

    html = page(client.get(f"/admin/cms/article/{article.pk}/transition/approve/"))
    refused = client.post(
        f"/admin/cms/article/{article.pk}/transition/approve/", {"comment": ""}, follow=True
    )

    assert "第 1 版有未处理的错误：不存在的时间“8:30-18:76”" in html
    assert "第 1 版有未处理的错误" in page(refused)
    article.refresh_from_db()
    assert article.state == "in_review"


# --- the history page ---------------------------------------------------------------------------------


def history(client, item) -> str:
    return page(client.get(f"/admin/cms/{item._meta.model_name}/{item.pk}/history/"))


def revision_row(html: str, number: int) -> str:
    start = html.index(f'id="revision-{number}"')
    return html[start : html.index("</tr>", start)]


def test_history_shows_each_revisions_findings_what_it_brought_and_what_it_mended(
    client, editor, fact_checker, article, finding
):
    article.body = BAD_TIME.replace("18:76", "17:30") + "\n新农合参保人可在窗口办理。"
    content_save(item=article, user=editor, expected_version=article.lock_version, message="改正工作时间")
    services_checks.finding_mark_false_alarm(
        finding=Finding.objects.get(article=article, code="obsolete-term"),
        user=fact_checker,
        reason="引用的是旧文件原文",
    )
    client.force_login(editor)

    html = history(client, article)

    first, second = revision_row(html, 1), revision_row(html, 2)
    assert "不存在的时间" in first
    assert "<mark>8:30-18:76</mark>" in first
    assert "1 个未处理的错误" in first
    assert "本版新出现" not in first  # nothing to compare the first revision with
    assert "已停用的名称" in second
    assert "<mark>新农合</mark>" in second
    assert "误报：引用的是旧文件原文" in second  # the false alarm is kept with its revision
    assert "0 个未处理的错误" in second
    assert "1 个误报" in second
    assert "本版新增 1 个" in second
    assert "本版新出现" in second
    assert "本版已改正：" in second
    assert "不存在的时间（8:30-18:76）" in second


def test_history_page_queries_do_not_grow_with_revisions(client, editor, article):
    client.force_login(editor)
    with CaptureQueriesContext(connection) as one:
        history(client, article)
    for n in range(4):
        article.body = BAD_TIME + f"\n第 {n} 次补充。"
        content_save(item=article, user=editor, expected_version=article.lock_version)

    with CaptureQueriesContext(connection) as five:
        html = history(client, article)

    assert html.count('class="revision"') == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# --- proposals ---------------------------------------------------------------------------------------


def hotline_proposal(article) -> Proposal:
    return Proposal.objects.get(article=article, kind=ProposalKind.HOTLINE)


def test_article_page_lists_its_proposals_with_one_click_buttons(client, editor, article):
    client.force_login(editor)
    proposal = hotline_proposal(article)

    html = page(client.get(change_url(article)))

    assert 'id="proposals"' in html
    assert "湛江市吴川市医疗保障局 0759-5586822" in html
    assert f"/proposals/{proposal.pk}/confirm/" in html
    assert f"/proposals/{proposal.pk}/reject/" in html
    assert "更正后确认" in html


def test_one_click_confirm_creates_the_draft_hotline(client, editor, article):
    client.force_login(editor)
    proposal = hotline_proposal(article)

    response = client.post(
        f"/admin/cms/article/{article.pk}/proposals/{proposal.pk}/confirm/", {"one_click": "1"}
    )

    assert response.status_code == 302
    hotline = Hotline.objects.get()
    assert hotline.verification_status == "unverified"
    assert list(Article.objects.get(pk=article.pk).hotlines.all()) == [hotline]
    assert "已确认" in page(client.get(response.url))


def test_correcting_before_confirming(client, editor, article):
    client.force_login(editor)
    proposal = hotline_proposal(article)
    url = f"/admin/cms/article/{article.pk}/proposals/{proposal.pk}/confirm/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "organisation": "吴川市医疗保障局",
            "purpose": "consultation",
            "number": "0759-5586698",
            "extension": "",
            "region": "440883",
        },
    )

    assert form.status_code == 200
    assert 'value="湛江市吴川市医疗保障局"' in page(form)
    assert "区划代码" in page(form) or "行政区划代码" in page(form)
    assert response.status_code == 302
    hotline = Hotline.objects.get()
    assert (hotline.organisation, hotline.display_number) == ("吴川市医疗保障局", "0759-5586698")


def test_a_correction_that_does_not_hold_shows_the_form_again(client, editor, article):
    client.force_login(editor)
    proposal = hotline_proposal(article)
    url = f"/admin/cms/article/{article.pk}/proposals/{proposal.pk}/confirm/"

    response = client.post(
        url,
        {
            "organisation": "吴川市医疗保障局",
            "purpose": "consultation",
            "number": "0759-5586822",
            "region": "999999",
        },
    )

    assert response.status_code == 400
    assert "没有代码为 999999 的地区" in page(response)
    assert not Hotline.objects.exists()


def test_rejecting_a_proposal(client, editor, article):
    client.force_login(editor)
    proposal = hotline_proposal(article)

    response = client.post(
        f"/admin/cms/article/{article.pk}/proposals/{proposal.pk}/reject/", {"note": "号码已停用"}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.note, proposal.decided_by) == ("rejected", "号码已停用", editor)


def test_an_operator_cannot_confirm(client, operator, article):
    client.force_login(operator)
    proposal = hotline_proposal(article)

    html = page(client.get(change_url(article)))
    client.post(f"/admin/cms/article/{article.pk}/proposals/{proposal.pk}/confirm/", {"one_click": "1"})

    assert "confirm-proposal" not in html
    assert not Hotline.objects.exists()


# --- the lists ---------------------------------------------------------------------------------------


@pytest.fixture
def hotline_finding(editor) -> Finding:
    hotline = Hotline(organisation="吴川市医疗保障局", number="0759-5586822", region=region("440883"))
    content_save(item=hotline, user=editor, expected_version=None)
    return Finding.objects.get(hotline=hotline)


def shown(response) -> list:
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"impossible-time", "missing-official-source"}),
        ({"code": "impossible-time"}, {"impossible-time"}),
        ({"severity__exact": "warning"}, {"missing-official-source"}),
        ({"item_kind": "hotline"}, {"missing-official-source"}),
        ({"item_kind": "article"}, {"impossible-time"}),
        ({"status__exact": "false_alarm"}, set()),
    ],
)
def test_findings_list_filters(client, editor, finding, hotline_finding, query, expected):
    client.force_login(editor)

    response = client.get("/admin/cms/finding/", query)

    assert response.status_code == 200
    assert {f.code for f in shown(response)} == expected


def test_findings_list_is_chinese_and_read_only(client, editor, finding):
    client.force_login(editor)

    html = page(client.get("/admin/cms/finding/"))
    detail = client.get(f"/admin/cms/finding/{finding.pk}/change/")

    for text in ["检查结果", "严重程度", "检查项", "内容类型", "不存在的时间", "湛江吴川医保电话"]:
        assert text in html
    assert detail.status_code == 200
    assert "查看 检查结果" in page(detail)
    assert client.get("/admin/cms/finding/add/").status_code == 403


def test_proposals_list(client, editor, article):
    client.force_login(editor)

    response = client.get("/admin/cms/proposal/", {"kind__exact": "region"})

    assert response.status_code == 200
    assert {p.kind for p in shown(response)} == {"region"}
    assert "湛江市吴川市" in page(response)
    assert "提议的记录" in page(response)


def test_review_queue_counts_open_errors_and_warnings(client, editor, article):
    client.force_login(editor)

    response = client.get("/admin/")

    drafts = next(s for s in response.context["queue"] if s.key == "my_drafts")
    (entry,) = drafts.entries
    assert (entry.label, entry.open_errors, entry.open_warnings) == ("湛江吴川医保电话", 1, 0)
    assert "1 个未处理的错误" in page(response)
    assert "内容检查发现的全部未处理错误" in page(response)


def test_review_queue_counts_only_the_current_revision(client, editor, article):
    article.body = "湛江市吴川市医疗保障局联系电话为 0759-5586822。"
    content_save(item=article, user=editor, expected_version=article.lock_version)
    assert current_revision(article).number == 2
    client.force_login(editor)

    response = client.get("/admin/")

    drafts = next(s for s in response.context["queue"] if s.key == "my_drafts")
    assert [(e.open_errors, e.open_warnings) for e in drafts.entries] == [(0, 0)]


def test_the_panel_links_to_the_list_of_the_items_findings(client, editor, article, finding, hotline_finding):
    client.force_login(editor)
    url = client.get(change_url(article)).context["findings_url"]

    response = client.get(url)

    assert response.status_code == 200
    assert shown(response) == [finding]


# --- the lists of items: filtered by their open findings ----------------------------------------------


@pytest.fixture
def three_articles(editor, article):
    """``article`` has an open error (the time); ``warned`` only a warning (新农合); ``clean`` nothing
    open, and an earlier revision with an error that no longer counts."""
    source = SourceFactory(is_official=True)
    warned = Article(title="新农合怎么报销", slug="xnh", body="新农合参保人可在乡镇窗口办理报销。")
    content_save(item=warned, user=editor, expected_version=None, m2m={"sources": [source.pk]})
    clean = Article(title="医保卡补办", slug="card", body="工作时间 8:30-18:76。")
    content_save(item=clean, user=editor, expected_version=None, m2m={"sources": [source.pk]})
    clean.body = "医保卡丢失后可到银行网点补办，工作时间 8:30-17:30。"
    content_save(item=clean, user=editor, expected_version=clean.lock_version)
    return article, warned, clean


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"wuchuan", "xnh", "card"}),
        ({"open_findings": "error"}, {"wuchuan"}),
        ({"open_findings": "warning"}, {"xnh"}),
        ({"open_findings": "none"}, {"card"}),
        ({"open_code": "impossible-time"}, {"wuchuan"}),
        ({"open_code": "obsolete-term"}, {"xnh"}),
        ({"open_code": "impossible-time", "state__exact": "in_review"}, set()),
    ],
)
def test_item_lists_filter_by_open_findings_of_the_current_revision(
    client, editor, three_articles, query, expected
):
    client.force_login(editor)

    response = client.get("/admin/cms/article/", query)

    assert response.status_code == 200
    assert {a.slug for a in shown(response)} == expected


def test_the_review_queue_list_is_filtered_by_code_and_severity(client, editor, fact_checker, three_articles):
    article, warned, _clean = three_articles
    for item in (article, warned):
        workflow.item_submit(item=item, user=editor)
    client.force_login(fact_checker)

    html = page(client.get("/admin/cms/article/", {"state__exact": "in_review", "open_findings": "error"}))

    assert "湛江吴川医保电话" in html
    assert "新农合怎么报销" not in html
    assert '<span class="open-errors">1 个错误</span> · <span class="open-warnings">0 个警告</span>' in html
    assert "未处理的检查结果" in html  # the column and the filter are in Chinese
    assert "有未处理的错误" in html


def test_item_list_counts_its_findings_in_a_fixed_number_of_queries(client, editor, three_articles):
    client.force_login(editor)
    with CaptureQueriesContext(connection) as three:
        client.get("/admin/cms/article/")
    source = SourceFactory(is_official=True)
    for n in range(5):
        extra = Article(title=f"第{n}条", slug=f"extra-{n}", body="工作时间 9:00-18:76。")
        content_save(item=extra, user=editor, expected_version=None, m2m={"sources": [source.pk]})

    with CaptureQueriesContext(connection) as eight:
        response = client.get("/admin/cms/article/", {"open_findings": "error"})

    assert len(shown(response)) == 6
    assert len(eight.captured_queries) == len(three.captured_queries)


def test_every_item_list_has_the_open_findings_filters(client, editor, hotline_finding):
    client.force_login(editor)

    for url in ("/admin/cms/hotline/", "/admin/cms/hospital/"):
        response = client.get(url, {"open_findings": "warning"})
        assert response.status_code == 200
        assert "未处理的检查结果" in page(response)
    hotlines = client.get("/admin/cms/hotline/", {"open_code": "missing-official-source"})
    assert [h.organisation for h in shown(hotlines)] == ["吴川市医疗保障局"]
