"""The thread's forms: a message (with files; the secretariat may make it a request for
information with a deadline) and an internal note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import Optional

from grants.core.forms import Form


class MessageForm(Form):
    body = TextAreaField(_l("Besked"))
    files = MultipleFileField(_l("Vedhæft filer (valgfrit)"))
    request = BooleanField(_l("Det er en anmodning om oplysninger med en svarfrist"))
    due_date = DateField(_l("Svarfrist"), [Optional()])


class NoteForm(Form):
    note = TextAreaField(_l("Internt notat"))
