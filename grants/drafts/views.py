"""The request side of drafts, used by the forms' own views (each checks who may fill its
form first): the JSON endpoint the page's script saves to as the person types, discarding a
draft, filling a form from its draft, and keeping what a refused form held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from grants.core import clock
from grants.core.commit import redo_even_if_refused
from grants.core.files import display_name
from grants.core.input import json_body
from grants.drafts import operations
from grants.drafts.models import FormDraft


def clock_time(moment: dt.datetime) -> str:
    """The time of day in the reader's time zone and form: "14.32" (Danish), "14:32"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(get_timezone() or dt.UTC)
    separator = "." if str(get_locale() or "da") == "da" else ":"
    return f"{local:%H}{separator}{local:%M}"


def saved_message(draft: FormDraft) -> str:
    return _("Kladde gemt kl. %(time)s", time=clock_time(draft.saved_at))


def autosave(user_id: int, form_key: str, allowed: Callable[[], Iterable[str]]) -> Response:
    """Save what the page's script sends, ``{"fields": {name: text}}``: only the form's own
    fields (``allowed()``) are kept, and a body over FORM_DRAFT_MAX_BYTES is refused (413)
    unread."""
    limit = current_app.config["FORM_DRAFT_MAX_BYTES"]
    if request.content_length is None or request.content_length > limit:
        abort(413 if request.content_length else 411)
    payload: Any = json_body()
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        abort(400)
    values = operations.kept_values(payload["fields"], allowed())
    draft = operations.save(user_id, form_key, values)
    return jsonify(saved_at=draft.saved_at.isoformat(), message=saved_message(draft))


def handle(
    user_id: int, form_key: str, allowed: Callable[[], Iterable[str]], back: str
) -> Response:
    """The draft endpoint of a form (whose view checked who may fill it in): JSON from the
    page's script saves the draft; the notice's button (a plain form) discards it."""
    if request.is_json:
        return autosave(user_id, form_key, allowed)
    if request.form.get("discard"):
        return discard(user_id, form_key, back)
    abort(400)


def discard(user_id: int, form_key: str, back: str) -> Response:
    """Throw the draft away and go back to the form, empty (or as last saved)."""
    if operations.discard(user_id, form_key):
        flash(_("Kladden er kasseret."), "success")
    return redirect(back)


def restore(user_id: int, form_key: str, *forms: Any) -> FormDraft | None:
    """Fill ``forms`` (WTForms forms, None skipped) from the person's draft of the form, if
    there is one; the draft, for the page's notice. Nothing typed is read as valid: the form
    checks it all when it is sent."""
    draft = operations.find(user_id, form_key)
    if draft is None:
        return None
    formdata = operations.as_formdata(draft)
    allowed = operations.draft_fields(*forms)
    for form in forms:
        if form is None:
            continue
        for field in form:
            if field.name in allowed:
                field.process(formdata)
                # A draft's amount may be "abc": shown as typed, refused only when sent.
                field.process_errors = []
    return draft


def keep_refused(user_id: int, form_key: str, *forms: Any) -> str:
    """A form refused for its errors: what it held is kept as the person's draft, even
    though the request's own writes are rolled back. What the page says about it."""
    allowed = operations.draft_fields(*forms)
    values = operations.from_formdata(request.form, allowed)
    redo_even_if_refused(lambda: operations.save(user_id, form_key, values))
    return _("Kladde gemt kl. %(time)s", time=clock_time(clock.now()))


def forget(user_id: int, form_key: str) -> None:
    """The form was saved or sent: its draft is no longer needed."""
    operations.discard(user_id, form_key)


def file_fields_to_choose_again(*forms: Any) -> None:
    """A refused form cannot give a chosen file back to the browser: say so beside each file
    field that had one, so nobody believes it was sent."""
    for form in forms:
        if form is None:
            continue
        for field in form:
            if field.type not in ("FileField", "MultipleFileField") or field.errors:
                continue
            data = field.data if isinstance(field.data, list) else [field.data]
            # The name as it would have been kept: no path, no control characters.
            names = [display_name(item.filename) for item in data if getattr(item, "filename", "")]
            if names:
                field.errors = [
                    *field.errors,
                    _(
                        "Vælg filen igen (%(names)s): en fil bliver ikke gemt, når formularen "
                        "har fejl.",
                        names=", ".join(names),
                    ),
                ]
