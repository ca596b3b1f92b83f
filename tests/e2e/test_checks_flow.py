"""The checks in a real browser: an editor opens an article imported from a sample dump, sees what the
checks found pinned to its quote, marks one finding a false alarm with a reason, and confirms a hotline
the text proposes, which becomes an unverified draft linked to the article; filters the articles by
their open errors and reads on an article's history what each revision found and mended."""

import pytest
from playwright.sync_api import expect

from cms.models import Article, Finding, Hotline, Proposal
from cms.services.imports import dump_import
from cms.services.revisions import content_save, current_revision
from tests.conftest import DUMPS
from tests.e2e.test_review_flow import chromium, log_in
from tests.factories import SourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "通辽市医保局电话号码"
BAD_NUMBER = "0475-12333"  # an area code before a short service number
REASON = "原文写法如此，正文已另行说明 12333 为全国统一热线"


def test_editor_marks_a_false_alarm_and_confirms_a_proposed_hotline(live_server, tmp_path):
    editor = UserFactory(username="e2e-editor", role="编辑")
    dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name, user=editor)
    article = Article.objects.get(title=TITLE)
    finding = Finding.objects.get(article=article, code="phone-invalid")
    proposal = Proposal.objects.filter(article=article, kind="hotline").order_by("pk").first()

    with chromium() as browser:
        page = log_in(browser, live_server.url, editor.username)
        page.goto(f"/admin/cms/article/{article.pk}/change/")
        expect(page.locator(".checks-summary")).to_contain_text("未处理的错误")

        # The finding, its check in Chinese and the exact words it is about, highlighted in context.
        row = page.locator(f"#finding-{finding.pk}")
        expect(row).to_contain_text("无效的电话号码")
        expect(row.locator("mark.finding-quote")).to_have_text(BAD_NUMBER)

        # A false alarm needs a reason; with one, it is kept with the revision.
        row.locator("textarea[name=reason]").fill(REASON)
        row.locator("input.mark-false-alarm").click()
        expect(page.locator(".messagelist .success")).to_contain_text("已标记为误报")
        expect(page.locator(f"#finding-{finding.pk} .false-alarm")).to_contain_text(REASON)

        # One click confirms the proposed hotline.
        proposal_row = page.locator(f"#proposal-{proposal.pk}")
        expect(proposal_row).to_contain_text(proposal.data["number"])
        proposal_row.locator("input.confirm-proposal").click()
        expect(page.locator(".messagelist .success")).to_contain_text("已确认")
        expect(page.locator(f"#proposal-{proposal.pk}")).to_contain_text("已确认")
        page.screenshot(path=str(tmp_path / "checks-panel.png"), full_page=True)
        page.context.close()

    finding.refresh_from_db()
    assert (finding.status, finding.reason, finding.marked_by) == ("false_alarm", REASON, editor)
    hotline = Hotline.objects.get(number=proposal.data["normalised"])
    assert hotline.verification_status == "unverified"
    assert hotline.state == "draft"
    assert list(Article.objects.get(pk=article.pk).hotlines.all()) == [hotline]
    assert current_revision(article).number == 2
    # The false alarm follows the same words into the revision that linked the hotline.
    carried = Finding.objects.get(revision=current_revision(article), code="phone-invalid")
    assert (carried.status, carried.reason) == ("false_alarm", REASON)


def test_editor_filters_the_articles_by_open_errors_and_reads_what_each_revision_mended(live_server):
    editor = UserFactory(username="e2e-history", role="编辑")
    source = SourceFactory(is_official=True)
    mended = Article(title="吴川医保服务时间", slug="wuchuan-hours", body="工作时间 8:30-18:76。")
    content_save(item=mended, user=editor, expected_version=None, m2m={"sources": [source.pk]})
    mended.body = "工作时间 8:30-17:30。"
    content_save(item=mended, user=editor, expected_version=mended.lock_version, message="改正下班时间")
    broken = Article(title="湛江医保服务时间", slug="zhanjiang-hours", body="工作时间 9:00-17:65。")
    content_save(item=broken, user=editor, expected_version=None, m2m={"sources": [source.pk]})

    with chromium() as browser:
        page = log_in(browser, live_server.url, editor.username)
        page.goto("/admin/cms/article/")
        filters = page.locator("#changelist-filter")
        expect(filters.locator("summary", has_text="未处理的检查结果")).to_be_visible()
        filters.get_by_role("link", name="有未处理的错误", exact=True).click()
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        expect(page.locator("#result_list")).to_contain_text("湛江医保服务时间")
        expect(page.locator("#result_list .open-errors")).to_have_text("1 个错误")

        page.goto(f"/admin/cms/article/{mended.pk}/history/")
        first, second = page.locator("#revision-1"), page.locator("#revision-2")
        expect(first.locator(".open-errors")).to_have_text("1 个未处理的错误")
        first.locator("summary").click()
        expect(first.locator(".revision-findings")).to_contain_text("不存在的时间：8:30-18:76")
        expect(second.locator(".mended")).to_contain_text("本版已改正：不存在的时间（8:30-18:76）")
        expect(second.locator(".no-findings")).to_be_visible()
        page.context.close()
