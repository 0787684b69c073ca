"""Logging in, with throttling: too many failures for an address, or from one network
address, lock further attempts out for a while. The counts live in the database, so they
hold across server processes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from grants.core import clock
from grants.extensions import db
from grants.people.models import LoginAttempt, User

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


def record_attempt(email: str, ip: str, user: User | None, succeeded: bool) -> None:
    """Keep the attempt. Committed at once, on purpose: a failed login ends the request with
    422, which rolls back, and the failure must count all the same."""
    db.session.add(
        LoginAttempt(
            email=email.lower()[:254],
            ip=ip[:64],
            succeeded=succeeded,
            user_id=user.id if user else None,
        )
    )
    db.session.commit()


def authenticate(email: str, password: str, ip: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = user is not None and user.active and user.check_password(password)
    record_attempt(email.strip(), ip, user, ok)
    return user if ok else None
