"""Personal data in old cases, and a person's own data.

``purge`` anonymises the cases closed more than ``PERSONAL_DATA_RETENTION_YEARS`` years ago
(default 6): the texts people wrote, the names of travellers and participants, the journal's
comments, the files' contents, the letters' PDFs and e-mails about the case, the texts of
its committee agenda items and declared interests (the minutes are made again, reduced), and
the audit trail's personal values of the people it removes. The case is left naming the one
former-applicant account, so nothing names its applicant. It keeps what the accounting needs
(bogføringsloven: the ledger entries, the amounts, the fund, the year and the case number)
and each letter's SHA-256, so a kept copy can still be proven to be the letter that was
sent. See docs/operations.md, "Personal data".

``export_for`` is a person's own data (GDPR art. 15 and 20): everything the app holds about
them (profile, cases with reports and accounts, e-mails, logins, committee memberships, ...),
as data and readably, in one zip archive.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update

from grants.applications.case_file import erased_note
from grants.applications.documents import allow_erasure
from grants.cases.models import (
    Application,
    Attachment,
    AttachmentWithdrawal,
    BudgetLine,
    Complaint,
)
from grants.cases.states import REOPENING_ACTIONS
from grants.core import clock
from grants.core.files import display_name
from grants.esdh.models import Journalisation
from grants.extensions import db
from grants.letters.models import Letter
from grants.messages.models import CaseMessage
from grants.messages.operations import thread as thread_of
from grants.notifications.models import OutboxMessage
from grants.payments.models import PaymentBatchLine
from grants.people.models import User
from grants.people.operations import forget_old_signup_mails
from grants.workflow import engine
from grants.workflow.models import JournalEntry, Transition

log = logging.getLogger(__name__)

PURGED = "personal_data_purged"
REMOVED = "[slettet]"
FORMER_APPLICANT_EMAIL = "tidligere-ansoeger@invalid.invalid"

# The case's own texts and the people in it; the amounts, dates and fund stay.
APPLICATION_TEXTS = (
    "purpose",
    "programme",
    "travellers",
    "other_funding_source",
    "expected_benefit",
    "knowledge_sharing",
    "endorsement_comment",
    "decision_reasons",
    "reply_draft",
)
# ... and the youth subsidy's (YouthSubsidy), with its birth years.
YOUTH_SUBSIDY_TEXTS = ("direct_contact", "dispensation_request", "dispensation_reason")
REPORT_TEXTS = ("what_was_done", "what_was_learned", "how_it_will_be_used", "participant_names")


@dataclass
class PurgePlan:
    cutoff: dt.datetime
    cases: list[Application] = field(default_factory=list)
    people: list[User] = field(default_factory=list)
    dry_run: bool = True
    # Form drafts (grants.drafts) last saved before FORM_DRAFT_KEEP_DAYS ago, deleted.
    drafts: int = 0
    # Sign-up e-mails counted for its limits (an e-mail and a network address each) older
    # than the hour they count in, deleted (grants.people.operations).
    signup_mails: int = 0


def closed_states() -> set[str]:
    """States no route leaves: refused, withdrawn, settled, cancelled, ... (a request for
    reconsideration, possible from a decided case at any time, does not count)."""
    left = set(
        db.session.scalars(
            select(Transition.from_state).where(Transition.action.not_in(REOPENING_ACTIONS))
        )
    )
    reached = set(db.session.scalars(select(Transition.to_state)))
    return reached - left


def closed_before(cutoff: dt.datetime) -> list[Application]:
    """Closed cases whose last step was before ``cutoff`` and that are not purged yet."""
    last_step = (
        select(JournalEntry.application_id, func.max(JournalEntry.created_at).label("at"))
        .group_by(JournalEntry.application_id)
        .subquery()
    )
    purged = select(JournalEntry.application_id).where(JournalEntry.action == PURGED)
    query = (
        select(Application)
        .outerjoin(last_step, last_step.c.application_id == Application.id)
        .where(
            Application.state.in_(sorted(closed_states())),
            func.coalesce(last_step.c.at, Application.updated_at) < cutoff,
            Application.id.not_in(purged),
        )
        .order_by(Application.id)
    )
    return list(db.session.scalars(query))


def cutoff_for(years: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or clock.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def purge(years: int, *, dry_run: bool = False, actor: User | None = None) -> PurgePlan:
    """Anonymise the personal data of the cases closed more than ``years`` years ago, and
    the people from outside left with no case; docs/operations.md says what is deleted,
    reduced and kept, and why."""
    plan = PurgePlan(cutoff=cutoff_for(years), dry_run=dry_run)
    plan.cases = closed_before(plan.cutoff)
    plan.people = _people_left_without_cases(plan.cases, plan.cutoff)
    if dry_run:
        return plan
    plan.drafts = _purge_form_drafts()
    plan.signup_mails = forget_old_signup_mails()
    ids = [case.id for case in plan.cases]
    former = former_applicant() if plan.cases else None
    for case in plan.cases:
        _anonymise_case(case, former)
    for person in plan.people:
        _anonymise_person(person, actor)
    if ids:
        # The journal is append-only for the app; the purge alone blanks its comments, with
        # a bulk UPDATE that the journal's ORM guard does not see, and records that it did.
        _overwrite(JournalEntry, JournalEntry.application_id.in_(ids), comment="", details=None)
        # The notes on complaints may name people; the body, days and outcome stay.
        _overwrite(Complaint, Complaint.application_id.in_(ids), note="", outcome_note="")
        # Why a payment line was withdrawn may name the person (a wrong CPR number or
        # NemKonto); the line keeps its batch, amount, status and day.
        _overwrite(PaymentBatchLine, PaymentBatchLine.application_id.in_(ids), withdrawn_reason="")
        # The thread and the internal notes are texts people wrote: blanked the same way.
        _overwrite(CaseMessage, CaseMessage.application_id.in_(ids), body="")
        _forget_mail(OutboxMessage.application_id.in_(ids))
        # What went to the ESDH keeps which document, when, where and under which KLE number;
        # its title (the case's title, a file's name) and the ESDH's answer go.
        _overwrite(Journalisation, Journalisation.application_id.in_(ids), title="", error="")
        # Mails about several cases (a committee's agenda) name each by number and title.
        numbers = [case.case_number for case in plan.cases if case.case_number]
        if numbers:
            from sqlalchemy import or_

            _forget_mail(or_(*(OutboxMessage.body.contains(number) for number in numbers)))
        _reduce_committee_records(ids, actor)
    for case in plan.cases:
        engine.record(
            case,
            PURGED,
            actor,
            comment="",
            from_state=case.state,
            visible_to_applicant=False,
        )
    db.session.flush()
    from grants.audit.listeners import PURGING

    db.session.info.pop(PURGING, None)  # flushed: later changes are audited as ever
    log.info(
        "Personal data purged: %d cases closed before %s, %d people anonymised (cases %s), "
        "%d form drafts deleted",
        len(plan.cases),
        plan.cutoff.date().isoformat(),
        len(plan.people),
        ", ".join(str(i) for i in ids) or "none",
        plan.drafts,
    )
    return plan


def _purge_form_drafts() -> int:
    """What people typed and never saved or sent goes after FORM_DRAFT_KEEP_DAYS: it is no
    document of any case, and nobody came back to it."""
    from grants.drafts.operations import purge_older_than

    days = current_app.config["FORM_DRAFT_KEEP_DAYS"]
    return purge_older_than(clock.now() - dt.timedelta(days=days))


def former_applicant() -> User:
    """The one account every purged case is left with as its applicant: inactive, no roles,
    no password anyone knows. The case then names nobody on any page, list, export, feed or
    letter, whether its applicant was from outside (whose account is anonymised too, once
    they have no case left) or one of the municipality's staff (who keep their account)."""
    import secrets

    person = db.session.scalar(select(User).where(User.email == FORMER_APPLICANT_EMAIL))
    if person is None:
        person = User(email=FORMER_APPLICANT_EMAIL, name=REMOVED, title="", department="")
        person.active = False
        person.set_password(secrets.token_urlsafe(32))
        db.session.add(person)
        db.session.flush()
    return person


