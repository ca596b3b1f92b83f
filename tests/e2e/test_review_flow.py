"""One article through the real admin, in a real browser: an editor logs in, edits and submits; a
fact-checker records a check and passes it; a publisher approves and publishes; the live form then
holds the new text.

The test is transactional (the live server runs in another thread and only sees committed rows);
``serialized_rollback`` puts back the regions, roles and permissions of the data migrations after
the flush at its end, so that the tests that run after it still find them."""

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cms.models import Article, FactCheck, LiveArticle, TransitionLog
from cms.services.revisions import content_save, current_revision
from cms.workflow import Action, State
from tests.factories import SourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000  # every wait of the browser, at most
PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's

OLD_BODY = "旧的正文"
NEW_TEXT = "新的正文：吴川市医保局 0759-5586822"
NEW_BODY = f"{NEW_TEXT}\n\n工作时间：周一至周五 8:30—12:00，14:30—17:30。"
CLAIM = "吴川市医保局的电话是 0759-5586822"


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    # Fail, never skip: an end-to-end test that silently does not run proves nothing.
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package.")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser: Browser, base_url: str, username: str) -> Page:
    """A fresh browser context (its own cookies) logged in through the real login form."""
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def confirm_transition(page: Page, action: str, label: str) -> None:
    """Click the workflow link of ``action`` on the change page, confirm, and expect success."""
    page.click(f"a.workflow-{action}")
    expect(page).to_have_url(f"/admin/cms/article/{page_pk(page)}/transition/{action}/")
    page.fill("#id_comment", f"e2e: {label}")
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist .success")).to_contain_text(f"已完成：{label}。")
    expect(page.locator(".messagelist .error")).to_have_count(0)


def page_pk(page: Page) -> str:
    return page.url.split("/admin/cms/article/")[1].split("/")[0]


def test_article_is_edited_checked_approved_and_published_in_the_admin(live_server, tmp_path):
    started = time.monotonic()
    editor = UserFactory(username="e2e-editor", role="编辑")
    first_author = UserFactory(username="e2e-first-author", role="编辑")
    checker = UserFactory(username="e2e-checker", role="核查员")
    publisher = UserFactory(username="e2e-publisher", role="审核发布")
    source = SourceFactory(title="吴川市医疗保障局办事指南", is_official=True)
    article = Article(title="湛江吴川医保电话", slug="zhanjiang-wuchuan-e2e", body=OLD_BODY)
    content_save(item=article, user=first_author, expected_version=None, m2m={"sources": [source.pk]})
    change = f"/admin/cms/article/{article.pk}/change/"

    with chromium() as browser:
        # 1. The editor rewrites the body, saves it as revision 2 and submits it for review.
        page = log_in(browser, live_server.url, editor.username)
        page.goto(change)
        expect(page.locator(".item-state")).to_have_text("草稿")
        expect(page.locator("#id_body")).to_have_value(OLD_BODY)
        page.fill("#id_body", NEW_BODY)
        page.fill("#id_revision_message", "改写正文：吴川市医保局电话")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_contain_text(article.title)
        expect(page.locator(".errornote")).to_have_count(0)

        page.goto(change)
        expect(page.locator("#id_body")).to_have_value(NEW_BODY)
        expect(page.locator(".workflow-status")).to_contain_text("第 2 版")
        expect(page.locator("a.workflow-approve")).to_have_count(0)
        confirm_transition(page, Action.SUBMIT, "提交审核")
        expect(page.locator(".item-state")).to_have_text("审核中")
        # Not yet checked: the gate says so on the change page.
        expect(page.locator(".gate-missing")).to_contain_text("第 2 版")
        # An editor may not approve or publish, not even their own submission.
        expect(page.locator("a.workflow-approve")).to_have_count(0)
        expect(page.locator("a.workflow-publish")).to_have_count(0)
        page.context.close()

        # 2. The fact-checker records a check of the new text against the official source, then passes it.
        page = log_in(browser, live_server.url, checker.username)
        page.goto(change)
        expect(page.locator(".item-state")).to_have_text("审核中")
        page.click("a.record-check")
        expect(page).to_have_url(f"/admin/cms/factcheck/add/?article={article.pk}")
        expect(page.locator("#id_article")).to_have_value(str(article.pk))
        page.select_option("#id_subject", "claim")
        page.fill("#id_claim", CLAIM)
        page.select_option("#id_verdict", "confirmed")
        page.select_option("#id_method", "official_page")
        # The source is a select2 autocomplete: open it, search, pick the official page.
        page.click("#id_source + .select2 .select2-selection")
        page.fill(".select2-container--open .select2-search__field", "吴川")
        page.click(f".select2-results__option:has-text('{source.title}')")
        expect(page.locator("#id_source")).to_have_value(str(source.pk))
        page.click("input[name=_save]")
        expect(page).to_have_url(f"/admin/cms/article/{article.pk}/history/")
        expect(page.locator("#factchecks")).to_contain_text(CLAIM)
        expect(page.locator("#factchecks")).to_contain_text(checker.username)

        page.goto(change)
        confirm_transition(page, Action.PASS_CHECK, "核查通过")
        expect(page.locator(".item-state")).to_have_text("审核中")
        expect(page.locator(".gate-missing")).to_have_count(0)  # the gate passes now
        page.context.close()

        # 3. The publisher approves revision 2 and publishes it.
        page = log_in(browser, live_server.url, publisher.username)
        page.goto(change)
        expect(page.locator(".live-no")).to_be_visible()
        confirm_transition(page, Action.APPROVE, "批准")
        expect(page.locator(".item-state")).to_have_text("已批准")
        confirm_transition(page, Action.PUBLISH, "发布")
        expect(page.locator(".item-state")).to_have_text("已发布")
        expect(page.locator(".live-yes")).to_have_text("已发布：第 2 版")

        # The history lists both revisions, the check and the steps; keep a picture of it.
        page.goto(f"/admin/cms/article/{article.pk}/history/")
        expect(page.locator("#revisions tr.revision")).to_have_count(2)
        expect(page.locator("#transitions")).to_contain_text(publisher.username)
        screenshot = tmp_path / "article-history.png"
        page.screenshot(path=str(screenshot), full_page=True)
        page.context.close()

    assert screenshot.stat().st_size > 0
    # The live form holds the new text, written by the editor, and nothing of the old.
    live = LiveArticle.objects.select_related("revision__author").get(pk=article.pk)
    assert NEW_TEXT in live.body_html
    assert OLD_BODY not in live.body_html
    assert live.revision.number == 2
    assert live.revision.author == editor
    article.refresh_from_db()
    assert article.state == State.PUBLISHED
    assert article.approved_revision == live.revision == current_revision(article)
    # Every step is logged, by whom it was taken and on the revision it was about.
    logs = TransitionLog.objects.filter(article=article).exclude(action=Action.EDIT)
    assert {(log.action, log.actor, log.revision.number) for log in logs} == {
        (Action.SUBMIT, editor, 2),
        (Action.PASS_CHECK, checker, 2),
        (Action.APPROVE, publisher, 2),
        (Action.PUBLISH, publisher, 2),
    }
    check = FactCheck.objects.get(article=article)
    assert (check.checked_by, check.revision.number, check.source) == (checker, 2, source)
    assert (check.subject, check.verdict, check.method) == ("claim", "confirmed", "official_page")
    assert time.monotonic() - started < 60
