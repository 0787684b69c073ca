from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from grants.core import clock
from grants.core.commit import keep_writes
from grants.core.input import parse_id
from grants.core.refusals import refused_by_domain
from grants.core.security import safe_next
from grants.extensions import csrf, db
from grants.people import assurance, authentication, operations, sessions, two_factor
from grants.people.authentication import Identity, Refusal
from grants.people.forms import (
    CodeForm,
    PasswordChangeForm,
    RecoveryCodeForm,
    SecondFactorChangeForm,
    SignupCompleteForm,
    SignupForm,
)
from grants.people.models import Role, User

bp = Blueprint("people", __name__)


@bp.app_context_processor
def inject_roles() -> dict:
    """``Role`` in every template (the navigation asks ``current_user.has_role(Role.X)``)."""
    return {"Role": Role}


# Between the password and the code: who, since when, and where to go after.
PENDING = "pending_login"
PENDING_SECONDS = 5 * 60
# What an administrator without a second factor may still reach: the setting up itself,
# logging out, the language, and the pages that are everyone's.
WITHOUT_SECOND_FACTOR = {
    "people.two_factor_setup",
    "people.logout",
    "core.set_language",
    "core.accessibility",
    "core.healthz",
    "static",
}


def _ip() -> str:
    return request.remote_addr or "unknown"


def _lockout_message(until) -> str:
    return authentication.lockout(until).message


