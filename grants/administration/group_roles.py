"""The mapping of the identity provider's groups to roles, applied at every OpenID Connect
login (registered with ``grants.people.oidc.role_mapping``).

What a mapping grants is marked with the group that granted it (``granted_by_group`` on the
role, the fund board seat and the committee seat). At each login those are brought in line
with the person's groups now: what no group gives any more goes, what a group gives is added.
What an administrator granted by hand (``granted_by_group`` None) is never touched. Nothing
commits; the audit trail sees every role granted and revoked.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from grants.administration.models import GroupRoleMapping
from grants.committees.models import CommitteeMembership, MemberRole
from grants.core import clock
from grants.extensions import db
from grants.funds.models import FundBoardMember
from grants.people import oidc
from grants.people.models import Role, User, UserRole


def _mappings(groups: list[str]) -> list[GroupRoleMapping]:
    if not groups:
        return []
    return list(
        db.session.scalars(
            select(GroupRoleMapping)
            .where(GroupRoleMapping.group_name.in_(groups))
            .order_by(GroupRoleMapping.id)
        )
    )


class GroupRoles:
    def gives_a_role(self, groups: list[str]) -> bool:
        return bool(_mappings(groups))

    def apply(self, user: User, groups: list[str]) -> None:
        roles: dict[Role, str] = {}
        boards: dict[int, str] = {}
        seats: dict[tuple[int, MemberRole], str] = {}
        for mapping in _mappings(groups):
            if mapping.role.needs_committee:
                seats.setdefault(
                    (mapping.committee_id, mapping.role.member_role), mapping.group_name
                )
                continue
            roles.setdefault(mapping.role.role, mapping.group_name)
            if mapping.role.needs_fund:
                boards.setdefault(mapping.fund_id, mapping.group_name)
        was_manager = user.has_role(Role.MANAGER)
        group = _group_of(user, Role.MANAGER)
        _roles(user, roles)
        _boards(user, boards)
        _seats(user, seats)
        db.session.flush()
        if was_manager and not user.has_role(Role.MANAGER):
            # Their cases waiting for the endorsement would wait for nobody, unsaid.
            from grants.administration.operations import manager_role_lost

            manager_role_lost(user, group or "")


def _group_of(user: User, role: Role) -> str | None:
    """The group that gave ``user`` the role (None: given by hand, or not held)."""
    return next((g.granted_by_group for g in user.role_grants if g.role == role), None)


def _roles(user: User, wanted: dict[Role, str]) -> None:
    for grant in list(user.role_grants):
        if grant.granted_by_group is None:
            continue  # granted by hand
        if grant.role in wanted:
            grant.granted_by_group = wanted[grant.role]
        else:
            user.role_grants.remove(grant)
            db.session.delete(grant)
    held = user.roles
    for role, group in wanted.items():
        if role not in held:
            user.role_grants.append(UserRole(role=role, granted_by_group=group))


def _boards(user: User, wanted: dict[int, str]) -> None:
    seats = list(
        db.session.scalars(select(FundBoardMember).where(FundBoardMember.user_id == user.id))
    )
    for seat in seats:
        if seat.granted_by_group is not None and seat.fund_id not in wanted:
            db.session.delete(seat)
    held = {seat.fund_id for seat in seats}
    for fund_id, group in wanted.items():
        if fund_id not in held:
            db.session.add(
                FundBoardMember(fund_id=fund_id, user_id=user.id, granted_by_group=group)
            )


def _seats(user: User, wanted: dict[tuple[int, MemberRole], str]) -> None:
    today = clock.today()
    current = [
        seat
        for seat in db.session.scalars(
            select(CommitteeMembership).where(CommitteeMembership.user_id == user.id)
        )
        if seat.is_current(today)
    ]
    held = set()
    for seat in current:
        key = (seat.committee_id, seat.role)
        if seat.granted_by_group is not None and key not in wanted:
            # The seat ends (the minutes of meetings held keep who was there); one that
            # began today never was.
            if seat.valid_from >= today:
                db.session.delete(seat)
            else:
                seat.valid_to = today - dt.timedelta(days=1)
        else:
            held.add(key)
    for (committee_id, role), group in wanted.items():
        if (committee_id, role) not in held:
            db.session.add(
                CommitteeMembership(
                    committee_id=committee_id,
                    user_id=user.id,
                    role=role,
                    valid_from=today,
                    granted_by_group=group,
                )
            )


oidc.role_mapping(GroupRoles())
