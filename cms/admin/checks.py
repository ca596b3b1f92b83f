"""The content checks in the admin: the findings and proposals panel of each item's change page (mark a
false alarm, confirm or reject a proposal, correct it first), and the read-only lists of findings and
proposals, filterable by code, severity, status and kind of item."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cms.checks.findings import CODES
from cms.models import (
    Finding,
    FindingStatus,
    HospitalLevel,
    Proposal,
    ProposalStatus,
    Purpose,
    Revision,
    Severity,
)
from cms.models.history import ItemLink
from cms.selectors import has_open_findings, with_open_findings
from cms.services import checks, proposals
from cms.services.revisions import current_revision

CONTEXT_CHARS = 40  # characters shown either side of a quote
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


# --- the panel on the change page -------------------------------------------------------------------


def quote_in_context(text: str, start: int, end: int) -> SafeString:
    """The quoted span highlighted with the words around it."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return format_html(
        '{}{}<mark class="finding-quote">{}</mark>{}{}',
        "…" if start > CONTEXT_CHARS else "",
        before,
        text[start:end],
        after,
        "…" if end + CONTEXT_CHARS < len(text) else "",
    )


@dataclass
class FindingRow:
    finding: Finding
    context: SafeString | None  # None: a finding about the whole item


def checks_context(request, obj) -> dict:
    """What the change page shows of the checks: the current revision's findings (open ones first,
    errors first) and, for an article, its proposals."""
    revision = current_revision(obj)
    rows: list[FindingRow] = []
    if revision is not None:
        item_input = checks.revision_input(obj, revision)
        found = Finding.objects.filter(revision=revision).select_related(
            "marked_by", "carried_from__revision"
        )
        for finding in sorted(
            found,
            key=lambda f: (
                f.status != FindingStatus.OPEN,
                SEVERITY_ORDER.get(f.severity, 3),
                f.field,
                f.start,
            ),
        ):
            text = item_input.text(finding.field)
            context = quote_in_context(text, finding.start, finding.end) if finding.quote else None
            rows.append(FindingRow(finding, context))
    open_rows = [r for r in rows if r.finding.status == FindingStatus.OPEN]
    link = ItemLink.link_for(obj)
    name = type(obj)._meta.model_name
    return {
        "check_revision": revision,
        "findings": rows,
        "open_errors": sum(1 for r in open_rows if r.finding.severity == Severity.ERROR),
        "open_warnings": sum(1 for r in open_rows if r.finding.severity == Severity.WARNING),
        "false_alarms": len(rows) - len(open_rows),
        "findings_url": reverse("admin:cms_finding_changelist") + f"?{name}__exact={obj.pk}",
        "can_mark_false_alarm": request.user.has_perm("cms.mark_false_alarm"),
        "proposals": list(
            Proposal.objects.filter(**link).select_related("decided_by").order_by("status", "kind", "id")
        )
        if name == "article"
        else [],
        "can_decide_proposals": request.user.has_perm("cms.decide_proposal"),
        "false_alarm_url": f"admin:cms_{name}_false_alarm",
        "proposal_confirm_url": f"admin:cms_{name}_proposal_confirm",
        "proposal_reject_url": f"admin:cms_{name}_proposal_reject",
    }


@dataclass
class RevisionChecks:
    """What the checks found in one revision, and how that differs from the revision before it."""

    revision: Revision
    findings: list[Finding]
    new: list[Finding]  # not in the revision before (same check on the same words)
    gone: list[Finding]  # in the revision before, no longer here: mended by this revision

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.status == FindingStatus.OPEN and f.severity == severity)

    @property
    def open_errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def open_warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def false_alarms(self) -> int:
        return sum(1 for f in self.findings if f.status == FindingStatus.FALSE_ALARM)