def _anonymise_case(case: Application, former: User) -> None:
    from grants.reports.models import TripReport

    # The applicant's own steps (applied, replied, reported) were theirs: the journal keeps
    # the steps and names the former applicant instead. Officials keep their names: they
    # acted in office (forvaltningsloven: who decided is part of the decision).
    _overwrite(
        JournalEntry,
        JournalEntry.application_id == case.id,
        JournalEntry.actor_id == case.applicant_id,
        actor_id=former.id,
    )
    case.applicant_id = former.id
    case.title = REMOVED
    for name in APPLICATION_TEXTS:
        setattr(case, name, "")
    youth = case.youth_subsidy
    if youth is not None:
        for name in YOUTH_SUBSIDY_TEXTS:
            setattr(youth, name, "")
        youth.birth_years = None
    db.session.execute(
        update(BudgetLine).where(BudgetLine.application_id == case.id).values(description="")
    )
    # Every version of every document: the one erasure the documents' guard allows.
    allow_erasure()
    documents_of_case = select(Attachment.id).where(Attachment.application_id == case.id)
    db.session.execute(
        delete(AttachmentWithdrawal).where(
            AttachmentWithdrawal.attachment_id.in_(documents_of_case)
        )
    )
    db.session.execute(delete(Attachment).where(Attachment.application_id == case.id))
    report = db.session.scalar(select(TripReport).where(TripReport.application_id == case.id))
    if report is not None:
        for name in REPORT_TEXTS:
            setattr(report, name, "")
        report.actual_birth_years = None
        for line in report.account_lines:
            line.description = ""
    # The letter's PDF holds names and texts; its hash, kind, date and size stay as proof.
    db.session.execute(
        update(Letter)
        .where(Letter.application_id == case.id)
        .values(pdf=b"", parameters={}, erased_at=clock.now())
    )
    db.session.expire(case)


