"""The thread of a case: a message, a request for information with its deadline, an answer,
an internal note. Each is journalised and its files kept as documents of the case; each
message is e-mailed to the other side, in the recipient's language. Flushes, never commits.

A request for information is the route's step ``request_information`` where the route has it
now (the case goes back to the applicant, as it always did), else a message with a deadline.
The applicant side's answer to it, while the case waits for them, is the step ``resubmit``
(the same as sending the changed application again from its form). A step taken from the
thread is the message: the subscriber that makes a message of a step's comment when the step
is taken on its own page (``grants.messages.subscribers``) leaves it alone."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    literal,
    null,
    select,
)
from sqlalchemy.orm import aliased, selectinload

from grants.applications import case_lists, documents
from grants.applications import operations as applications
from grants.cases.models import Application, Attachment
from grants.cases.states import State
from grants.core import access, clock
from grants.core.errors import DomainError, NotAllowed
from grants.core.files import CheckedFile, check_uploads
from grants.extensions import db
from grants.messages import forms
from grants.messages.models import MESSAGE, NOTE, REQUEST, CaseMessage, UnreadReply
from grants.messages.signals import message_written
from grants.notifications.operations import queue_mail
from grants.organisations.operations import applicant_side
from grants.people.models import Role, User, UserRole
from grants.workflow import engine, waits_for
from grants.workflow.guards import ALWAYS
from grants.workflow.journal_texts import MESSAGE as NOTE_KEY
from grants.workflow.journal_texts import note
from grants.workflow.models import CaseRole, JournalEntry

BODY_MAX = 5000
MAX_FILES = 5
REQUEST_STEP = "request_information"
ANSWER_STEP = "resubmit"
MESSAGE_SENT = "message_sent"
INTERNAL_NOTE = "internal_note"
REPLY_READ = "reply_read"

_step_from_thread: ContextVar[bool] = ContextVar("step_from_thread", default=False)


@contextmanager
def step_from_thread() -> Iterator[None]:
    """A step taken by a message: the message is written by the thread itself."""
    token = _step_from_thread.set(True)
    try:
        yield
    finally:
        _step_from_thread.reset(token)


def taking_step_from_thread() -> bool:
    return _step_from_thread.get()


def thread(application: Application) -> list[CaseMessage]:
    """The messages between the two sides, oldest first (never the internal notes), with
    their authors and files in the same few queries."""
    return list(db.session.scalars(_thread_statement(), {"application_id": application.id}))


# The case page's statements are kept (made once, with the case's id a parameter): building
# a statement with its loader options and working out its cache key on every request cost
# more than running it.
@functools.cache
def _thread_statement():
    return (
        select(CaseMessage)
        .options(selectinload(CaseMessage.attachments), selectinload(CaseMessage.author))
        .where(CaseMessage.application_id == bindparam("application_id"), CaseMessage.kind != NOTE)
        .order_by(CaseMessage.id)
    )


@functools.cache
def _thread_and_notes_statement():
    return (
        select(CaseMessage)
        .options(selectinload(CaseMessage.attachments), selectinload(CaseMessage.author))
        .where(CaseMessage.application_id == bindparam("application_id"))
        .order_by(CaseMessage.id)
    )


def thread_and_notes(application: Application) -> tuple[list[CaseMessage], list[CaseMessage]]:
    """``thread`` and ``notes`` in one query (the case page of someone who reads both)."""
    thread: list[CaseMessage] = []
    kept_notes: list[CaseMessage] = []
    for message in db.session.scalars(
        _thread_and_notes_statement(), {"application_id": application.id}
    ):
        (kept_notes if message.kind == NOTE else thread).append(message)
    return thread, kept_notes


def notes(application: Application) -> list[CaseMessage]:
    """The staff's internal notes, oldest first."""
    return list(
        db.session.scalars(
            select(CaseMessage)
            .where(CaseMessage.application_id == application.id, CaseMessage.kind == NOTE)
            .order_by(CaseMessage.id)
        )
    )


@dataclass(frozen=True)
class Needed:
    """What the municipality needs from the applicant side, and by when."""

    request: CaseMessage
    due_date: dt.date | None
    overdue: bool
    can_edit: bool  # the application itself may be changed and sent again


