"""Who may see the payments and who may record them: the rules live in grants.core.access."""

from __future__ import annotations

from grants.core import access


def can_read_payments(user) -> bool:
    return access.may(user, "payments.read")


def can_record_payments(user) -> bool:
    return access.may(user, "payments.record")
