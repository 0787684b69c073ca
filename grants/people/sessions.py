"""How long a login lasts: it ends after SESSION_IDLE_MINUTES without a request and, whatever
the person does, SESSION_MAX_HOURS after it began (docs/operations.md).

Flask's session cookie is signed, not stored: without these, a copied cookie or a browser
left open on a shared computer stayed logged in until logout or a change of password. Both
moments are kept in the session itself (the cookie), read by the request before anything
else (``grants.people.views``), so ending a session asks the database nothing.

The times are the machine's (``clock.real_now``), not the app's clock: a session lasts a
real hour however the demo's or a test's date is set. A form's text is kept as the person
types (grants.drafts), so a login that ends under a half-written form loses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, session
from flask_babel import ngettext

from grants.core import clock

SINCE = "_since"  # when the person logged in (seconds since the epoch)
SEEN = "_seen"  # the last request of the session, to the minute
# The last-seen moment is written again (a new cookie) at most this often: every request
# would send a new cookie, and a minute does not change when an hour has passed.
SEEN_EVERY = 60


def _now() -> float:
    return clock.real_now().timestamp()


def begin() -> None:
    """At login: the session's lifetime starts now."""
    now = _now()
    session[SINCE] = now
    session[SEEN] = now


@dataclass(frozen=True)
class Ended:
    """Why a session is over, said to the person on the login page."""

    message: str


def check() -> Ended | None:
    """For a request of a logged-in session: None while it lasts (and the last-seen moment
    kept), or why it has ended. A session from before these were kept starts counting now."""
    now = _now()
    config = current_app.config
    since = session.get(SINCE)
    seen = session.get(SEEN)
    if not isinstance(since, int | float) or not isinstance(seen, int | float):
        begin()
        return None
    hours = config["SESSION_MAX_HOURS"]
    if now - since > hours * 3600:
        return Ended(
            ngettext(
                "Du er logget ud, fordi du har været logget ind i mere end %(num)d time. "
                "Log ind igen.",
                "Du er logget ud, fordi du har været logget ind i mere end %(num)d timer. "
                "Log ind igen.",
                hours,
            )
        )
    minutes = config["SESSION_IDLE_MINUTES"]
    if now - seen > minutes * 60:
        return Ended(
            ngettext(
                "Du er logget ud, fordi du ikke har brugt siden i %(num)d minut. Log ind igen.",
                "Du er logget ud, fordi du ikke har brugt siden i %(num)d minutter. Log ind igen.",
                minutes,
            )
        )
    if now - seen >= SEEN_EVERY:
        session[SEEN] = now
    return None


def forget() -> None:
    """At logout, or when the session has ended: its moments go with it."""
    session.pop(SINCE, None)
    session.pop(SEEN, None)
