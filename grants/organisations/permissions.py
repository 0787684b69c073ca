"""Who may see an organisation and act for it, in the permission layer (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role

# The figures of any organisation: the secretariat.
SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)


@access.rule("organisation.view")
def can_view_organisation(user, organisation, **_) -> bool:
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@access.rule("organisation.invite")
def can_invite(user, organisation, **_) -> bool:
    return organisation.has_member(user)


@access.rule("organisation.figures")
def can_see_figures(user, organisation, **_) -> bool:
    """An organisation's figures in the live calculation: its members and the secretariat."""
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@access.rule("organisation.refresh_from_register")
def can_refresh_from_register(user, organisation, **_) -> bool:
    """Fetch the name and address again from the CVR register: its members and the
    secretariat (a caseworker checking an association that has moved or changed name)."""
    return bool(organisation.cvr) and (organisation.has_member(user) or user.has_role(*SECRETARIAT))
