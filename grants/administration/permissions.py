"""Who may use the administrator's pages (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role


@access.rule("admin.manage")
def can_administer(user, _obj=None, **_) -> bool:
    """The administrator's pages: the municipality, funds, questions, letter texts, roles."""
    return user.has_role(Role.ADMIN)
