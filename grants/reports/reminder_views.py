"""The reminders about the report in the app: the secretariat sees and changes which are
sent, when and to whom (ReminderSetting), runs them now, and reads the last runs and what
each sent (ReminderRun). The nightly command and job send by the same settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.core import access
from grants.extensions import db
from grants.reports import reminders
from grants.reports.models import ReminderLog, ReminderRun
from grants.reports.reminder_forms import ReminderSettingsForm

bp = Blueprint("reminders", __name__)

RUNS_SHOWN = 10


def _form_from_settings() -> ReminderSettingsForm:
    rules = reminders.settings()
    before, overdue = rules[reminders.BEFORE_DUE], rules[reminders.OVERDUE]
    return ReminderSettingsForm(
        formdata=None,
        before_due_active=before.active,
        before_due_days=before.days,
        before_due_recipients=before.recipients,
        overdue_active=overdue.active,
        overdue_days=overdue.days,
        overdue_recipients=overdue.recipients,
    )


def _page(form: ReminderSettingsForm, status: int = 200):
    runs = db.session.scalars(
        select(ReminderRun)
        .options(
            selectinload(ReminderRun.reminders).selectinload(ReminderLog.application),
            selectinload(ReminderRun.actor),
        )
        .order_by(ReminderRun.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    return render_template("reports/reminders.html", form=form, runs=runs), status


@bp.route("/paamindelser", methods=["GET", "POST"])
@login_required
def index():
    access.require(current_user, "reminders.manage")
    form = ReminderSettingsForm()
    if not form.is_submitted():
        return _page(_form_from_settings())
    if not form.validate():
        return _page(form, 422)
    reminders.save_settings(
        {
            reminders.BEFORE_DUE: (
                form.before_due_active.data,
                form.before_due_days.data,
                form.before_due_recipients.data,
            ),
            reminders.OVERDUE: (
                form.overdue_active.data,
                form.overdue_days.data,
                form.overdue_recipients.data,
            ),
        }
    )
    flash(_("Indstillingerne for påmindelser er gemt."), "success")
    return redirect(url_for("reminders.index"))


@bp.post("/paamindelser/koer")
@login_required
def run():
    """Run the reminders now, as the nightly command does (nothing is sent twice)."""
    access.require(current_user, "reminders.manage")
    sent = reminders.send_reminders(source="page", actor=current_user)
    flash(_("Påmindelserne er kørt: %(count)s påmindelse(r) sendt.", count=len(sent)), "success")
    return redirect(url_for("reminders.index"))