def open_request(
    application: Application, messages: list[CaseMessage] | None = None
) -> CaseMessage | None:
    """The latest request for information not yet answered by the applicant side
    (``messages``: the thread, when the caller has read it)."""
    open_one = None
    for message in thread(application) if messages is None else messages:
        if message.kind == REQUEST:
            open_one = message
        elif message.from_applicant:
            open_one = None
    return open_one


# The states in which nothing is asked of the applicant side any more (``needed``): a
# draft, and a case ended (withdrawn, refused, cancelled, settled), where a request left
# unanswered asks nothing (a request for reconsideration opens the case again, and a new
# request asks anew).
NOTHING_ASKED_STATES = (
    State.DRAFT,
    State.WITHDRAWN,
    State.REFUSED,
    State.CANCELLED,
    State.SETTLED,
)


@case_lists.list_column("reply_by")
def open_request_due() -> ColumnElement[dt.date | None]:
    """``open_request``'s deadline as a column of a statement over ``Application`` (the task
    list's): the due date of the case's latest request for information, if no message of
    the applicant side came after it; NULL otherwise. A correlated subquery, read with the
    rows by the index on the case (no statement of its own)."""
    request, answer = aliased(CaseMessage), aliased(CaseMessage)
    answered = exists().where(
        answer.application_id == request.application_id,
        answer.from_applicant.is_(True),
        answer.id > request.id,
    )
    return (
        select(request.due_date)
        .where(
            request.application_id == Application.id,
            request.kind == REQUEST,
            ~answered,
            Application.state.not_in([state.value for state in NOTHING_ASKED_STATES]),
        )
        .order_by(request.id.desc())
        .limit(1)
        .correlate(Application)
        .scalar_subquery()
    )


def _asks_or_answers(message: CaseMessage) -> bool:
    """Whether a message can change what the case asks of the applicant side: a request,
    or anything they write. The secretariat's plain messages and the internal notes cannot:
    they leave the case's days alone (no statement on the case, ``waits_for``)."""
    return message.kind == REQUEST or bool(message.from_applicant)


@waits_for.source(CaseRole.APPLICANT, CaseMessage, matters=_asks_or_answers)
def asked_of_the_applicant() -> ColumnElement[dt.date | None]:
    """A case waits for the applicant side at once while a request for information stands
    unanswered (``open_request``), whether or not the route took the case back to them: a
    request made as a message while the case awaits a decision asks them as much. The
    case's day for the applicant (``waits_for``), worked out again when a message is
    written or the case's state changes."""
    request, answer = aliased(CaseMessage), aliased(CaseMessage)
    answered = exists().where(
        answer.application_id == request.application_id,
        answer.from_applicant.is_(True),
        answer.id > request.id,
    )
    asked = and_(
        Application.state.not_in([state.value for state in NOTHING_ASKED_STATES]),
        exists().where(
            request.application_id == Application.id, request.kind == REQUEST, ~answered
        ),
    )
    return case((asked, literal(ALWAYS, Date)), else_=null())


@waits_for.source(CaseRole.CASEWORKER, UnreadReply)
def reply_unread() -> ColumnElement[dt.date | None]:
    """A case waits for the caseworkers at once while a message of the applicant side that
    took no step of the route (a reply to a request made as a message, or one that answers
    no request) is unread (``UnreadReply``): the case's day for the caseworkers, worked out
    again when one is added or read."""
    unread = exists().where(UnreadReply.application_id == Application.id)
    return case((unread, literal(ALWAYS, Date)), else_=null())


def unread_reply_column() -> ColumnElement[bool]:
    """Whether the case has an unread message of the applicant side, as a column of a
    statement over Application (the task list's rows)."""
    return exists().where(UnreadReply.application_id == Application.id)


def cases_with_unread_messages() -> Select[tuple[int]]:
    """The ids of the cases with an unread message of the applicant side: few, read from
    their own small table. For a list that must find the cases the caseworkers wait for
    outside the route's steps without reading every case waiting for them (the task page's
    filter choices); the waiting rule itself reads only the case's days."""
    return select(UnreadReply.application_id)


