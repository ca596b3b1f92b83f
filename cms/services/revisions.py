"""The one write path for articles, hospitals and hotlines: every save checks the version the writer
started from, sends the item back to draft where an approval no longer holds, and records an
immutable revision with the full content."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import Article, Hospital, HospitalPhone, Hotline, RefusedEdit, Revision, TransitionLog
from cms.models.history import ItemLink
from cms.workflow import STATE_AFTER_EDIT, Action, State

# What a revision records of each kind of item: plain fields, then many-to-many links.
CONTENT = {
    Article: (
        ["title", "slug", "summary", "body", "category", "review_by"],
        ["regions", "policies", "hotlines", "hospitals", "sources"],
    ),
    Hospital: (
        ["name", "aliases", "region", "level", "kind", "address", "departments", "designated"],
        ["sources"],
    ),
    Hotline: (
        [
            "organisation",
            "purpose",
            "number",
            "display_number",
            "kind",
            "extension",
            "region",
            "service_hours",
        ],
        ["sources"],
    ),
}
PHONE_FIELDS = ["label", "number", "display_number", "kind", "extension"]

Item = Article | Hospital | Hotline


class EditConflict(Exception):
    """Someone saved the item after the writer opened it. The refused content travels with the
    exception; ``keep()`` stores it (call it after any rollback) so that nothing typed is lost."""

    def __init__(self, *, item: Item, content: dict, base_version: int, saved_version: int, author) -> None:
        super().__init__(
            _("Someone else saved this item (now version %(saved)s) after you opened version %(base)s.")
            % {"saved": saved_version, "base": base_version}
        )
        self.item = item
        self.content = content
        self.base_version = base_version
        self.saved_version = saved_version
        self.author = author
        self.kept: RefusedEdit | None = None

    def keep(self) -> RefusedEdit:
        if self.kept is None:
            self.kept = RefusedEdit.objects.create(
                **ItemLink.link_for(self.item),
                content=self.content,
                base_version=self.base_version,
                saved_version=self.saved_version,
                author=self.author if self.author and self.author.pk else None,
            )
        return self.kept


def _value(field: models.Field, value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def snapshot(item: Item, *, m2m: dict[str, Iterable] | None = None, phones: list[dict] | None = None) -> dict:
    """The full content of ``item`` as JSON. ``m2m`` and ``phones`` override what is stored (for
    content that is being saved and is not in the database yet)."""
    fields, relations = CONTENT[type(item)]
    content = {}
    for name in fields:
        field = item._meta.get_field(name)
        content[name] = _value(field, getattr(item, field.attname))
    for name in relations:
        if m2m is not None and name in m2m:
            values = [getattr(v, "pk", v) for v in m2m[name]]
        elif item.pk:
            values = list(getattr(item, name).values_list("pk", flat=True))
        else:
            values = []
        content[name] = sorted(values, key=str)
    if isinstance(item, Hospital):
        if phones is None:
            phones = (
                [{name: getattr(p, name) for name in PHONE_FIELDS} for p in item.phones.order_by("id")]
                if item.pk
                else []
            )
        content["phones"] = phones
    return content


def current_revision(item: Item) -> Revision | None:
    return Revision.objects.filter(**ItemLink.link_for(item)).order_by("-number").first()


def lock_for_edit(item: Item, *, expected_version: int | None, user, refused: dict | None = None) -> None:
    """Lock the item's row and check that nobody saved it since ``expected_version``; on success set
    the next version and the state an edit leads to. Raises ``EditConflict`` otherwise."""
    if item.pk is None:
        item.lock_version = 1
        item.state = State.DRAFT
        return
    current = type(item).objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise EditConflict(
            item=current,
            content=refused if refused is not None else snapshot(item),
            base_version=expected_version,
            saved_version=current.lock_version,
            author=user,
        )
    # The writer's copy brings content only. What others change without a new version (verification
    # by fact-checks and jobs, schedules, the import origin) is kept as the database has it.
    content_fields = set(CONTENT[type(item)][0])
    for field in item._meta.concrete_fields:
        if field.name not in content_fields and not field.primary_key:
            setattr(item, field.attname, getattr(current, field.attname))
    item.lock_version = current.lock_version + 1
    item.state = STATE_AFTER_EDIT[current.state]
    if current.state != item.state:
        item.approved_revision = None
        item.publish_at = None
        item.scheduled_by = None
        TransitionLog.objects.create(
            **ItemLink.link_for(item),
            action=Action.EDIT,
            from_state=current.state,
            to_state=item.state,
            actor=user if user and user.pk else None,
            comment=_("Edited: the new revision needs review again."),
        )


def record_revision(item: Item, *, user, message: str = "") -> Revision:
    """Record the item's content as its next revision, and check it (in the caller's transaction)."""
    # Imported here: the checks' proposals save through this module in turn.
    from cms.services.checks import revision_check

    link = ItemLink.link_for(item)
    last = Revision.objects.filter(**link).aggregate(n=Max("number"))["n"] or 0
    revision = Revision.objects.create(
        **link,
        number=last + 1,
        content=snapshot(item),
        author=user if user and user.pk else None,
        message=message[:300],
        created_at=timezone.now(),
    )
    revision_check(item=item, revision=revision)
    return revision


def content_save(
    *,
    item: Item,
    user: AbstractBaseUser | None,
    expected_version: int | None,
    message: str = "",
    m2m: dict[str, Iterable] | None = None,
    phones: list[dict] | None = None,
) -> Revision:
    """Save ``item`` (new or changed) with its links and record a revision. ``expected_version`` is
    the version the writer started from (``None`` only for writers that hold no stale copy).
    Raises ``EditConflict``; when no transaction surrounds the call the refused content is kept."""
    try:
        with transaction.atomic():
            refused = snapshot(item, m2m=m2m, phones=phones) if item.pk else None
            lock_for_edit(item, expected_version=expected_version, user=user, refused=refused)
            item.full_clean()
            item.save()
            for name, values in (m2m or {}).items():
                getattr(item, name).set(values)
            if phones is not None and isinstance(item, Hospital):
                _replace_phones(item, phones)
            return record_revision(item, user=user, message=message)
    except EditConflict as conflict:
        if not transaction.get_connection().in_atomic_block:
            conflict.keep()
        raise


def _replace_phones(hospital: Hospital, phones: list[dict]) -> None:
    hospital.phones.all().delete()
    for data in phones:
        phone = HospitalPhone(hospital=hospital, **{k: v for k, v in data.items() if k in PHONE_FIELDS})
        phone.full_clean()
        phone.save()


def apply_content(item: Item, content: dict) -> tuple[dict, list[dict] | None]:
    """Put recorded content back on the working copy; returns the links and phones to save with it."""
    fields, relations = CONTENT[type(item)]
    for name in fields:
        field = item._meta.get_field(name)
        value = content.get(name)
        if isinstance(field, models.DateField) and value:
            value = datetime.date.fromisoformat(value)
        setattr(item, field.attname, value)
    m2m = {name: content.get(name, []) for name in relations}
    phones = content.get("phones") if isinstance(item, Hospital) else None
    return m2m, phones


def revision_restore(*, revision: Revision, user, expected_version: int | None = None) -> Revision:
    """Make an old revision's content current again, as a new revision: history is never rewritten."""
    item = type(revision.item).objects.get(pk=revision.item.pk)
    version = item.lock_version if expected_version is None else expected_version
    m2m, phones = apply_content(item, revision.content)
    return content_save(
        item=item,
        user=user,
        expected_version=version,
        message=_("Restored revision %(number)s") % {"number": revision.number},
        m2m=m2m,
        phones=phones,
    )


def refused_edit_reapply(*, refused: RefusedEdit, user) -> Revision:
    """Apply content that was refused in a conflict on top of what is saved now, knowingly."""
    item = type(refused.item).objects.get(pk=refused.item.pk)
    m2m, phones = apply_content(item, refused.content)
    revision = content_save(
        item=item,
        user=user,
        expected_version=item.lock_version,
        message=_("Re-applied an edit refused in a conflict"),
        m2m=m2m,
        phones=phones,
    )
    RefusedEdit.objects.filter(pk=refused.pk).update(reapplied_at=timezone.now())
    return revision
