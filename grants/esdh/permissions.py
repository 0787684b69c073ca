"""Who journalises a case in the ESDH by hand, in the permission layer."""

from __future__ import annotations

from grants.applications.permissions import SECRETARIAT, has_a_personal_interest
from grants.core import access


@access.rule("case.journalise")
def can_journalise(user, application, **_) -> bool:
    """The secretariat, on a case they may see; never the applicant side nor a member of the
    applying organisation."""
    return (
        user.has_role(*SECRETARIAT)
        and access.may(user, "case.view", application)
        and not has_a_personal_interest(user, application)
    )
