"""Downloading a letter: the stored bytes, exactly as they were sent, to the case's parties."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from grants.core import access
from grants.core.files import display_name
from grants.extensions import db
from grants.letters.models import Letter

bp = Blueprint("letters", __name__)


@bp.get("/letters/<int:letter_id>/download")
@login_required
def download(letter_id: int) -> Response:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        abort(404)
    access.require(current_user, "letter.download", letter)
    # The stored bytes, never a fresh rendering: the applicant and the case file must see
    # the same letter, byte for byte, however often it is downloaded.
    response = Response(letter.pdf, mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "attachment", filename=display_name(letter.filename)
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A letter holds personal data: no shared caches, and no copy left behind in the browser.
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(letter.sha256)
    return response


@bp.get("/letters/letter.css")
def stylesheet() -> Response:
    """The letters' stylesheet, for the preview of a letter in the browser before a decision
    is confirmed (the PDF renderer reads the same file from the letters' assets)."""
    from flask import send_file

    from grants.letters.render import ASSETS_DIR

    response = send_file(ASSETS_DIR / "letter.css", mimetype="text/css", max_age=3600)
    return response
