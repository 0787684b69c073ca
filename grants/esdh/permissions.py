"""Who journalises a case in the ESDH by hand, in the permission layer."""

from __future__ import annotations

from grants.applications.permissions import SECRETARIAT
from grants.core import access


@access.rule("case.journalise")
def can_journalise(user, application, **_) -> bool:
    """The secretariat, on a case they may see; never the applicant side."""
    return user.has_role(*SECRETARIAT) and access.may(user, "case.view", application)
