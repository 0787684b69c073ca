"""The permission mechanism: "may this person do this action to this object?"

Every view asks ``may`` (or ``require``, which refuses with 403) and every template can ask
``may`` too. A rule is a named function of the person and the object, ``rule(user, obj,
**context) -> bool``; the names are kept in ``RULES`` so a test can check each one.

The mechanism knows no rule of its own and imports no domain: each domain declares its rules
in its own ``permissions`` module (``grants/<package>/permissions.py``), and ``create_app``
imports those modules (``grants.PERMISSION_MODULES``), which registers them:

    from grants.core import access

    @access.rule("thing.verb")
    def can_verb(user, thing, **_) -> bool:
        return ...

and the view calls ``access.require(current_user, "thing.verb", thing)``.

Rules compose: a rule asks another through ``may`` (never through the other module's
function, so the composition below holds), and a higher domain may widen a lower domain's
rule with ``also``: the person may when the rule says yes *or* any of its widenings does.
For example the committees let a member see the cases on their committee's agendas
(``case.view``, declared by the applications) without the applications knowing committees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, abort


class Person(Protocol):
    """Who the rules are asked about: the signed-in user (``grants.people.models.User``) or
    Flask-Login's anonymous user. The core names no domain model, only what it asks of it."""

    @property
    def is_authenticated(self) -> bool: ...

    def has_role(self, *roles: Any) -> bool: ...


Rule = Callable[..., bool]
RULES: dict[str, Rule] = {}
# Widenings of a rule, by its name: declared by a higher domain with ``also``.
ALSO: dict[str, list[Rule]] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Declare the rule ``name`` (once: a second declaration is an error)."""

    def register(function: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"The access rule {name!r} is declared twice.")
        RULES[name] = function
        return function

    return register


def also(name: str) -> Callable[[Rule], Rule]:
    """Widen the rule ``name``: a person may also when ``function`` says yes."""

    def register(function: Rule) -> Rule:
        widenings = ALSO.setdefault(name, [])
        if function not in widenings:
            widenings.append(function)
        return function

    return register


def signed_in(user: Person | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def may(user: Person | None, action: str, obj: Any = None, **context: Any) -> bool:
    """True when ``user`` may do ``action`` to ``obj``. Unknown actions are an error, never a
    silent yes."""
    try:
        check = RULES[action]
    except KeyError:
        raise KeyError(
            f"No access rule {action!r}: declare it with @access.rule (grants/core/access.py)"
            " in the domain's permissions.py, listed in grants.PERMISSION_MODULES"
        ) from None
    # The person behind Flask-Login's ``current_user``: the rules read a few of its
    # attributes each, and every read through the proxy looks the request's user up again.
    unwrap = getattr(user, "_get_current_object", None)
    if unwrap is not None:
        user = unwrap()
    # Nothing in the rules is open to a person who is not signed in.
    if not signed_in(user):
        return False
    if check(user, obj, **context):
        return True
    return any(widening(user, obj, **context) for widening in ALSO.get(action, ()))


def require(user: Person | None, action: str, obj: Any = None, **context: Any) -> None:
    """Refuse the request (403) unless ``user`` may do ``action`` to ``obj``."""
    if not may(user, action, obj, **context):
        abort(403)


def has_role(user: Person | None, *roles: Any) -> bool:
    return user is not None and signed_in(user) and user.has_role(*roles)


def register(app: Flask) -> None:
    """``may(action, obj)`` in templates, for the person signed in."""
    from flask_login import current_user

    @app.context_processor
    def inject_may() -> dict[str, Callable[..., bool]]:
        # The person read once a page, not through Flask-Login's proxy at every ``may``
        # (each read of it looks the request's user up again).
        user = current_user._get_current_object()
        return {"may": lambda action, obj=None, **context: may(user, action, obj, **context)}
