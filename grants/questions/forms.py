"""A fund's own questions as WTForms fields, added to the application form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from grants.core.fields import AmountField
from grants.core.formatting import long_date, money
from grants.core.forms import Form
from grants.questions.models import FormVersion, Question, QuestionKind

YES_NO = [("ja", _l("Ja")), ("nej", _l("Nej"))]

KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Kort tekst"),
    QuestionKind.LONG_TEXT: _l("Lang tekst"),
    QuestionKind.NUMBER: _l("Tal"),
    QuestionKind.AMOUNT: _l("Beløb"),
    QuestionKind.YES_NO: _l("Ja/nej"),
    QuestionKind.CHOICE: _l("Valg mellem muligheder"),
    QuestionKind.DATE: _l("Dato"),
    QuestionKind.FILE: _l("Fil"),
}


def field_for(question: Question):
    label, hint = question.label, question.help_text or None
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return StringField(label, [Optional(), Length(max=300)], description=hint)
    if kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label, [Optional(), Length(max=5000)], description=hint)
    if kind == QuestionKind.NUMBER:
        return IntegerField(
            label,
            [Optional(), NumberRange(0, 1_000_000_000, _l("Skriv et tal fra 0 og op."))],
            description=hint,
        )
    if kind == QuestionKind.AMOUNT:
        return AmountField(label, description=hint)
    if kind == QuestionKind.YES_NO:
        return RadioField(label, [Optional()], choices=YES_NO, description=hint)
    if kind == QuestionKind.CHOICE:
        choices = [("", _l("Vælg"))] + [(c, c) for c in question.choices or []]
        return SelectField(label, [Optional()], choices=choices, description=hint)
    if kind == QuestionKind.DATE:
        return DateField(label, [Optional()], description=hint)
    return FileField(label, description=hint)


class QuestionsForm(Form):
    """The fund's questions of one form version; fields are named by the questions' keys."""

    class Meta:
        csrf = False  # part of the application form, which carries the token

    def validate_for_submission(self, answered_files=()) -> bool:
        ok = self.validate()
        for question in self.questions:
            field = self[question.key]
            if not question.required or field.errors:
                continue
            if question.kind == QuestionKind.FILE:
                empty = not getattr(field.data, "filename", "") and question.key not in (
                    answered_files or ()
                )
            else:
                empty = field.data in (None, "") or (
                    isinstance(field.data, str) and not field.data.strip()
                )
            if empty:
                field.errors.append(_l("Besvar spørgsmålet."))
                ok = False
        return ok

    def file_fields(self):
        return [q for q in self.questions if q.kind == QuestionKind.FILE]

    def answers(self) -> dict[str, str]:
        """The answers as text, by question key (files are stored apart)."""
        result = {}
        for question in self.questions:
            if question.kind == QuestionKind.FILE:
                continue
            value = self[question.key].data
            if value is None:
                value = ""
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            result[question.key] = str(value).strip()
        return result


def questions_form(version: FormVersion | None, answers: dict | None = None, fill: bool = False):
    """The form of a version's questions, or None when the fund asks nothing of its own.
    ``fill``: show the stored answers (on GET)."""
    if version is None or not version.questions:
        return None

    class VersionForm(QuestionsForm):
        pass

    for question in version.questions:
        setattr(VersionForm, question.key, field_for(question))
    data = _initial(version, answers or {}) if fill else None
    form = VersionForm(prefix="q", data=data)
    form.questions = list(version.questions)
    return form


def _initial(version: FormVersion, answers: dict) -> dict:
    data = {}
    for question in version.questions:
        value = answers.get(question.key)
        if value in (None, "") or question.kind == QuestionKind.FILE:
            continue
        if isinstance(value, dict):
            continue
        try:
            if question.kind == QuestionKind.DATE:
                value = dt.date.fromisoformat(value)
            elif question.kind == QuestionKind.AMOUNT:
                value = Decimal(value)
            elif question.kind == QuestionKind.NUMBER:
                value = int(value)
        except (ValueError, InvalidOperation):
            continue
        data[question.key] = value
    return data


def shown_answers(application) -> list[dict]:
    """The questions of the case's own form version with its answers, for the case page."""
    version = application.form_version
    if version is None:
        return []
    answers = application.answers or {}
    rows = []
    for question in version.questions:
        value = answers.get(question.key)
        row = {"label": question.label, "text": "", "attachment_id": None}
        if isinstance(value, dict):  # a file: {"attachment_id": .., "filename": ..}
            row["text"] = value.get("filename", "")
            row["attachment_id"] = value.get("attachment_id")
        elif value in (None, ""):
            row["text"] = ""
        elif question.kind == QuestionKind.YES_NO:
            row["text"] = str(dict(YES_NO).get(value, value))
        elif question.kind == QuestionKind.AMOUNT:
            row["text"] = money(Decimal(value))
        elif question.kind == QuestionKind.DATE:
            row["text"] = long_date(dt.date.fromisoformat(value))
        else:
            row["text"] = value
        rows.append(row)
    return rows
