"""Telling the people concerned: e-mail through Django's mail backend, sent once the change commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from cms.models import Article
from cms.workflow import EDITOR, FACT_CHECKER, PUBLISHER


def _item_url(item) -> str:
    path = reverse(f"admin:cms_{item._meta.model_name}_change", args=[item.pk])
    return settings.SITE_URL.rstrip("/") + path


def _send(recipients, subject: str, body: str) -> None:
    addresses = sorted({u.email for u in recipients if u is not None and u.email and u.is_active})
    if addresses:
        transaction.on_commit(
            lambda: send_mail(f"[医保核查] {subject}", body, settings.DEFAULT_FROM_EMAIL, addresses)
        )


def notify_submitted(*, item, actor) -> None:
    """Reviewers (fact-checkers and publishers) hear that something awaits them."""
    reviewers = (
        get_user_model().objects.filter(groups__name__in=[FACT_CHECKER, PUBLISHER]).exclude(pk=actor.pk)
    )
    _send(reviewers, f"待审核：{item}", f"{actor} 提交了“{item}”，等待核查与审核。\n{_item_url(item)}")


def notify_changes_requested(*, item, actor, author, comment: str) -> None:
    """The author of the revision hears why it came back."""
    if author is None or author == actor:
        return
    _send(
        [author], f"退回修改：{item}", f"{actor} 退回了“{item}”，要求修改：\n\n{comment}\n\n{_item_url(item)}"
    )


def notify_published(*, item, actor, author) -> None:
    if author is None or author == actor:
        return
    _send([author], f"已发布：{item}", f"“{item}”已由 {actor} 发布，读者现在可以看到。\n{_item_url(item)}")


DIGEST_LINES = 200


def notify_outdated_digest(*, flags) -> None:
    """Editors hear of the articles a run flagged in one e-mail, not one per article. ``flags`` is a
    queryset: counted by the database, and only the first DIGEST_LINES articles are loaded, so that
    a run that flags a million articles costs the same memory as one that flags ten."""
    total = flags.count()
    if not total:
        return
    flagged = flags.filter(article__isnull=False).values("article_id")
    count = flagged.distinct().count()
    # The first articles' ids from the flags themselves: asking for articles "in" a quarter of a
    # million flagged ids, ordered and cut, made PostgreSQL read them all.
    first = flagged.order_by("article_id").distinct().values_list("article_id", flat=True)[:DIGEST_LINES]
    articles = Article.objects.filter(pk__in=list(first)).order_by("pk")
    lines = [f"- {a}：{_item_url(a)}" for a in articles]
    if count > DIGEST_LINES:
        lines.append(f"……另有 {count - DIGEST_LINES} 篇，请在后台按“标记”筛选查看。")
    editors = get_user_model().objects.filter(groups__name=EDITOR)
    _send(
        editors,
        f"{count} 篇文章可能已过时",
        f"本次检查标记了 {total} 个问题，涉及 {count} 篇已发布的文章，请复核：\n\n" + "\n".join(lines),
    )


def notify_failing_numbers(*, hotlines) -> None:
    """Fact-checkers hear of the numbers a re-check found failing, in one e-mail."""
    lines = [f"- {h}：{_item_url(h)}" for h in hotlines[:DIGEST_LINES]]
    if len(hotlines) > DIGEST_LINES:
        lines.append(f"……另有 {len(hotlines) - DIGEST_LINES} 个号码。")
    checkers = get_user_model().objects.filter(groups__name=FACT_CHECKER)
    _send(
        checkers,
        f"{len(hotlines)} 个号码未通过核查",
        "以下号码未通过最新核查，请复核：\n\n" + "\n".join(lines),
    )
