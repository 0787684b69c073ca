"""Who may see the payments and who may record them, in the permission layer
(grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role
from grants.workflow.interest import has_a_personal_interest

# The payment lists and the export: the finance officers, and administrators may look.
PAYMENT_READERS = (Role.FINANCE, Role.ADMIN)
# Marking a grant paid or a refund received: the finance officers only.
PAYMENT_KEEPERS = (Role.FINANCE,)


@access.rule("payments.read")
def can_read_payments(user, _obj=None, **_) -> bool:
    return user.has_role(*PAYMENT_READERS)


@access.rule("payments.record")
def can_record_payments(user, application=None, **_) -> bool:
    """The finance officers; on a case's own page only a case they may see in its state
    (never a draft: a draft is the applicant side's alone), and never one they have a
    personal interest in (forvaltningsloven § 3): their own application, one from an
    organisation they act for or belong to, or one they applied for before leaving the
    organisation. Another finance officer records that money."""
    if not user.has_role(*PAYMENT_KEEPERS):
        return False
    if application is None:
        return True
    if has_a_personal_interest(user, application):
        return False
    return access.may(user, "case.view", application)
