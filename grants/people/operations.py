"""Logging in, with throttling: too many failures for an address, or from one network
address, lock further attempts out for a while. The counts live in the database, so they
hold across server processes.

Whether an address has an account must not show: a failed login answers the same, and does
the same work (one password hash checked, one attempt recorded), for a known address and an
unknown one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from grants.core import clock, events
from grants.core.errors import DomainError
from grants.extensions import db
from grants.people.models import LoginAttempt, SignupMail, User
from grants.people.passwords import password_problems
from grants.people.signals import signup_for_known_address, signup_requested

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def locked_out(email: str, ip: str) -> dt.datetime | None:
    """Until when attempts for ``email`` (or from ``ip``) are refused; None if they are not."""
    since = clock.now() - WINDOW
    failures = select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
    )
    by_account = db.session.execute(failures.where(LoginAttempt.email == email.lower())).one()
    by_address = db.session.execute(failures.where(LoginAttempt.ip == ip)).one()
    for (count, last), limit in (
        (by_account, MAX_FAILURES_PER_ACCOUNT),
        (by_address, MAX_FAILURES_PER_ADDRESS),
    ):
        if count >= limit and last is not None:
            if last.tzinfo is None:
                last = last.replace(tzinfo=dt.UTC)
            return last + WINDOW
    return None


def record_attempt(email: str, ip: str, user_id: int | None, succeeded: bool) -> None:
    """Keep the attempt. Committed at once, on purpose: a failed login ends the request with
    422, which rolls back, and the failure must count all the same."""
    db.session.add(
        LoginAttempt(
            email=email.lower()[:254],
            ip=ip[:64],
            succeeded=succeeded,
            user_id=user_id,
        )
    )
    db.session.commit()


def _dummy_hash() -> str:
    """A hash made the way the app makes them (same method, same cost), to check an unknown
    address's password against: a failure then takes as long as for a known address."""
    from grants.people import models

    cache = current_app.extensions.setdefault("people", {})
    if "dummy_hash" not in cache:
        import secrets

        cache["dummy_hash"] = models.generate_password_hash(secrets.token_urlsafe(16))
    return cache["dummy_hash"]


def check_password(email: str, password: str, ip: str) -> User | None:
    """The person whose address and password these are, or None; a failure is recorded.
    The success is recorded by ``logged_in``, once any second factor is given as well."""
    # Made (once per process) before the look-up, so that the first login of a process
    # costs the same whether its address is known or not.
    stand_in = _dummy_hash()
    row = db.session.execute(
        select(User.id, User.password_hash, User.active).where(
            func.lower(User.email) == email.strip().lower()
        )
    ).first()
    # An account without a password (it logs in another way) is checked against the stand-in
    # too: refused with the same answer after the same work as a wrong password.
    has_password = row is not None and row.password_hash is not None
    matched = check_password_hash(row.password_hash if has_password else stand_in, password)
    if not has_password or not row.active or not matched:
        record_attempt(email.strip(), ip, row.id if row else None, False)
        return None
    return db.session.get(User, row.id)


def logged_in(user: User, ip: str) -> None:
    record_attempt(user.email, ip, user.id, True)


# -- signing up ----------------------------------------------------------------------------
# A sign-up proves the address first: the form takes only the address, and the link sent
# there leads to the page where the person chooses a name and a password. So nobody gets an
# account in someone else's name, and nobody can squat an address before its owner comes.
# The answer on the page is the same whether the address has an account or not; the e-mail
# differs (a known address is told that it already has one), but only its owner reads it.
SIGNUP_HOURS = 24
# The sign-up sends an e-mail to any address typed, without a login: at most this many an
# hour to one address, and from one network address, so that nobody can flood an inbox or
# make the municipality's mail server send to address after address.
SIGNUP_MAIL_WINDOW = dt.timedelta(hours=1)
MAX_SIGNUP_MAILS_PER_ADDRESS = 3
MAX_SIGNUP_MAILS_PER_NETWORK_ADDRESS = 20


def _signup_tokens() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="people.signup")


def forget_old_signup_mails() -> int:
    """The sign-up e-mails counted for the limits (an address and a network address each)
    are forgotten once they are older than the window they count in; how many went."""
    since = clock.now() - SIGNUP_MAIL_WINDOW
    result = db.session.execute(delete(SignupMail).where(SignupMail.at < since))
    return int(getattr(result, "rowcount", 0) or 0)