def _reduce_committee_records(ids: list[int], actor: User | None) -> None:
    """A committee is a political body: its minutes are kept (arkivloven), with the personal
    data in them reduced. The agenda items keep the decision, the amount and who recorded
    it, and lose the recommendation's and the decision's texts; a declaration of interest
    keeps who, how it was found and the committee's ruling (the decision's lawfulness rests
    on it), and loses its reason. Each meeting's minutes are made again from what is left,
    and the trail records the hashes of the minutes before and after."""
    import hashlib

    from grants.audit.models import write_event
    from grants.committees.minutes import make_minutes
    from grants.committees.models import AgendaItem, InterestDeclaration, Meeting

    _overwrite(
        AgendaItem,
        AgendaItem.application_id.in_(ids),
        recommendation="",
        reasons="",
        failure_reason="",
        urgent_reason="",
    )
    _overwrite(InterestDeclaration, InterestDeclaration.application_id.in_(ids), reason="")
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.id.in_(select(AgendaItem.meeting_id).where(AgendaItem.application_id.in_(ids))),
            Meeting.minutes_sha256 != "",
        )
        .order_by(Meeting.id)
    ).all()
    db.session.flush()
    for meeting in meetings:
        db.session.refresh(meeting)
        for item in meeting.items:
            db.session.refresh(item)
            for declaration in item.declarations:
                db.session.refresh(declaration)
        before = meeting.minutes_sha256
        with force_locale("da"):
            pdf = make_minutes(meeting, purged=set(ids))
        meeting.minutes_pdf = pdf
        meeting.minutes_sha256 = hashlib.sha256(pdf).hexdigest()
        write_event(
            "privacy.minutes_reduced",
            "committee_meeting",
            meeting.id,
            actor=actor,
            details={"sha256_before": before, "sha256_after": meeting.minutes_sha256},
        )


