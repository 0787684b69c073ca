"""The administrator's mapping of the identity provider's groups to roles in the app
(staff logging in by OpenID Connect: grants.people.oidc, grants.administration.group_roles)."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.committees.models import MemberRole
from grants.core.auditing import NOT_AUDITED
from grants.core.models import Timestamp, enum_type
from grants.extensions import Model
from grants.people.models import Role


class GroupRole(enum.StrEnum):
    """What a group gives: a role in the app, a seat on a fund's board (with the board
    member's role), or a seat in a committee."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    CASEWORKER = "caseworker"
    FINANCE = "finance"
    ADMIN = "admin"
    BOARD_MEMBER = "board_member"  # of one fund's board
    COMMITTEE_MEMBER = "committee_member"  # of one committee
    COMMITTEE_CHAIR = "committee_chair"
    COMMITTEE_SECRETARY = "committee_secretary"

    @property
    def needs_fund(self) -> bool:
        return self is GroupRole.BOARD_MEMBER

    @property
    def needs_committee(self) -> bool:
        return self.value.startswith("committee_")

    @property
    def role(self) -> Role | None:
        """The role in the app it grants (none for a committee seat)."""
        return None if self.needs_committee else Role(self.value)

    @property
    def member_role(self) -> MemberRole | None:
        return MemberRole(self.value.removeprefix("committee_")) if self.needs_committee else None


class GroupRoleMapping(Timestamp, Model):
    """One line of the mapping: members of ``group_name`` (as the provider names it in the ID
    token: an Entra ID group's object id, an ADFS group name) get ``role``, on ``fund`` or in
    ``committee`` where the role is one of those."""

    __tablename__ = "group_role_mapping"
    # Audited by its operations (grants.administration.operations), which name the line's
    # fund or committee in words: settings.group_role_mapping_added and _removed.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        CheckConstraint(
            "(role = 'board_member') = (fund_id IS NOT NULL)", name="fund_iff_board_member"
        ),
        CheckConstraint(
            "(role LIKE 'committee_%') = (committee_id IS NOT NULL)",
            name="committee_iff_committee_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(255), index=True)
    role: Mapped[GroupRole] = mapped_column(enum_type(GroupRole))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("fund.id", ondelete="CASCADE"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"))

    fund = relationship("Fund")
    committee = relationship("Committee")
