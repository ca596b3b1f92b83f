import pytest
from django.core.cache import cache

from cms.models import Article, Hotline
from cms.services import workflow
from cms.services.factchecks import factcheck_record
from cms.services.revisions import content_save
from tests.factories import SourceFactory, UserFactory, region


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(db):
    return {
        "editor": UserFactory(username="api-editor", role="编辑"),
        "checker": UserFactory(username="api-checker", role="核查员"),
        "publisher": UserFactory(username="api-publisher", role="审核发布"),
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


@pytest.fixture
def make_hotline(team, publish):
    def make(*, number="0759-5586822", organisation="吴川市医疗保障局", code="440883", published=True):
        hotline = Hotline(organisation=organisation, number=number, region=region(code))
        content_save(item=hotline, user=team["editor"], expected_version=None)
        factcheck_record(
            item=hotline, user=team["checker"], subject="phone", claim=number, verdict="confirmed",
            method="phone_call", called_at=hotline.created_at, person_reached="办公室",
        )  # fmt: skip
        return publish(Hotline.objects.get(pk=hotline.pk)) if published else hotline

    return make


@pytest.fixture
def make_article(team, publish, official):
    def make(
        *,
        title="湛江吴川医保电话",
        body="湛江市吴川市医疗保障局联系电话为 0759-5586822。",
        published=True,
        **m2m,
    ):
        article = Article(title=title, slug=f"a{Article.objects.count() + 1}", body=body, category="hotlines")
        links = {"sources": [official.pk], **m2m}
        content_save(item=article, user=team["editor"], expected_version=None, m2m=links)
        return publish(article) if published else article

    return make
