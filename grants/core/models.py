"""Mixins and the municipality's profile, shared by the domain packages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import clock
from grants.extensions import db


class Timestamp:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, onupdate=clock.now
    )


class Municipality(db.Model):
    """Who sends the letters: the letterhead and the contact details. One row."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    cvr: Mapped[str] = mapped_column(String(8), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    # Where the published trips point the public, e.g. a department mailbox.
    contact_note: Mapped[str] = mapped_column(Text, default="")
    # The postcodes of the municipality: an organisation is based here when its postcode is
    # one of them. Space-separated, e.g. "2740 2750 2760".
    postcodes: Mapped[str] = mapped_column(String(200), default="")

    @property
    def postcode_list(self) -> set[str]:
        return set(self.postcodes.replace(",", " ").split())

    @classmethod
    def current(cls) -> Municipality:
        municipality = db.session.scalar(db.select(cls).order_by(cls.id).limit(1))
        if municipality is None:
            raise LookupError("No municipality profile: run `flask demo load` or `flask setup`.")
        return municipality


def enum_type(enum_class) -> Enum:
    """An enum column stored as its values (not names), checked by the database."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
        name=enum_class.__name__.lower(),
    )
