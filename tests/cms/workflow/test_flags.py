import pytest

from cms.models import Flag, LiveArticle
from cms.services import workflow
from cms.services.flags import flag_raise, flag_resolve

pytestmark = pytest.mark.django_db

EXPIRED = "所依据的政策已于 2025-01-01 失效，内容正在复核。"


def _publish(article, editor, checker, publisher):
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=checker)
    workflow.item_approve(item=article, user=publisher)
    workflow.item_publish(item=article, user=publisher)


def test_flag_is_raised_once_and_shown_to_readers(make_article, editor, fact_checker, publisher):
    article = make_article()
    _publish(article, editor, fact_checker, publisher)
    before = LiveArticle.objects.get(pk=article.pk).updated_at

    first = flag_raise(item=article, kind="policy_expired", key="policy:1", public_reason=EXPIRED)
    again = flag_raise(item=article, kind="policy_expired", key="policy:1", public_reason=EXPIRED)

    assert (first[1], again[1]) == (True, False)
    assert Flag.objects.count() == 1
    live = LiveArticle.objects.get(pk=article.pk)
    assert live.payload["outdated"] == {"flagged": True, "reasons": [EXPIRED]}
    assert live.updated_at > before  # sync clients see the change


def test_resolving_clears_what_readers_see(make_article, editor, fact_checker, publisher):
    article = make_article()
    _publish(article, editor, fact_checker, publisher)
    flag_raise(item=article, kind="review_due", key="review", public_reason="已过复核期限，内容正在复核。")

    assert flag_resolve(item=article) == 1

    assert LiveArticle.objects.get(pk=article.pk).payload["outdated"] == {"flagged": False, "reasons": []}
    assert flag_resolve(item=article) == 0
