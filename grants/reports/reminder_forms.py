"""The reminders' settings form (the secretariat's page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from grants.core.forms import Form
from grants.reports.models import APPLICANT_ONLY, APPLICANT_SIDE

RECIPIENTS = [
    (APPLICANT_SIDE, _l("Ansøgeren og alle, der handler for organisationen")),
    (APPLICANT_ONLY, _l("Kun ansøgeren")),
]


class ReminderSettingsForm(Form):
    before_due_active = BooleanField(_l("Send påmindelsen før fristen"))
    before_due_days = IntegerField(
        _l("Antal dage før fristen (valgfrit)"),
        [Optional(), NumberRange(min=1, max=90)],
        description=_l("Tomt: hver puljes eget antal dage (sat under puljen, normalt 7)."),
    )
    before_due_recipients = SelectField(
        _l("Påmindelsen før fristen sendes til"), choices=RECIPIENTS
    )
    overdue_active = BooleanField(_l("Send påmindelsen, når fristen er overskredet"))
    overdue_days = IntegerField(
        _l("Antal dage efter fristen"),
        [NumberRange(min=1, max=90)],
        description=_l("1: dagen efter fristen."),
    )
    overdue_recipients = SelectField(_l("Påmindelsen efter fristen sendes til"), choices=RECIPIENTS)