def _no_store(response):
    """Secrets and recovery codes are never kept by a browser's cache or a proxy."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def a_login_lasts_its_time():
    """A login ends after an idle hour, and after a working day whatever is done
    (``grants.people.sessions``): the person is sent to log in again, told why, and comes
    back to the page they asked for."""
    if "_user_id" not in session or request.endpoint in (None, "static"):
        return None
    ended = sessions.check()
    if ended is None:
        return None
    logout_user()
    _keep_only_the_language()
    flash(ended.message, "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("people.login", next=target))


@bp.before_app_request
def administrators_need_a_second_factor():
    """An administrator without a second factor (a new one, or one just given the role) is
    sent to set it up before anything else."""
    if request.endpoint in WITHOUT_SECOND_FACTOR or request.endpoint is None:
        return None
    if not current_user.is_authenticated or not two_factor.required(current_user):
        return None
    backend = authentication.current_backend()
    if backend is not None and not backend.second_factor:
        return None  # an identity provider asks for its own (MitID, the municipality's)
    if current_user.has_second_factor:
        return None
    return redirect(url_for("people.two_factor_setup"))


# -- logging in ----------------------------------------------------------------------------
# Every way of logging in is a backend (grants.people.authentication) that says who the person
# is; what follows (the second factor, the session, the audit, the redirect) is done here, the
# same for every backend.
NEXT = "login_next"


@bp.route("/log-ind", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    backends = authentication.enabled()
    with_form = next((backend for backend in backends if not backend.is_redirect), None)
    form = with_form.form_class() if with_form is not None else None
    if form is not None and form.validate_on_submit():
        answer = with_form.authenticate(request, form)
        if isinstance(answer, Identity):
            answer = _after_identity(with_form, answer, request.args.get("next"))
        if isinstance(answer, Refusal):
            form[answer.field or "password"].errors.append(answer.message)
        else:
            return answer
    status = 422 if form is not None and form.errors else 200
    redirects = [backend for backend in backends if backend.is_redirect]
    return render_template("people/login.html", form=form, redirects=redirects), status


def _redirect_backend(name: str) -> authentication.AuthenticationBackend:
    backend = authentication.get(name)
    if backend is None or not backend.is_redirect:
        abort(404)
    return backend


@bp.get("/log-ind/via/<backend>")
def login_start(backend: str):
    """Off to the identity provider of a redirect backend (OpenID Connect, SAML)."""
    chosen = _redirect_backend(backend)
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    session[NEXT] = safe_next(request.args.get("next"))
    return chosen.start()


# The identity provider posts back without this app's CSRF token: the backend binds its answer
# to the session itself (state, nonce, InResponseTo).
@csrf.exempt
@bp.route("/log-ind/via/<backend>/retur", methods=["GET", "POST"])
def login_return(backend: str):
    chosen = _redirect_backend(backend)
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    answer = chosen.authenticate(request)
    if isinstance(answer, Identity):
        answer = _after_identity(chosen, answer, session.pop(NEXT, None))
    if isinstance(answer, Refusal):
        flash(answer.message, "error")
        return redirect(url_for("people.login"))
    return answer


def _after_identity(backend, identity: Identity, target: str | None):
    """The steps after any backend said who the person is: their account, the app's second
    factor if the backend asks for it, then the session."""
    user = backend.account_for(identity)
    if user is None or not user.active:
        return Refusal(
            _(
                "Du er logget ind hos %(method)s, men har ingen konto her. Kontakt kommunen.",
                method=backend.label,
            )
        )
    if backend.second_factor and user.has_second_factor:
        session[PENDING] = {
            "user": user.get_id(),
            "at": clock.now().timestamp(),
            "next": target or "",
            "backend": backend.name,
        }
        two_factor.audit("login.code_asked", user, user)
        return redirect(url_for("people.login_code"))
    operations.logged_in(user, _ip())
    return _log_in(
        user,
        target,
        backend.name,
        identity.attributes.get(assurance.LEVEL_KEY),
        identity.attributes.get(assurance.CVR_KEY),
    )


def _log_in(user: User, target: str | None, backend: str, level=None, cvr=None):
    """The session of a person whose login is done; ``level`` and ``cvr`` are what an
    identity provider proved (the NSIS assurance level, a MitID Erhverv CVR number)."""
    session.pop(PENDING, None)
    _forget_the_login_prompt()
    login_user(user)
    sessions.begin()
    session["locale"] = user.locale
    session[authentication.SESSION_KEY] = backend
    assurance.remember(level, cvr)
    return redirect(safe_next(target))


def _forget_the_login_prompt() -> None:
    """Drop "Log ind for at se siden." if it is still waiting to be shown: it was flashed
    when a page asked for a login, and a login that did not show the login page (straight to
    MitID, or the form posted from elsewhere) would otherwise greet the person with it, in
    the language of before, once they are in."""
    from flask_babel import force_locale

    from grants.extensions import login_manager

    waiting = session.get("_flashes")
    if not waiting:
        return
    prompts = set()
    for language in current_app.config.get("LANGUAGES", ("da",)):
        with force_locale(language):
            prompts.add(str(login_manager.login_message))
    kept = [(category, message) for category, message in waiting if message not in prompts]
    if len(kept) != len(waiting):
        session["_flashes"] = kept


def _pending_user() -> User | None:
    """The person who gave the right password a moment ago and is asked for the code."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    at = pending.get("at")
    if not isinstance(at, (int, float)) or not 0 <= clock.now().timestamp() - at <= PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user_id, _dot, token = str(pending.get("user", "")).partition(".")
    user_number = parse_id(user_id)
    user = db.session.get(User, user_number) if user_number else None
    if user is None or user.session_token != token or not user.active:
        return None
    return user if user.has_second_factor else None


