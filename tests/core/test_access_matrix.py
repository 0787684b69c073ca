"""Every route of the app, visited by every kind of person: anonymous, each role, a member of
another organisation. Each rule of ``app.url_map`` must have an entry in ``EXPECTATIONS``
below, so a route added later without one fails here and says where to declare it.

An entry says who is *allowed*; everyone else is refused: anonymous people are sent to the
login page (or get 403/404), signed-in people get 403 or 404. Allowed means anything but a
refusal or a server error. POSTs by the allowed send incomplete data on purpose, so the
check never changes the world the next visit sees (one exception: the administrator's
"remove question" removes a question of the committee's fund, and nothing visited after it
looks at that fund's questions).

Committees: the world has a committee (Kultur- og Fritidsudvalget) owning a committee fund.
Its chair is the persona ``committee_chair`` (an employee with no other role); the BOARD
persona (a fund's board member) is also the committee's plain member; its secretary is not a
persona (she has declared an interest in the case on the agenda, so the chair has a
declaration to rule on). The secretariat (CASEWORKER, ADMIN) registers committees and plans
meetings. One planned meeting has a committee case on its agenda (and a finished issue job),
one closed meeting has its minutes. A second committee, with a meeting, minutes and a job of
its own, is there for the guessed-ids test: nobody of the first committee reaches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from grants.api import tokens as api_tokens
from grants.cases.models import Application, Attachment, Complaint
from grants.core import access, clock
from grants.extensions import db
from grants.funds import kinds
from grants.letters.models import Letter
from grants.messages.models import CaseMessage
from grants.people.models import Role
from tests import factories
from tests.factories import make_application, make_organisation, make_user
from tests.html import page_text

ANONYMOUS = "anonymous"
OWNER = "owner"  # the applicant, who acts for organisation A
COLLEAGUE = "colleague"  # another member of organisation A
MANAGER = "manager"
CASEWORKER = "caseworker"
BOARD = "board_member"
FINANCE = "finance"
ADMIN = "admin"
OUTSIDER = "outsider"  # an employee with no part in the case
OTHER_ORG = "other_org"  # a member of organisation B
CHAIR = "committee_chair"  # chairs the committee (BOARD is its plain member)

PERSONAS = (
    ANONYMOUS,
    OWNER,
    COLLEAGUE,
    MANAGER,
    CASEWORKER,
    BOARD,
    FINANCE,
    ADMIN,
    OUTSIDER,
    OTHER_ORG,
    CHAIR,
)
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()
APPLICANT_SIDE = frozenset({OWNER, COLLEAGUE})
CASE_VIEWERS = APPLICANT_SIDE | {MANAGER, CASEWORKER, BOARD, FINANCE, ADMIN}
EMPLOYEES = SIGNED_IN - {ADMIN}  # the administrator in the world holds no employee role
ADMINS = frozenset({ADMIN})
# Committees: the secretariat registers and plans; the members see their committee's
# meetings; the chair (and the secretary) conduct them.
COMMITTEE_SECRETARIAT = frozenset({CASEWORKER, ADMIN})
COMMITTEE_MEMBERS = frozenset({BOARD, CHAIR})
MEETING_VIEWERS = COMMITTEE_SECRETARIAT | COMMITTEE_MEMBERS
CONDUCTS = frozenset({CHAIR})


@dataclass(frozen=True)
class Expect:
    """Who may; the URL's values (names of ``Cases`` attributes in braces are filled in);
    the method to try (the rule's own by default) and the form data for allowed POSTs."""

    allowed: frozenset[str]
    values: dict = field(default_factory=dict)
    method: str | None = None
    data: dict = field(default_factory=dict)


# -- Declare every route here ----------------------------------------------------------------
# endpoint -> Expect. Default URL values: application_id = the granted case, attachment_id,
# letter_id, organisation_id (A), fund_code, version, year (see ``url_values``).
EXPECTATIONS: dict[str, Expect] = {
    "static": Expect(EVERYONE, {"filename": "app.css"}),
    "core.index": Expect(EVERYONE),
    "core.healthz": Expect(EVERYONE),
    "core.favicon": Expect(EVERYONE),
    "core.accessibility": Expect(EVERYONE),
    "subsidies.fund_page": Expect(EVERYONE, {"fund_code": "{youth_fund}"}),
    "core.set_language": Expect(EVERYONE, data={"language": "xx"}),
    "people.login": Expect(EVERYONE, method="GET"),
    "people.signup": Expect(EVERYONE, method="GET"),
    # Logging in through an identity provider: the password is no such backend (not found).
    "people.login_start": Expect(NOBODY, {"backend": "password"}, method="GET"),
    "people.login_return": Expect(NOBODY, {"backend": "password"}, method="GET"),
    # NemLog-in's metadata and single logout: not found while it is not switched on (as here;
    # tests/nemlogin has them switched on).
    "nemlogin.metadata": Expect(NOBODY, method="GET"),
    "nemlogin.logout": Expect(NOBODY, method="GET"),
    # An unknown sign-up link is not found for anyone.
    "people.signup_complete": Expect(NOBODY, {"token": "guessed-token"}, method="GET"),
    # The code after the password: without the password first, anonymous people are sent to
    # log in and signed-in people home.
    "people.login_code": Expect(SIGNED_IN, method="GET"),
    "people.login_recovery": Expect(SIGNED_IN, method="GET"),
    # One's own second factor (there is no id of another person to try).
    "people.two_factor_settings": Expect(SIGNED_IN),
    "people.two_factor_setup": Expect(SIGNED_IN, method="GET"),
    "people.two_factor_recovery_codes": Expect(SIGNED_IN),
    "people.two_factor_off": Expect(SIGNED_IN),
    "people.logout": Expect(SIGNED_IN),
    "people.change_password": Expect(SIGNED_IN, method="GET"),
    "privacy.my_data": Expect(SIGNED_IN),
    "applications.mine": Expect(SIGNED_IN),
    "applications.choose_fund": Expect(SIGNED_IN),
    "applications.new": Expect(EMPLOYEES, method="GET"),
    "applications.show": Expect(CASE_VIEWERS),
    "applications.attachment": Expect(CASE_VIEWERS),
    # Whoever may download a document may see it in the browser.
    "applications.preview_attachment": Expect(CASE_VIEWERS),
    # Only the person who added a document takes it back, before sending it: the world's
    # document was added by nobody, and its case is granted.
    "applications.withdraw_attachment": Expect(NOBODY),
    "applications.case_file": Expect(frozenset({CASEWORKER, ADMIN})),
    # A draft is the applicant side's alone, and only they edit it.
    "applications.edit": Expect(APPLICANT_SIDE, {"application_id": "{draft}"}, method="GET"),
    # A person's own draft of a form (grants.drafts), saved as they type or discarded (here:
    # discarding a draft they do not have changes nothing): whoever may fill in the form.
    "applications.new_draft": Expect(EMPLOYEES, data={"discard": "1"}),
    "applications.edit_draft": Expect(
        APPLICANT_SIDE, {"application_id": "{draft}"}, data={"discard": "1"}
    ),
    # Asking for the granted case's decision to be reconsidered: the applicant side only.
    "applications.reconsideration": Expect(APPLICANT_SIDE, method="GET"),
    # Complaints forwarded to the complaints body, and their outcome: the secretariat.
    "applications.complaints": Expect(COMMITTEE_SECRETARIAT),
    "applications.complaint_outcome": Expect(
        COMMITTEE_SECRETARIAT, {"complaint_id": "{complaint}"}
    ),
    # The case's thread: the applicant side and the secretariat write (an empty message gets
    # the page back, 422); internal notes: the secretariat only.
    "messages.post": Expect(APPLICANT_SIDE | {CASEWORKER, ADMIN}, data={"body": ""}),
    "messages.add_note": Expect(frozenset({CASEWORKER, ADMIN}), data={"note": ""}),
    # Marking the applicant side's reply read: the secretariat (the world's reply is read
    # already: "already read" for them, and nothing changes).
    "messages.mark_read": Expect(frozenset({CASEWORKER, ADMIN})),
    "letters.download": Expect(CASE_VIEWERS),
    # The letters' stylesheet, for the preview of a letter before a decision: no case data.
    "letters.stylesheet": Expect(EVERYONE),
    # The public verification of a letter by its code (no case data on it), and its form.
    "letters.verify": Expect(EVERYONE, {"code": "ABCDE-12345"}),
    "letters.verify_form": Expect(EVERYONE),
    # A step that needs a comment, posted without one: the manager gets the form back (422).
    "workflow.step": Expect(
        frozenset({MANAGER}), {"application_id": "{endorsement}", "action": "not_endorse"}
    ),
    "workflow.decide": Expect(frozenset({CASEWORKER}), {"application_id": "{pending}"}),
    "workflow.queue": Expect(SIGNED_IN),
    # Each person's own tasks; the search for staff and committee members (each finds only
    # the cases they may see: tests/desk/test_search.py).
    "desk.mine": Expect(SIGNED_IN),
    "desk.search": Expect(frozenset({MANAGER, CASEWORKER, BOARD, FINANCE, ADMIN, CHAIR})),
    "reports.edit": Expect(APPLICANT_SIDE, method="GET"),
    "reports.draft": Expect(APPLICANT_SIDE, data={"discard": "1"}),
    "reports.review": Expect(
        frozenset({CASEWORKER}), {"application_id": "{reported}", "action": "return_report"}
    ),
    # The reminders about the report and the bulk actions: the secretariat. Settings posted
    # empty get the form back (422); running the reminders sends nothing in this world (no
    # case has a report deadline) and only logs the run; a bulk post choosing nothing is 422.
    "reminders.index": Expect(frozenset({CASEWORKER, ADMIN})),
    "reminders.run": Expect(frozenset({CASEWORKER, ADMIN})),
    "bulk.approve_reports": Expect(frozenset({CASEWORKER, ADMIN})),
    "bulk.send_reminders": Expect(frozenset({CASEWORKER, ADMIN})),
    "budgets.index": Expect(frozenset({CASEWORKER, BOARD, FINANCE, ADMIN})),
    "budgets.fund_year": Expect(frozenset({CASEWORKER, BOARD, FINANCE, ADMIN})),
    "budgets.close_year_page": Expect(frozenset({FINANCE, ADMIN}), method="GET"),
    "budgets.plan_page": Expect(frozenset({FINANCE, ADMIN}), method="GET"),
    "budgets.export": Expect(frozenset({FINANCE, ADMIN})),
    "budgets.export_file": Expect(frozenset({FINANCE, ADMIN}), {"dataset": "grants", "fmt": "csv"}),
    "payments.index": Expect(frozenset({FINANCE, ADMIN})),
    "payments.export": Expect(frozenset({FINANCE, ADMIN}), {"dataset": "payments"}),
    "payments.record_payment": Expect(frozenset({FINANCE}), method="GET"),
    "payments.record_refund": Expect(frozenset({FINANCE}), method="GET"),
    "organisations.mine": Expect(SIGNED_IN),
    "organisations.new": Expect(SIGNED_IN, method="GET"),
    "organisations.show": Expect(APPLICANT_SIDE | {CASEWORKER, ADMIN}),
    "organisations.invite": Expect(APPLICANT_SIDE, data={"email": ""}),
    # No membership named: nothing is removed.
    "organisations.remove_member": Expect(
        APPLICANT_SIDE | {CASEWORKER, ADMIN}, data={"membership_id": ""}
    ),
    # Its address and contact details: the people who act for it (the form, on GET).
    "organisations.edit": Expect(APPLICANT_SIDE, method="GET"),
    # No invitation named: nothing is cancelled (the secretariat cancels on the
    # organisation's request, as it removes a member; it does not invite).
    "organisations.cancel_invitation": Expect(
        APPLICANT_SIDE | {CASEWORKER, ADMIN}, data={"invitation_id": ""}
    ),
    "organisations.refresh_from_register": Expect(APPLICANT_SIDE | {CASEWORKER, ADMIN}),
    # An unknown invitation is not found for anyone.
    "organisations.accept": Expect(NOBODY, {"token": "guessed-token"}, method="GET"),
    "subsidies.index": Expect(frozenset({ADMIN})),
    "subsidies.show": Expect(frozenset({ADMIN}), {"fund_code": "{youth_fund}"}),
    "subsidies.export": Expect(frozenset({ADMIN}), {"fund_code": "{youth_fund}"}),
    "subsidies.edit": Expect(frozenset({ADMIN}), method="GET"),
    # The editor's live check and the TOML import: administrators only; the check saves nothing.
    "subsidies.check_draft": Expect(frozenset({ADMIN}), data={"name": "Regler"}),
    "subsidies.import_file": Expect(frozenset({ADMIN}), method="GET"),
    # The live calculation: for organisation B's figures only B's members and the secretariat.
    "subsidies.calculate": Expect(
        frozenset({OTHER_ORG, CASEWORKER, ADMIN}),
        {"fund_code": "{youth_fund}"},
        data={"organisation_id": "{organisation_b}"},
    ),
    "partners.index": Expect(EVERYONE),
    "publication.index": Expect(EVERYONE),
    "publication.catalogue": Expect(EVERYONE),
    "publication.catalogue_dcat": Expect(EVERYONE),
    "publication.trips_csv": Expect(EVERYONE),
    "publication.trips_json": Expect(EVERYONE),
    # The trip is not published: nobody finds it, and a case's private letter is never
    # served as a public report.
    "publication.trip": Expect(NOBODY, {"trip_id": "{granted}"}),
    "publication.report": Expect(NOBODY),
    # -- committees: default committee_id, meeting_id (the planned meeting), item_id (the
    # case on its agenda), declaration_id (the secretary's, not yet ruled on).
    "committees.index": Expect(MEETING_VIEWERS),
    "committees.new": Expect(COMMITTEE_SECRETARIAT, method="GET"),
    "committees.show": Expect(MEETING_VIEWERS),
    "committees.add_member": Expect(COMMITTEE_SECRETARIAT),
    "committees.rules": Expect(COMMITTEE_SECRETARIAT, data={"quorum_rule": "nope"}),
    # The committee set up for the next election period: the period must be the page's.
    "committees.next_period": Expect(COMMITTEE_SECRETARIAT, data={"period": ""}),
    "committees.new_meeting": Expect(COMMITTEE_SECRETARIAT),
    "committees.meeting": Expect(MEETING_VIEWERS),
    "committees.agenda_for_case": Expect(
        COMMITTEE_SECRETARIAT, {"application_id": "{committee_case}"}, method="GET"
    ),
    "committees.add_item": Expect(COMMITTEE_SECRETARIAT),
    "committees.publish_agenda": Expect(COMMITTEE_SECRETARIAT | CONDUCTS),
    # Moving or cancelling a meeting: the secretariat (and the committee's secretary, not a
    # persona here); never its chair or members. The empty form changes nothing.
    "committees.move": Expect(COMMITTEE_SECRETARIAT, data={"date": ""}),
    "committees.cancel": Expect(COMMITTEE_SECRETARIAT, data={"reason": ""}),
    "committees.declare": Expect(COMMITTEE_MEMBERS, data={"reason": ""}),
    # A person who is not a member of the committee in the world gets 422 for the form.
    "committees.attendance": Expect(CONDUCTS, data={"present": "999999"}),
    # Nobody chosen: the chair gets the page back (422).
    "committees.departure": Expect(CONDUCTS, data={"user_id": ""}),
    # The item was sent with the agenda (not added late): nothing to object to (422).
    "committees.object_to_item": Expect(COMMITTEE_MEMBERS),
    "committees.urgent": Expect(CONDUCTS, data={"reason": ""}),
    "committees.not_handled": Expect(CONDUCTS),
    "committees.rule": Expect(CONDUCTS),
    "committees.record": Expect(CONDUCTS),
    # The meeting is not held yet: the chair gets the page back (422).
    "committees.postpone_without_quorum": Expect(CONDUCTS),
    "committees.substitute": Expect(CONDUCTS),
    # Nothing recorded to issue, items not issued: the chair gets the page back (422).
    "committees.issue": Expect(CONDUCTS),
    "committees.close": Expect(CONDUCTS),
    # A former member's way back to their minutes: everyone signed in reads their own list.
    "committees.former_meetings": Expect(SIGNED_IN),
    "committees.job_status": Expect(MEETING_VIEWERS),
    "committees.minutes": Expect(MEETING_VIEWERS, {"meeting_id": "{closed_meeting}"}),
    # -- administration: the administrator only.
    "admin.index": Expect(ADMINS),
    "admin.municipality": Expect(ADMINS, method="GET"),
    "admin.logo": Expect(ADMINS),
    "admin.partners": Expect(ADMINS),
    "admin.partner": Expect(ADMINS, method="GET"),
    "admin.funds": Expect(ADMINS),
    "admin.fund": Expect(ADMINS, method="GET"),
    "admin.questions": Expect(ADMINS, method="GET"),
    "admin.remove_question": Expect(
        ADMINS, {"fund_id": "{committee_fund}", "key": "{question_key}"}
    ),
    "admin.letter_text": Expect(ADMINS, {"outcome": "granted"}, method="GET"),
    "admin.users": Expect(ADMINS),
    "admin.user": Expect(ADMINS, method="GET"),
    "admin.groups": Expect(ADMINS),
    # The API: for systems with a bearer token (tests/api), never for a signed-in session:
    # everyone here gets 401 with a problem document. Its description and page are public.
    "api.openapi": Expect(EVERYONE),
    "api.reference": Expect(EVERYONE),
    "api.cases": Expect(NOBODY),
    "api.case": Expect(NOBODY, {"case_id": "{granted}"}),
    "api.decisions": Expect(NOBODY),
    "api.fund_balances": Expect(NOBODY),
    "api.payments_due": Expect(NOBODY),
    "api.payments_made": Expect(NOBODY),
    "api.trips": Expect(NOBODY),
    "api.mark_paid": Expect(NOBODY, {"case_id": "{granted}"}),
    # Payment batches for the finance system: the finance officers make and confirm them,
    # administrators may look. The finance officer's POST makes a batch of the world's
    # payments due (nothing visited later looks at batches); the confirmation without a
    # file is refused. A batch file of an unknown batch is not found for anyone.
    "payments.batch_list": Expect(frozenset({FINANCE, ADMIN})),
    "payments.batch_file": Expect(NOBODY, {"batch_id": 999999, "layout": "csv"}),
    "payments.export_batch": Expect(frozenset({FINANCE})),
    "payments.batch_confirmation": Expect(frozenset({FINANCE})),
    # A batch's lines and withdrawing one: an unknown batch is not found for anyone (who may
    # withdraw which line: tests/payments/test_sent_lines.py).
    "payments.batch_detail": Expect(NOBODY, {"batch_id": 999999}),
    "payments.withdraw_batch_line": Expect(
        NOBODY, {"batch_id": 999999, "position": 1}, method="GET"
    ),
    # Issuing and revoking API tokens: the administrator's.
    "api_tokens.index": Expect(ADMINS, method="GET"),
    "api_tokens.revoke": Expect(ADMINS, {"token_id": "{api_token}"}),
    # Letters by Digital Post (grants.delivery): a guessed secure link opens nothing; the
    # letters to print are the secretariat's (an unknown one is not found).
    "delivery.letter_by_link": Expect(NOBODY, {"token": "guessed-token"}),
    "delivery.print_list": Expect(frozenset({CASEWORKER, ADMIN})),
    "delivery.mark_printed": Expect(NOBODY, {"delivery_id": 999999}),
    # Journalising a case in the ESDH by hand: the secretariat (here not set up: refused
    # with the reason, 422, which is not a refusal of the person).
    "esdh.journalise": Expect(frozenset({CASEWORKER, ADMIN})),
}

WHERE = "tests/core/test_access_matrix.py: EXPECTATIONS"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """These tests sign people in without their password: a cheap hash makes the world fast."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    from grants.people import models

    monkeypatch.setattr(
        models, "generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1")
    )


@dataclass
class Cases:
    granted: int
    draft: int
    endorsement: int
    pending: int
    reported: int
    attachment: int
    letter: int
    organisation_a: int
    organisation_b: int
    fund: str
    youth_fund: str
    version: int
    fund_id: int
    committee_fund: int
    committee: int
    meeting: int
    closed_meeting: int
    committee_case: int
    item: int
    declaration: int
    question_key: str
    city: int
    person: int
    other_committee: int
    other_meeting: int
    other_closed_meeting: int
    other_item: int
    complaint: int
    api_token: int
    message: int


def build_world():
    w = factories.study_trip_world()
    other_org = make_user(Role.EMPLOYEE, name="Bo Bech")
    colleague = make_user(Role.EMPLOYEE, name="Kim Kolle")
    org_a = make_organisation(w.employee, colleague, name="Forening A")
    org_b = make_organisation(other_org, name="Forening B")
    people = {
        OWNER: w.employee,
        COLLEAGUE: colleague,
        MANAGER: w.manager,
        CASEWORKER: w.caseworker,
        BOARD: w.board_member,
        FINANCE: w.finance,
        ADMIN: w.admin,
        OUTSIDER: w.outsider,
        OTHER_ORG: other_org,
        CHAIR: make_user(Role.EMPLOYEE, name="Frida Formand", email="formand@ballerup.dk"),
    }

    def case(state):
        return make_application(w.employee, w.fund, state=state, organisation=org_a)

    granted = case("granted")
    draft = case("draft")
    endorsement = case("awaiting_endorsement")
    pending = case("awaiting_decision")
    reported = case("report_submitted")
    attachment = Attachment(
        application=granted,
        filename="program.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        data=b"%PDF-1.7",
    )
    letter = Letter(
        application=granted,
        kind="decision",
        language="da",
        template="letters/decision.html",
        parameters={},
        filename="afgoerelse.pdf",
        pdf=b"%PDF-1.7 letter",
        sha256="1" * 64,
        size=15,
        verification_code="ABCDE12345",
    )
    db.session.add_all([attachment, letter])
    # The granted case was decided, and a complaint about it forwarded (issue 22).
    granted.decided_at = granted.decided_at or clock.now()
    complaint = Complaint(
        application=granted, letter=letter, body="Ankestyrelsen", forwarded_on=clock.today()
    )
    db.session.add(complaint)
    # The applicant's message in the granted case's thread.
    message = CaseMessage(
        application=granted, author_id=granted.applicant_id, from_applicant=True, body="Tak"
    )
    db.session.add(message)
    youth_fund = factories.make_fund(
        code="ungdomsrejser", kind=kinds.YOUTH_TRIP.code, route="screening_decision"
    )
    rule_set = _rule_set(youth_fund, w.admin)
    committees = _committees(people, w)
    api_token, _secret = api_tokens.issue(
        "Økonomisystem", "payments", clock.today() + dt.timedelta(days=30), w.finance
    )
    db.session.commit()
    cases = Cases(
        granted=granted.id,
        complaint=complaint.id,
        draft=draft.id,
        endorsement=endorsement.id,
        pending=pending.id,
        reported=reported.id,
        attachment=attachment.id,
        letter=letter.id,
        organisation_a=org_a.id,
        organisation_b=org_b.id,
        fund=w.fund.code,
        youth_fund=youth_fund.code,
        version=rule_set.version,
        fund_id=w.fund.id,
        person=w.employee.id,
        api_token=api_token.id,
        message=message.id,
        **{name: getattr(thing, "id", thing) for name, thing in committees.items()},
    )
    return people, cases


# A 1x1 PNG: the municipality's logo, so the administrator's logo route has one to serve.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def _committees(people, w) -> dict:
    """The committee with its fund, members, meetings and a case on the agenda; a second
    committee with its own meeting and minutes (see the module's docstring)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from flask import current_app

    from grants.administration.operations import add_question, current_questions
    from grants.committees import operations as ops
    from grants.committees.models import CommitteeKind, MeetingStatus, MemberRole
    from grants.jobs.models import Job, JobStatus
    from grants.partners.models import PartnerCity, Relation
    from grants.questions.models import QuestionKind

    start = clock.today() - dt.timedelta(days=30)
    starts_at = dt.datetime.combine(
        clock.today() + dt.timedelta(days=7), dt.time(16), tzinfo=ZoneInfo("Europe/Copenhagen")
    )

    def committee(code, name, chair, secretary, member):
        fund = factories.make_fund(
            code=code, name=name, route="committee_decision", kind=kinds.COMMITTEE.code
        )
        c = ops.create_committee(name, CommitteeKind.STANDING, fund, *factories.this_period())
        ops.add_member(c, chair, MemberRole.CHAIR, start, None)
        ops.add_member(c, secretary, MemberRole.SECRETARY, start, None)
        if member is not None:
            ops.add_member(c, member, MemberRole.MEMBER, start, None)
        planned = ops.create_meeting(c, starts_at, "Rådhuset")
        closed = ops.create_meeting(c, starts_at - dt.timedelta(days=60), "Rådhuset")
        closed.status = MeetingStatus.CLOSED
        closed.minutes_pdf = b"%PDF-1.7 minutes"
        closed.minutes_sha256 = "2" * 64
        applicant = make_user(Role.EMPLOYEE, name=f"Ansøger til {name}")
        case = make_application(applicant, fund, state="screening")
        with current_app.test_request_context():
            item = ops.add_to_agenda(planned, case, "Indstilles.", w.caseworker)
            declaration = ops.declare_interest(item, secretary, "Min nabo er ansøger.")
        job = Job(
            kind="committee_issue",
            status=JobStatus.DONE,
            payload={"meeting_id": planned.id, "items": []},
            created_by_id=secretary.id,
        )
        db.session.add(job)
        db.session.flush()
        planned.job_id = job.id
        return fund, c, planned, closed, case, item, declaration

    secretary = make_user(Role.EMPLOYEE, name="Sine Sekretær")
    fund, c, planned, closed, case, item, declaration = committee(
        "kultur-udvalg", "Kultur- og Fritidsudvalget", people[CHAIR], secretary, people[BOARD]
    )
    other = committee(
        "social-udvalg",
        "Social- og Sundhedsudvalget",
        make_user(Role.EMPLOYEE, name="Anden Formand"),
        make_user(Role.EMPLOYEE, name="Anden Sekretær"),
        None,
    )
    add_question(
        fund,
        {
            "label": "Hvilken skole?",
            "kind": QuestionKind.SHORT_TEXT,
            "help_text": "",
            "required": False,
        },
        w.admin,
    )
    city = PartnerCity(
        name="Kuopio", country="FI", relation=Relation.TWIN_CITY, valid_from=start, note=""
    )
    db.session.add(city)
    w.municipality.logo, w.municipality.logo_content_type = _TINY_PNG, "image/png"
    db.session.flush()
    return {
        "committee_fund": fund,
        "committee": c,
        "meeting": planned,
        "closed_meeting": closed,
        "committee_case": case,
        "item": item,
        "declaration": declaration,
        "question_key": current_questions(fund)[-1]["key"],
        "city": city,
        "other_committee": other[1],
        "other_meeting": other[2],
        "other_closed_meeting": other[3],
        "other_item": other[5],
    }


def _rule_set(fund, admin):
    from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set

    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(encoding="utf-8")
    return add_rule_set(source, fund=fund, user=admin)


def url_values(rule, cases: Cases, expect: Expect) -> dict:
    defaults = {
        "application_id": cases.granted,
        "attachment_id": cases.attachment,
        "letter_id": cases.letter,
        "organisation_id": cases.organisation_a,
        "fund_code": cases.fund,
        "version": cases.version,
        "year": clock.today().year,
        "trip_id": cases.granted,
        "token": "x",
        "action": "x",
        "committee_id": cases.committee,
        "meeting_id": cases.meeting,
        "item_id": cases.item,
        "declaration_id": cases.declaration,
        "fund_id": cases.fund_id,
        "key": cases.question_key,
        "city_id": cases.city,
        "user_id": cases.person,
        "message_id": cases.message,
    }
    values = {name: defaults.get(name) for name in rule.arguments}
    values.update(expect.values)
    return {name: fill(value, cases) for name, value in values.items()}


def fill(value, cases: Cases):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return getattr(cases, value[1:-1])
    return value


def sign_in(client, user, csrf_secret: str | None = None) -> None:
    """Sign in without the password round trip (the login itself is tested elsewhere): a
    fresh session, nothing of the one before kept but ``csrf_secret`` if given (the secret a
    form's token was signed from, so that token stays valid)."""
    from flask import g

    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = f"{user.id}.{user.session_token}"
            session["_fresh"] = True
        if csrf_secret is not None:
            session["csrf_token"] = csrf_secret


def is_refusal(persona: str, response) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 401 and response.mimetype == "application/problem+json":
        return True  # the API refuses a request without a bearer token, session or not
    if persona == ANONYMOUS and response.status_code in (302, 401):
        return "/log-ind" in response.headers.get("Location", "")
    return False


def test_every_route_has_a_declared_expectation(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in EXPECTATIONS
    )
    assert not missing, (
        f"Routes without a declared access expectation: {missing}. Declare who may use each "
        f"in {WHERE} (and ask grants.core.access in the view)."
    )
    stale = sorted(set(EXPECTATIONS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not stale, f"Expectations for routes that no longer exist: {stale} ({WHERE})"


def test_every_route_as_every_person(app, routes, client):
    people, cases = build_world()
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None:
            continue  # reported by the test above
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = expect.method or ("GET" if "GET" in methods else "POST")
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **url_values(rule, cases, expect))
        data = {key: fill(value, cases) for key, value in expect.data.items()}
        # The refused first, then the allowed: an allowed visit may leave a trace (a journal
        # entry for a case file export), never a change of state the others would see.
        order = sorted(PERSONAS, key=lambda p: p in expect.allowed)
        for persona in order:
            sign_in(client, people.get(persona))
            response = client.open(url, method=method, data=data)
            if response.status_code >= 500:
                failures.append(f"{persona} {method} {url}: server error")
            elif persona in expect.allowed and is_refusal(persona, response):
                failures.append(f"{persona} {method} {url}: refused ({response.status_code})")
            elif persona not in expect.allowed and not is_refusal(persona, response):
                failures.append(f"{persona} {method} {url}: allowed ({response.status_code})")
    assert not failures, "\n".join(failures)


GUESSES = (
    "/ansoegninger/{other_case}",
    "/ansoegninger/{other_case}/bilag/{other_attachment}",
    "/ansoegninger/{own_case}/bilag/{other_attachment}",
    "/ansoegninger/{other_case}/bilag/{other_attachment}/vis",
    "/ansoegninger/{own_case}/bilag/{other_attachment}/vis",
    "/ansoegninger/{own_case}/bilag/999999/vis",
    "/ansoegninger/{other_case}/sagsmappe.zip",
    "/ansoegninger/{other_case}/rapport",
    "/ansoegninger/{other_case}/rediger",
    "/breve/{other_letter}/hent",
    "/udlandsrejser/rapporter/{other_letter}.pdf",
    "/ansoegninger/999999",
    "/ansoegninger/{own_case}/bilag/999999",
    "/breve/999999/hent",
)


def test_guessed_ids_of_other_peoples_things_are_refused(app, routes, client):
    """A person with a case of their own tries the ids next to theirs: cases, attachments,
    letters and reports of others are refused, and no file's bytes come back."""
    people, cases = build_world()
    stranger = people[OTHER_ORG]
    own = make_application(stranger, factories.make_fund(), state="granted")
    db.session.commit()
    sign_in(client, stranger)
    for path in GUESSES:
        url = path.format(
            other_case=cases.granted,
            other_attachment=cases.attachment,
            own_case=own.id,
            other_letter=cases.letter,
        )
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"%PDF" not in response.data, url


# A file sent with a message on a case (grants.messages) is need-to-know: the applicant side,
# the secretariat, and those deciding the case now (nobody on the pending case: within the
# caseworker's limit the board does not decide it); never the manager who endorsed it, the
# board, finance, nor anyone else who cannot see the case.
MESSAGE_FILE_READERS = frozenset({OWNER, COLLEAGUE, CASEWORKER, ADMIN})


def test_a_message_file_by_every_person(app, routes, client):
    from tests.dbstate import SIGNING_IN, table_fingerprint

    people, cases = build_world()
    pending = db.session.get(Application, cases.pending)
    item = Attachment(
        application=pending,
        purpose="message",
        filename="besked.pdf",
        content_type="application/pdf",
        size=8,
        sha256="2" * 64,
        data=b"%PDF-1.7",
    )
    db.session.add(item)
    db.session.commit()
    url = f"/ansoegninger/{pending.id}/bilag/{item.id}"
    page = f"/ansoegninger/{pending.id}"
    before = table_fingerprint(skip=SIGNING_IN)
    failures = []
    for persona in PERSONAS:
        sign_in(client, people.get(persona))
        response = client.get(url)
        listed = "besked.pdf" in page_text(client.get(page))
        if persona in MESSAGE_FILE_READERS:
            if response.status_code != 200 or not listed:
                failures.append(f"{persona}: refused ({response.status_code}, listed {listed})")
        elif not is_refusal(persona, response) or listed or b"%PDF" in response.data:
            failures.append(f"{persona}: allowed ({response.status_code}, listed {listed})")
    assert not failures, "\n".join(failures)
    assert table_fingerprint(skip=SIGNING_IN) == before


COMMITTEE_GUESSES = (
    ("GET", "/udvalg/{other_committee}"),
    ("GET", "/udvalg/moeder/{other_meeting}"),
    ("GET", "/udvalg/moeder/{other_meeting}/job.json"),
    ("GET", "/udvalg/moeder/{other_closed}/beslutningsprotokol.pdf"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/inhabilitet"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/beslutning"),
    ("POST", "/udvalg/moeder/{other_meeting}/fremmoedte"),
    ("POST", "/udvalg/moeder/{other_meeting}/dagsorden/udsend"),
    ("POST", "/udvalg/moeder/{other_meeting}/flyt"),
    ("POST", "/udvalg/moeder/{other_meeting}/aflys"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/udsaet"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/stedfortraeder"),
    ("POST", "/udvalg/moeder/{other_meeting}/udsend"),
    ("POST", "/udvalg/moeder/{other_meeting}/luk"),
    ("POST", "/udvalg/moeder/{other_meeting}/fremmoedte/forladt"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/indsigelse"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/haster"),
    ("POST", "/udvalg/moeder/{other_meeting}/punkter/{other_item}/behandles-ikke"),
    ("POST", "/udvalg/moeder/{meeting}/punkter/{other_item}/indsigelse"),
    ("POST", "/udvalg/moeder/{meeting}/punkter/{other_item}/haster"),
    # Their own meeting, with the other committee's item: not found.
    ("POST", "/udvalg/moeder/{meeting}/punkter/{other_item}/beslutning"),
    ("POST", "/udvalg/moeder/{meeting}/punkter/{other_item}/inhabilitet"),
    ("GET", "/udvalg/moeder/999999"),
    ("GET", "/udvalg/moeder/999999/beslutningsprotokol.pdf"),
)


def test_guessed_ids_of_another_committee_are_refused(app, routes, client):
    """The chair and a member of one committee try the ids of another committee's meetings,
    items, minutes and job: refused, no minutes' bytes come back, nothing changes."""
    from grants.committees.models import AgendaItem
    from tests.dbstate import table_fingerprint

    people, cases = build_world()
    other_item = db.session.get(AgendaItem, cases.other_item)
    assert other_item.meeting_id == cases.other_meeting
    before = table_fingerprint(set())
    for persona in (CHAIR, BOARD):
        sign_in(client, people[persona])
        for method, path in COMMITTEE_GUESSES:
            url = path.format(
                other_committee=cases.other_committee,
                other_meeting=cases.other_meeting,
                other_closed=cases.other_closed_meeting,
                other_item=cases.other_item,
                meeting=cases.meeting,
            )
            data = {"decision": "grant", "reasons": "Ja.", "reason": "Nabo.", "present": []}
            response = client.open(url, method=method, data=data)
            assert response.status_code in (403, 404), (persona, method, url)
            assert b"%PDF" not in response.data, url
    assert table_fingerprint(set()) == before


def test_files_are_served_with_safe_headers(app, routes, client):
    people, cases = build_world()
    # A file stored with a hostile name and type (a document is never changed: a new one).
    hostile = Attachment(
        application_id=cases.granted,
        filename='../../etc/"passwd"\r\nX-Evil: 1.html',
        content_type="text/html",
        size=8,
        sha256="0" * 64,
        data=b"%PDF-1.7",
    )
    db.session.add(hostile)
    db.session.commit()
    sign_in(client, people[OWNER])
    for url in (
        f"/ansoegninger/{cases.granted}/bilag/{hostile.id}",
        f"/breve/{cases.letter}/hent",
    ):
        response = client.get(url)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "\r" not in disposition and "\n" not in disposition
        assert "X-Evil" not in response.headers
        assert "/" not in disposition.split("filename", 1)[1]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    # An HTML "attachment" is never rendered in the app's origin.
    response = client.get(f"/ansoegninger/{cases.granted}/bilag/{hostile.id}")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_every_rule_of_the_permission_layer_is_named_and_refuses_the_anonymous(app):
    assert set(access.RULES) >= {
        "case.view",
        "case.edit",
        "case.step",
        "case.decide",
        "attachment.download",
        "letter.download",
        "budgets.read",
        "payments.record",
        "committee.manage",
        "committee.view",
        "meeting.view",
        "meeting.conduct",
        "meeting.record",
        "meeting.rule",
        "interest.declare",
        "minutes.download",
        "job.view",
        "admin.manage",
    }
    with pytest.raises(KeyError, match="grants/core/access.py"):
        access.may(None, "no.such.rule")
    for name in access.RULES:
        assert access.may(None, name, object()) is False


# -- Ids out of range, not numbers, of another state and another organisation (issue 16) ----
BAD_IDS = [
    "0",
    "2147483648",  # one past the largest Integer on PostgreSQL
    "9223372036854775807",
    "9223372036854775808",  # 2^63
    "18446744073709551616",
    "9" * 40,
    "-1",
    "abc",
    "1e3",
    "%C2%B2",  # "²": isdigit(), but not a number
    "%D9%A2",  # "٢", an Arabic-Indic two
    "%EF%BC%92",  # "２", a full-width two
    "1%00",
]
BAD_STRINGS = ["%00", "a%00b", "%3Cb%3E", "x" * 3000, "..%2F..%2Fetc"]


def _first_allowed(expect: Expect) -> str:
    allowed = sorted(expect.allowed - {ANONYMOUS})
    return allowed[0] if allowed else OWNER


def test_every_route_with_ids_out_of_range_or_not_numbers(app, routes, client):
    """Every value in every URL, bad, as anonymous and as a person allowed there: an id
    outside the database's range, or not an id at all, is simply not found (never a 500)."""
    from flask import url_for

    people, cases = build_world()
    failures, sent = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None or not rule.arguments or rule.endpoint == "static":
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = expect.method or ("GET" if "GET" in methods else "POST")
        good = url_values(rule, cases, expect)
        for argument in sorted(rule.arguments):
            converter = type(rule._converters[argument]).__name__
            if converter == "AnyConverter":
                continue  # one of a few words: anything else does not match the route
            numeric = isinstance(good[argument], int)
            marker = 9_999_999_17 if numeric else "zz-marker-zz"
            with app.test_request_context():
                url = url_for(rule.endpoint, **dict(good, **{argument: marker}))
            for bad in BAD_IDS if numeric else BAD_STRINGS:
                bad_url = url.replace(str(marker), bad)
                for persona in (ANONYMOUS, _first_allowed(expect)):
                    sign_in(client, people.get(persona))
                    response = client.open(bad_url, method=method)
                    sent += 1
                    where = f"{persona} {method} {bad_url[:120]}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                    elif numeric and persona != ANONYMOUS and response.status_code != 404:
                        if "%00" in bad and response.status_code == 400:
                            continue  # a URL with a control character: refused outright
                        failures.append(f"{where}: {response.status_code}, not 404")
    print(f"{sent} requests")
    assert sent > 500
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


def test_every_case_route_by_the_cases_state(app, routes, client):
    """Visibility per state, not only per role: every route that takes a case, with a case in
    each state, as every person. A draft is the applicant side's alone (issue 16 point 4: the
    finance officer's payment page showed a draft's title); a submitted case only its parties
    and staff."""
    from flask import url_for

    people, cases = build_world()
    viewers = {
        "draft": APPLICANT_SIDE,
        "endorsement": CASE_VIEWERS,
        "pending": CASE_VIEWERS,
        "granted": CASE_VIEWERS,
        "reported": CASE_VIEWERS,
    }
    failures, sent = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None or "application_id" not in rule.arguments:
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = expect.method or ("GET" if "GET" in methods else "POST")
        for state, may_see in viewers.items():
            values = dict(url_values(rule, cases, expect), application_id=getattr(cases, state))
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            for persona in sorted(PERSONAS):
                sign_in(client, people.get(persona))
                response = client.open(url, method=method)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{persona} {method} {url} ({state}): server error")
                elif persona not in may_see and not is_refusal(persona, response):
                    failures.append(
                        f"{persona} {method} {url} ({state}): {response.status_code}, not refused"
                    )
    assert not failures, "\n".join(failures)


def test_another_organisations_id_is_refused_on_every_route(app, routes, client):
    from flask import url_for

    people, cases = build_world()
    failures = []
    for rule in app.url_map.iter_rules():
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None or "organisation_id" not in rule.arguments:
            continue
        values = dict(url_values(rule, cases, expect), organisation_id=cases.organisation_b)
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        method = expect.method or ("GET" if "GET" in rule.methods else "POST")
        for persona in (OWNER, COLLEAGUE, OUTSIDER, MANAGER, FINANCE):
            sign_in(client, people.get(persona))
            response = client.open(url, method=method)
            if not is_refusal(persona, response):
                failures.append(f"{persona} {method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
