from __future__ import annotations

import functools

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from grants.core import address_language
from grants.core.forms import form_control, form_error, form_hint, hidden_input
from grants.core.locks import Busy, is_lock_timeout
from grants.core.security import page_to_get, safe_next
from grants.extensions import db

bp = Blueprint("core", __name__)
# A form field's control, hint and error messages, for macros/forms.html.
bp.add_app_template_global(form_control, "form_control")
bp.add_app_template_global(form_hint, "form_hint")
bp.add_app_template_global(form_error, "form_error")
bp.add_app_template_filter(hidden_input, "hidden_input")


@bp.get("/")
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # Each person starts on their own tasks (grants.desk).
        return redirect(url_for("desk.mine"))
    # The municipality, its funds and their figures: registered by the package that owns
    # them (grants.publication.front_page), so the core imports no domain.
    facts = current_app.extensions.get("grants.front_page", dict)()
    return render_template("core/index.html", **facts)


@bp.get("/tilgaengelighed")
def accessibility() -> ResponseReturnValue:
    return render_template("core/accessibility.html")


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The icon for what asks for /favicon.ico without reading the page's <link rel="icon">
    (feed readers, bookmarks, crawlers): the same SVG, cached for a day."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.svg",
        mimetype="image/svg+xml",
        max_age=24 * 3600,
    )


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers and its schema is the one this code was written for
    (a failed or wrong restore, or a release whose migrations did not run, is an error)."""
    try:
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        database = True
    except SQLAlchemyError:
        db.session.rollback()
        version, database = None, False
    schema = database and version == _code_version()
    status = 200 if schema else 503
    return jsonify(status="ok" if schema else "error", database=database, schema=schema), status


@functools.cache
def _code_version() -> str:
    from grants.core.backup import code_version

    return code_version()


@bp.post("/sprog")
def set_language() -> ResponseReturnValue:
    """Switch language; a logged-in person keeps the choice, and their mail follows it."""

    from grants.core.models import offered_languages

    locale = request.form.get("locale", "da")
    if locale not in offered_languages():
        locale = "da"
    session["locale"] = locale
    if current_user.is_authenticated and current_user.locale != locale:
        current_user.locale = locale
    # The page the switch was on; a page drawn as the answer to a form (a step sent back with
    # errors) has an address that answers only the form: the nearest page above it instead.
    return redirect(page_to_get(safe_next(request.form.get("next"))))


# Error pages in the app's own layout and language (skip link, landmarks, the footer's link to
# the accessibility statement) instead of the server's bare English page.
ERROR_TEXTS = {
    400: (
        _l("Forespørgslen kunne ikke bruges"),
        _l(
            "Siden fik noget, den ikke kunne bruge, fx en formular, der var udløbet. "
            "Gå tilbage, og prøv igen."
        ),
    ),
    403: (
        _l("Du har ikke adgang til siden"),
        _l("Siden er der, men du har ikke adgang til den med den rolle, du er logget ind med."),
    ),
    404: (
        _l("Siden findes ikke"),
        _l("Siden findes ikke, eller den er flyttet. Tjek adressen, eller gå til forsiden."),
    ),
    405: (
        _l("Siden kan ikke bruges sådan"),
        _l("Siden kan ikke bruges på den måde. Gå tilbage, og prøv igen."),
    ),
    413: (
        _l("Filen er for stor"),
        _l("Det, du sendte, er for stort. Vedhæft en mindre fil, og prøv igen."),
    ),
    500: (
        _l("Der skete en fejl"),
        _l("Der skete en fejl hos os. Prøv igen om lidt, og skriv til os, hvis det bliver ved."),
    ),
}


@bp.app_errorhandler(Busy)
@bp.app_errorhandler(OperationalError)
def busy_page(error: Exception) -> ResponseReturnValue:
    """A lock not had in time (BUDGET_LOCK_TIMEOUT) where no view said so itself: the
    request is rolled back and the person asked to try again, in their language (503 with
    Retry-After), never a 500. Any other database error is the server error it was."""
    if isinstance(error, OperationalError) and not is_lock_timeout(error):
        raise error
    db.session.rollback()  # PostgreSQL takes no statement in a failed transaction
    response = make_response(
        render_template(
            "core/error.html",
            code=503,
            title=_("Prøv igen om lidt"),
            text=(
                error.message
                if isinstance(error, Busy)
                else _(
                    "Det, du ville ændre, bliver ændret af en anden lige nu. Intet er ændret. "
                    "Prøv igen om lidt."
                )
            ),
            **address_language.for_error_page(),
        ),
        503,
    )
    response.headers["Retry-After"] = "5"
    return response


@bp.app_errorhandler(HTTPException)
def error_page(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error
    title, text = ERROR_TEXTS.get(error.code, (None, None))
    if title is None:
        title, text = ERROR_TEXTS[500 if error.code >= 500 else 400]
    # Without a session, the language switch is a link (the form's CSRF token would start a
    # session): a reader's browser asks for /favicon.ico and the like, and a cookie from that
    # 404 would make every public page after it bypass the shared cache (publication.caching).
    return render_template(
        "core/error.html",
        code=error.code,
        title=title,
        text=text,
        **address_language.for_error_page(),
    ), error.code
