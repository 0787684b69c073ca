from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from grants.core.auditing import Audited, Record
from grants.core.models import Timestamp, enum_type
from grants.core.money import Money
from grants.extensions import Model
from grants.funds import defaults, kinds
from grants.people.models import User


class CarryOver(enum.StrEnum):
    """What happens to unspent money at the end of a year."""

    NONE = "none"  # it lapses
    ELECTION_PERIOD = "election_period"  # carried over while the next year is in the same period


class Fund(Timestamp, Model):
    __tablename__ = "fund"
    __audit__ = Audited(setting_added=True, setting_changed=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The code of a registered kind (grants.funds.kinds); ``spec`` is the kind itself.
    kind: Mapped[str] = mapped_column(String(32))
    # The route new applications take; cases keep the route they started on.
    route_id: Mapped[int] = mapped_column(ForeignKey("workflow_route.id"))
    # The caseworker decides up to and including this amount; above it, the fund's board.
    delegated_limit: Mapped[Decimal] = mapped_column(Money, default=defaults.DELEGATED_LIMIT)
    yearly_budget: Mapped[Decimal] = mapped_column(Money, default=defaults.YEARLY_BUDGET)
    carry_over: Mapped[CarryOver] = mapped_column(enum_type(CarryOver), default=CarryOver.NONE)
    # Report and accounts are due this many days after the return date.
    report_due_days: Mapped[int] = mapped_column(default=defaults.REPORT_DUE_DAYS)
    # Openness: whether the fund's trips are published once their report and accounts are
    # approved, and whether the participants' names are shown (never for children).
    publish_trips: Mapped[bool] = mapped_column(default=False)
    publish_names: Mapped[bool] = mapped_column(default=False)
    # Whether the report and accounts may be submitted before the return date (e.g. a trip
    # that ends with the report written on the way home). The settlement never comes before
    # the return date, whatever this says.
    report_before_return: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Reminders about the report: this many days before the deadline, and after it.
    remind_days_before: Mapped[int] = mapped_column(default=defaults.REMIND_DAYS_BEFORE)
    # A refund claimed at settlement is due this many days after the settlement.
    refund_days: Mapped[int] = mapped_column(
        default=defaults.REFUND_DAYS, server_default=str(defaults.REFUND_DAYS)
    )
    active: Mapped[bool] = mapped_column(default=True)
    # The account string (kontostreng) in the municipality's finance system that the fund's
    # grants are posted on: written on every line of a payment batch (docs/payments.md).
    account_string: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # Whether the fund's letters to the applicant go by Digital Post (KOMBIT's SF1601,
    # grants.delivery); off: the applicant is told by e-mail and downloads the letter.
    digital_post: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How the fund's cases are filed in the municipality's ESDH (grants.esdh): the KLE number
    # (emnenummer, e.g. 05.10.00) and the handling code (handlingsfacet, e.g. G01).
    kle_number: Mapped[str] = mapped_column(String(8), default="", server_default="")
    handling_code: Mapped[str] = mapped_column(String(3), default="", server_default="")
    # The caseworkers' shared mailbox for the fund (funktionspostkasse): an applicant's
    # message on a case no caseworker has acted on yet goes there rather than to every
    # caseworker (grants.messages). Empty: to the secretariat's caseworkers.
    caseworker_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Bumped by every money movement: the row lock that keeps two deciders from spending the
    # same krone twice (see grants.budgets.lock.lock_fund).
    ledger_version: Mapped[int] = mapped_column(default=0)

    route = relationship("Route")
    board: Mapped[list[FundBoardMember]] = relationship(
        back_populates="fund", cascade="all, delete-orphan"
    )

    @validates("kind")
    def _known_kind(self, _key, code) -> str:
        return kinds.get(code).code

    @property
    def spec(self) -> kinds.Kind:
        """The fund's kind: everything that follows from what the fund pays for."""
        return kinds.get(self.kind)

    @property
    def computes_subsidy(self) -> bool:
        return self.spec.computes_subsidy

    def is_board_member(self, user: User) -> bool:
        return any(member.user_id == user.id for member in self.board)

    def __repr__(self) -> str:
        return f"<Fund {self.code}>"


class FundBoardMember(Model):
    """The members of a fund's board, who decide above the delegated limit."""

    __tablename__ = "fund_board_member"
    __audit__ = Audited(
        setting_added=True,
        removed=Record(
            "settings.fund_board_member_removed",
            lambda member: {
                "before": {"fund_id": member.fund_id, "user_id": member.user_id},
                "after": None,
            },
        ),
    )
    __table_args__ = (UniqueConstraint("fund_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # The provider's group that made the person a member (grants.administration.group_roles);
    # None: chosen by hand on the fund's page.
    granted_by_group: Mapped[str | None] = mapped_column(String(255))

    fund: Mapped[Fund] = relationship(back_populates="board")
    user: Mapped[User] = relationship()
