"""The one permission layer: "may this person do this action to this object?"

Every view asks ``may`` (or ``require``, which refuses with 403) and every template can ask
``may`` too; the old ``permissions`` modules of the packages and the workflow engine's
transition table are reached through here. A rule is a named function of the person and the
object; the names are listed in ``RULES`` so a test can check that each one is used.

Which *step* a person may take on a case is data (the transition table, see
``grants.workflow.engine``); the rule ``case.step`` asks the engine, so a forged form post
gets no further than a missing button.

Adding a rule: write a function below, decorate it with ``@rule("thing.verb")``, and call
``access.require(current_user, "thing.verb", obj)`` in the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort

from grants.people.models import Role

Rule = Callable[..., bool]
RULES: dict[str, Rule] = {}

# Staff who handle cases: they see every submitted case.
CASE_STAFF = (Role.CASEWORKER, Role.FINANCE, Role.ADMIN)
# The case file export (aktindsigt) and the figures of any organisation: the secretariat.
SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)
# The dashboard and the entries: finance, administrators, caseworkers, the funds' boards.
BUDGET_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER, Role.BOARD_MEMBER)
# Closing a year and exporting to the finance department.
BUDGET_KEEPERS = (Role.FINANCE, Role.ADMIN)
# The payment lists and the export: the finance officers, and administrators may look.
PAYMENT_READERS = (Role.FINANCE, Role.ADMIN)
# Marking a grant paid or a refund received: the finance officers only.
PAYMENT_KEEPERS = (Role.FINANCE,)
# The rule sets of the youth subsidies.
RULE_EDITORS = (Role.ADMIN,)


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"The access rule {name!r} is declared twice.")
        RULES[name] = function
        return function

    return register


def signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def may(user, action: str, obj: Any = None, **context: Any) -> bool:
    """True when ``user`` may do ``action`` to ``obj``. Unknown actions are an error, never a
    silent yes."""
    try:
        check = RULES[action]
    except KeyError:
        raise KeyError(f"No access rule {action!r}: declare it in grants/core/access.py") from None
    # Nothing in the rules is open to a person who is not signed in.
    return signed_in(user) and bool(check(user, obj, **context))


def require(user, action: str, obj: Any = None, **context: Any) -> None:
    """Refuse the request (403) unless ``user`` may do ``action`` to ``obj``."""
    if not may(user, action, obj, **context):
        abort(403)


def has_role(user, *roles: Role) -> bool:
    return signed_in(user) and user.has_role(*roles)


# -- cases ------------------------------------------------------------------------------------


@rule("case.act_as_applicant")
def acts_as_applicant(user, application, **_) -> bool:
    """The applicant, and anyone who acts for the applying organisation."""
    if not signed_in(user):
        return False
    if application.applicant_id == user.id:
        return True
    return application.organisation is not None and application.organisation.has_member(user)


@rule("case.view")
def can_view_case(user, application, **_) -> bool:
    """The parties and the people who handle the case. A draft is the applicant side's alone."""
    if acts_as_applicant(user, application):
        return True
    if application.state == "draft":
        return False
    if application.manager_id == user.id:
        return True
    if user.has_role(*CASE_STAFF):
        return True
    if application.fund.is_board_member(user):
        return True
    from grants.committees.operations import sees_case

    return sees_case(application, user)  # a committee member: the cases on its agendas


@rule("case.internal_journal")
def sees_internal_journal(user, application, **_) -> bool:
    """The applicant side sees the journal entries meant for them; staff see all."""
    return can_view_case(user, application) and not acts_as_applicant(user, application)


@rule("case.edit")
def can_edit_case(user, application, **_) -> bool:
    """The applicant edits a draft, and a case sent back to them for more information."""
    return acts_as_applicant(user, application) and application.state in (
        "draft",
        "awaiting_information",
    )


@rule("case.export_file")
def can_export_case_file(user, application, **_) -> bool:
    return can_view_case(user, application) and user.has_role(*SECRETARIAT)


@rule("case.step")
def can_take_step(user, application, step: str = "", **_) -> bool:
    """A step of the case's route, by the transition table (roles on the case, guards)."""
    from grants.workflow import engine

    return any(t.action == step for t in engine.available_transitions(application, user))


@rule("case.decide")
def can_decide(user, application, **_) -> bool:
    from grants.applications.forms import DECISION_ACTIONS
    from grants.workflow import engine

    allowed = {t.action for t in engine.available_transitions(application, user)}
    return bool(allowed.intersection(DECISION_ACTIONS))


@rule("case.report")
def can_report(user, application, **_) -> bool:
    """The applicant side, while the report may be written (after a grant, or returned)."""
    from grants.reports.operations import REPORTABLE_STATES

    return application.state in REPORTABLE_STATES and acts_as_applicant(user, application)


@rule("attachment.download")
def can_download_attachment(user, attachment, **_) -> bool:
    return can_view_case(user, attachment.application)


@rule("letter.download")
def can_download_letter(user, letter, **_) -> bool:
    return can_view_case(user, letter.application)


# -- budgets and payments -----------------------------------------------------------------------


@rule("budgets.read")
def can_read_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_READERS)