def unread_replies(application: Application) -> set[int]:
    """The ids of the case's messages that are unread replies."""
    return set(
        db.session.scalars(
            select(UnreadReply.message_id).where(UnreadReply.application_id == application.id)
        )
    )


def replies_read(application: Application) -> int:
    """A caseworker acted on the case (answered in the thread, took a step): its unread
    replies are read. How many were."""
    result = db.session.execute(
        delete(UnreadReply)
        .where(UnreadReply.application_id == application.id)
        .execution_options(synchronize_session=False)
    )
    read = int(getattr(result, "rowcount", 0) or 0)
    if read:
        # A Core DELETE: the session's events do not see it, so the case's days are
        # worked out here (``reply_unread``).
        waits_for.recompute(db.session, [application.id])
    return read


def is_message_of(application: Application, message_id: int) -> bool:
    """Whether ``message_id`` is a message of the case's thread."""
    return (
        db.session.scalar(
            select(CaseMessage.id).where(
                CaseMessage.id == message_id, CaseMessage.application_id == application.id
            )
        )
        is not None
    )


def mark_read(application: Application, message_id: int, actor: User) -> bool:
    """A caseworker marks the applicant side's reply read: the case no longer waits for the
    caseworkers because of it; the journal says who read it. False: it was not unread."""
    if not access.may(actor, "case.mark_reply_read", application):
        raise NotAllowed(_("Du kan ikke markere svar som læst i denne sag."))
    unread = db.session.scalar(
        select(UnreadReply).where(
            UnreadReply.application_id == application.id, UnreadReply.message_id == message_id
        )
    )
    if unread is None:
        return False
    db.session.delete(unread)
    engine.record(
        application, REPLY_READ, actor, from_state=application.state, visible_to_applicant=False
    )
    db.session.flush()
    return True


def needed(application: Application, messages: list[CaseMessage] | None = None) -> Needed | None:
    request = open_request(application, messages)
    if request is None or application.state in NOTHING_ASKED_STATES:
        return None
    return Needed(
        request=request,
        due_date=request.due_date,
        overdue=request.due_date is not None and request.due_date < clock.today(),
        can_edit=application.state == State.AWAITING_INFORMATION,
    )


def _applicant_side_ids(application: Application) -> set[int]:
    ids = {application.applicant_id}
    if application.organisation is not None:
        ids |= {membership.user_id for membership in application.organisation.members}
    return ids


def handling_caseworkers(application: Application) -> list[User]:
    """The caseworkers who have acted on the case: written to the applicant side or taken a
    step as caseworkers, never anyone of the applicant side; active, oldest first."""
    caseworkers = select(UserRole.user_id).where(UserRole.role == Role.CASEWORKER)
    ids = set(
        db.session.scalars(
            select(CaseMessage.author_id).where(
                CaseMessage.application_id == application.id,
                CaseMessage.from_applicant.is_(False),
                CaseMessage.author_id.is_not(None),
            )
        )
    ) | set(
        db.session.scalars(
            select(JournalEntry.actor_id).where(
                JournalEntry.application_id == application.id,
                JournalEntry.actor_id.in_(caseworkers),
            )
        )
    )
    ids -= _applicant_side_ids(application)
    if not ids:
        return []
    return [
        u
        for u in db.session.scalars(
            select(User).where(User.active, User.id.in_(ids)).order_by(User.id)
        )
        if u.email
    ]


def responsible_caseworkers(application: Application) -> list[User]:
    """The people responsible for the fund's cases: the owners of the route's caseworker
    steps (``CaseRole.CASEWORKER``: the secretariat, which shares the funds; the app assigns
    no caseworker to a fund), never anyone of the applicant side."""
    outside = _applicant_side_ids(application)
    return [
        u
        for u in db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.CASEWORKER, User.active)
            .order_by(User.id)
        )
        if u.email and u.id not in outside
    ]


@dataclass(frozen=True)
class Mailbox:
    """A fund's shared mailbox (funktionspostkasse): a recipient who is not a person here."""

    email: str
    name: str
    id: None = None
    locale: str = "da"
    active: bool = True


