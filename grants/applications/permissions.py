"""Who may see a case and which parts of it. What a person may *do* to a case is the
transition table's business (grants.workflow.engine)."""

from __future__ import annotations

from grants.people.models import Role


def acts_as_applicant(application, user) -> bool:
    """The applicant, and anyone who acts for the applying organisation."""
    if user is None or not user.is_authenticated:
        return False
    if application.applicant_id == user.id:
        return True
    return application.organisation is not None and application.organisation.has_member(user)


def can_view(application, user) -> bool:
    """The parties and the people who handle the case. A draft is the applicant side's alone."""
    if user is None or not user.is_authenticated:
        return False
    if acts_as_applicant(application, user):
        return True
    if application.state == "draft":
        return False
    if application.manager_id == user.id:
        return True
    if user.has_role(Role.CASEWORKER, Role.FINANCE, Role.ADMIN):
        return True
    if application.fund.is_board_member(user):
        return True
    from grants.committees.operations import sees_case

    return sees_case(application, user)  # a committee member: the cases on its agendas


def sees_internal_journal(application, user) -> bool:
    """The applicant side sees the journal entries meant for them; staff see all."""
    return can_view(application, user) and not acts_as_applicant(application, user)


def can_edit(application, user) -> bool:
    """The applicant edits a draft, and a case sent back to them for more information."""
    return acts_as_applicant(application, user) and application.state in (
        "draft",
        "awaiting_information",
    )