@rule("budgets.close_year")
def can_close_years(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@rule("budgets.plan")
def can_plan_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@rule("budgets.export")
def can_export_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@rule("payments.read")
def can_read_payments(user, _obj=None, **_) -> bool:
    return user.has_role(*PAYMENT_READERS)


@rule("payments.record")
def can_record_payments(user, application=None, **_) -> bool:
    """The finance officers; on a case's own page only a case they may see in its state
    (never a draft: a draft is the applicant side's alone)."""
    if not user.has_role(*PAYMENT_KEEPERS):
        return False
    return application is None or can_view_case(user, application)


# -- organisations, rules ---------------------------------------------------------------------


@rule("organisation.view")
def can_view_organisation(user, organisation, **_) -> bool:
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@rule("organisation.invite")
def can_invite(user, organisation, **_) -> bool:
    return organisation.has_member(user)


@rule("organisation.figures")
def can_see_figures(user, organisation, **_) -> bool:
    """An organisation's figures in the live calculation: its members and the secretariat."""
    return organisation.has_member(user) or user.has_role(*SECRETARIAT)


@rule("rules.edit")
def can_edit_rules(user, _obj=None, **_) -> bool:
    return user.has_role(*RULE_EDITORS)


# -- committees (grants.committees) ------------------------------------------------------------
# Who records a committee's decision on a case is the workflow engine's business: the rules
# below ask ``grants.committees.operations.records_for`` (the engine's ``case_roles`` asks
# ``decides_for``: that, at a held meeting with a quorum on the item), never a copy of it.

# Registers committees and their members, plans meetings and agendas: the secretariat.
COMMITTEE_SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)


def _membership(user, committee):
    return committee.membership_of(user)


@rule("committee.manage")
def can_manage_committees(user, _obj=None, **_) -> bool:
    """Registers committees and their members: the secretariat and administrators."""
    return user.has_role(*COMMITTEE_SECRETARIAT)


@rule("committee.list")
def can_list_committees(user, _obj=None, **_) -> bool:
    """The list of committees: the secretariat, and members of a committee today."""
    from grants.committees.operations import committees_of

    return can_manage_committees(user) or bool(committees_of(user))


@rule("committee.view")
def can_view_committee(user, committee, **_) -> bool:
    return can_manage_committees(user) or _membership(user, committee) is not None


@rule("meeting.plan")
def can_plan_meetings(user, _committee_or_meeting=None, **_) -> bool:
    """Plans meetings and agendas (and puts a case on one): the secretariat."""
    return user.has_role(*COMMITTEE_SECRETARIAT)


@rule("meeting.publish")
def can_publish_agenda(user, meeting, **_) -> bool:
    """Sends the agenda to the members: the secretariat, and the chair and secretary."""
    return can_plan_meetings(user) or can_conduct_meeting(user, meeting)


@rule("meeting.view")
def can_view_meeting(user, meeting, **_) -> bool:
    """The secretariat and the committee's own members; never another committee's."""
    return user.has_role(*COMMITTEE_SECRETARIAT) or _membership(user, meeting.committee) is not None


@rule("meeting.conduct")
def can_conduct_meeting(user, meeting, **_) -> bool:
    """Records attendance and rulings, issues the decisions, closes the meeting: the
    committee's chair and secretary."""
    from grants.committees.operations import RECORDERS

    membership = _membership(user, meeting.committee)
    return membership is not None and membership.role in RECORDERS


@rule("meeting.record")
def can_record_decision(user, item, **_) -> bool:
    """Records the committee's decision on an agenda item: its chair or secretary, not
    excluded by an interest (the quorum is the operation's: refused there with the reason)."""
    from grants.committees.operations import records_for

    return can_conduct_meeting(user, item.meeting) and records_for(item.application, user)


@rule("meeting.rule")
def can_rule_on_declaration(user, declaration, **_) -> bool:
    """The committee's ruling on a declared interest: its chair or secretary, never the
    member the declaration is about, nor one disqualified on the item."""
    from grants.committees.operations import disqualified_on

    return (
        can_conduct_meeting(user, declaration.agenda_item.meeting)
        and declaration.user_id != user.id
        and not disqualified_on(declaration.agenda_item, user)
    )


@rule("interest.declare")
def can_declare_interest(user, item, **_) -> bool:
    """Any member of the committee declares their own interest in an item."""
    return _membership(user, item.meeting.committee) is not None


@rule("minutes.download")
def can_download_minutes(user, meeting, **_) -> bool:
    return can_view_meeting(user, meeting)


@rule("job.view")
def can_view_job(user, job, meeting=None, **_) -> bool:
    """A job's progress: whoever sees what it works on (the meeting whose decisions it
    issues), the person who started it, and administrators."""
    if meeting is not None and meeting.job_id == job.id:
        return can_view_meeting(user, meeting)
    return job.created_by_id == user.id or user.has_role(Role.ADMIN)


# -- administration, privacy ---------------------------------------------------------------------


@rule("admin.manage")
def can_administer(user, _obj=None, **_) -> bool:
    """The administrator's pages: the municipality, funds, questions, letter texts, roles."""
    return user.has_role(Role.ADMIN)


@rule("privacy.own_data")
def can_export_own_data(user, person, **_) -> bool:
    """A person takes out their own data, nobody else's."""
    return person is not None and person.id == user.id


def register(app) -> None:
    """``may(action, obj)`` in templates, for the person signed in."""
    from flask_login import current_user

    @app.context_processor
    def inject_may():
        return {
            "may": lambda action, obj=None, **context: may(current_user, action, obj, **context)
        }
