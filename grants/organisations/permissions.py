"""Who may see an organisation and act for it, in the permission layer (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.assurance import acting_cvr
from grants.people.models import Role

# The figures of any organisation: the secretariat.
SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)


@access.rule("organisation.view")
def can_view_organisation(user, organisation, **_) -> bool:
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@access.rule("organisation.act")
def can_act_for(user, organisation, **_) -> bool:
    """A member acts for the organisation, unless this session's login was made with MitID
    Erhverv for another CVR number: then the person acts for that company alone, whatever
    else they are a member of (the current user's session; other users have none here)."""
    if not organisation.has_member(user):
        return False
    cvr = acting_cvr() if _is_current(user) else None
    return cvr is None or organisation.cvr == cvr


def _is_current(user) -> bool:
    from flask_login import current_user

    return getattr(current_user, "id", None) == getattr(user, "id", object())


@access.rule("organisation.invite")
def can_invite(user, organisation, **_) -> bool:
    return access.may(user, "organisation.act", organisation)


@access.rule("organisation.cancel_invitation")
def can_cancel_invitation(user, organisation, **_) -> bool:
    """Those who act for the organisation cancel its invitations not yet taken (any
    member's: the one who sent it may be away), and the secretariat does on the
    organisation's request (an invitation to a wrong address, its sender away), as it removes
    a member. The secretariat does not invite: who acts for an association is the
    association's choice."""
    return access.may(user, "organisation.act", organisation) or user.has_role(*SECRETARIAT)


@access.rule("organisation.remove_member")
def can_remove_member(user, organisation, **_) -> bool:
    """Someone who acts for the organisation removes a person from it (themselves too: they
    leave), and the secretariat does on the organisation's request (a chair who has left and
    cannot be reached)."""
    return access.may(user, "organisation.act", organisation) or user.has_role(*SECRETARIAT)


@access.rule("organisation.figures")
def can_see_figures(user, organisation, **_) -> bool:
    """An organisation's figures in the live calculation: its members and the secretariat."""
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@access.rule("organisation.refresh_from_register")
def can_refresh_from_register(user, organisation, **_) -> bool:
    """Fetch the name and address again from the CVR register: its members and the
    secretariat (a caseworker checking an association that has moved or changed name)."""
    return bool(organisation.cvr) and (organisation.has_member(user) or user.has_role(*SECRETARIAT))
