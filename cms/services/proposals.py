"""Records proposed from an article's text (hotlines, hospitals, regions, policies), for an editor to
confirm or reject one by one. Nothing is created as verified: a confirmed hotline or hospital is a new
unverified draft (or an existing record with the same identity), and it is linked to the article by a
new revision of the article."""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.checks.extract import extract
from cms.models import (
    Article,
    Hospital,
    HospitalLevel,
    Hotline,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Purpose,
    Region,
    Revision,
)
from cms.services.revisions import content_save
from policies.models import Policy

# What an editor may correct before confirming, per kind.
FIELDS = {
    ProposalKind.HOTLINE: ("organisation", "purpose", "number", "extension", "region"),
    ProposalKind.HOSPITAL: ("name", "region", "level", "address"),
    ProposalKind.REGION: ("code",),
    ProposalKind.POLICY: ("title", "document_number", "effective_from"),
}
# The article's link that a confirmed proposal of each kind adds to.
LINKS = {
    ProposalKind.HOTLINE: "hotlines",
    ProposalKind.HOSPITAL: "hospitals",
    ProposalKind.REGION: "regions",
    ProposalKind.POLICY: "policies",
}


class ProposalDecided(Exception):
    """The proposal was confirmed or rejected already."""


def _key(kind: str, data: dict) -> str:
    return kind + json.dumps(data, ensure_ascii=False, sort_keys=True)


def extracted(item) -> list[Proposal]:
    """What the text of ``item`` proposes (unsaved ``Proposal`` rows, without item and revision)."""
    found = extract(item)
    proposals = [
        Proposal(
            kind=ProposalKind.HOTLINE,
            data={
                "organisation": p.organisation,
                "purpose": p.purpose if p.purpose in Purpose.values else Purpose.OTHER,
                "number": p.number,
                "normalised": p.normalised,
                "region": p.region_code,
            },
            quote=p.quote,
            field=p.field,
            start=p.start,
            end=p.end,
        )
        for p in found.hotlines
    ]
    proposals += [
        Proposal(
            kind=ProposalKind.HOSPITAL,
            data={
                "name": p.name,
                "region": p.region_code,
                "city": p.city_code,
                "level": p.level,
                "address": p.address,
            },
            quote=p.quote,
            field=p.field,
            start=p.start,
            end=p.end,
        )
        for p in found.hospitals
    ]
    proposals += [
        Proposal(
            kind=ProposalKind.REGION,
            data={"code": r.code, "path": r.path, "full_name": r.full_name},
            quote=r.name,
        )
        for r in found.regions
    ]
    proposals += [
        Proposal(
            kind=ProposalKind.POLICY,
            data={
                "title": p.title,
                "document_number": p.document_number,
                "effective_from": p.effective_from.isoformat() if p.effective_from else None,
            },
            quote=p.quote,
            field=p.field,
            start=p.start,
            end=p.end,
        )
        for p in found.policies
    ]
    return proposals


def _linked_keys(content: dict) -> set[tuple[str, str]]:
    """What the article links already, as (kind, identity): no need to propose it again."""
    linked = {(ProposalKind.REGION, code) for code in content.get("regions", [])}
    if content.get("hotlines"):
        for number in Hotline.objects.filter(pk__in=content["hotlines"]).values_list("number", flat=True):
            linked.add((ProposalKind.HOTLINE, number))
    if content.get("hospitals"):
        for name in Hospital.objects.filter(pk__in=content["hospitals"]).values_list("name", flat=True):
            linked.add((ProposalKind.HOSPITAL, name))
    if content.get("policies"):
        for number, title in Policy.objects.filter(pk__in=content["policies"]).values_list(
            "document_number", "title"
        ):
            linked.update(
                {(ProposalKind.POLICY, number), (ProposalKind.POLICY, title)} - {(ProposalKind.POLICY, "")}
            )
    return linked


def _identity(proposal: Proposal) -> str | None:
    data = proposal.data
    return {
        ProposalKind.HOTLINE: data.get("normalised"),
        ProposalKind.HOSPITAL: data.get("name"),
        ProposalKind.REGION: data.get("code"),
        ProposalKind.POLICY: data.get("document_number") or data.get("title"),
    }[proposal.kind]


@transaction.atomic
def proposals_update(*, article: Article, revision: Revision, item_input) -> list[Proposal]:
    """Propose what ``revision`` of ``article`` mentions and the article does not link yet. A proposal
    identical to one made before (open or decided) is not made again; open proposals that the text no
    longer supports are withdrawn. Returns the new proposals."""
    existing = {_key(p.kind, p.data): p for p in Proposal.objects.filter(article=article)}
    linked = _linked_keys(revision.content)
    wanted: dict[str, Proposal] = {}
    seen: set[tuple[str, str]] = set()  # one proposal per region, number, hospital or policy
    for proposal in extracted(item_input):
        identity = (proposal.kind, _identity(proposal))
        if identity in linked or identity in seen:
            continue
        if identity[1] is not None:
            seen.add(identity)
        wanted.setdefault(_key(proposal.kind, proposal.data), proposal)
    stale = [p.pk for key, p in existing.items() if p.status == ProposalStatus.PROPOSED and key not in wanted]
    if stale:
        Proposal.objects.filter(pk__in=stale).delete()
    new = [p for key, p in wanted.items() if key not in existing]
    for proposal in new:
        proposal.article = article
        proposal.revision = revision
    return Proposal.objects.bulk_create(new)