def revisions_with_checks(revisions) -> list[RevisionChecks]:
    """Each revision (newest first) with its findings, those it brought and those it mended: what the
    history page shows. Two queries whatever the number of revisions."""
    revisions = list(revisions)
    by_revision: dict[int, list[Finding]] = {r.pk: [] for r in revisions}
    found = Finding.objects.filter(revision__in=by_revision).only(
        "revision_id", "code", "severity", "quote", "field", "start", "status", "reason", "across_items"
    )
    for finding in sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.field, f.start)):
        by_revision[finding.revision_id].append(finding)

    def keys(findings: list[Finding]) -> set[tuple[str, str, str]]:
        return {(f.code, f.field, f.quote) for f in findings}

    rows = []
    for index, revision in enumerate(revisions):
        findings = by_revision[revision.pk]
        before = by_revision[revisions[index + 1].pk] if index + 1 < len(revisions) else None
        if before is None:  # the first revision: nothing to compare with
            new, gone = [], []
        else:
            before_keys, here_keys = keys(before), keys(findings)
            new = [f for f in findings if (f.code, f.field, f.quote) not in before_keys]
            gone = [f for f in before if (f.code, f.field, f.quote) not in here_keys]
        rows.append(RevisionChecks(revision, findings, new, gone))
    return rows


class FalseAlarmForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this a false alarm?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": gettext_lazy("Say why this finding is a false alarm.")},
    )


class RejectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=1000)


def _change_url(model_admin, obj, anchor: str = "") -> str:
    return reverse(f"admin:cms_{model_admin.model._meta.model_name}_change", args=[obj.pk]) + anchor