def _second_step(kind: str):
    """The code after the password: from the app ("totp") or a recovery code. A wrong code
    counts as a failed login (the same lockout), and is audited."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    user = _pending_user()
    if user is None:
        flash(_("Log ind igen."), "info")
        return redirect(url_for("people.login"))
    form = CodeForm() if kind == "totp" else RecoveryCodeForm()
    if form.validate_on_submit():
        ip = _ip()
        until = operations.locked_out(user.email, ip)
        if until is not None:
            form.code.errors.append(_lockout_message(until))
        else:
            if kind == "totp":
                result = two_factor.check_code(user, form.code.data)
            else:
                result = "ok" if two_factor.use_recovery_code(user, form.code.data) else "wrong"
            if result == "ok":
                left = two_factor.recovery_codes_left(user) if kind != "totp" else None
                two_factor.audit(
                    "login.code_accepted", user, user, method=kind, recovery_codes_left=left
                )
                operations.logged_in(user, ip)
                target = session[PENDING].get("next")
                backend = str(session[PENDING].get("backend") or "password")
                if left is not None:
                    flash(
                        _(
                            "Du har brugt en gendannelseskode og har %(left)d tilbage. Lav nye "
                            "under Totrinsbekræftelse, hvis du har mistet din telefon.",
                            left=left,
                        ),
                        "warning",
                    )
                return _log_in(user, target, backend)
            two_factor.audit("login.code_refused", user, user, method=kind, reason=result)
            operations.record_attempt(user.email, ip, user.id, False)
            if result == "replayed":
                form.code.errors.append(
                    _("Koden er allerede brugt. Vent på den næste kode i appen.")
                )
            elif kind == "totp":
                form.code.errors.append(_("Koden er forkert."))
            else:
                form.code.errors.append(_("Gendannelseskoden er forkert eller allerede brugt."))
    status = 422 if form.errors else 200
    template = "people/login_code.html" if kind == "totp" else "people/login_recovery.html"
    return render_template(template, form=form), status


@bp.route("/log-ind/kode", methods=["GET", "POST"])
def login_code():
    return _second_step("totp")


@bp.route("/log-ind/gendannelseskode", methods=["GET", "POST"])
def login_recovery():
    return _second_step("recovery_code")


@bp.post("/log-ud")
@login_required
def logout():
    backend = authentication.current_backend()
    user = current_user._get_current_object()
    # Logged in through an identity provider: logged out there too. The backend reads what it
    # needs for that (a SAML NameID and session index) before the session is emptied.
    at_provider = backend.end_session(user) if backend is not None else None
    end_app_session(user)
    flash(_("Du er logget ud."), "success")
    return at_provider or redirect(url_for("core.index"))


def end_app_session(user: User) -> None:
    """Log the person out of the app (also when their identity provider says so: SAML single
    logout). A new session token ends this session on the server too: a copy of the cookie
    (the session lives in a signed cookie) is worth nothing after logging out."""
    user.renew_session_token()
    logout_user()
    _keep_only_the_language()


def _keep_only_the_language() -> None:
    """Everything of the session goes but the language: "you are logged out" and the pages
    after it stay in the language the person chose."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


# -- signing up ----------------------------------------------------------------------------
@bp.route("/opret-konto", methods=["GET", "POST"])
def signup():
    """An account for people who apply on behalf of an association, school or institution.
    The answer is the same whether the address has an account or not."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        locale = session.get("locale") or str(get_locale() or "da")
        operations.request_signup(email, locale, (request.args.get("next") or "")[:500], ip=_ip())
        return render_template("people/signup_sent.html", email=email)
    status = 422 if form.errors else 200
    return render_template("people/signup.html", form=form), status


@bp.route("/opret-konto/<token>", methods=["GET", "POST"])
def signup_complete(token: str):
    """The link from the sign-up e-mail: the address is proven; choose a name and password."""
    signup_request = operations.read_signup_token(token)
    if signup_request is None:
        return render_template("people/signup_invalid.html"), 404
    if operations.account_exists(signup_request.email):
        return render_template("people/signup_invalid.html", exists=True)
    form = SignupCompleteForm()
    if form.validate_on_submit():
        with refused_by_domain(form, "password") as refusal:
            user = operations.create_account(signup_request, form.name.data, form.password.data)
        if not refusal:
            flash(_("Din konto er oprettet."), "success")
            target = signup_request.next_path or url_for("organisations.mine")
            return _log_in(user, target, authentication.PasswordBackend.name)
    status = 422 if form.errors else 200
    return render_template(
        "people/signup_complete.html", form=form, email=signup_request.email
    ), status


# -- the person's own account --------------------------------------------------------------
@bp.route("/konto/adgangskode", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every other session of the person. An account without a password
    (it logs in another way) gets none here: there is no current one to confirm it with."""
    if not current_user.has_password:
        return render_template("people/password.html", form=None)
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with refused_by_domain(form, "current") as refusal:
            operations.change_password(current_user, form.current.data, form.password.data)
        if not refusal:
            # This session goes on with the new token (the proxy itself must not be stored).
            login_user(current_user._get_current_object())
            flash(_("Din adgangskode er skiftet. Du er logget ud alle andre steder."), "success")
            return redirect(url_for("core.index"))
    status = 422 if form.errors else 200
    return render_template("people/password.html", form=form), status


