"""The secure link to a letter (the e-mail that replaces Digital Post), the secretariat's
list of letters to print, and the letters' channels on the case page."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from grants.core import access
from grants.core.commit import keep_writes
from grants.core.refusals import refused_by_domain
from grants.delivery import operations
from grants.delivery.models import LetterDelivery
from grants.extensions import db

bp = Blueprint("delivery", __name__)


@bp.app_context_processor
def _case_part():
    def letter_deliveries(application):
        user = current_user._get_current_object()  # once: the proxy looks it up each time
        if not user.is_authenticated or not access.may(user, "delivery.view", application):
            return []
        # A delivery is of a letter: no letters (the case page loaded them), nothing sent.
        if not application.letters:
            return []
        return operations.deliveries_of(application)

    return {
        "letter_deliveries": letter_deliveries,
        "delivery_channels": operations.CHANNELS,
        "delivery_statuses": operations.STATUSES,
        "delivery_reasons": operations.REASONS,
    }


@bp.get("/brev/<token>")
def letter_by_link(token: str):
    """The letter, to whoever holds the link from the e-mail, until it expires."""
    delivery = operations.by_link(token)
    if delivery is None or delivery.letter.erased_at is not None:
        abort(404)
    if operations.expired(delivery):
        # Said in the language of the letter and its e-mail, unless the reader chose one.
        if "locale" not in session:
            g.url_locale = delivery.letter.language
            refresh()  # the locale may have been chosen already in this request
        return render_template("delivery/expired.html"), 410
    operations.opened(delivery)
    keep_writes()  # the first opening is written in the journal
    letter = delivery.letter
    response = send_file(
        io.BytesIO(letter.pdf),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=letter.filename,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/breve/til-print")
@login_required
def print_list():
    access.require(current_user, "delivery.print")
    return render_template("delivery/print_list.html", deliveries=operations.to_print())


@bp.post("/breve/til-print/<int:delivery_id>")
@login_required
def mark_printed(delivery_id: int):
    access.require(current_user, "delivery.print")
    delivery = db.get_or_404(LetterDelivery, delivery_id)
    with refused_by_domain(None, forbidden_aborts=True) as refusal:
        operations.mark_printed(delivery, current_user)
    if refusal:
        return render_template(
            "delivery/print_list.html", deliveries=operations.to_print()
        ), refusal.status
    flash(_("Brevet er markeret som printet og sendt."), "success")
    return redirect(url_for("delivery.print_list"))
