"""Who sees how the letters went and who prints them, in the permission layer."""

from __future__ import annotations

from grants.applications.permissions import SECRETARIAT
from grants.core import access


@access.rule("delivery.print")
def can_print_letters(user, _obj=None, **_) -> bool:
    return user.has_role(*SECRETARIAT)


@access.rule("delivery.view")
def can_see_deliveries(user, application, **_) -> bool:
    """The channel and status of a case's letters: the staff who see the case."""
    return user.has_role(*SECRETARIAT) and access.may(user, "case.view", application)
