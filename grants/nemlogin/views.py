"""NemLog-in's two addresses besides the login's return (grants.people.views): the service
provider's metadata, and single logout. Both are found only while "nemlogin" is switched on."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.core import security
from grants.nemlogin import logout as slo
from grants.nemlogin.backend import NAME, SLO_KEY
from grants.people.views import end_app_session

bp = Blueprint("nemlogin", __name__)
log = logging.getLogger(__name__)
# The logout form's answer may redirect to NemLog-in (single logout).
security.form_targets(slo.idp_logout_origins)


def _switched_on() -> None:
    if NAME not in current_app.config["AUTHENTICATION_BACKENDS"]:
        abort(404)


@bp.get("/nemlogin/metadata")
def metadata():
    """The service provider's metadata (signed), at a stable address, for registration with
    NemLog-in: its entity ID, certificate for signing and encryption, the login's return and
    the single logout address, and the attributes it asks for (docs/login.md)."""
    _switched_on()
    from grants.nemlogin.service_provider import metadata_xml

    return Response(metadata_xml(), mimetype="application/samlmetadata+xml")


@bp.get("/nemlogin/log-ud")
def logout():
    """Single logout: NemLog-in's answer to the app's LogoutRequest, or its own LogoutRequest
    (the person logged out elsewhere in the same MitID session). Never a server error: a
    message that cannot be read or is not signed by NemLog-in changes nothing."""
    _switched_on()
    args = request.args.to_dict()
    if "SAMLRequest" not in args and "SAMLResponse" not in args:
        abort(400)
    if not slo.signed_by_idp(args):
        log.warning("NemLog-in logout message refused: not signed by NemLog-in")
        flash(_("Beskeden om at logge ud kom ikke fra MitID og er ikke brugt."), "error")
        return redirect(url_for("core.index"))
    try:
        if "SAMLResponse" in args:
            # The app's own session ended before the request was sent.
            if not slo.read_logout_response(args):
                flash(
                    _("Du er logget ud her, men MitID kunne ikke logge dig ud alle steder."),
                    "warning",
                )
            return redirect(url_for("core.index"))
        logout_request = slo.read_logout_request(args)
    except Exception as error:  # noqa: BLE001  # pysaml2's many kinds: each is a refusal here
        log.warning("NemLog-in logout message refused: %s: %s", type(error).__name__, error)
        flash(_("Beskeden om at logge ud fra MitID kunne ikke læses."), "error")
        return redirect(url_for("core.index"))
    from flask import session

    known = session.get(SLO_KEY)
    name_id = logout_request.message.name_id
    if (
        current_user.is_authenticated
        and isinstance(known, dict)
        and name_id is not None
        and name_id.text == known.get("name_id")
    ):
        end_app_session(current_user._get_current_object())
        flash(_("Du er logget ud."), "success")
    return redirect(slo.logout_response(logout_request, args.get("RelayState", "")))
