"""The content checks on stored content: every save and every import stores the findings of the new
revision, pinned to the exact words of the stored text; items are compared with the other stored items
that share a comparison key, in a fixed number of queries; false alarms carry their reason into later
revisions; an open error holds approval; extraction proposes records that an editor confirms as
unverified drafts or rejects."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import (
    Article,
    ComparisonKey,
    Finding,
    FindingStatus,
    Hotline,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from cms.models.verification import VerificationStatus
from cms.services import checks, proposals, workflow
from cms.services.imports import dump_import
from cms.services.revisions import content_save, current_revision
from cms.workflow import State
from policies.models import Policy
from tests.conftest import DUMPS, ROOT
from tests.factories import SourceFactory, region

SYNTHETIC = ROOT / "cms" / "checks" / "data" / "synthetic" / "100_synthetic.txt"
BODY = "湛江市吴川市医疗保障局联系电话为 0759-5586822。"
BAD_TIME = "湛江市吴川市医疗保障局联系电话为 0759-5586822，工作时间 8:30-18:76。"
POLICY_TEXT = (
    "根据《国务院办公厅关于加快医学教育创新发展的指导意见》(国办发〔2020〕53号),新办法自2021年1月1日起施行。"
)


@pytest.fixture
def official(db):
    return SourceFactory(is_official=True, title="湛江市医疗保障局官网")


def save_article(
    user, *, body=BODY, title="湛江吴川医保电话", slug="wuchuan", article=None, **m2m
) -> Article:
    article = article or Article(title=title, slug=slug)
    article.body = body
    content_save(item=article, user=user, expected_version=article.lock_version or None, m2m=m2m or None)
    return article


def save_hotline(user, *, number="0759-5586822", organisation="吴川市医疗保障局", hotline=None) -> Hotline:
    hotline = hotline or Hotline(organisation=organisation, region=region("440883"))
    hotline.number = number
    content_save(item=hotline, user=user, expected_version=hotline.lock_version or None)
    return hotline


def found(item, code=None) -> list[Finding]:
    rows = Finding.objects.filter(revision=current_revision(item)).order_by("field", "start")
    return list(rows.filter(code=code) if code else rows)


def stored_text(finding: Finding) -> str:
    return checks.revision_input(finding.item, finding.revision).text(finding.field)


# --- findings on save and import ---------------------------------------------------------------------


def test_saving_an_article_stores_its_findings_with_the_exact_quote(editor, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])

    (finding,) = found(article)
    assert (finding.code, finding.severity, finding.status) == ("impossible-time", "error", "open")
    assert finding.quote == "8:30-18:76"
    assert article.body[finding.start : finding.end] == finding.quote
    assert finding.revision == current_revision(article)
    assert "18:76" in finding.message


def test_a_clean_article_has_no_findings(editor, official):
    article = save_article(editor, sources=[official.pk])

    assert found(article) == []


def test_a_new_revision_is_checked_afresh_and_the_old_one_keeps_its_findings(editor, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    first = current_revision(article)

    save_article(editor, body=BODY, article=article, sources=[official.pk])

    assert current_revision(article).number == 2
    assert found(article) == []
    assert Finding.objects.get(revision=first).code == "impossible-time"


def test_import_stores_the_findings_of_every_item_pinned_to_the_stored_text(editor):
    result = dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name, user=editor)

    articles = Article.objects.filter(dump_id=result.dump_id)
    assert articles.count() == result.created == 21
    findings = Finding.objects.filter(article__in=articles).select_related("article", "revision")
    assert findings.count() > 40
    for finding in findings:
        assert stored_text(finding)[finding.start : finding.end] == finding.quote
        assert finding.revision == current_revision(finding.article)
    eye = Article.objects.get(title__startswith="2025年黑龙江伊春治疗眼睛痛的医院")
    (time,) = found(eye, "impossible-time")
    assert time.quote == "9:00-18:76"
    assert eye.body[time.start : time.end] == "9:00-18:76"
    tongliao = Article.objects.get(title="通辽市医保局电话号码")
    assert {f.quote for f in found(tongliao, "phone-invalid")} == {"0475-12333"}
    bidding = Article.objects.get(title="工程量变更超过多少需要重新招标")
    (off_topic,) = found(bidding, "off-topic")
    assert (off_topic.field, off_topic.quote) == ("title", bidding.title)


def test_import_compares_the_items_with_each_other(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name, user=editor)

    conflicts = Finding.objects.filter(code="phone-conflict", across_items=True).select_related("article")
    titles = {f.article.title for f in conflicts}
    # 通辽's bureau is given 0475-8242927 in one item and 0475-8910921 in a later one: both are marked,
    # the one imported before the item that contradicts it too. (The same 0475-8910921 given for its
    # service centre, in 通辽医保咨询热线, is another organisation's line.)
    assert titles == {"通辽医保局电话是多少", "通辽市医保局电话号码"}
    assert {f.quote for f in conflicts} >= {"0475-8910921", "0475-8242927"}


def test_a_dry_run_import_stores_nothing(editor):
    dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name, user=editor, dry_run=True)

    assert not Finding.objects.exists()
    assert not Proposal.objects.exists()
    assert not ComparisonKey.objects.exists()


# --- comparing with the other stored items -----------------------------------------------------------


def test_two_numbers_for_one_organisation_conflict_on_both_records(
    editor, django_capture_on_commit_callbacks
):
    first = save_hotline(editor, number="0759-5586822")
    assert found(first, "phone-conflict") == []

    with django_capture_on_commit_callbacks(execute=True):
        second = save_hotline(editor, number="0759-5586698")

    (conflict,) = found(second, "phone-conflict")
    assert conflict.across_items
    assert conflict.severity == "error"
    assert conflict.quote == "0759-5586698"
    assert "0759-5586822" in conflict.message
    (other,) = found(first, "phone-conflict")  # refreshed once the save committed
    assert other.quote == "0759-5586822"
    assert other.across_items


def test_fixing_one_record_clears_the_conflict_on_the_other(editor, django_capture_on_commit_callbacks):
    first = save_hotline(editor, number="0759-5586822")
    with django_capture_on_commit_callbacks(execute=True):
        second = save_hotline(editor, number="0759-5586698")
    assert found(first, "phone-conflict")

    second = Hotline.objects.get(pk=second.pk)
    second.organisation = "吴川市人民医院"  # it was the hospital's number, not the agency's
    with django_capture_on_commit_callbacks(execute=True):
        save_hotline(editor, number="0759-5586698", hotline=second)

    assert found(second, "phone-conflict") == []
    assert found(first, "phone-conflict") == []


def test_the_same_body_under_another_title_is_a_duplicate(editor, official):
    body = (
        "医保卡丢失后,应第一时间拨打社保服务热线或到社保经办机构办理挂失,然后携带本人身份证到银行网点或社保窗口"
        "申请补办。补办期间可以使用医保电子凭证就医结算,新卡一般在十五个工作日内制成,领卡时需本人到场。"
    )
    save_article(editor, title="医保卡丢了怎么办", slug="lost-1", body=body, sources=[official.pk])

    second = save_article(editor, title="医保卡丢失如何补办", slug="lost-2", body=body, sources=[official.pk])

    (duplicate,) = found(second, "duplicate-body")
    assert duplicate.across_items
    assert "医保卡丢了怎么办" in duplicate.message
    assert second.body[duplicate.start : duplicate.end] == duplicate.quote


def test_opposite_answers_to_one_question_contradict(editor, official):
    save_article(
        editor,
        title="湛江医保可以在东莞用吗",
        slug="yes",
        body="可以。办理异地备案后直接结算。",
        sources=[official.pk],
    )

    no = save_article(
        editor,
        title="湛江医保能不能在东莞用",
        slug="no",
        body="不能。需要回参保地报销。",
        sources=[official.pk],
    )

    (contradiction,) = found(no, "contradiction")
    assert contradiction.severity == "error"
    assert contradiction.quote.startswith("不能")


def test_a_save_compares_in_the_same_number_of_queries_however_many_items_share_its_keys(editor):
    def queries_to_save(number: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            save_hotline(editor, number=number, organisation="吴川市医疗保障局（新）")
        return len(captured)

    for n in range(2):
        save_hotline(editor, number=f"0759-55860{n:02d}", organisation=f"吴川市医疗保障局{n}")
    few = queries_to_save("0759-5586990")
    for n in range(2, 14):
        save_hotline(editor, number=f"0759-55860{n:02d}", organisation=f"吴川市医疗保障局{n}")
    many = queries_to_save("0759-5586991")

    assert ComparisonKey.objects.filter(key="phone:440883:医保").count() == 16
    assert few == many


def test_comparison_keys_are_replaced_by_each_save(editor):
    hotline = save_hotline(editor, number="0759-5586822")
    keys = set(ComparisonKey.objects.filter(hotline=hotline).values_list("key", flat=True))
    assert keys == {"phone:440883:医保"}

    hotline.organisation = "吴川市人民医院"
    save_hotline(editor, number="0759-5586822", hotline=hotline)

    assert set(ComparisonKey.objects.filter(hotline=hotline).values_list("key", flat=True)) == {
        "phone:440883:医院:人民医院"
    }


# --- false alarms ------------------------------------------------------------------------------------


def test_a_false_alarm_needs_a_reason(editor, official):
    (finding,) = found(save_article(editor, body=BAD_TIME, sources=[official.pk]))

    with pytest.raises(ValidationError) as refused:
        checks.finding_mark_false_alarm(finding=finding, user=editor, reason="  ")

    assert "reason" in refused.value.message_dict
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_only_editors_and_fact_checkers_mark_false_alarms(
    editor, fact_checker, publisher, operator, official
):
    (finding,) = found(save_article(editor, body=BAD_TIME, sources=[official.pk]))

    for user in (publisher, operator):
        with pytest.raises(PermissionDenied):
            checks.finding_mark_false_alarm(finding=finding, user=user, reason="不是问题")
    marked = checks.finding_mark_false_alarm(
        finding=finding, user=fact_checker, reason="原文如此，已电话核实"
    )

    assert (marked.status, marked.reason, marked.marked_by) == (
        "false_alarm",
        "原文如此，已电话核实",
        fact_checker,
    )
    assert marked.marked_at is not None


def test_a_false_alarm_carries_over_when_the_same_words_recur(editor, fact_checker, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    (finding,) = found(article)
    checks.finding_mark_false_alarm(finding=finding, user=fact_checker, reason="原网页即写 18:76，已截图存证")

    save_article(editor, body="【更新】" + BAD_TIME, article=article, sources=[official.pk])

    (carried,) = found(article)
    assert carried.revision.number == 2
    assert carried.start == finding.start + len("【更新】")
    assert (carried.status, carried.reason, carried.marked_by) == (
        "false_alarm",
        "原网页即写 18:76，已截图存证",
        fact_checker,
    )
    assert carried.carried_from == finding
    Finding.objects.get(pk=finding.pk)  # the first one stays with its revision


def test_a_false_alarm_does_not_carry_over_to_other_words(editor, fact_checker, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    (finding,) = found(article)
    checks.finding_mark_false_alarm(finding=finding, user=fact_checker, reason="原文如此")

    save_article(editor, body=BAD_TIME.replace("18:76", "17:90"), article=article, sources=[official.pk])

    (new,) = found(article)
    assert (new.quote, new.status) == ("8:30-17:90", "open")


# --- the gate ----------------------------------------------------------------------------------------


def test_approval_is_refused_while_an_error_is_open_and_allowed_once_it_is_a_false_alarm(
    editor, fact_checker, publisher, official
):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)

    with pytest.raises(workflow.GateFailed) as refused:
        workflow.item_approve(item=article, user=publisher)

    (missing,) = refused.value.missing
    assert "第 1 版" in missing or "Revision 1" in missing
    assert "不存在的时间" in missing
    assert "8:30-18:76" in missing
    (finding,) = found(article)
    checks.finding_mark_false_alarm(finding=finding, user=fact_checker, reason="原文如此，读者可见更正说明")
    workflow.item_approve(item=article, user=publisher)
    article.refresh_from_db()
    assert article.state == State.APPROVED


def test_warnings_do_not_hold_approval(editor, fact_checker, publisher, official):
    article = save_article(editor, body=BODY + "[14]", sources=[official.pk])
    assert [f.code for f in found(article)] == ["citation-marker"]
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)

    workflow.item_approve(item=article, user=publisher)


def test_the_gate_looks_at_the_current_revision_only(editor, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    assert checks.open_errors(article).count() == 1

    save_article(editor, body=BODY, article=article, sources=[official.pk])

    assert checks.open_errors(article).count() == 0
    assert workflow.open_error_findings(article) == []


# --- proposals ---------------------------------------------------------------------------------------


def proposals_of(article, kind=None):
    rows = Proposal.objects.filter(article=article)
    return list(rows.filter(kind=kind) if kind else rows)


def test_import_proposes_the_regions_hotlines_and_policies_of_the_sample_dump(editor):
    dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name, user=editor)

    wuchuan = Article.objects.get(title="湛江吴川医保电话")
    regions = {p.data["code"]: p for p in proposals_of(wuchuan, ProposalKind.REGION)}
    assert regions["440883"].data["path"] == "湛江市吴川市"
    assert regions["440883"].quote == "吴川"
    hotlines = {p.data["number"]: p.data for p in proposals_of(wuchuan, ProposalKind.HOTLINE)}
    assert hotlines["0759-5586822"]["organisation"] == "湛江市吴川市医疗保障局"
    assert hotlines["0759-5586822"]["region"] == "440883"
    guangdong = Article.objects.get(title="省医保是在本省内都能刷吗")
    (policy,) = proposals_of(guangdong, ProposalKind.POLICY)
    assert policy.data == {
        "title": "广东省基本医疗保障省内跨市就医医疗费用直接结算经办规程",
        "document_number": None,
        "effective_from": "2025-01-01",
    }
    assert all(p.status == ProposalStatus.PROPOSED for p in Proposal.objects.all())
    assert not Hotline.objects.exists()  # proposed, never created


def test_import_proposes_a_policy_with_its_document_number(editor):
    dump_import(data=SYNTHETIC.read_bytes(), filename=SYNTHETIC.name, user=editor)

    numbers = {p.data["document_number"] for p in Proposal.objects.filter(kind=ProposalKind.POLICY)}
    assert "国办发〔2021〕14号" in numbers


def test_a_saved_article_proposes_its_policy_title_number_and_date(editor):
    article = save_article(editor, title="医学教育", slug="policy", body=POLICY_TEXT)

    (policy,) = proposals_of(article, ProposalKind.POLICY)

    assert policy.data == {
        "title": "国务院办公厅关于加快医学教育创新发展的指导意见",
        "document_number": "国办发〔2020〕53号",
        "effective_from": "2021-01-01",
    }
    assert policy.quote.startswith("《国务院办公厅关于加快医学教育创新发展的指导意见》")


def test_saving_again_does_not_duplicate_a_proposal_and_withdraws_what_the_text_dropped(editor):
    article = save_article(
        editor, title="医学教育", slug="policy", body=POLICY_TEXT + "咨询电话 0759-5586822。"
    )
    before = {p.pk for p in proposals_of(article)}

    save_article(editor, body=POLICY_TEXT + "咨询电话 0759-5586822。另见湛江。", article=article)
    after = proposals_of(article)
    assert before <= {p.pk for p in after}
    assert len(after) == len({(p.kind, str(p.data)) for p in after})

    save_article(editor, body="已删去政策。", article=article)
    assert proposals_of(article, ProposalKind.POLICY) == []


def test_a_rejected_proposal_is_not_made_again(editor):
    article = save_article(editor, title="医学教育", slug="policy", body=POLICY_TEXT)
    (policy,) = proposals_of(article, ProposalKind.POLICY)

    proposals.proposal_reject(proposal=policy, user=editor, note="与本文无关")
    save_article(editor, body=POLICY_TEXT + "\n\n补充。", article=article)

    (again,) = proposals_of(article, ProposalKind.POLICY)
    assert (again.pk, again.status, again.note) == (policy.pk, "rejected", "与本文无关")


def test_confirming_a_hotline_creates_an_unverified_draft_linked_to_the_article(editor):
    article = save_article(editor, body=BODY)
    (proposal,) = proposals_of(article, ProposalKind.HOTLINE)

    done = proposals.proposal_confirm(proposal=proposal, user=editor)

    hotline = Hotline.objects.get()
    assert (hotline.organisation, hotline.number, hotline.region_id) == (
        "湛江市吴川市医疗保障局",
        "+867595586822",
        "440883",
    )
    assert hotline.verification_status == VerificationStatus.UNVERIFIED
    assert hotline.last_verified_at is None
    assert hotline.state == State.DRAFT
    assert current_revision(hotline).number == 1
    assert list(Article.objects.get(pk=article.pk).hotlines.all()) == [hotline]
    revision = current_revision(article)
    assert revision.number == 2
    assert revision.content["hotlines"] == [hotline.pk]
    assert done.status == ProposalStatus.CONFIRMED
    assert done.decided_by == editor
    assert done.result == {"model": "cms.hotline", "pk": hotline.pk, "created": True, "corrections": {}}
    assert proposals_of(article, ProposalKind.HOTLINE) == [done]  # not proposed again once linked


def test_confirming_with_corrections_uses_the_corrected_values(editor, fact_checker):
    article = save_article(editor, body=BODY)
    (proposal,) = proposals_of(article, ProposalKind.HOTLINE)

    done = proposals.proposal_confirm(
        proposal=proposal, user=fact_checker, organisation="吴川市医疗保障局", number="0759-5586698"
    )

    hotline = Hotline.objects.get()
    assert (hotline.organisation, hotline.display_number) == ("吴川市医疗保障局", "0759-5586698")
    assert done.result["corrections"] == {"organisation": "吴川市医疗保障局", "number": "0759-5586698"}


def test_confirming_a_hotline_already_stored_links_it_instead_of_copying_it(editor):
    stored = save_hotline(editor, organisation="湛江市吴川市医疗保障局")
    article = save_article(editor, body=BODY)
    (proposal,) = proposals_of(article, ProposalKind.HOTLINE)

    done = proposals.proposal_confirm(proposal=proposal, user=editor)

    assert Hotline.objects.count() == 1
    assert done.result == {"model": "cms.hotline", "pk": stored.pk, "created": False, "corrections": {}}
    assert list(article.hotlines.all()) == [stored]


def test_confirming_a_region_and_a_policy(editor):
    article = save_article(editor, title="医学教育", slug="policy", body="湛江吴川：" + POLICY_TEXT)
    wuchuan = next(p for p in proposals_of(article, ProposalKind.REGION) if p.data["code"] == "440883")
    (policy,) = proposals_of(article, ProposalKind.POLICY)

    proposals.proposal_confirm(proposal=wuchuan, user=editor)
    proposals.proposal_confirm(proposal=Proposal.objects.get(pk=policy.pk), user=editor)

    article = Article.objects.get(pk=article.pk)
    assert list(article.regions.values_list("code", flat=True)) == ["440883"]
    stored = Policy.objects.get()
    assert (stored.document_number, str(stored.effective_from)) == ("国办发〔2020〕53号", "2021-01-01")
    assert list(article.policies.all()) == [stored]
    assert current_revision(article).number == 3


def test_a_proposal_without_what_the_record_needs_asks_for_it(editor):
    article = save_article(editor, title="门诊", slug="date", body="新规定自2025年1月1日起实施。")
    (policy,) = proposals_of(article, ProposalKind.POLICY)
    assert policy.data["title"] is None

    with pytest.raises(ValidationError) as refused:
        proposals.proposal_confirm(proposal=policy, user=editor)

    assert "title" in refused.value.message_dict
    assert Proposal.objects.get(pk=policy.pk).status == ProposalStatus.PROPOSED
    done = proposals.proposal_confirm(proposal=policy, user=editor, title="门诊新规定")
    assert Policy.objects.get(pk=done.result["pk"]).title == "门诊新规定"


def test_a_decided_proposal_cannot_be_decided_again(editor):
    article = save_article(editor, body=BODY)
    (proposal,) = proposals_of(article, ProposalKind.HOTLINE)
    proposals.proposal_reject(proposal=proposal, user=editor)

    with pytest.raises(proposals.ProposalDecided):
        proposals.proposal_confirm(proposal=proposal, user=editor)
    assert not Hotline.objects.exists()


def test_publishers_and_operators_do_not_decide_proposals(editor, publisher, operator):
    article = save_article(editor, body=BODY)
    (proposal,) = proposals_of(article, ProposalKind.HOTLINE)

    for user in (publisher, operator):
        with pytest.raises(PermissionDenied):
            proposals.proposal_confirm(proposal=proposal, user=user)
        with pytest.raises(PermissionDenied):
            proposals.proposal_reject(proposal=proposal, user=user)


def test_check_content_store_checks_what_was_saved_before_the_checks(editor, official):
    article = save_article(editor, body=BAD_TIME, sources=[official.pk])
    Finding.objects.all().delete()
    ComparisonKey.objects.all().delete()

    out, err = StringIO(), StringIO()
    call_command("check_content", "--all", "--store", "--format", "json", stdout=out, stderr=err)

    (finding,) = found(article)
    assert finding.quote == "8:30-18:76"
    assert ComparisonKey.objects.filter(article=article).exists()
    assert "已保存 1 条" in err.getvalue()
    assert '"code": "impossible-time"' in out.getvalue()
