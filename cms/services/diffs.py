"""Field-by-field comparison of two recorded contents of an item."""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cms.models import Article, Hospital, Hotline, Region, Source
from cms.services.revisions import CONTENT
from policies.models import Policy

RELATED = {
    "regions": Region,
    "region": Region,
    "policies": Policy,
    "hotlines": Hotline,
    "hospitals": Hospital,
    "sources": Source,
}


@dataclass
class FieldChange:
    name: str
    label: str
    changed: bool
    html: SafeString = field(default_factory=SafeString)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# Chinese has no spaces between words: compare character by character, but keep numbers and Latin
# words whole, so that a changed phone number shows as one number replaced by another.
TOKEN = re.compile(r"[0-9A-Za-z]+|\s+|.", re.DOTALL)


def inline_diff(old: str, new: str) -> SafeString:
    """A readable inline diff as <del>/<ins> HTML."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(a[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(b[b1:b2]))}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308  (every piece is escaped)


def _names(model, ids) -> dict:
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)}


def content_diff(model: type[Article | Hospital | Hotline], old: dict, new: dict) -> list[FieldChange]:
    fields, relations = CONTENT[model]
    changes = []
    for name in fields:
        label = str(model._meta.get_field(name).verbose_name)
        a, b = old.get(name), new.get(name)
        if name in RELATED:
            names = _names(RELATED[name], [v for v in (a, b) if v])
            a, b = names.get(a, a or ""), names.get(b, b or "")
        if isinstance(a, list) or isinstance(b, list):
            a, b = "\n".join(a or []), "\n".join(b or [])
        a = "" if a is None else str(a)
        b = "" if b is None else str(b)
        changes.append(FieldChange(name=name, label=label, changed=a != b, html=inline_diff(a, b)))
    for name in relations:
        label = str(model._meta.get_field(name).verbose_name)
        a, b = set(old.get(name, [])), set(new.get(name, []))
        names = _names(RELATED[name], a | b)
        changes.append(
            FieldChange(
                name=name,
                label=label,
                changed=a != b,
                added=sorted(names.get(pk, str(pk)) for pk in b - a),
                removed=sorted(names.get(pk, str(pk)) for pk in a - b),
                html=mark_safe("、".join(escape(names.get(pk, str(pk))) for pk in sorted(b, key=str))),  # noqa: S308
            )
        )
    if model is Hospital:
        a_phones = [p.get("display_number") or p.get("number") for p in old.get("phones", [])]
        b_phones = [p.get("display_number") or p.get("number") for p in new.get("phones", [])]
        changes.append(
            FieldChange(
                name="phones",
                label=str(Hospital.phones.rel.related_model._meta.verbose_name_plural),
                changed=a_phones != b_phones,
                added=[p for p in b_phones if p not in a_phones],
                removed=[p for p in a_phones if p not in b_phones],
            )
        )
    return changes