def _may_send_signup_mail(email: str, ip: str) -> bool:
    """Whether another sign-up e-mail may go to ``email`` for ``ip`` now; if so, it is
    counted. What is older than the window is forgotten."""
    now = clock.now()
    since = now - SIGNUP_MAIL_WINDOW
    forget_old_signup_mails()
    address = email.lower()[:254]
    ip = ip[:64]
    sent = select(func.count()).select_from(SignupMail).where(SignupMail.at >= since)
    if (
        db.session.scalar(sent.where(SignupMail.email == address)) >= MAX_SIGNUP_MAILS_PER_ADDRESS
        or db.session.scalar(sent.where(SignupMail.ip == ip))
        >= MAX_SIGNUP_MAILS_PER_NETWORK_ADDRESS
    ):
        return False
    db.session.add(SignupMail(email=address, ip=ip, at=now))
    return True


def request_signup(email: str, locale: str, next_path: str = "", ip: str = "") -> None:
    """Send the link that goes on with the sign-up, or, if the address has an account, an
    e-mail saying so (``grants.people.signals``: the notifications queue them). Both are
    queued the same way: the answer takes as long either way. Past the hour's limit for the
    address or for the network address (``ip``) nothing is sent, and the answer is the same."""
    email = email.strip()
    if not _may_send_signup_mail(email, ip or "unknown"):
        return
    row = db.session.execute(
        select(User.id, User.email, User.locale).where(func.lower(User.email) == email.lower())
    ).first()
    if row is not None:
        recipient = SimpleNamespace(id=row.id, email=row.email, locale=row.locale, name="")
        events.send(
            signup_for_known_address,
            recipient,
            login_url=url_for("people.login", _external=True),
            contact=_contact_address(),
        )
        return
    token = _signup_tokens().dumps(
        {"e": email, "n": next_path or "", "t": int(clock.now().timestamp()), "l": locale}
    )
    recipient = SimpleNamespace(id=None, email=email, locale=locale, name="")
    events.send(
        signup_requested,
        recipient,
        link=url_for("people.signup_complete", token=token, _external=True),
        hours=SIGNUP_HOURS,
    )


@dataclass
class SignupRequest:
    email: str
    next_path: str
    locale: str


def read_signup_token(token: str) -> SignupRequest | None:
    """The sign-up a link goes on with, or None if the link is not ours or is too old."""
    try:
        data = _signup_tokens().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        return None
    issued = data.get("t")
    if not isinstance(issued, int):
        return None
    age = clock.now().timestamp() - issued
    if not -300 <= age <= SIGNUP_HOURS * 3600:
        return None
    locale = data.get("l") if data.get("l") in current_app.config["LANGUAGES"] else "da"
    return SignupRequest(email=data["e"], next_path=str(data.get("n") or ""), locale=locale)


def account_exists(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower()))
        is not None
    )


class PasswordRefused(DomainError):
    """The chosen password breaks the rules (``grants.people.passwords``); ``problems`` gives
    every reason, each in words a person can act on."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(str(problems[0]), field="password")
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return list(self.problems)


def _check_new_password(password: str, *, email: str, name: str) -> None:
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise PasswordRefused(problems)


def create_account(signup: SignupRequest, name: str, password: str) -> User:
    """The account of a proven sign-up, with the password chosen (checked against the rules:
    ``PasswordRefused``). An address that has an account meanwhile gets no second one (the
    unique address refuses it). Nothing commits."""
    name = name.strip()
    _check_new_password(password, email=signup.email, name=name)
    user = User(email=signup.email, name=name, locale=signup.locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """A new password, confirmed with the current one; every other session ends (a new session
    token). An account without a password gets none this way: there is nothing to confirm it
    with (docs/authentication.md). Nothing commits."""
    if not user.check_password(current):
        raise DomainError(_("Din nuværende adgangskode er forkert."), field="current")
    _check_new_password(new, email=user.email, name=user.name)
    user.set_password(new)


def _contact_address() -> str:
    from grants.core.models import Municipality

    try:
        return Municipality.current().email or ""
    except LookupError:
        return ""


def set_manager(employee: User, manager: User | None, actor: User | None) -> bool:
    """The employee's own manager is now ``manager`` (None: none registered). A manager is
    an active person with the manager's role, never the employee themselves. Tells the
    packages above (``signals.manager_changed``): the cases that wait for the manager's
    step go to the new one. Whether it changed."""
    from grants.people.models import Role
    from grants.people.signals import manager_changed

    if manager is not None and (
        manager.id == employee.id or not manager.active or not manager.has_role(Role.MANAGER)
    ):
        raise DomainError(_("Vælg en aktiv leder, som ikke er personen selv."), field="manager_id")
    old = employee.manager
    if (old.id if old else None) == (manager.id if manager else None):
        return False
    employee.manager = manager
    db.session.flush()
    events.send(manager_changed, employee, old=old, new=manager, actor=actor)
    return True
