import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from cms.models import Article, Hospital, Hotline
from cms.services import workflow
from cms.services.factchecks import factcheck_record
from cms.services.revisions import content_save
from tests.factories import PolicyFactory, SourceFactory, UserFactory, region


@pytest.fixture(autouse=True)
def _gate_without_content_checks(settings):
    """The API tests make up their content (a 连云港 number for a 吴川 hospital, one agency under two
    names with two numbers): the checks would rightly hold its approval. The gate is tested with the
    checks in tests/cms/services/test_checks.py."""
    settings.FACT_CHECK_REQUIRE_NO_OPEN_ERRORS = False


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(db):
    return {
        "editor": UserFactory(username="api-editor", email="api-editor@desk.example.cn", role="编辑"),
        "checker": UserFactory(username="api-checker", email="api-checker@desk.example.cn", role="核查员"),
        "publisher": UserFactory(
            username="api-publisher", email="api-publisher@desk.example.cn", role="审核发布"
        ),
    }


@pytest.fixture
def publish(team):
    """Take an item through the real workflow to published."""

    def go(item):
        workflow.item_submit(item=item, user=team["editor"])
        workflow.item_pass_check(item=item, user=team["checker"])
        workflow.item_approve(item=item, user=team["publisher"])
        workflow.item_publish(item=item, user=team["publisher"])
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def official(db):
    return SourceFactory(is_official=True, title="湛江市医疗保障局")


CHECKER_NOTE = "核查备注：接线员姓王，内部分机 8123，勿公开"
PERSON_REACHED = "接线员张三丰"


def verify(item, user, *, note: str = CHECKER_NOTE):
    """Confirm a hotline's or hospital's number by a phone call (what the gate needs)."""
    factcheck_record(
        item=item, user=user, subject="phone", claim=getattr(item, "number", "") or item.name,
        verdict="confirmed", method="phone_call", called_at=timezone.now(), person_reached=PERSON_REACHED,
        note=note,
    )  # fmt: skip


@pytest.fixture
def make_hotline(team, publish):
    def make(
        *,
        number="0759-5586822",
        organisation="吴川市医疗保障局",
        code="440883",
        published=True,
        purpose="consultation",
        sources=(),
    ):
        hotline = Hotline(organisation=organisation, number=number, region=region(code), purpose=purpose)
        content_save(item=hotline, user=team["editor"], expected_version=None, m2m={"sources": [*sources]})
        verify(hotline, team["checker"])
        return publish(Hotline.objects.get(pk=hotline.pk)) if published else hotline

    return make


@pytest.fixture
def make_hospital(team, publish):
    def make(
        *,
        name="连云港市口腔医院",
        code="320700",
        level="3A",
        kind="dental",
        designated=True,
        address="连云港市海州区",
        aliases=(),
        departments="口腔科\n正畸科",
        phones=({"label": "总机", "number": "0518-85767777", "extension": ""},),
        published=True,
    ):
        hospital = Hospital(
            name=name, region=region(code), level=level, kind=kind, designated=designated,
            address=address, aliases=list(aliases), departments=departments,
        )  # fmt: skip
        content_save(item=hospital, user=team["editor"], expected_version=None, phones=[*phones])
        verify(hospital, team["checker"])
        return publish(Hospital.objects.get(pk=hospital.pk)) if published else hospital

    return make


def _free_slug() -> str:
    n = Article.objects.count() + 1
    while Article.objects.filter(slug=f"a{n}").exists():
        n += 1
    return f"a{n}"


@pytest.fixture
def make_article(team, publish, official):
    def make(
        *,
        title="湛江吴川医保电话",
        body="湛江市吴川市医疗保障局联系电话为 0759-5586822。",
        published=True,
        slug=None,
        summary="",
        category="hotlines",
        **m2m,
    ):
        article = Article(
            title=title, slug=slug or _free_slug(), body=body, summary=summary, category=category
        )
        links = {"sources": [official.pk], **m2m}
        content_save(item=article, user=team["editor"], expected_version=None, m2m=links)
        return publish(article) if published else article

    return make


@pytest.fixture
def make_policy(db):
    def make(**fields):
        return PolicyFactory(**fields)

    return make


@pytest.fixture
def edit(team):
    """Save new content on a (published) item, as an editor would: a new revision, back to draft."""

    def go(item, *, m2m=None, phones=None, message="", **fields):
        fresh = type(item).objects.get(pk=item.pk)
        for name, value in fields.items():
            setattr(fresh, name, value)
        content_save(
            item=fresh,
            user=team["editor"],
            expected_version=fresh.lock_version,
            m2m=m2m,
            phones=phones,
            message=message,
        )
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def withdraw(team):
    def go(item, *, archive=False, comment="撤下"):
        workflow.item_withdraw(item=item, user=team["publisher"], comment=comment)
        if archive:
            workflow.item_archive(item=type(item).objects.get(pk=item.pk), user=team["publisher"])
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def get_json(client):
    """GET and decode, asserting the status code first (with the body in the failure message)."""

    def go(url, status=200, **extra):
        response = client.get(url, **extra)
        assert response.status_code == status, (url, response.status_code, response.content[:500])
        return json.loads(response.content) if response.content else None

    return go


def throttle_settings(rate: str) -> dict:
    """The REST_FRAMEWORK setting with the anonymous rate replaced."""
    return {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}}


@pytest.fixture
def throttle_rate(settings, monkeypatch):
    """Set the anonymous rate. DRF reloads api_settings when REST_FRAMEWORK changes, but
    SimpleRateThrottle.THROTTLE_RATES was copied from it at import time: patch both."""

    def set_rate(rate: str) -> None:
        settings.REST_FRAMEWORK = throttle_settings(rate)
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})

    return set_rate


@pytest.fixture
def unthrottled(throttle_rate):
    throttle_rate("1000000/minute")
