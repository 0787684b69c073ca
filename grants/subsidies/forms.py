"""The administrator's forms for a new version of a fund's rules: the form-based editor (its
fields come from the rule file's key tables, grants.subsidies.editor; this form carries the
CSRF token) and the import of a rule file, pasted or uploaded."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from grants.core.forms import Form

MAX_SOURCE = 50_000


class RuleEditorForm(Form):
    """The editor's fields are not WTForms fields (they follow the key tables); this checks
    the CSRF token."""


class RuleSetForm(Form):
    source = TextAreaField(
        _l("Reglerne (TOML)"),
        validators=[Optional(), Length(max=MAX_SOURCE)],
        description=_l(
            "Reglerne gemmes som en ny version; de tidligere versioner og de sager, der er "
            "beregnet efter dem, ændres ikke. Hver nøgle er beskrevet i docs/rules-format.md."
        ),
    )
    upload = FileField(
        _l("Eller hent reglerne fra en fil"),
        description=_l("En TOML-fil (.toml). Sendes en fil, bruges den i stedet for teksten."),
    )
