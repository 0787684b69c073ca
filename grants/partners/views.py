"""The register of partner cities, public: who the municipality's partners are, and since
when. Administrators will maintain it in the app (the administration issue); until then it
is loaded with the demo data or by a migration of the municipality's own."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grants.core import clock
from grants.extensions import db
from grants.partners.models import PartnerCity, Relation

bp = Blueprint("partners", __name__)

RELATION_LABELS = {
    Relation.TWIN_CITY: _l("Venskabsby"),
    Relation.PARTNERSHIP: _l("Partnerskab"),
    Relation.OTHER: _l("Andet samarbejde"),
}


@bp.get("/partnerbyer")
def index():
    cities = db.session.scalars(
        select(PartnerCity).order_by(PartnerCity.valid_to.is_not(None), PartnerCity.name)
    ).all()
    today = clock.today()
    return render_template(
        "partners/index.html",
        current=[c for c in cities if c.is_partner_on(today)],
        former=[c for c in cities if not c.is_partner_on(today)],
        relations=RELATION_LABELS,
    )
