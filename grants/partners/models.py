from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grants.core.auditing import Audited
from grants.core.models import enum_type
from grants.extensions import Model


class Relation(enum.StrEnum):
    TWIN_CITY = "twin_city"  # venskabsby
    PARTNERSHIP = "partnership"
    OTHER = "other"


class PartnerCity(Model):
    __tablename__ = "partner_city"
    __audit__ = Audited(setting_added=True, setting_changed=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    relation: Mapped[Relation] = mapped_column(enum_type(Relation))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    def is_partner_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
