"""The form of a plain step on the route: a comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from grants.core.forms import Form

LONG = 5000


class StepForm(Form):
    """A step on the route: a comment, required where the route says so."""

    comment = TextAreaField(_l("Kommentar"), [Optional(), Length(max=LONG)])

    def facts(self) -> dict:
        """What the step's effect is given besides the comment (``Action.effect``): a form
        with fields of its own says them here."""
        return {}
