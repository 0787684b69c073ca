"""Downloading a letter: the stored bytes, exactly as they were sent, to the case's parties."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required

from grants.core import access
from grants.core.files import display_name
from grants.extensions import db
from grants.funds import kinds
from grants.letters.models import Letter

bp = Blueprint("letters", __name__)


@bp.app_template_global("letter_part")
def letter_part(kind_code) -> str | None:
    """The template a letter's fund kind adds (``Kind.letter_part``), from the code the letter
    keeps; None for none, or for a letter without a kind (a text's preview)."""
    kind = kinds.REGISTRY.get(str(kind_code)) if kind_code else None
    return kind.letter_part if kind else None


@bp.get("/breve/<int:letter_id>/hent")
@login_required
def download(letter_id: int) -> Response:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        abort(404)
    access.require(current_user, "letter.download", letter)
    if letter.erased_at is not None:
        return erased_page(
            letter, back=url_for("applications.show", application_id=letter.application_id)
        )
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


def erased_page(letter: Letter, back: str | None = None):
    """What a deleted letter's address says instead of an empty file: that it was deleted,
    and when (410 Gone: it was here, and will not come back)."""
    from grants.letters.labels import kind_label

    response = Response(
        render_template(
            "letters/erased.html",
            document=kind_label(letter.kind),
            erased_at=letter.erased_at,
            sha256=letter.sha256,
            back=back,
        ),
        status=410,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/breve/brev.css")
def stylesheet() -> Response:
    """The letters' stylesheet, for the preview of a letter in the browser before a decision
    is confirmed (the PDF renderer reads the same file from the letters' assets)."""
    from flask import send_file

    from grants.letters.render import ASSETS_DIR

    response = send_file(ASSETS_DIR / "letter.css", mimetype="text/css", max_age=3600)
    return response
