"""Who may write a case's trip report, in the permission layer (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role
from grants.reports.report import REPORTABLE_STATES


@access.rule("case.report")
def can_report(user, application, **_) -> bool:
    """The applicant side, while the report may be written (after a grant, or returned)."""
    return application.state in REPORTABLE_STATES and access.may(
        user, "case.act_as_applicant", application
    )


@access.rule("receipt.withdraw")
def can_withdraw_receipt(user, attachment, **_) -> bool:
    """A receipt added since the report was last submitted, while it may be written."""
    from grants.reports.report import report_of, since

    application = attachment.application
    if not access.may(user, "case.report", application):
        return False
    report = report_of(application)
    return report is None or since(attachment.created_at, report.submitted_at)


@access.rule("reminders.manage")
def can_manage_reminders(user, *_args, **_) -> bool:
    """The reminders' settings, their runs and the bulk pages: the secretariat."""
    return access.signed_in(user) and user.has_role(Role.CASEWORKER, Role.ADMIN)
