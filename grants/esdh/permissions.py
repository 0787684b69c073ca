"""Who journalises a case in the ESDH by hand, in the permission layer."""

from __future__ import annotations

from grants.applications.permissions import SECRETARIAT
from grants.core import access
from grants.workflow.interest import has_a_personal_interest


@access.rule("case.journalise")
def can_journalise(user, application, **_) -> bool:
    """The secretariat, on a case they may see; never one they have a personal interest in
    (the applicant side, a member of the applying organisation, or one who applied for it
    and left the organisation)."""
    return (
        user.has_role(*SECRETARIAT)
        and access.may(user, "case.view", application)
        and not has_a_personal_interest(user, application)
    )
