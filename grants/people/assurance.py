"""How sure the app is of who the signed-in person is, and for which organisation they act.

NSIS (the Danish National Standard for Identity Assurance) names three assurance levels:
Low, Substantial and High. NemLog-in says which one a login reached (the OIOSAML 3
attribute ``https://data.gov.dk/concept/core/nsis/loa``); a login with MitID Erhverv also
says which CVR number the person acts for. Both are kept in the session at login (``remember``)
and asked for by the routes that need them: ``requires(Level.SUBSTANTIAL)`` on the pages that
act on behalf of an association.

The app's own password is not NSIS-assessed: it counts as ``LOCAL_LOGIN_ASSURANCE``. Left
empty, that is Substantial while NemLog-in is not switched on (the demo, and a municipality
that keeps local accounts only) and Low once it is, so that acting for an association then
takes MitID. docs/login.md says more.
"""

from __future__ import annotations

import enum
import functools

from flask import current_app, has_request_context, render_template, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# What the session holds: the level the login reached, and the CVR number a MitID Erhverv
# login was for (absent: the person logged in as themselves, not for a company).
LEVEL_KEY = "login_assurance"
CVR_KEY = "login_cvr"
# The backend name whose logins set a level of their own (grants.nemlogin).
NEMLOGIN = "nemlogin"


class Level(enum.IntEnum):
    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str | None) -> Level | None:
        """``Low``, ``Substantial``, ``High`` (NemLog-in's words, any case), or None."""
        return cls.__members__.get((text or "").strip().upper())

    @property
    def label(self):
        return LABELS[self]


LABELS = {
    Level.LOW: _l("lavt"),
    Level.SUBSTANTIAL: _l("betydeligt"),
    Level.HIGH: _l("højt"),
}


def local_level() -> Level:
    """The level the app's own password login counts as."""
    configured = Level.parse(current_app.config["LOCAL_LOGIN_ASSURANCE"])
    if configured is not None:
        return configured
    on = NEMLOGIN in current_app.config["AUTHENTICATION_BACKENDS"]
    return Level.LOW if on else Level.SUBSTANTIAL


def remember(level: Level | None, cvr: str | None) -> None:
    """At login: what this session's login proved (None: the app's own password)."""
    session.pop(LEVEL_KEY, None)
    session.pop(CVR_KEY, None)
    if level is not None:
        session[LEVEL_KEY] = int(level)
    if cvr:
        session[CVR_KEY] = cvr


def current_level() -> Level:
    """The level of the signed-in person's login."""
    value = session.get(LEVEL_KEY)
    if isinstance(value, int) and value in Level._value2member_map_:
        return Level(value)
    return local_level()


def acting_cvr() -> str | None:
    """The CVR number this session's login (MitID Erhverv) is for, or None."""
    if not has_request_context():
        return None
    value = session.get(CVR_KEY)
    return value if isinstance(value, str) and value else None


def requires(level: Level):
    """A route that needs at least ``level``: a lower login is refused (403) with a page that
    says so and how to log in at the level asked for. Put it under ``login_required``."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if current_user.is_authenticated and current_level() < level:
                return refusal(level)
            return view(*args, **kwargs)

        return checked

    return decorate


def refusal(level: Level):
    return render_template(
        "people/assurance_too_low.html",
        needed=level,
        have=current_level(),
        nemlogin=NEMLOGIN in current_app.config["AUTHENTICATION_BACKENDS"],
    ), 403
