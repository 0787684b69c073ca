"""The administrator's page for API tokens: issue (shown once), list, revoke."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from grants.administration.views import require_admin
from grants.api import tokens
from grants.api.forms import SCOPE_LABELS, TokenForm
from grants.api.models import ApiToken
from grants.core import clock
from grants.core.refusals import refused_by_domain
from grants.extensions import db
from grants.people.models import User

bp = Blueprint("api_tokens", __name__, url_prefix="/administration/api-noegler")


# The administrator's, like every page under /administration.
bp.before_request(require_admin)


def _page(form, status: int = 200, issued=None, shown=None):
    api_tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template(
        "api/tokens.html",
        form=form,
        api_tokens=api_tokens,
        scope_labels=SCOPE_LABELS,
        today=clock.today(),
        issued=issued,
        secret=shown,
    ), status


def _people():
    return db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name, User.id)
    ).all()


@bp.route("/", methods=["GET", "POST"])
def index():
    form = TokenForm(people=_people())
    if request.method == "POST":
        if form.validate():
            owner = db.session.get(User, form.owner.data)
            with refused_by_domain(form) as refusal:
                token, secret = tokens.issue(
                    form.name.data, form.scope.data, form.expires_on.data, owner
                )
            if not refusal:
                page, status = _page(TokenForm(formdata=None, people=_people()), 200, token, secret)
                response = make_response(page, status)
                response.headers["Cache-Control"] = "no-store"  # the secret, shown once
                return response
        return _page(form, 422)
    return _page(form)


@bp.post("/<int:token_id>/tilbagekald")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    tokens.revoke(token)
    flash(_("Nøglen %(name)s er tilbagekaldt.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
