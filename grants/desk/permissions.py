"""The desk's rules in the permission layer (grants.core.access)."""

from __future__ import annotations

from grants.committees import operations as committees
from grants.core import access
from grants.people.models import Role

# The people who handle cases in some part: they search the cases they may see.
STAFF = (Role.MANAGER, Role.CASEWORKER, Role.BOARD_MEMBER, Role.FINANCE, Role.ADMIN)


@access.rule("case.search")
def can_search_cases(user, _obj=None, **_) -> bool:
    """Staff, and the members of a committee; each finds only the cases ``case.view``
    lets them see (grants.desk.search.visible_to)."""
    if not access.signed_in(user):
        return False
    return user.has_role(*STAFF) or bool(committees.committees_of(user))
