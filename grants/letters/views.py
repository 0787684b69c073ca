"""Downloading a letter: the stored bytes, exactly as they were sent, to the case's parties."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.core import access, address_language, qr
from grants.core.files import content_disposition
from grants.core.security import serves_a_file
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


@bp.app_template_filter("qr_svg")
def qr_svg(url: str) -> Markup:
    """``url`` as a QR code for a letter (grants.core.qr)."""
    return qr.qr_svg(url, scale=2)


@bp.get("/breve/<int:letter_id>/hent")
@login_required
@serves_a_file
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
    # The one way the app names a download (RFC 6266): "filename*" keeps æøå and spaces.
    response.headers["Content-Disposition"] = content_disposition(letter.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A letter holds personal data: no shared caches, and no copy left behind in the browser.
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(letter.sha256)
    return response


def erased_page(letter: Letter, back: str | None = None):
    """What a deleted letter's address says instead of an empty file: that it was deleted,
    and when (410 Gone: it was here, and will not come back)."""
    from grants.letters.kinds import kind_label

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


# The verification pages take their language from the address (the QR code of an English
# letter carries ``?sprog=en``), so a reader without a session gets no cookie.
address_language.install(bp, {"letters.verify_form", "letters.verify"})


@bp.get("/bekraeft-brev")
def verify_form():
    """The public page where a letter's code is typed; a valid code leads to its answer."""
    from grants.letters.forms import VerifyForm
    from grants.letters.verification import normalise, shown

    form = VerifyForm(request.args)
    status = 200
    if "code" in request.args:
        if form.validate():
            code = shown(normalise(form.code.data))
            return redirect(url_for("letters.verify", code=code))
        status = 422
    page = render_template("letters/verify.html", form=form, letter=None)
    return _public(page, status)


@bp.get("/bekraeft-brev/<code>")
def verify(code: str):
    """Whether a letter with ``code`` was issued, when, by which authority, and whether a
    later decision replaced it: nothing else of the case (no names, no amounts). Anyone
    may ask; an unknown code is a 404 that says only that."""
    from grants.letters.forms import VerifyForm
    from grants.letters.verification import find

    letter = find(code)
    form = VerifyForm(data={"code": code})
    if letter is None:
        page = render_template("letters/verify.html", form=form, letter=None, unknown=True)
        return _public(page, 404)
    page = render_template("letters/verify.html", form=form, letter=_verified(letter))
    return _public(page, 200)


def _verified(letter: Letter) -> dict:
    """What the verification page says of a letter: nothing else of its case."""
    from grants.core.models import Municipality
    from grants.letters.kinds import kind_label
    from grants.letters.verification import shown

    return {
        "code": shown(letter.verification_code),
        "kind": kind_label(letter.kind),
        "issued_at": letter.created_at,
        "authority": Municipality.current().name,
        # The day the later decision's letter replaced it.
        "replaced_on": letter.replaced_at if letter.replaced_by_id is not None else None,
        "sha256": letter.sha256,
    }


def _public(page: str, status: int) -> Response:
    response = Response(page, status=status)
    # The code is the key to the answer: not cached by others, not sent on as a Referer,
    # not indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/breve/brev.css")
def stylesheet() -> Response:
    """The letters' stylesheet, for the preview of a letter in the browser before a decision
    is confirmed (the PDF renderer reads the same file from the letters' assets)."""
    from flask import send_file

    from grants.letters.render import ASSETS_DIR

    response = send_file(ASSETS_DIR / "letter.css", mimetype="text/css", max_age=3600)
    return response