def _people_left_without_cases(cases: list[Application], cutoff: dt.datetime) -> list[User]:
    """Applicants from outside the municipality (no role at all) whose every case is in the
    purge and who have not logged in since the cutoff: their name and e-mail go too. Staff
    keep their accounts (HR's business), and so does someone still using the app (e.g. to
    act for their association): an account in use has a purpose; only the old case goes."""
    from grants.people.models import LoginAttempt

    purging = {case.id for case in cases}
    people = []
    for applicant_id in sorted({case.applicant_id for case in cases}):
        person = db.session.get(User, applicant_id)
        if person is None or person.role_grants:
            continue
        others = db.session.scalars(
            select(Application.id).where(Application.applicant_id == applicant_id)
        ).all()
        in_use = db.session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.user_id == applicant_id,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.at >= cutoff,
            )
            .limit(1)
        )
        if set(others) <= purging and in_use is None:
            people.append(person)
    return people


def _forget_mail(which) -> None:
    """Delete the e-mails ``which`` selects, and the copies written to the mail folder
    where there is no mail server (development and demo: MAIL_FOLDER, named by outbox id)."""
    from pathlib import Path

    outbox_ids = list(db.session.scalars(select(OutboxMessage.id).where(which)))
    if not outbox_ids:
        return
    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(outbox_ids))
        .execution_options(synchronize_session=False)
    )
    folder = current_app.config.get("MAIL_FOLDER")
    if current_app.config.get("MAIL_SERVER") or not folder or not Path(folder).is_dir():
        return
    marks = {f".outbox-{outbox_id}_" for outbox_id in outbox_ids}
    for path in Path(folder).glob("*.eml"):
        if any(mark in path.name for mark in marks):
            path.unlink(missing_ok=True)


def _delete_traces_of(person: User) -> None:
    """What else names the person: their logins (address and e-mail), their identities at
    identity providers, the invitations sent to their e-mail, and the e-mails sent to them
    outside a case."""
    from sqlalchemy import or_

    from grants.organisations.models import Invitation
    from grants.people.models import LoginAttempt, UserIdentity

    email = person.email.lower()
    _forget_mail(
        or_(OutboxMessage.recipient_id == person.id, func.lower(OutboxMessage.to_address) == email)
    )
    from grants.drafts.operations import forget_person

    forget_person(person.id)  # what they typed into forms and never sent
    for statement in (
        delete(LoginAttempt).where(
            or_(LoginAttempt.user_id == person.id, func.lower(LoginAttempt.email) == email)
        ),
        delete(Invitation).where(
            or_(Invitation.accepted_by_id == person.id, func.lower(Invitation.email) == email)
        ),
        # Their identities at identity providers (a subject names the person there).
        delete(UserIdentity).where(UserIdentity.user_id == person.id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))


def _anonymise_person(person: User, actor: User | None) -> None:
    import secrets

    from grants.audit.listeners import PURGING
    from grants.audit.models import erase_personal_values, write_event
    from grants.organisations.models import Membership
    from grants.people import two_factor

    # The trail records that the person's data was purged and by whom, never the data: no
    # "changed from ... to ..." event, and the values its earlier events refer to are erased.
    db.session.info.setdefault(PURGING, set()).add(person.id)
    _delete_traces_of(person)

    person.name = REMOVED
    person.email = f"slettet-{person.id}@invalid.invalid"
    person.title = ""
    person.department = ""
    person.active = False
    person.set_password(secrets.token_urlsafe(32))  # nobody can log in as them
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == person.id)):
        db.session.delete(membership)
    two_factor.forget(person)  # the authenticator's secret and the recovery codes
    db.session.flush()
    erase_personal_values(person.id)
    write_event("privacy.person_purged", "user", person.id, actor=actor)


# -- a person's own data -----------------------------------------------------------------------


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _row(obj, skip=()) -> dict:
    return {
        column.key: _plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in skip
    }


def _report(case: Application) -> dict | None:
    """The trip report and its accounts as they are held, not only inside the report PDF."""
    report = getattr(case, "report", None)
    if report is None:
        return None
    return {
        **_row(report),
        "account_lines": [_row(line) for line in report.account_lines],
    }


