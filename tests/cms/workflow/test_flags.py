import pytest

from cms.models import Flag
from cms.services import workflow
from cms.services.flags import flag_raise, flag_resolve

pytestmark = pytest.mark.django_db

EXPIRED = "所依据的政策已于 2025-01-01 失效，内容正在复核。"


def _publish(article, editor, checker, publisher):
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=checker)
    workflow.item_approve(item=article, user=publisher)
    workflow.item_publish(item=article, user=publisher)


def outdated(client, article) -> dict:
    return client.get(f"/api/v1/articles/{article.slug}/").json()["outdated"]


def test_flag_is_raised_once_and_shown_to_readers(client, make_article, editor, fact_checker, publisher):
    article = make_article()
    _publish(article, editor, fact_checker, publisher)
    cursor = client.get("/api/v1/sync/articles/?cursor=0").json()["next_cursor"]

    first = flag_raise(item=article, kind="policy_expired", key="policy:1", public_reason=EXPIRED)
    again = flag_raise(item=article, kind="policy_expired", key="policy:1", public_reason=EXPIRED)

    assert (first[1], again[1]) == (True, False)
    assert Flag.objects.count() == 1
    assert outdated(client, article) == {"flagged": True, "reasons": [EXPIRED]}
    synced = client.get(f"/api/v1/sync/articles/?cursor={cursor}").json()  # sync clients see the change
    assert [a["outdated"]["flagged"] for a in synced["results"]] == [True]
    assert client.get(f"/api/v1/sync/articles/?cursor={synced['next_cursor']}").json()["results"] == []


def test_resolving_clears_what_readers_see(client, make_article, editor, fact_checker, publisher):
    article = make_article()
    _publish(article, editor, fact_checker, publisher)
    flag_raise(item=article, kind="review_due", key="review", public_reason="已过复核期限，内容正在复核。")
    cursor = client.get("/api/v1/sync/articles/?cursor=0").json()["next_cursor"]

    assert flag_resolve(item=article) == 1

    assert outdated(client, article) == {"flagged": False, "reasons": []}
    synced = client.get(f"/api/v1/sync/articles/?cursor={cursor}").json()
    assert [a["outdated"] for a in synced["results"]] == [{"flagged": False, "reasons": []}]
    assert flag_resolve(item=article) == 0
