"""The thread on the case page: writing a message (or a request for information) and an
internal note. The case page shows the thread, the notes and the box of what the municipality
needs from the applicant through ``case_messages``, a template helper this blueprint
installs."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants.applications.views import get_application, render_case
from grants.cases.models import Application
from grants.core import access
from grants.core.refusals import refused_by_domain
from grants.messages import operations
from grants.messages.forms import MessageForm, NoteForm

bp = Blueprint("messages", __name__)


@bp.app_context_processor
def inject_case_messages() -> dict:
    return {"case_messages": case_messages}


def case_messages(application: Application) -> dict | None:
    """What the case page shows of the thread to the person reading it."""
    if not access.signed_in(current_user) or not access.may(
        current_user, "case.read_messages", application
    ):
        return None
    reads_notes = access.may(current_user, "case.read_notes", application)
    return {
        "thread": operations.thread(application),
        "notes": operations.notes(application) if reads_notes else None,
        "needed": operations.needed(application)
        if access.may(current_user, "case.act_as_applicant", application)
        else None,
        "open_request": operations.open_request(application),
        "can_post": access.may(current_user, "case.message", application),
        "can_request": access.may(current_user, "case.message", application)
        and not access.may(current_user, "case.act_as_applicant", application),
        "can_note": access.may(current_user, "case.write_note", application),
        "form": g.get("message_form") or MessageForm(formdata=None),
        "note_form": g.get("note_form") or NoteForm(formdata=None),
    }


@bp.post("/ansoegninger/<int:application_id>/beskeder")
@login_required
def post(application_id: int):
    """A message to the other side (the secretariat: or a request for information)."""
    application = get_application(application_id)
    if not access.may(current_user, "case.message", application):
        flash(_("Du kan ikke skrive beskeder i denne sag."), "error")
        return render_case(application, status=403)
    form = MessageForm()
    g.message_form = form
    if not form.validate():
        return render_case(application, status=422)
    with refused_by_domain(form, "body") as refusal:
        checked = operations.check_files(
            (upload.filename or "", upload.read()) for upload in (form.files.data or []) if upload
        )
        message = operations.post_message(
            application,
            current_user,
            form.body.data or "",
            checked,
            request=bool(form.request.data),
            due_date=form.due_date.data,
        )
    if refusal:
        return render_case(get_application(application_id), status=refusal.status)
    if message.kind == operations.REQUEST:
        flash(_("Anmodningen om oplysninger er sendt til ansøgeren."), "success")
    else:
        flash(_("Beskeden er sendt."), "success")
    return redirect(url_for("applications.show", application_id=application_id) + "#beskeder")


@bp.post("/ansoegninger/<int:application_id>/interne-notater")
@login_required
def add_note(application_id: int):
    """An internal note (staff only; offentlighedsloven § 23)."""
    application = get_application(application_id)
    if not access.may(current_user, "case.write_note", application):
        flash(_("Du kan ikke skrive interne notater i denne sag."), "error")
        return render_case(application, status=403)
    form = NoteForm()
    g.note_form = form
    if not form.validate():
        return render_case(application, status=422)
    with refused_by_domain(form, "note") as refusal:
        operations.add_note(application, current_user, form.note.data or "")
    if refusal:
        return render_case(get_application(application_id), status=refusal.status)
    flash(_("Notatet er gemt i sagen."), "success")
    return redirect(url_for("applications.show", application_id=application_id) + "#notater")