def _overwrite(model, *conditions, **values) -> None:
    """Overwrite ``values`` in the rows of ``model`` that meet ``conditions``, in one UPDATE
    (not synchronised: objects already loaded in the session keep their old values)."""
    db.session.execute(
        update(model)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _rows_in_order(model, *conditions) -> list:
    """The rows of ``model`` that meet ``conditions``, oldest first (by id)."""
    return list(db.session.scalars(select(model).where(*conditions).order_by(model.id)))


def own_data(user: User) -> tuple[dict, list[Application]]:
    """Everything the system holds about ``user``, as plain JSON values, and their cases:
    the profile, roles, organisations, the cases with their report and accounts, the e-mails
    sent to them, their logins, their committee memberships, meetings and declarations, and
    the audit trail's events about their account with their own values filled in."""
    from sqlalchemy import or_

    from grants.audit.models import AuditEvent, resolve
    from grants.committees.models import (
        CommitteeMembership,
        InterestDeclaration,
        LateItemObjection,
        MeetingAttendance,
    )
    from grants.organisations.models import Invitation
    from grants.organisations.operations import organisations_of
    from grants.people.models import LoginAttempt

    email = user.email.lower()
    cases = _rows_in_order(Application, Application.applicant_id == user.id)
    mails = _rows_in_order(
        OutboxMessage,
        or_(OutboxMessage.recipient_id == user.id, func.lower(OutboxMessage.to_address) == email),
    )
    logins = _rows_in_order(
        LoginAttempt, or_(LoginAttempt.user_id == user.id, func.lower(LoginAttempt.email) == email)
    )
    memberships = _rows_in_order(CommitteeMembership, CommitteeMembership.user_id == user.id)
    attended = _rows_in_order(MeetingAttendance, MeetingAttendance.user_id == user.id)
    declarations = _rows_in_order(InterestDeclaration, InterestDeclaration.user_id == user.id)
    objections = _rows_in_order(LateItemObjection, LateItemObjection.user_id == user.id)
    invitations = _rows_in_order(
        Invitation,
        or_(func.lower(Invitation.email) == email, Invitation.accepted_by_id == user.id),
    )
    events = _rows_in_order(
        AuditEvent, AuditEvent.object_type == "user", AuditEvent.object_id == user.id
    )
    two_factor = user.two_factor
    return {
        "exported_at": clock.now().isoformat(),
        "profile": _row(user, skip=("password_hash", "session_token")),
        "roles": sorted(str(grant.role) for grant in user.role_grants),
        "two_factor": {
            "set_up": two_factor is not None and two_factor.confirmed_at is not None,
            "confirmed_at": _plain(two_factor.confirmed_at) if two_factor else None,
            "recovery_codes_left": sum(1 for code in user.recovery_codes if code.used_at is None),
        },
        "organisations": [
            {"id": o.id, "name": o.name, "cvr": o.cvr} for o in organisations_of(user)
        ],
        "invitations": [_row(i, skip=("token_hash",)) for i in invitations],
        "cases": [
            {
                **_row(case),
                # The youth subsidy's own data (counts, partner city, the calculation).
                **(
                    _row(case.youth_subsidy, skip=("application_id",))
                    if case.youth_subsidy is not None
                    else {}
                ),
                "fund": case.fund.name,
                "budget_lines": [_row(line) for line in case.budget_lines],
                "report": _report(case),
                "journal": [_row(entry) for entry in case.journal if entry.visible_to_applicant],
                # The thread with the municipality; never its internal notes (offentlighedsloven
                # § 23: internal working documents, exempt from access).
                "messages": [
                    {
                        **_row(message),
                        "attachments": [item.id for item in message.attachments],
                    }
                    for message in thread_of(case)
                ],
                "letters": [
                    {**_row(letter), "file": _letter_path(letter)} for letter in case.letters
                ],
                "attachments": [
                    {**_row(item), "file": f"bilag/{item.id}-{display_name(item.filename)}"}
                    for item in case.attachments
                ],
            }
            for case in cases
        ],
        "emails": [_row(mail) for mail in mails],
        "logins": [_row(attempt) for attempt in logins],
        "committee_memberships": [
            {**_row(m), "committee": m.committee.name, "period": m.committee.period}
            for m in memberships
        ],
        "meetings_attended": [
            {
                "meeting_id": a.meeting_id,
                "committee": a.meeting.committee.name,
                "starts_at": _plain(a.meeting.starts_at),
                "left_at": _plain(a.left_at),
            }
            for a in attended
        ],
        "interest_declarations": [_row(d) for d in declarations],
        # Objections to items added late being handled (who, when, withdrawn when).
        "late_item_objections": [_row(o) for o in objections],
        "account_events": [
            {
                "at": _plain(e.at),
                "action": e.action,
                "actor_id": e.actor_id,
                "details": resolve(e.details or {}),
            }
            for e in events
        ],
    }, cases


def _letter_path(letter: Letter) -> str:
    if letter.erased_at is not None:
        return f"breve/{letter.id}-SLETTET.txt"
    return f"breve/{letter.id}-{display_name(letter.filename)}"


def export_for(user: User) -> bytes:
    """A zip: ``mine-data.json`` (everything, as data), a readme in the person's language,
    each e-mail sent to them as text, their logins as CSV, and their cases' letters and
    files."""
    data, cases = own_data(user)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        force_locale(user.locale or "da"),
    ):
        archive.writestr(
            "mine-data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str)
        )
        archive.writestr("LAESMIG.txt", _readme(data))
        for mail in data["emails"]:
            archive.writestr(f"e-mails/{mail['id']}.txt", _mail_text(mail))
        archive.writestr("logins.csv", _logins_csv(data["logins"]))
        for case in cases:
            for letter in case.letters:
                if letter.erased_at is not None:  # never an empty PDF: a note instead
                    archive.writestr(_letter_path(letter), erased_note(letter))
                    continue
                archive.writestr(_letter_path(letter), letter.pdf)
            for item in case.attachments:
                archive.writestr(f"bilag/{item.id}-{display_name(item.filename)}", item.data)
    return buffer.getvalue()