def staff_side(application: Application) -> list[User | Mailbox]:
    """Who gets the applicant side's messages: the caseworkers handling the case (the one
    who acted, and whoever took it over); while none has, the fund's shared mailbox if it
    has one, else the people responsible for the fund's cases."""
    handling = handling_caseworkers(application)
    if handling:
        return list(handling)
    if application.fund.caseworker_email:
        return [Mailbox(email=application.fund.caseworker_email, name=application.fund.name)]
    return list(responsible_caseworkers(application))


def check_files(files: Iterable[tuple[str, bytes]], field: str = "files") -> list[CheckedFile]:
    """The files sent with a message, judged by their content (grants.core.files)."""
    return check_uploads(list(files), field=field, max_files=MAX_FILES)


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Skriv en besked."), field=field)
    if len(body) > BODY_MAX:
        raise DomainError(_("Beskeden kan højst være %(max)s tegn.", max=BODY_MAX), field=field)
    return body


def _check_deadline(due_date: dt.date | None) -> dt.date:
    if due_date is None:
        raise DomainError(_("Skriv fristen for svaret."), field="due_date")
    problem = forms.deadline_problem(due_date)
    if problem:
        raise DomainError(problem, field="due_date")
    return due_date


def post_message(
    application: Application,
    actor: User,
    body: str,
    files: Iterable[CheckedFile] = (),
    *,
    request: bool = False,
    due_date: dt.date | None = None,
) -> CaseMessage:
    """Write a message in the case's thread (``request``: the secretariat asks for
    information, to be answered by ``due_date``)."""
    if not access.may(actor, "case.message", application):
        raise NotAllowed(_("Du kan ikke skrive beskeder i denne sag."))
    body = _clean_body(body)
    from_applicant = access.may(actor, "case.act_as_applicant", application)
    if request:
        if from_applicant:
            raise NotAllowed(_("Kun sekretariatet kan bede om oplysninger."))
        due_date = _check_deadline(due_date)
    entry: JournalEntry | None = None
    with step_from_thread():
        if request and _can_take(application, REQUEST_STEP, actor):
            entry = engine.take(
                application,
                REQUEST_STEP,
                actor,
                comment=body,
                details=note("information_requested", date=due_date),
            )
        elif (
            from_applicant
            and application.state == State.AWAITING_INFORMATION
            and open_request(application) is not None
        ):
            applications.submit(application, actor, reply=body)
            entry = _latest_entry(application, ANSWER_STEP)
    attachments = [
        documents.receive(application, checked, actor, documents.MESSAGE_FILE, field="files")
        for checked in files
    ]
    if entry is None:
        entry = engine.record(
            application,
            MESSAGE_SENT,
            actor,
            comment=body,
            from_state=application.state,
            details=note("information_requested", date=due_date) if request else None,
        )
    db.session.flush()
    recipients = _the_other_side(application, from_applicant, actor, step=entry.action)
    message = CaseMessage(
        application_id=application.id,
        author_id=actor.id,
        kind=REQUEST if request else MESSAGE,
        from_applicant=from_applicant,
        body=body,
        due_date=due_date if request else None,
        journal_entry_id=entry.id,
        attachments=attachments,
        sent_to=_kept(recipients),
    )
    db.session.add(message)
    if from_applicant and entry.action == MESSAGE_SENT:
        # The message took no step (it answers no request, there is none from this state,
        # or the case has moved on): the case waits for the caseworkers until one has read
        # it; the applicant moves nothing. Added with the message: one flush, the case's
        # days worked out once.
        db.session.add(UnreadReply(application_id=application.id, message=message))
    db.session.flush()
    if not from_applicant:
        replies_read(application)  # answered in the thread: read
    _mail(application, message, actor, recipients)
    message_written.send(application, message=message, actor=actor)
    return message


def add_note(application: Application, actor: User, body: str) -> CaseMessage:
    """An internal note: staff only, kept in the case file as an internal working document
    (offentlighedsloven § 23), never shown or e-mailed to the applicant side."""
    if not access.may(actor, "case.write_note", application):
        raise NotAllowed(_("Du kan ikke skrive interne notater i denne sag."))
    body = _clean_body(body, field="note")
    entry = engine.record(
        application,
        INTERNAL_NOTE,
        actor,
        comment=body,
        from_state=application.state,
        visible_to_applicant=False,
    )
    db.session.flush()
    note = CaseMessage(
        application_id=application.id,
        author_id=actor.id,
        kind=NOTE,
        from_applicant=False,
        body=body,
        journal_entry_id=entry.id,
    )
    db.session.add(note)
    db.session.flush()
    message_written.send(application, message=note, actor=actor)
    return note


