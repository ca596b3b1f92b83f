"""What the admins of articles, hospitals and hotlines share: every save goes through the revision
service (version check, revision), conflicts are refused and kept, and the change page carries the
workflow, the history, comparisons, restores and fact-checks."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.models import FactCheck, RefusedEdit, Revision, TransitionLog
from cms.models.history import ItemLink
from cms.services import workflow
from cms.services.diffs import content_diff
from cms.services.revisions import (
    EditConflict,
    current_revision,
    lock_for_edit,
    record_revision,
    refused_edit_reapply,
    revision_restore,
    snapshot,
)
from cms.workflow import Action, allowed_actions

from . import checks


class ContentForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    revision_message = forms.CharField(
        label=gettext_lazy("What changed"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Optional; kept with the revision."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Without the version the form was opened at, a concurrent save could not be noticed.
            self.fields["expected_version"].initial = self.instance.lock_version
            self.fields["expected_version"].required = True
            self.fields["expected_version"].error_messages["required"] = gettext_lazy(
                "This page is out of date: open the item again before saving."
            )


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    at = forms.DateTimeField(
        label=gettext_lazy("time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


SCHEDULES = {Action.SCHEDULE_PUBLICATION: workflow.item_schedule_publication,
             Action.SCHEDULE_WITHDRAWAL: workflow.item_schedule_withdrawal}  # fmt: skip


class ContentAdmin(admin.ModelAdmin):
    form = ContentForm
    change_form_template = "admin/cms/content_change_form.html"
    object_history_template = "admin/cms/content_history.html"

    def get_list_display(self, request):
        return [*super().get_list_display(request), checks.open_findings_column]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), checks.OpenFindingsFilter, checks.OpenCodeFilter]

    def get_changelist(self, request, **kwargs):
        return checks.OpenFindingsChangeList

    # Saving: the version check before the row is written, the revision after its links are.
    def save_model(self, request, obj, form, change):
        refused = None
        if change:
            m2m = {name: form.cleaned_data[name] for name in form.cleaned_data if name in self._m2m_names()}
            refused = snapshot(obj, m2m=m2m)
        lock_for_edit(
            obj,
            expected_version=form.cleaned_data.get("expected_version"),
            user=request.user,
            refused=refused,
        )
        if not change and getattr(obj, "author_id", False) is None:
            obj.author = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_revision(
            form.instance, user=request.user, message=form.cleaned_data.get("revision_message", "")
        )

    def _m2m_names(self) -> set[str]:
        return {f.name for f in self.model._meta.many_to_many}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            refused = conflict.keep()  # after the admin's transaction rolled back
            url = reverse(
                f"admin:cms_{self.model._meta.model_name}_refused", args=[conflict.item.pk, refused.pk]
            )
            messages.error(
                request,
                format_html(
                    "{} <a href='{}'>{}</a>",
                    _(
                        "Not saved: someone else saved this item (version %(saved)s) after you opened "
                        "version %(base)s. Your text is kept."
                    )
                    % {"saved": conflict.saved_version, "base": conflict.base_version},
                    url,
                    _("Compare your version with the one saved meanwhile"),
                ),
            )
            return HttpResponseRedirect(url)

    def has_delete_permission(self, request, obj=None):
        return False  # content is withdrawn or archived, never deleted

    # The change page: state, live form, allowed actions and what the gate still misses.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.update(self._workflow_context(request, obj))
            extra_context.update(checks.checks_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow_context(self, request, obj) -> dict:
        roles = workflow.user_roles(request.user)
        actions = [
            (action, Action(action).label)
            for action in allowed_actions(obj.state, roles, is_superuser=request.user.is_superuser)
        ]
        info = self.model._meta
        return {
            "workflow_actions": actions,
            "live_form": getattr(obj, "live", None) if hasattr(obj, "live") else None,
            "gate_missing": workflow.fact_check_gate(obj) if obj.state == "in_review" else [],
            "current_revision": current_revision(obj),
            "transition_url": f"admin:cms_{info.model_name}_transition",
            "factcheck_add_url": reverse("admin:cms_factcheck_add") + f"?{info.model_name}={obj.pk}",
            "can_record_check": request.user.has_perm("cms.add_factcheck"),
        }

    def get_urls(self):
        name = self.model._meta.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:action>/",
                wrap(self.transition_view),
                name=f"cms_{name}_transition",
            ),
            path("<path:object_id>/compare/", wrap(self.compare_view), name=f"cms_{name}_compare"),
            path(
                "<path:object_id>/restore/<int:number>/", wrap(self.restore_view), name=f"cms_{name}_restore"
            ),
            path(
                "<path:object_id>/refused/<int:refused_id>/",
                wrap(self.refused_view),
                name=f"cms_{name}_refused",
            ),
            *checks.urls_for(self),
            *super().get_urls(),
        ]

    def _item_or_404(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return obj

    def _change_url(self, obj) -> str:
        return reverse(f"admin:cms_{self.model._meta.model_name}_change", args=[obj.pk])

    def transition_view(self, request, object_id, action):
        obj = self._item_or_404(request, object_id)
        if action not in Action.values or action == Action.EDIT:
            raise Http404
        form = TransitionForm(request.POST if request.method == "POST" else None)
        if request.method != "POST":
            try:
                workflow.check_allowed(item=obj, action=action, user=request.user)
            except (PermissionDenied, workflow.InvalidTransition) as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(self._change_url(obj))
        if request.method == "POST" and form.is_valid():
            comment = form.cleaned_data["comment"] or ""
            try:
                if action in SCHEDULES:
                    at = form.cleaned_data["at"]
                    if at is None:
                        raise ValidationError({"at": _("Choose a time.")})
                    SCHEDULES[action](item=obj, user=request.user, at=at, comment=comment)
                else:
                    workflow.SERVICES[action](item=obj, user=request.user, comment=comment)
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("You may not do this."))
            except workflow.GateFailed as exc:
                messages.error(request, _("Not approved. Still missing:"))
                for missing in exc.missing:
                    messages.error(request, missing)
            except workflow.InvalidTransition as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        form.add_error(None, error)
                return self._transition_page(request, obj, action, form)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
            return HttpResponseRedirect(self._change_url(obj))
        return self._transition_page(request, obj, action, form)

    def _transition_page(self, request, obj, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{Action(action).label}：{obj}",
            "form": form,
            "action": action,
            "needs_time": action in SCHEDULES,
            "gate_missing": workflow.fact_check_gate(obj) if action == Action.APPROVE else [],
        }
        return TemplateResponse(request, "admin/cms/transition.html", context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self._item_or_404(request, object_id)
        link = ItemLink.link_for(obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "object": obj,
            "title": _("History: %(item)s") % {"item": obj},
            "revisions": checks.revisions_with_checks(
                Revision.objects.filter(**link).select_related("author").order_by("-number")
            ),
            "transitions": TransitionLog.objects.filter(**link).select_related("actor", "revision"),
            "factchecks": FactCheck.objects.filter(**link).select_related("checked_by", "source", "revision"),
            "refused_edits": RefusedEdit.objects.filter(**link).select_related("author"),
            "can_change": self.has_change_permission(request, obj),
            "model_name": self.model._meta.model_name,
        }
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        obj = self._item_or_404(request, object_id)
        revisions = Revision.objects.filter(**ItemLink.link_for(obj))
        try:
            a = revisions.get(number=int(request.GET.get("a", "")))
            b = revisions.get(number=int(request.GET.get("b", "")))
        except (ValueError, Revision.DoesNotExist) as exc:
            raise Http404 from exc
        return self._compare_page(request, obj, a.content, b.content, a, b)

    def _compare_page(self, request, obj, old, new, a, b, refused=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Compare: %(item)s") % {"item": obj},
            "changes": content_diff(self.model, old, new),
            "a": a,
            "b": b,
            "refused": refused,
            "can_change": self.has_change_permission(request, obj),
            "model_name": self.model._meta.model_name,
        }
        return TemplateResponse(request, "admin/cms/compare.html", context)

    def restore_view(self, request, object_id, number):
        obj = self._item_or_404(request, object_id)
        if request.method != "POST" or not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(Revision, number=number, **ItemLink.link_for(obj))
        new = revision_restore(revision=revision, user=request.user)
        messages.success(
            request, _("Revision %(old)s restored as revision %(new)s.") % {"old": number, "new": new.number}
        )
        return HttpResponseRedirect(self._change_url(obj))

    def refused_view(self, request, object_id, refused_id):
        obj = self._item_or_404(request, object_id)
        refused = get_object_or_404(RefusedEdit, pk=refused_id, **ItemLink.link_for(obj))
        if request.method == "POST":
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            new = refused_edit_reapply(refused=refused, user=request.user)
            messages.success(
                request, _("Your edit was applied as revision %(number)s.") % {"number": new.number}
            )
            return HttpResponseRedirect(self._change_url(obj))
        saved = current_revision(obj)
        return self._compare_page(
            request, obj, saved.content if saved else {}, refused.content, saved, None, refused
        )
