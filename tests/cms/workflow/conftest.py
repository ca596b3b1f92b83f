import datetime

import pytest
from django.utils import timezone

from cms.models import Article, Hotline
from cms.services.factchecks import factcheck_record
from cms.services.revisions import content_save
from tests.factories import SourceFactory, UserFactory, region


@pytest.fixture
def second_publisher(db):
    return UserFactory(username="publisher2", role="审核发布")


@pytest.fixture
def official_source(db):
    return SourceFactory(is_official=True, title="湛江市医疗保障局官网")


@pytest.fixture
def make_article(editor, official_source):
    def make(*, author=None, body="湛江市吴川市医疗保障局联系电话为 0759-5586822。", sources=None, **m2m):
        article = Article(title="湛江吴川医保电话", slug=f"wuchuan-{Article.objects.count()}", body=body)
        links = {"sources": [official_source.pk] if sources is None else sources, **m2m}
        content_save(item=article, user=author or editor, expected_version=None, m2m=links)
        return article

    return make


@pytest.fixture
def make_hotline(editor):
    def make(*, number="0759-5586822", organisation="吴川市医疗保障局", author=None):
        hotline = Hotline(organisation=organisation, number=number, region=region("440883"))
        content_save(item=hotline, user=author or editor, expected_version=None)
        return hotline

    return make


@pytest.fixture
def verify_by_phone(fact_checker):
    def verify(item, *, when=None):
        return factcheck_record(
            item=item,
            user=fact_checker,
            subject="phone",
            claim=getattr(item, "display_number", str(item)),
            verdict="confirmed",
            method="phone_call",
            called_at=when or timezone.now() - datetime.timedelta(days=1),
            person_reached="办公室李女士",
        )

    return verify