def request_information(
    application: Application,
    actor: User,
    action: str,
    comment: str,
    due_date: dt.date | None = None,
) -> None:
    """The request for information as a step (``InformationRequestForm``): the case goes back
    to the applicant, and the request, answered by ``due_date`` (``forms.default_deadline``
    when none is given), is the step's comment (``message_of_step``). The deadline is in the
    journal, as a message's request has it."""
    due = _check_deadline(due_date) if due_date is not None else forms.default_deadline()
    engine.take(
        application, action, actor, comment, details=note("information_requested", date=due)
    )


def requested_by(entry: JournalEntry) -> dt.date:
    """The deadline of a request taken as a step: as the step recorded it, else (a step
    taken before the deadline could be chosen) the default deadline."""
    details = entry.details or {}
    if details.get(NOTE_KEY) == "information_requested" and details.get("date"):
        return dt.date.fromisoformat(str(details["date"]))
    return forms.default_deadline()


def message_of_step(application: Application, entry: JournalEntry, actor: User) -> None:
    """A request for information or an answer to it taken as a step on its own page (the
    case page's button, the application's form): the step's comment is the message."""
    if entry.action == REQUEST_STEP:
        kind, from_applicant = REQUEST, False
        due: dt.date | None = requested_by(entry)
    elif entry.action == ANSWER_STEP:
        kind, from_applicant, due = MESSAGE, True, None
    else:
        return
    if not entry.comment:
        return
    db.session.flush()
    recipients = _the_other_side(application, from_applicant, actor, step=entry.action)
    message = CaseMessage(
        application_id=application.id,
        author_id=actor.id if actor else None,
        kind=kind,
        from_applicant=from_applicant,
        body=entry.comment,
        due_date=due,
        journal_entry_id=entry.id,
        sent_to=_kept(recipients),
    )
    db.session.add(message)
    db.session.flush()
    _mail(application, message, actor, recipients)
    message_written.send(application, message=message, actor=actor)


def _can_take(application: Application, action: str, actor: User) -> bool:
    return any(t.action == action for t in engine.available_transitions(application, actor))


def _latest_entry(application: Application, action: str) -> JournalEntry | None:
    db.session.flush()
    return db.session.scalar(
        select(JournalEntry)
        .where(JournalEntry.application_id == application.id, JournalEntry.action == action)
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )


def _the_other_side(
    application: Application, from_applicant: bool, actor: User | None, step: str
) -> list[User | Mailbox]:
    """Who a message is e-mailed to: the other side, never its author. A step's own e-mail
    already tells the applicant (a request) or the caseworkers (an answer): they are not told
    twice."""
    recipients: list[User | Mailbox]
    if from_applicant:
        if step == ANSWER_STEP:
            return []  # the answer's step tells the caseworkers it is their turn again
        recipients = staff_side(application)
    else:
        if step == REQUEST_STEP:
            return []  # the step's status e-mail tells the whole applicant side
        recipients = list(applicant_side(application))
    return [p for p in recipients if actor is None or p.id != actor.id]


def _kept(recipients: list[User | Mailbox]) -> list[dict] | None:
    """What the message keeps of its recipients: a person's id and name, a mailbox's
    address."""
    return [
        {"email": p.email} if isinstance(p, Mailbox) else {"id": p.id, "name": p.name}
        for p in recipients
    ] or None


def _mail(
    application: Application,
    message: CaseMessage,
    actor: User | None,
    recipients: list[User | Mailbox],
) -> None:
    """Each recipient is told, in their own language."""
    case_url = url_for("applications.show", application_id=application.id, _external=True)
    for person in recipients:
        queue_mail(
            person,
            "mail/message_subject.txt",
            "mail/message.txt",
            application=application,
            message=message,
            author=actor,
            case_url=case_url + "#beskeder",
        )


def files_of(message: CaseMessage) -> list[Attachment]:
    return list(message.attachments)
