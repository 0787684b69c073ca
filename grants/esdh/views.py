"""The case in the ESDH: what of it has been journalised, and the secretariat's button."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from grants.applications.views import CASE_PAGE_OPTIONS, get_application, render_case
from grants.core import access
from grants.core.refusals import refused_by_domain
from grants.esdh import adapters, operations

bp = Blueprint("esdh", __name__)

STATUSES = {
    "pending": _l("Venter"),
    "sent": _l("Sendt"),
    "failed": _l("Fejlede"),
}


@bp.app_context_processor
def _case_part():
    def esdh_part(application):
        user = current_user._get_current_object()  # once: the proxy looks it up each time
        if not user.is_authenticated or not access.may(user, "case.journalise", application):
            return None
        return {
            "rows": operations.journalisations_of(application),
            "configured": adapters.current() is not None,
            "kle": application.fund.kle_number,
            "statuses": STATUSES,
        }

    return {"esdh_part": esdh_part}


@bp.post("/ansoegninger/<int:application_id>/journaliser")
@login_required
def journalise(application_id: int):
    """Journalise every document of the case not yet in the ESDH (or all, again)."""
    application = get_application(application_id, CASE_PAGE_OPTIONS)
    access.require(current_user, "case.journalise", application)
    again = request.form.get("again") == "1"
    back = url_for("applications.show", application_id=application.id) + "#esdh-heading"
    with refused_by_domain(None) as refusal:
        rows = operations.journalise(
            application, operations.keys_of(application), current_user, again=again
        )
    if refusal:
        return render_case(get_application(application_id, CASE_PAGE_OPTIONS), status=422)
    if rows:
        flash(
            ngettext(
                "%(num)d dokument sendes til journalisering.",
                "%(num)d dokumenter sendes til journalisering.",
                len(rows),
            ),
            "success",
        )
    else:
        flash(_("Alle sagens dokumenter er allerede journaliseret."), "info")
    return redirect(back)
