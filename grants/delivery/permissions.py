"""Who sees how the letters went and who prints them, in the permission layer."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role

# The secretariat prints and posts the letters Digital Post could not take.
SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)


@access.rule("delivery.print")
def can_print_letters(user, _obj=None, **_) -> bool:
    return user.has_role(*SECRETARIAT)


@access.rule("delivery.view")
def can_see_deliveries(user, application, **_) -> bool:
    """The channel and status of a case's letters: the staff who see the case."""
    return user.has_role(*SECRETARIAT) and access.may(user, "case.view", application)
