from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import Audited, Record
from grants.core.models import Timestamp, enum_type
from grants.extensions import Model


class OrganisationKind(enum.StrEnum):
    ASSOCIATION = "association"  # forening (has a CVR number)
    SCHOOL = "school"
    INSTITUTION = "institution"


class Organisation(Timestamp, Model):
    __tablename__ = "organisation"
    __audit__ = Audited(added=Record("organisation.registered", ("name", "cvr")))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind))
    cvr: Mapped[str | None] = mapped_column(String(8), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # When the name and address were last fetched from the CVR register (None: typed by hand).
    register_fetched_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )

    members: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Membership.id"
    )

    def has_member(self, user) -> bool:
        return user is not None and any(m.user_id == user.id for m in self.members)

    def based_in(self, municipality) -> bool:
        """Based in the municipality: its postcode is one of the municipality's."""
        return self.postcode in municipality.postcode_list

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class Membership(Model):
    """A person who may act for the organisation."""

    __tablename__ = "membership"
    __audit__ = Audited(
        added=Record("organisation.member_added", ("organisation_id", "user_id")),
        removed=Record("organisation.member_removed", ("organisation_id", "user_id")),
    )
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id])


class Invitation(Model):
    """An invitation by e-mail to act for an organisation. Only the token's hash is kept.
    Pending until it is taken, it runs out, or one who acts for the organisation (or the
    secretariat) cancels it (``cancelled_at``: its link is then refused, saying so). The
    e-mail's language is kept: the word that it is cancelled goes out in the same."""

    __tablename__ = "invitation"
    __audit__ = Audited(
        added=Record("organisation.invitation_sent", ("organisation_id",), actor="invited_by_id"),
        changed=Record(
            lambda invitation: (
                "organisation.invitation_cancelled" if invitation.cancelled_at else None
            ),
            ("organisation_id",),
            actor="cancelled_by_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="da", server_default="da")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()
    invited_by = relationship("User", foreign_keys=[invited_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])
