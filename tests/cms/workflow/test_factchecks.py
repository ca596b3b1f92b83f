import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cms.models import FactCheck
from cms.services.factchecks import factcheck_record

pytestmark = pytest.mark.django_db


def test_confirming_a_hotline_by_phone_sets_its_last_verified_time(make_hotline, fact_checker):
    hotline = make_hotline()
    called = timezone.now() - datetime.timedelta(hours=3)

    check = factcheck_record(
        item=hotline,
        user=fact_checker,
        subject="phone",
        claim="0759-5586822",
        verdict="confirmed",
        method="phone_call",
        called_at=called,
        person_reached="吴川市医保局办公室王先生",
        note="确认为咨询电话，工作日 8:30-17:30",
    )

    hotline.refresh_from_db()
    assert (hotline.verification_status, hotline.last_verified_at) == ("verified", called)
    assert check.revision.number == 1
    assert check.checked_by == fact_checker


def test_a_claim_check_does_not_verify_the_number(make_hotline, fact_checker):
    hotline = make_hotline()

    factcheck_record(
        item=hotline, user=fact_checker, subject="claim", claim="24小时服务", verdict="false", method="other"
    )

    hotline.refresh_from_db()
    assert hotline.verification_status == "unverified"
    assert FactCheck.objects.get().get_verdict_display() == "不属实"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"method": "phone_call", "person_reached": "李女士"}, "called_at", "通话时间"),
        ({"method": "phone_call", "called_at": timezone.now()}, "person_reached", "接听人"),
        ({"method": "official_page"}, "source", "官方网页"),
        ({"method": "document"}, "document_number", "文号"),
        ({"method": "other", "verdict": "corrected"}, "correction", "更正后的内容"),
    ],
)
def test_evidence_must_match_the_method(make_hotline, fact_checker, fields, field, message):
    values = {"subject": "phone", "claim": "0759-5586822", "verdict": "confirmed", **fields}

    with pytest.raises(ValidationError) as excinfo:
        factcheck_record(item=make_hotline(), user=fact_checker, **values)

    assert message in excinfo.value.message_dict[field][0]
    assert not FactCheck.objects.exists()


def test_only_fact_checkers_record_checks(make_hotline, editor):
    with pytest.raises(PermissionDenied):
        factcheck_record(
            item=make_hotline(), user=editor, subject="claim", claim="x", verdict="confirmed", method="other"
        )


def test_verifying_a_published_hotline_updates_what_readers_see(
    make_hotline, make_article, verify_by_phone, editor, fact_checker, publisher
):
    from cms.models import LiveArticle, LiveHotline
    from cms.services import workflow

    hotline = make_hotline()
    verify_by_phone(hotline, when=timezone.now() - datetime.timedelta(days=30))
    for step in (
        workflow.item_submit,
        workflow.item_pass_check,
        workflow.item_approve,
        workflow.item_publish,
    ):
        step(
            item=hotline,
            user={"item_submit": editor, "item_pass_check": fact_checker}.get(step.__name__, publisher),
        )
    article = make_article(hotlines=[hotline.pk])
    for step in (
        workflow.item_submit,
        workflow.item_pass_check,
        workflow.item_approve,
        workflow.item_publish,
    ):
        step(
            item=article,
            user={"item_submit": editor, "item_pass_check": fact_checker}.get(step.__name__, publisher),
        )
    revision = LiveHotline.objects.get(pk=hotline.pk).revision

    check = verify_by_phone(hotline)

    live = LiveHotline.objects.get(pk=hotline.pk)
    assert live.last_verified_at == check.called_at
    assert live.revision == revision  # a verification is not a new revision
    embedded = LiveArticle.objects.get(pk=article.pk).data["hotlines"][0]
    assert embedded["last_verified_at"] == check.called_at.isoformat()
