from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from grants.extensions import db
from grants.people.forms import LoginForm
from grants.people.models import User

bp = Blueprint("people", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == form.email.data.strip().lower())
        )
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("E-mail eller adgangskode er forkert."))
    status = 422 if form.errors else 200
    return render_template("people/login.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """An account for people who apply on behalf of an association, school or institution."""
    from grants.organisations.forms import SignupForm

    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
            form.email.errors.append(
                _("Der findes allerede en konto med denne e-mailadresse. Log ind i stedet.")
            )
        else:
            user = User(
                email=email, name=form.name.data.strip(), locale=session.get("locale", "da")
            )
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            login_user(user)
            flash(_("Din konto er oprettet."), "success")
            return redirect(
                _safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("organisations.mine")
            )
    status = 422 if form.errors else 200
    return render_template("people/signup.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Du er logget ud."), "success")
    return redirect(url_for("core.index"))
