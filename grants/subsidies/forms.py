"""The administrator's form for a new version of a fund's rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from grants.core.forms import Form

MAX_SOURCE = 50_000


class RuleSetForm(Form):
    source = TextAreaField(
        _l("Reglerne (TOML)"),
        validators=[InputRequired(), Length(max=MAX_SOURCE)],
        description=_l(
            "Reglerne gemmes som en ny version; de tidligere versioner og de sager, der er "
            "beregnet efter dem, ændres ikke. Hver nøgle er beskrevet i docs/rules-format.md."
        ),
    )
