"""Who may see a case and which parts of it: the case's rules in the permission layer
(grants.core.access). The rules of a case's steps are the workflow's
(grants.workflow.permissions); the committees widen ``case.view`` for their members
(grants.committees.permissions)."""

from __future__ import annotations

from collections.abc import Callable

from grants.applications.documents import MESSAGE_FILE
from grants.cases.states import State
from grants.core import access
from grants.people.models import Role
from grants.workflow.engine import is_the_manager_now
from grants.workflow.interest import has_a_personal_interest

# Staff who handle cases: they see every submitted case.
CASE_STAFF = (Role.CASEWORKER, Role.FINANCE, Role.ADMIN)
# The case file export (aktindsigt) and the figures of any organisation: the secretariat.
SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)

# Funds a package above the applications opens to a person beyond the kinds their roles open
# (the committees: a committee's members and secretary apply for its own trips), registered
# with ``opens_funds`` when the app is built: each is a function (user) -> list of fund ids.
FUND_OPENERS: list[Callable[..., list[int]]] = []


def opens_funds(function: Callable[..., list[int]]) -> Callable[..., list[int]]:
    """Register ``function`` as opening funds to a person (see ``FUND_OPENERS``)."""
    if function not in FUND_OPENERS:
        FUND_OPENERS.append(function)
    return function


def funds_opened_to(user) -> list[int]:
    """The ids of the funds the registered openers open to ``user``."""
    if not access.signed_in(user):
        return []
    return [fund_id for opener in FUND_OPENERS for fund_id in opener(user)]


@access.rule("case.act_as_applicant")
def acts_as_applicant(user, application, **_) -> bool:
    """The applicant, and anyone who acts for the applying organisation."""
    if not access.signed_in(user):
        return False
    if application.applicant_id == user.id:
        return True
    return application.organisation is not None and access.may(
        user, "organisation.act", application.organisation
    )


@access.rule("case.view")
def can_view_case(user, application, **_) -> bool:
    """The parties and the people who handle the case. A draft is the applicant side's alone.
    The people who handle it: its manager while a manager (``engine.is_the_manager_now``),
    case staff and the fund's board, never one with a personal interest in it (a member of
    the applying organisation, or one who applied for it and left: ``interest``), who is
    refused like anyone else. (Widened by the committees: a member sees the cases on their
    committee's agendas.)"""
    if acts_as_applicant(user, application):
        return True
    if application.state == State.DRAFT:
        return False
    handles = (
        is_the_manager_now(user, application)
        or user.has_role(*CASE_STAFF)
        or application.fund.is_board_member(user)
    )
    return handles and not has_a_personal_interest(user, application)


@access.rule("case.internal_journal")
def sees_internal_journal(user, application, **_) -> bool:
    """The applicant side sees the journal entries meant for them; staff see all."""
    return access.may(user, "case.view", application) and not acts_as_applicant(user, application)


@access.rule("case.edit")
def can_edit_case(user, application, **_) -> bool:
    """The applicant edits a draft, and a case sent back to them for more information."""
    return acts_as_applicant(user, application) and application.state in (
        State.DRAFT,
        State.AWAITING_INFORMATION,
    )


@access.rule("case.export_file")
def can_export_case_file(user, application, **_) -> bool:
    """The secretariat, never on a case they have a personal interest in (their own, their
    organisation's, or one they applied for before leaving it): the archive holds the
    internal notes (offentlighedsloven § 23)."""
    return (
        access.signed_in(user)
        and user.has_role(*SECRETARIAT)
        and access.may(user, "case.view", application)
        and not has_a_personal_interest(user, application)
    )


# Documents read on a need-to-know basis: a file sent with a message is read by whoever
# reads the thread (the rule ``case.read_messages``, grants.messages.permissions).
NEED_TO_KNOW = {MESSAGE_FILE: "case.read_messages"}
# The journal entries whose text is a message or an internal note (grants.messages): their
# comment is shown only to a reader of the thread, of the notes.
JOURNAL_NEED_TO_KNOW = {"message_sent": "case.read_messages", "internal_note": "case.read_notes"}


@access.rule("attachment.download")
def can_download_attachment(user, attachment, **_) -> bool:
    if not access.may(user, "case.view", attachment.application):
        return False
    needed = NEED_TO_KNOW.get(attachment.purpose)
    return needed is None or access.may(user, needed, attachment.application)


@access.rule("attachment.withdraw")
def can_withdraw_attachment(user, attachment, **_) -> bool:
    """The person who added a document takes it back before sending it: an attachment of a
    draft (``case.edit`` while it was never submitted), a receipt of a report not yet
    submitted (the reports' own rule, ``receipt.withdraw``). Never a document already sent,
    another person's, or one already withdrawn."""
    from grants.applications import documents

    if not access.signed_in(user) or attachment.uploaded_by_id != user.id:
        return False
    if attachment.withdrawn or attachment.purpose not in documents.WITHDRAWABLE:
        return False
    application = attachment.application
    if attachment.purpose == documents.RECEIPT:
        return access.may(user, "receipt.withdraw", attachment)
    return application.state == State.DRAFT and access.may(user, "case.edit", application)


@access.rule("letter.download")
def can_download_letter(user, letter, **_) -> bool:
    return access.may(user, "case.view", letter.application)


@access.rule("case.record_complaint")
def can_record_complaint(user, application, **_) -> bool:
    """The secretariat records complaints forwarded to the complaints body, and their
    outcome, on a case that has a decision; never on a case they have a personal interest in
    (forvaltningsloven § 3; ``has_a_personal_interest``): a colleague does."""
    return (
        access.signed_in(user)
        and any(user.has_role(role) for role in SECRETARIAT)
        and application.state != State.DRAFT
        and application.decided_at is not None
        and not has_a_personal_interest(user, application)
    )
