"""What every template may use beyond Flask's own: the roles (for the navigation), the
municipality's profile (for the header and footer) and whole-kroner amounts.

``create_app`` calls ``register(app)``.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from flask import Flask, g
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError

from grants.people.models import Role

_UNSET = object()


def current_municipality():
    """The municipality's profile, or None before one is loaded. Read once per request."""
    cached = g.get("_municipality", _UNSET)
    if cached is not _UNSET:
        return cached
    from grants.core.models import Municipality
    from grants.extensions import db

    try:
        municipality = db.session.scalar(db.select(Municipality).order_by(Municipality.id).limit(1))
    except SQLAlchemyError:
        # e.g. the error page of a failed transaction, or no tables yet before `flask db
        # upgrade`: the layout falls back to text
        db.session.rollback()
        municipality = None
    g._municipality = municipality
    return municipality


def whole_kroner(value: Decimal | float | None) -> str:
    """A round amount without øre: "100.000 kr." (Danish), "100,000 kr." (English)."""
    if value is None:
        return ""
    try:
        locale = str(get_locale() or "da")
    except RuntimeError:  # outside a request
        locale = "da"
    number = format_decimal(Decimal(str(value)), format="#,##0", locale=locale)
    return f"{number} kr."


def register(app: Flask) -> None:
    app.add_template_filter(whole_kroner, "whole_kroner")

    @app.context_processor
    def inject_layout_helpers() -> dict:
        return {"Role": Role, "current_municipality": current_municipality}
