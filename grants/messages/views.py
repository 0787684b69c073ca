"""The thread on the case page: writing a message (or a request for information) and an
internal note. The case page shows the thread, the notes and the box of what the municipality
needs from the applicant through ``case_messages``, a template helper this blueprint
installs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants.applications.views import get_application, render_case
from grants.cases.models import Application
from grants.core import access
from grants.core.forms import Form
from grants.core.refusals import refused_by_domain
from grants.messages import operations
from grants.messages.forms import MessageForm, NoteForm

bp = Blueprint("messages", __name__)


@bp.app_context_processor
def inject_case_messages() -> dict:
    return {"case_messages": case_messages}


def case_messages(application: Application) -> dict | None:
    """What the case page shows of the thread to the person reading it."""
    # Once: each read through Flask-Login's proxy looks the user up again.
    user = current_user._get_current_object()
    if not access.signed_in(user) or not access.may(user, "case.read_messages", application):
        return None
    reads_notes = access.may(user, "case.read_notes", application)
    if reads_notes:
        thread, notes = operations.thread_and_notes(application)  # one query for both
    else:
        thread, notes = operations.thread(application), None
    acts_as_applicant = access.may(user, "case.act_as_applicant", application)
    # The applicant side's replies not yet read, marked for the secretariat handling it.
    unread = operations.unread_replies(application) if reads_notes else set()
    fresh = request.method in ("GET", "HEAD")
    can_post = access.may(user, "case.message", application)
    can_note = access.may(user, "case.write_note", application)
    return {
        "thread": thread,
        "notes": notes,
        "needed": operations.needed(application, thread) if acts_as_applicant else None,
        "open_request": operations.open_request(application, thread),
        "can_post": can_post,
        "can_request": can_post and not acts_as_applicant,
        "can_note": can_note,
        "unread": unread,
        "can_mark_read": bool(unread) and access.may(user, "case.mark_reply_read", application),
        # A form only where it is shown (each costs its fields and its CSRF token). On a
        # page asked for (fresh), the forms' fields are kept as rendered (_thread.html):
        # a bare form gives the CSRF token, the form itself is made only to draw them.
        "fresh": fresh,
        "form": (
            (Form(formdata=None) if fresh else g.get("message_form") or new_message_form())
            if can_post
            else None
        ),
        "note_form": (
            (Form(formdata=None) if fresh else g.get("note_form") or new_note_form())
            if can_note
            else None
        ),
        "new_form": new_message_form,
        "new_note_form": new_note_form,
    }


def new_message_form() -> MessageForm:
    return MessageForm(formdata=None)


def new_note_form() -> NoteForm:
    return NoteForm(formdata=None)


def _write(application_id: int, permission: str, refused: str, form, operation, done):
    """The thread's two forms: the case's page with the form's errors or the refusal, else
    back to the case where it was written. ``operation(application, form)`` writes it and
    returns the flash for what was done."""
    application = get_application(application_id)
    if not access.may(current_user, permission, application):
        flash(refused, "error")
        return render_case(application, status=403)
    if not form.validate():
        return render_case(application, status=422)
    with refused_by_domain(form, done[0]) as refusal:
        said = operation(application, form)
    if refusal:
        return render_case(get_application(application_id), status=refusal.status)
    flash(said, "success")
    return redirect(url_for("applications.show", application_id=application_id) + done[1])


@bp.post("/ansoegninger/<int:application_id>/beskeder")
@login_required
def post(application_id: int):
    """A message to the other side (the secretariat: or a request for information)."""
    g.message_form = form = MessageForm()

    def send(application: Application, form: MessageForm) -> str:
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
        if message.kind == operations.REQUEST:
            return _("Anmodningen om oplysninger er sendt til ansøgeren.")
        return _("Beskeden er sendt.")

    return _write(
        application_id,
        "case.message",
        _("Du kan ikke skrive beskeder i denne sag."),
        form,
        send,
        ("body", "#beskeder"),
    )


@bp.post("/ansoegninger/<int:application_id>/interne-notater")
@login_required
def add_note(application_id: int):
    """An internal note (staff only; offentlighedsloven § 23)."""
    g.note_form = form = NoteForm()

    def write(application: Application, form: NoteForm) -> str:
        operations.add_note(application, current_user, form.note.data or "")
        return _("Notatet er gemt i sagen.")

    return _write(
        application_id,
        "case.write_note",
        _("Du kan ikke skrive interne notater i denne sag."),
        form,
        write,
        ("note", "#notater"),
    )


@bp.post("/ansoegninger/<int:application_id>/beskeder/<int:message_id>/laest")
@login_required
def mark_read(application_id: int, message_id: int):
    """The secretariat marks the applicant side's reply read: the case leaves their task
    list if nothing else keeps it there."""
    application = get_application(application_id)
    if not access.may(current_user, "case.mark_reply_read", application):
        flash(_("Du kan ikke markere svar som læst i denne sag."), "error")
        return render_case(application, status=403)
    if not operations.is_message_of(application, message_id):
        abort(404)  # no message of this case: nothing to mark, as for any unknown id
    if operations.mark_read(application, message_id, current_user):
        flash(_("Svaret er markeret som læst."), "success")
    else:
        flash(_("Svaret er allerede læst."), "info")
    return redirect(
        url_for("applications.show", application_id=application_id) + f"#besked-{message_id}"
    )