def _readme(data: dict) -> str:
    from flask_babel import gettext

    counts = {
        "cases": len(data["cases"]),
        "reports": sum(1 for case in data["cases"] if case["report"]),
        "emails": len(data["emails"]),
        "logins": len(data["logins"]),
        "memberships": len(data["committee_memberships"]),
    }
    return (
        gettext(
            "Dine oplysninger i rejsetilskudssystemet, udtrukket %(at)s.\n\n"
            "mine-data.json: alt, hvad systemet har om dig: din profil, dine roller, "
            "foreninger, sager (%(cases)s) med rapporter og regnskaber (%(reports)s), "
            "journal, breve og bilag, de e-mails, der er sendt til dig (%(emails)s), dine "
            "logins (%(logins)s), dine udvalgsmedlemskaber (%(memberships)s), møder, "
            "erklæringer om inhabilitet og hændelserne på din konto.\n"
            "e-mails/: hver e-mail som tekst. logins.csv: hvert login med tid, adresse og "
            "udfald. breve/ og bilag/: dine sagers breve og filer, som de blev sendt og "
            "modtaget.",
            at=data["exported_at"],
            **counts,
        )
        + "\n"
    )


def _mail_text(mail: dict) -> str:
    from flask_babel import gettext

    return "\n".join(
        [
            gettext("Til: %(to)s", to=mail["to_address"]),
            gettext("Emne: %(subject)s", subject=mail["subject"]),
            gettext("Lavet: %(at)s", at=mail["created_at"]),
            gettext("Sendt: %(at)s", at=mail["sent_at"] or "-"),
            "",
            mail["body"],
        ]
    )


def _logins_csv(logins: list[dict]) -> str:
    from flask_babel import gettext

    from grants.core.spreadsheets import csv_text

    rows: list[list] = [
        [gettext("tidspunkt"), gettext("e-mail"), gettext("adresse"), gettext("lykkedes")]
    ]
    for attempt in logins:
        rows.append(
            [
                attempt["at"],
                attempt["email"],
                attempt["ip"],
                gettext("ja") if attempt["succeeded"] else gettext("nej"),
            ]
        )
    # Opened in a spreadsheet: nothing in it is run as a formula.
    return "\ufeff" + csv_text(rows)