# --- deciding ----------------------------------------------------------------------------------------


def _may_decide(user) -> None:
    if not user.has_perm("cms.decide_proposal"):
        raise PermissionDenied(_("Only editors and fact-checkers may confirm or reject proposed records."))


def _lock_open(proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ProposalDecided(
            _("This proposal was already %(status)s.") % {"status": proposal.get_status_display()}
        )
    return proposal


def _region(code) -> Region:
    if not code:
        raise ValidationError({"region": _("Choose the region.")})
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise ValidationError(
            {"region": _("There is no region with code %(code)s.") % {"code": code}}
        ) from exc


def _hotline(data: dict, *, user, message: str) -> tuple[Hotline, bool]:
    hotline = Hotline(
        organisation=(data.get("organisation") or "").strip(),
        purpose=data.get("purpose") or Purpose.CONSULTATION,
        number=data.get("number") or data.get("normalised") or "",
        extension=data.get("extension") or "",
        region=_region(data.get("region")),
    )
    if not hotline.organisation:
        raise ValidationError({"organisation": _("Name the organisation.")})
    hotline.clean()  # the normalised number, to find the same hotline already stored
    same = Hotline.objects.filter(
        organisation=hotline.organisation,
        purpose=hotline.purpose,
        number=hotline.number,
        extension=hotline.extension,
    ).first()
    if same is not None:
        return same, False
    content_save(item=hotline, user=user, expected_version=None, message=message)
    return hotline, True


def _hospital(data: dict, *, user, message: str) -> tuple[Hospital, bool]:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the hospital.")})
    region = _region(data.get("region"))
    same = Hospital.objects.filter(region=region, name=name).first()
    if same is not None:
        return same, False
    level = data.get("level") or HospitalLevel.UNGRADED
    hospital = Hospital(name=name, region=region, level=level, address=(data.get("address") or "").strip())
    content_save(item=hospital, user=user, expected_version=None, message=message, phones=[])
    return hospital, True


def _policy(data: dict) -> tuple[Policy, bool]:
    number = (data.get("document_number") or "").strip()
    if number:
        same = Policy.objects.filter(document_number=number).first()
        if same is not None:
            return same, False
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the policy's title.")})
    effective_from = data.get("effective_from") or None
    if isinstance(effective_from, str):
        try:
            effective_from = datetime.date.fromisoformat(effective_from)
        except ValueError as exc:
            raise ValidationError({"effective_from": _("Give the date as YYYY-MM-DD.")}) from exc
    policy = Policy(title=title, document_number=number, effective_from=effective_from)
    policy.full_clean()
    policy.save()
    return policy, True


@transaction.atomic
def proposal_confirm(*, proposal: Proposal, user, **corrections) -> Proposal:
    """Confirm ``proposal`` with the editor's ``corrections`` (field → value): create the record as an
    unverified draft (or take the stored one with the same identity) and link it to the article.
    Raises ``PermissionDenied``, ``ProposalDecided`` or ``ValidationError`` (by field)."""
    _may_decide(user)
    proposal = _lock_open(proposal)
    kind = proposal.kind
    unknown = set(corrections) - set(FIELDS[kind])
    if unknown:
        raise ValidationError(_("Cannot correct %(fields)s here.") % {"fields": ", ".join(sorted(unknown))})
    data = {**proposal.data, **{k: v for k, v in corrections.items()}}
    article = Article.objects.get(pk=proposal.article_id)
    message = _("Proposed by the article “%(article)s”") % {"article": article.title}
    if kind == ProposalKind.HOTLINE:
        record, created = _hotline(data, user=user, message=message)
    elif kind == ProposalKind.HOSPITAL:
        record, created = _hospital(data, user=user, message=message)
    elif kind == ProposalKind.POLICY:
        record, created = _policy(data)
    else:
        record, created = _region(data.get("code")), False
    proposal.status = ProposalStatus.CONFIRMED
    proposal.result = {
        "model": record._meta.label_lower,
        "pk": record.pk,
        "created": created,
        "corrections": {k: v for k, v in corrections.items() if proposal.data.get(k) != v},
    }
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    link = LINKS[kind]
    linked = list(getattr(article, link).values_list("pk", flat=True))
    if record.pk not in linked:
        content_save(
            item=article,
            user=user,
            expected_version=None,
            message=_("Linked %(kind)s “%(record)s” from a proposal")
            % {"kind": proposal.get_kind_display(), "record": record},
            m2m={link: [*linked, record.pk]},
        )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, user, note: str = "") -> Proposal:
    """Reject ``proposal``: nothing is created, and the same proposal is not made again."""
    _may_decide(user)
    proposal = _lock_open(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.note = (note or "").strip()
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return proposal
