"""The thread's forms: a message (with files; the secretariat may make it a request for
information with a deadline) and an internal note."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import Optional, ValidationError

from grants.core import clock
from grants.core.forms import Form
from grants.workflow.forms import StepForm

# The deadline a request for information is given unless the caseworker chooses another,
# and the latest one it may be given.
REQUEST_DAYS = 14
LONGEST_DEADLINE_DAYS = 365


def deadline_problem(due_date: dt.date) -> str | None:
    """What is wrong with a request's deadline, or None: it lies after today and at most a
    year ahead."""
    today = clock.today()
    if due_date <= today:
        return _("Fristen skal ligge efter i dag.")
    if due_date > today + dt.timedelta(days=LONGEST_DEADLINE_DAYS):
        return _("Fristen kan højst ligge et år frem.")
    return None


class MessageForm(Form):
    body = TextAreaField(_l("Besked"))
    files = MultipleFileField(_l("Vedhæft filer (valgfrit)"))
    request = BooleanField(_l("Det er en anmodning om oplysninger med en svarfrist"))
    due_date = DateField(_l("Svarfrist"), [Optional()])


class NoteForm(Form):
    note = TextAreaField(_l("Internt notat"))


def default_deadline() -> dt.date:
    """A request's deadline when the caseworker chooses none: ``REQUEST_DAYS`` from today."""
    return clock.today() + dt.timedelta(days=REQUEST_DAYS)


class InformationRequestForm(StepForm):
    """The request for information as a step on the route (``request_information``): the
    comment is the request, and the applicant answers by the deadline chosen here (as a
    message's request has one)."""

    DEFAULT_DAYS = REQUEST_DAYS
    due_date = DateField(_l("Svarfrist"), [Optional()], default=default_deadline)

    def validate_due_date(self, field: DateField) -> None:
        problem = deadline_problem(field.data) if field.data is not None else None
        if problem:
            raise ValidationError(problem)

    def facts(self) -> dict:
        return {"due_date": self.due_date.data}