@bp.get("/konto/totrinsbekraeftelse")
@login_required
def two_factor_settings(off_form=None, codes_form=None, status: int = 200):
    return render_template(
        "people/two_factor.html",
        off_form=off_form or SecondFactorChangeForm(prefix="off"),
        codes_form=codes_form or SecondFactorChangeForm(prefix="codes"),
        left=two_factor.recovery_codes_left(current_user),
        required=two_factor.required(current_user),
    ), status


@bp.route("/konto/totrinsbekraeftelse/saet-op", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Scan the QR code (or type the key), then give the app's first code."""
    if current_user.has_second_factor:
        return redirect(url_for("people.two_factor_settings"))
    secret = two_factor.pending_secret(current_user)
    keep_writes()  # the secret being set up is kept, so that a reload shows the same
    form = CodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm(current_user, form.code.data)
        if codes is not None:
            # The other sessions ended; this one goes on with the new token.
            login_user(current_user._get_current_object())
            return _no_store(render_template("people/recovery_codes.html", codes=codes, first=True))
        form.code.errors.append(
            _("Koden passer ikke. Skriv den kode, appen viser nu, og prøv igen.")
        )
    uri = two_factor.provisioning_uri(current_user, secret)
    page = render_template(
        "people/two_factor_setup.html",
        form=form,
        qr=two_factor.qr_svg(uri),
        key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=two_factor.required(current_user),
    )
    return _no_store((page, 422 if form.errors else 200))


def _password_and_code(form: SecondFactorChangeForm) -> bool:
    """The person's password and a code (or a recovery code): failures count as failed
    logins, so they are throttled the same way."""
    if not form.validate():
        return False
    ip = _ip()
    until = operations.locked_out(current_user.email, ip)
    if until is not None:
        form.password.errors.append(_lockout_message(until))
        return False
    if not current_user.check_password(form.password.data):
        form.password.errors.append(_("Adgangskoden er forkert."))
        reason = "wrong_password"
    else:
        verdict = two_factor.check_either(current_user, form.code.data)
        if verdict.ok:
            return True
        if verdict.reason == "replayed":
            form.code.errors.append(_("Koden er allerede brugt. Vent på den næste kode i appen."))
        else:
            form.code.errors.append(_("Koden er forkert."))
        reason = verdict.reason
    two_factor.audit("people.two_factor_change_refused", current_user, current_user, reason=reason)
    operations.record_attempt(current_user.email, ip, current_user.id, False)
    return False


@bp.post("/konto/totrinsbekraeftelse/gendannelseskoder")
@login_required
def two_factor_recovery_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("people.two_factor_settings"))
    form = SecondFactorChangeForm(prefix="codes")
    if not _password_and_code(form):
        return two_factor_settings(codes_form=form, status=422)
    codes = two_factor.renew_recovery_codes(current_user)
    return _no_store(render_template("people/recovery_codes.html", codes=codes, first=False))


@bp.post("/konto/totrinsbekraeftelse/slaa-fra")
@login_required
def two_factor_off():
    if not current_user.has_second_factor:
        return redirect(url_for("people.two_factor_settings"))
    form = SecondFactorChangeForm(prefix="off")
    if not _password_and_code(form):
        return two_factor_settings(off_form=form, status=422)
    two_factor.turn_off(current_user, current_user)
    if two_factor.required(current_user):
        flash(
            _("Totrinsbekræftelse er slået fra. Som administrator skal du sætte den op igen."),
            "warning",
        )
    else:
        flash(_("Totrinsbekræftelse er slået fra."), "success")
    return redirect(url_for("people.two_factor_settings"))
