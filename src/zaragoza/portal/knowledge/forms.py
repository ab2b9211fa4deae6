"""The practice form: every field of the record, validated by the library's schema so a
form, an import and the seed content obey the same rules; errors land on their field."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from zaragoza.catalog.loader import load_catalog
from zaragoza.knowledge.rules import RUBRIC_CRITERIA
from zaragoza.knowledge.schema import TRANSLATABLE_FIELDS, TRANSLATION_LANGUAGES, validation_context
from zaragoza.knowledge.schema import Practice as PracticeRecord
from zaragoza.knowledge.taxonomy import COUNTRIES, load_taxonomy
from zaragoza.portal.knowledge.models import Organisation, Practice
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import country_name

__all__ = ["PracticeForm", "StepForm", "UploadForm"]

_LINES_HELP = _("One per line, parts separated by |")


def _choices(name: str) -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    tax = load_taxonomy()
    lang = (get_language() or "en")[:2]
    return [(c, tax.label(name, c, lang)) for c in tax.codes(name)]


def _lines(text: str) -> list[list[str]]:
    return [[p.strip() for p in line.split("|")] for line in text.splitlines() if line.strip()]


def _or_none(parts: list[str], i: int) -> str | None:
    return parts[i] if len(parts) > i and parts[i] else None


#: The label of each text a practice may carry in another language: every translatable
#: field, in French and in German (written out whole: a label composed of a field's name
#: and a language's would not read right in every language).
_TRANSLATION_LABELS = {
    ("title", "fr"): _("Title in French"),
    ("summary", "fr"): _("Summary in French"),
    ("context", "fr"): _("Context in French"),
    ("objectives", "fr"): _("Objectives in French"),
    ("activities", "fr"): _("Activities in French"),
    ("results", "fr"): _("Results in French"),
    ("evaluation", "fr"): _("Evaluation in French"),
    ("transferability", "fr"): _("Transferability in French"),
    ("title", "de"): _("Title in German"),
    ("summary", "de"): _("Summary in German"),
    ("context", "de"): _("Context in German"),
    ("objectives", "de"): _("Objectives in German"),
    ("activities", "de"): _("Activities in German"),
    ("results", "de"): _("Results in German"),
    ("evaluation", "de"): _("Evaluation in German"),
    ("transferability", "de"): _("Transferability in German"),
}
_TRANSLATION_GROUPS = {"fr": _("French translation"), "de": _("German translation")}


class PracticeForm(forms.Form):
    """A practice's fields; :meth:`record` returns the validated library record."""

    title = forms.CharField(label=_("Title (English)"), max_length=300)
    original_title = forms.CharField(label=_("Original title"), required=False, max_length=300)
    language = forms.CharField(
        label=_("Language of the original material (ISO 639-1, e.g. de)"), max_length=2
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    countries = forms.MultipleChoiceField(
        label=_("Implementing countries"), widget=forms.CheckboxSelectMultiple, required=False
    )
    regions = forms.CharField(label=_("Regions (NUTS codes, comma-separated)"), required=False)
    cities = forms.CharField(
        label=_("Cities: name | country code | LAU code"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_LINES_HELP,
    )
    level = forms.ChoiceField(label=_("Level of governance"))
    agenda_areas = forms.MultipleChoiceField(
        label=_("Agenda areas"), widget=forms.CheckboxSelectMultiple, required=False
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), widget=forms.CheckboxSelectMultiple, required=False
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), widget=forms.CheckboxSelectMultiple, required=False
    )
    legal_status = forms.CharField(label=_("Legal status of the target group"), required=False)
    organisation = forms.ChoiceField(label=_("Implementing organisation"), required=False)
    partners = forms.MultipleChoiceField(label=_("Partners"), required=False)
    funding = forms.CharField(
        label=_("Funding: fund code | amount in euro | note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_LINES_HELP,
    )
    start = forms.CharField(label=_("Start (YYYY-MM-DD, YYYY-MM or YYYY)"), required=False)
    end = forms.CharField(label=_("End (empty while it runs)"), required=False)
    context = forms.CharField(
        label=_("Context"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    objectives = forms.CharField(
        label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    activities = forms.CharField(
        label=_("Activities"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    results = forms.CharField(
        label=_("Results"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evaluation = forms.CharField(
        label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence_level = forms.ChoiceField(label=_("Evidence level"))
    transferability = forms.CharField(
        label=_("Transferability"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it aims to move"), widget=forms.CheckboxSelectMultiple, required=False
    )
    links = forms.CharField(
        label=_("Links: title | URL"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_LINES_HELP,
    )
    contacts = forms.CharField(
        label=_("Public institutional contacts: name | e-mail | URL"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_LINES_HELP,
    )
    sources = forms.CharField(
        label=_("Sources: title | URL | publisher"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_LINES_HELP,
    )
    checked = forms.DateField(label=_("Sources checked on (YYYY-MM-DD)"), required=False)

    def __init__(self, *args: Any, practice: Practice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        f = self.fields
        for (name, lang), label in _TRANSLATION_LABELS.items():
            f[f"{name}_{lang}"] = (
                forms.CharField(label=label, required=False, max_length=300)
                if name == "title"
                else forms.CharField(
                    label=label, widget=forms.Textarea(attrs={"rows": 3}), required=False
                )
            )
        f["countries"].choices = [(c, f"{country_name(c)} ({c})") for c in COUNTRIES]  # type: ignore[attr-defined]
        f["level"].choices = _choices("level")  # type: ignore[attr-defined]
        f["agenda_areas"].choices = _choices("agenda_areas")  # type: ignore[attr-defined]
        f["themes"].choices = _choices("themes")  # type: ignore[attr-defined]
        f["target_groups"].choices = _choices("target_groups")  # type: ignore[attr-defined]
        f["evidence_level"].choices = _choices("evidence")  # type: ignore[attr-defined]
        cat = load_catalog()
        f["indicators"].choices = [(i, indicator_title(cat[i])) for i in cat]  # type: ignore[attr-defined]
        orgs = [(o.slug, o.name) for o in Organisation.objects.only("slug", "name")]
        f["organisation"].choices = [("", "—"), *orgs]  # type: ignore[attr-defined]
        f["partners"].choices = orgs  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, record: dict[str, Any]) -> dict[str, Any]:
        """Return the form's initial values for a content-format record."""
        init = {
            k: record.get(k, "")
            for k in (
                "title",
                "original_title",
                "language",
                "summary",
                "level",
                "legal_status",
                "organisation",
                "start",
                "end",
                "context",
                "objectives",
                "activities",
                "results",
                "evaluation",
                "evidence_level",
                "transferability",
                "checked",
            )
        }
        for k in ("countries", "agenda_areas", "themes", "target_groups", "partners", "indicators"):
            init[k] = record.get(k, [])
        init["regions"] = ", ".join(record.get("regions", []))
        init["cities"] = "\n".join(
            f"{c['name']} | {c['geo']} | {c.get('lau') or ''}" for c in record.get("cities", [])
        )
        init["funding"] = "\n".join(
            f"{x['fund']} | {'' if x.get('amount_eur') is None else x['amount_eur']} | "
            f"{x.get('note') or ''}"
            for x in record.get("funding", [])
        )
        init["links"] = "\n".join(f"{x['title']} | {x['url']}" for x in record.get("links", []))
        init["contacts"] = "\n".join(
            f"{x['name']} | {x.get('email') or ''} | {x.get('url') or ''}"
            for x in record.get("contacts", [])
        )
        init["sources"] = "\n".join(
            f"{x['title']} | {x['url']} | {x.get('publisher') or ''}"
            for x in record.get("sources", [])
        )
        for lang in TRANSLATION_LANGUAGES:
            tr = record.get("translations", {}).get(lang, {})
            for f in TRANSLATABLE_FIELDS:
                init[f"{f}_{lang}"] = tr.get(f, "")
        return init

    def main_fields(self) -> list[forms.BoundField]:
        """The record's own fields, in the form's order (translations apart)."""
        translated = {f"{f}_{lang}" for f, lang in _TRANSLATION_LABELS}
        return [self[name] for name in self.fields if name not in translated]

    def translation_groups(self) -> list[dict[str, Any]]:
        """Per language, its label, its fields and whether to show them open (a text in
        them, or an error)."""
        groups = []
        for lang in TRANSLATION_LANGUAGES:
            fields = [self[f"{f}_{lang}"] for f in TRANSLATABLE_FIELDS]
            groups.append(
                {
                    "lang": lang,
                    "label": _TRANSLATION_GROUPS[lang],
                    "fields": fields,
                    "open": any(bf.value() or bf.errors for bf in fields),
                }
            )
        return groups

    def _data(self) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            k: c.get(k) or None
            for k in (
                "title",
                "original_title",
                "language",
                "level",
                "legal_status",
                "organisation",
                "start",
                "end",
                "evidence_level",
                "checked",
            )
        }
        for k in (
            "summary",
            "context",
            "objectives",
            "activities",
            "results",
            "evaluation",
            "transferability",
        ):
            data[k] = c.get(k) or ""
        for k in ("countries", "agenda_areas", "themes", "target_groups", "partners", "indicators"):
            data[k] = list(c.get(k) or [])
        data["regions"] = [
            r.strip() for r in re.split(r"[,\s]+", c.get("regions") or "") if r.strip()
        ]
        data["cities"] = [
            {"name": p[0], "geo": _or_none(p, 1), "lau": _or_none(p, 2)}
            for p in _lines(c.get("cities") or "")
        ]
        funding = []
        for p in _lines(c.get("funding") or ""):
            amount: Any = _or_none(p, 1)
            # A number that does not parse stays text: the schema names the field.
            with contextlib.suppress(ValueError):
                amount = float(amount) if amount is not None else None
            funding.append({"fund": p[0], "amount_eur": amount, "note": _or_none(p, 2)})
        data["funding"] = funding
        data["links"] = [
            {"title": p[0], "url": _or_none(p, 1) or ""} for p in _lines(c.get("links") or "")
        ]
        data["contacts"] = [
            {"name": p[0], "email": _or_none(p, 1), "url": _or_none(p, 2)}
            for p in _lines(c.get("contacts") or "")
        ]
        data["sources"] = [
            {"title": p[0], "url": _or_none(p, 1) or "", "publisher": _or_none(p, 2)}
            for p in _lines(c.get("sources") or "")
        ]
        translations = {}
        for lang in TRANSLATION_LANGUAGES:
            tr = {f: c.get(f"{f}_{lang}") for f in TRANSLATABLE_FIELDS}
            tr = {f: v for f, v in tr.items() if v}
            if tr:
                translations[lang] = tr
        data["translations"] = translations
        data["id"] = self.practice.slug if self.practice else _new_slug(c.get("title") or "")
        return {k: v for k, v in data.items() if v is not None}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.record = PracticeRecord.model_validate(self._data(), context=validation_context())
        except PydanticValidationError as exc:
            for e in exc.errors():
                loc = [str(p) for p in e.get("loc", ())]
                field = loc[0] if loc else None
                if field == "translations" and len(loc) >= 3:
                    field = f"{loc[2]}_{loc[1]}"
                if field not in self.fields:
                    field = None
                msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
                where = f" (line {int(loc[1]) + 1})" if len(loc) > 1 and loc[1].isdigit() else ""
                self.add_error(field, msg + where)
        return cleaned


def _new_slug(title: str) -> str:
    base = slugify(title)[:80].strip("-") or "practice"
    base = re.sub(r"[^a-z0-9-]", "", base) or "practice"
    if len(base) < 3:
        base = f"practice-{base}"
    slug, n = base, 2
    while Practice.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_SCORES = [("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]


class StepForm(forms.Form):
    """A workflow step: the action, a comment, and the rubric for a reviewer's decision."""

    action = forms.CharField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    relevance = forms.ChoiceField(choices=_SCORES, required=False, label=_("Relevance"))
    stakeholder_involvement = forms.ChoiceField(
        choices=_SCORES, required=False, label=_("Stakeholder involvement")
    )
    transferability = forms.ChoiceField(choices=_SCORES, required=False, label=_("Transferability"))
    evidence = forms.ChoiceField(choices=_SCORES, required=False, label=_("Evidence"))

    def rubric_given(self) -> bool:
        return any(self.cleaned_data.get(c) for c in RUBRIC_CRITERIA)


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title of the document"), max_length=200)
    file = forms.FileField(label=_("File (PDF, PNG, JPEG, ODT, DOCX; at most 10 MB)"))
