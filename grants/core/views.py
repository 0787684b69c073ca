from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from grants.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("applications.mine"))
    return render_template("core/index.html")


@bp.get("/tilgaengelighed")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        db.session.rollback()
        database = False
    status = 200 if database else 503
    return jsonify(status="ok" if database else "error", database=database), status


@bp.post("/language")
def set_language():
    """Switch language; a logged-in person keeps the choice, and their mail follows it."""
    from flask import g

    from grants.core.models import offered_languages

    locale = request.form.get("locale", "da")
    if locale not in offered_languages():
        locale = "da"
    session["locale"] = locale
    if current_user.is_authenticated and current_user.locale != locale:
        current_user.locale = locale
        g.writes = True
    target = request.form.get("next") or url_for("core.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.index")
    return redirect(target)