def false_alarm_view(model_admin, request, object_id, finding_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = model_admin._item_or_404(request, object_id)
    finding = get_object_or_404(Finding, pk=finding_id, **ItemLink.link_for(obj))
    form = FalseAlarmForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(_change_url(model_admin, obj, f"#finding-{finding.pk}"))
    try:
        checks.finding_mark_false_alarm(
            finding=finding, user=request.user, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _("Marked as a false alarm: %(check)s “%(quote)s”.")
            % {"check": finding.label, "quote": finding.quote[:40]},
        )
    return HttpResponseRedirect(_change_url(model_admin, obj, "#findings"))


# --- proposals ---------------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    """The values of a proposal, to correct before confirming; only the fields of its kind are kept."""

    organisation = forms.CharField(label=gettext_lazy("organisation"), max_length=200)
    purpose = forms.ChoiceField(label=gettext_lazy("purpose"), choices=Purpose.choices)
    number = forms.CharField(label=gettext_lazy("number"), max_length=32)
    extension = forms.CharField(label=gettext_lazy("extension"), max_length=8, required=False)
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    level = forms.ChoiceField(
        label=gettext_lazy("level"), choices=[("", "—"), *HospitalLevel.choices], required=False
    )
    address = forms.CharField(label=gettext_lazy("address"), max_length=300, required=False)
    region = forms.CharField(
        label=gettext_lazy("division code"), max_length=6, help_text=gettext_lazy("Six digits, e.g. 440883.")
    )
    code = forms.CharField(
        label=gettext_lazy("division code"), max_length=6, help_text=gettext_lazy("Six digits, e.g. 440883.")
    )
    title = forms.CharField(label=gettext_lazy("title"), max_length=300)
    document_number = forms.CharField(label=gettext_lazy("document number"), max_length=100, required=False)
    effective_from = forms.DateField(
        label=gettext_lazy("effective from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        data = proposal.data or {}
        kwargs.setdefault("initial", {name: data.get(name) or "" for name in proposals.FIELDS[proposal.kind]})
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        for name in list(self.fields):
            if name not in proposals.FIELDS[proposal.kind]:
                del self.fields[name]

    def corrections(self) -> dict:
        """The values the editor changed (all of them strings or dates, as the service takes them)."""
        data = self.proposal.data or {}
        changed = {}
        for name, value in self.cleaned_data.items():
            value = value.isoformat() if hasattr(value, "isoformat") else (value or "")
            if value != (data.get(name) or ""):
                changed[name] = value or None if name == "effective_from" else value
        return changed


def _proposal_or_404(model_admin, request, object_id, proposal_id):
    obj = model_admin._item_or_404(request, object_id)
    return obj, get_object_or_404(Proposal, pk=proposal_id, **ItemLink.link_for(obj))


def proposal_confirm_view(model_admin, request, object_id, proposal_id):
    """GET: the proposal's values to correct. POST: confirm (``one_click`` confirms them as proposed)."""
    obj, proposal = _proposal_or_404(model_admin, request, object_id, proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        messages.error(
            request, _("This proposal was already %(status)s.") % {"status": proposal.get_status_display()}
        )
        return HttpResponseRedirect(_change_url(model_admin, obj, "#proposals"))
    one_click = request.method == "POST" and "one_click" in request.POST
    form = ProposalForm(
        request.POST if request.method == "POST" and not one_click else None, proposal=proposal
    )
    if request.method == "POST" and (one_click or form.is_valid()):
        try:
            done = proposals.proposal_confirm(
                proposal=proposal, user=request.user, **({} if one_click else form.corrections())
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except proposals.ProposalDecided as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            form = ProposalForm(proposal=proposal) if one_click else form
            _add_errors(form, exc)
            return _proposal_page(model_admin, request, obj, proposal, form, status=400)
        else:
            messages.success(
                request, _("Confirmed: %(proposal)s, linked to this article.") % {"proposal": done}
            )
        return HttpResponseRedirect(_change_url(model_admin, obj, "#proposals"))
    return _proposal_page(model_admin, request, obj, proposal, form)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _proposal_page(model_admin, request, obj, proposal, form, status=200):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": obj,
        "title": _("Confirm the proposed %(kind)s") % {"kind": proposal.get_kind_display()},
        "proposal": proposal,
        "form": form,
        "can_decide_proposals": request.user.has_perm("cms.decide_proposal"),
    }
    return TemplateResponse(request, "admin/cms/proposal_confirm.html", context, status=status)


def proposal_reject_view(model_admin, request, object_id, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj, proposal = _proposal_or_404(model_admin, request, object_id, proposal_id)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        proposals.proposal_reject(
            proposal=proposal, user=request.user, note=form.cleaned_data.get("note", "")
        )
    except (PermissionDenied, proposals.ProposalDecided) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Rejected: %(proposal)s.") % {"proposal": proposal})
    return HttpResponseRedirect(_change_url(model_admin, obj, "#proposals"))


# --- the lists ---------------------------------------------------------------------------------------


class CodeFilter(admin.SimpleListFilter):
    title = gettext_lazy("check")
    parameter_name = "code"

    def lookups(self, request, model_admin):
        return [(code, f"{label}（{code}）") for code, (_severity, label) in CODES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(code=self.value()) if self.value() else queryset


class OpenFindingsFilter(admin.SimpleListFilter):
    """On the lists of articles, hospitals and hotlines (the review queue is the list filtered by
    state): items whose current revision has an open error, an open warning, or neither."""

    title = gettext_lazy("open findings")
    parameter_name = "open_findings"

    def lookups(self, request, model_admin):
        return [
            (Severity.ERROR, _("with an open error")),
            (Severity.WARNING, _("with an open warning")),
            ("none", _("no open error or warning")),
        ]

    def queryset(self, request, queryset):
        model = queryset.model
        if self.value() in (Severity.ERROR, Severity.WARNING):
            return queryset.filter(has_open_findings(model, severity=self.value()))
        if self.value() == "none":
            return queryset.exclude(has_open_findings(model, severity__in=[Severity.ERROR, Severity.WARNING]))
        return queryset


class OpenCodeFilter(CodeFilter):
    """Items whose current revision has an open finding of one check."""

    title = gettext_lazy("open finding of the check")
    parameter_name = "open_code"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(has_open_findings(queryset.model, code=self.value()))
        return queryset


class OpenFindingsChangeList(ChangeList):
    """The list of items with the counts of open findings on each one's current revision."""

    def get_queryset(self, request, exclude_parameters=None):
        return with_open_findings(super().get_queryset(request, exclude_parameters))


def open_findings_column(obj) -> SafeString | str:
    if not (obj.open_errors or obj.open_warnings):
        return "—"
    return format_html(
        '<span class="open-errors">{}</span> · <span class="open-warnings">{}</span>',
        ngettext("%(count)d error", "%(count)d errors", obj.open_errors) % {"count": obj.open_errors},
        ngettext("%(count)d warning", "%(count)d warnings", obj.open_warnings) % {"count": obj.open_warnings},
    )


open_findings_column.short_description = gettext_lazy("open findings")


class ItemKindFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind of item")
    parameter_name = "item_kind"
    KINDS = ("article", "hospital", "hotline")

    def lookups(self, request, model_admin):
        opts = model_admin.model._meta
        return [(name, opts.get_field(name).verbose_name) for name in self.KINDS]

    def queryset(self, request, queryset):
        if self.value() in self.KINDS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class _ReadOnly(admin.ModelAdmin):
    list_select_related = ["article", "hospital", "hotline"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("item"))
    def item_link(self, obj):
        item = obj.item
        url = reverse(f"admin:cms_{item._meta.model_name}_change", args=[item.pk])
        return format_html('<a href="{}">{}：{}</a>', url, item._meta.verbose_name, item)


@admin.register(Finding)
class FindingAdmin(_ReadOnly):
    """Every finding of the checks, to survey; each is marked on its item's page."""

    list_display = [
        "item_link",
        "revision_number",
        "severity",
        "check_label",
        "short_quote",
        "status",
        "across_items",
    ]
    list_filter = [CodeFilter, "severity", "status", ItemKindFilter, "across_items"]
    search_fields = ["quote", "message", "reason"]
    list_select_related = ["article", "hospital", "hotline", "revision"]
    fields = [
        "article",
        "hospital",
        "hotline",
        "revision",
        "code",
        "severity",
        "message",
        "quote",
        "field",
        "start",
        "end",
        "across_items",
        "status",
        "reason",
        "marked_by",
        "marked_at",
        "carried_from",
        "created_at",
    ]

    @admin.display(description=gettext_lazy("revision"), ordering="revision__number")
    def revision_number(self, obj):
        return obj.revision.number

    @admin.display(description=gettext_lazy("check"), ordering="code")
    def check_label(self, obj):
        return obj.label

    @admin.display(description=gettext_lazy("quoted text"))
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 40 else obj.quote[:40] + "…"


@admin.register(Proposal)
class ProposalAdmin(_ReadOnly):
    """Every proposed record, to survey; each is confirmed or rejected on its article's page."""

    list_display = ["item_link", "kind", "summary", "short_quote", "status", "decided_by", "decided_at"]
    list_filter = ["kind", "status"]
    search_fields = ["quote", "article__title"]
    fields = [
        "article",
        "revision",
        "kind",
        "data",
        "quote",
        "field",
        "start",
        "end",
        "status",
        "result",
        "note",
        "decided_by",
        "decided_at",
        "created_at",
    ]

    @admin.display(description=gettext_lazy("proposed values"))
    def summary(self, obj):
        return obj.summary

    @admin.display(description=gettext_lazy("quoted text"))
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 40 else obj.quote[:40] + "…"


def urls_for(model_admin):
    """The URLs of the panel's forms, for ``ContentAdmin.get_urls``."""
    name = model_admin.model._meta.model_name
    wrap = model_admin.admin_site.admin_view

    def bound(view):
        def run(request, *args, **kwargs):
            return view(model_admin, request, *args, **kwargs)

        return wrap(run)

    return [
        path(
            "<path:object_id>/findings/<int:finding_id>/false-alarm/",
            bound(false_alarm_view),
            name=f"cms_{name}_false_alarm",
        ),
        path(
            "<path:object_id>/proposals/<int:proposal_id>/confirm/",
            bound(proposal_confirm_view),
            name=f"cms_{name}_proposal_confirm",
        ),
        path(
            "<path:object_id>/proposals/<int:proposal_id>/reject/",
            bound(proposal_reject_view),
            name=f"cms_{name}_proposal_reject",
        ),
    ]
