"""Who may see a case and which parts of it: kept for callers that use these names; the rules
themselves live in the one permission layer, grants.core.access."""

from __future__ import annotations

from grants.core import access


def acts_as_applicant(application, user) -> bool:
    return access.may(user, "case.act_as_applicant", application)


def can_view(application, user) -> bool:
    return access.may(user, "case.view", application)


def sees_internal_journal(application, user) -> bool:
    return access.may(user, "case.internal_journal", application)


def can_edit(application, user) -> bool:
    return access.may(user, "case.edit", application)
