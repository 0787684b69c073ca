"""Who may see the payments and who may record them. Views and templates ask these."""

from __future__ import annotations

from grants.people.models import Role

# The lists and the export: the finance officers, and administrators may look.
PAYMENT_READERS = (Role.FINANCE, Role.ADMIN)
# Marking a grant paid or a refund received: the finance officers only.
PAYMENT_KEEPERS = (Role.FINANCE,)


def can_read_payments(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*PAYMENT_READERS))


def can_record_payments(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*PAYMENT_KEEPERS))
