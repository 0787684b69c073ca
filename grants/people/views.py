from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from grants.core import clock
from grants.extensions import db
from grants.people import operations
from grants.people.forms import LoginForm, PasswordChangeForm
from grants.people.models import User
from grants.people.passwords import password_problems

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
        ip = request.remote_addr or "unknown"
        until = operations.locked_out(form.email.data.strip(), ip)
        if until is not None:
            minutes = max(1, int((until - clock.now()).total_seconds() // 60) + 1)
            form.password.errors.append(
                _("For mange forkerte forsøg. Prøv igen om %(minutes)d minutter.", minutes=minutes)
            )
        else:
            user = operations.authenticate(form.email.data, form.password.data, ip)
            if user is not None:
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


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every other session of the person."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Din nuværende adgangskode er forkert."))
        else:
            problems = password_problems(
                form.password.data, email=current_user.email, name=current_user.name
            )
            if problems:
                form.password.errors.extend(problems)
            else:
                current_user.set_password(form.password.data)
                # This session goes on with the new token (the proxy itself must not be stored).
                login_user(current_user._get_current_object())
                flash(
                    _("Din adgangskode er skiftet. Du er logget ud alle andre steder."), "success"
                )
                return redirect(url_for("core.index"))
    status = 422 if form.errors else 200
    return render_template("people/password.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # A new session token ends this session on the server too: a copy of the cookie (the
    # session lives in a signed cookie) is worth nothing after logging out.
    current_user.renew_session_token()
    logout_user()
    # Everything of the session goes but the language: "you are logged out" and the pages
    # after it stay in the language the person chose.
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("Du er logget ud."), "success")
    return redirect(url_for("core.index"))
