"""Sending a letter to its recipient. A fund with Digital Post sends its letters through
SF1601 (``grants.delivery.sf1601``) as a background job, trying again after a failure; a
recipient Digital Post cannot reach (no CVR number, exempt, or still failing after the last
attempt) gets the letter by the municipality's other channel (``DIGITAL_POST_FALLBACK``): an
e-mail with a secure link that expires, or a letter the secretariat prints and posts. Each
step is written in the case's journal; the case page shows the channel and its status.

Persons: Digital Post reaches a person by CPR number, and the app keeps none (NemLog-in's
CPR attribute is dropped at login, grants.nemlogin.service_provider). The funds' applicants
are associations (by their CVR number) or the municipality's own staff and politicians,
whose letters are internal; so a person's letter goes by the other channel, and the journal
says why. docs/integrations.md says what it would take.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
import uuid

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from grants.cases.models import Application
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.models import Municipality
from grants.delivery import memo, sf1601
from grants.delivery.models import Channel, LetterDelivery, Status
from grants.extensions import db
from grants.jobs import runner
from grants.jobs.models import Job
from grants.letters.kinds import REPORT, kind_label
from grants.letters.models import Letter
from grants.notifications.operations import queue_mail
from grants.notifications.sender import send
from grants.workflow import journal_texts
from grants.workflow.engine import record
from grants.workflow.journal_texts import note

log = logging.getLogger(__name__)

JOB = "letter_delivery"
# The approved report is the municipality's own record (published), not a letter to anyone.
NOT_SENT = frozenset({REPORT})

# Why a letter went by another channel than Digital Post.
NOT_CONFIGURED = "not_configured"
NO_CVR = "no_cvr"
PERSON = "person"
EXEMPT = "exempt"
FAILED = "failed"
FAILED_AFTER_SENDING = "failed_after_sending"
REASONS = {
    NOT_CONFIGURED: _l("Digital Post er ikke sat op for kommunen"),
    NO_CVR: _l("Organisationen har intet CVR-nummer"),
    PERSON: _l("Modtageren er en person, og systemet kender ikke personens CPR-nummer"),
    EXEMPT: _l("Modtageren er fritaget for Digital Post"),
    FAILED: _l("Digital Post fejlede ved hvert forsøg"),
    FAILED_AFTER_SENDING: _l(
        "Fejlet efter afsendelse: Digital Post kunne ikke aflevere brevet i postkassen"
    ),
}
# The journal shows a reason in its reader's language (grants.workflow.journal_texts).
journal_texts.REASON_TEXTS.update(REASONS)

CHANNELS = {
    Channel.DIGITAL_POST: _l("Digital Post"),
    Channel.EMAIL: _l("E-mail med sikkert link"),
    Channel.PRINT: _l("Print"),
}
STATUSES = {
    Status.PENDING: _l("Venter på afsendelse"),
    Status.SENT: _l("Modtaget af Digital Post"),
    Status.DELIVERED: _l("Leveret"),
    Status.EMAILED: _l("Link sendt"),
    Status.TO_PRINT: _l("Skal printes og sendes"),
    Status.PRINTED: _l("Printet og sendt"),
}


def queue(application: Application, letter: Letter, actor) -> LetterDelivery | None:
    """Start sending a letter just issued, if its fund sends by Digital Post: the delivery
    and its job, started after the commit. Adds and flushes."""
    if letter.kind in NOT_SENT or not application.fund.digital_post:
        return None
    delivery = LetterDelivery(letter=letter, application_id=application.id)
    db.session.add(delivery)
    db.session.flush()
    job = runner.create(JOB, actor, {"delivery_id": delivery.id}, total=1)
    runner.submit(job)
    return delivery


@runner.handler(JOB)
def delivery_job(job: Job) -> None:
    job_id, delivery_id = job.id, int(job.payload["delivery_id"])
    error = None
    try:
        deliver(delivery_id)
    except Exception as exc:  # a bug: the job says so, the delivery stays pending
        log.exception("delivery %s failed", delivery_id)
        db.session.rollback()
        error = str(exc)[:500]
    job = db.session.get(Job, job_id)
    runner.record_result(job, delivery_id, error)
    db.session.commit()


def deliver(delivery_id: int) -> LetterDelivery | None:
    """Send one letter by Digital Post, trying ``DIGITAL_POST_ATTEMPTS`` times in all with
    the pauses of ``DIGITAL_POST_RETRY_SECONDS`` between, or by the other channel. Each
    attempt is committed with its journal entry. A delivery no longer pending is left
    alone, so a job run twice sends nothing twice."""
    config = current_app.config
    delivery = db.session.get(LetterDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != Status.PENDING:
        db.session.commit()
        return delivery
    application = delivery.application
    if not sf1601.configured():
        return fall_back(delivery, NOT_CONFIGURED)
    recipient, reason = recipient_of(application)
    if recipient is None:
        return fall_back(delivery, reason)
    delivery.recipient = f"{recipient.id_type} {recipient.id}"
    client = sf1601.Client(sf1601.Settings.from_config())
    attempts = max(1, int(config["DIGITAL_POST_ATTEMPTS"]))
    pauses = list(config["DIGITAL_POST_RETRY_SECONDS"])
    while True:
        try:
            if not client.receives_digital_post(recipient):
                return fall_back(delivery, EXEMPT)
            # One message UUID for every attempt: Digital Post takes a message once, so an
            # attempt whose answer was lost after the platform took it delivers nothing twice.
            delivery.message_uuid = delivery.message_uuid or str(uuid.uuid4())
            message = memo.message(
                _sender(),
                recipient,
                _memo_letter(delivery.letter, application),
                message_uuid=delivery.message_uuid,
            )
            delivery.transaction_id = client.send(message)
        except sf1601.DigitalPostError as error:
            delivery.attempts += 1
            delivery.last_error = str(error)[:500]
            record(
                application,
                "digital_post_attempt_failed",
                None,
                details=note(
                    "digital_post_attempt_failed",
                    attempt=delivery.attempts,
                    attempts=attempts,
                    error=delivery.last_error,
                ),
                visible_to_applicant=False,
            )
            if delivery.attempts >= attempts:
                return fall_back(delivery, FAILED)
            db.session.commit()
            pause = pauses[min(delivery.attempts - 1, len(pauses) - 1)] if pauses else 0
            if pause:
                time.sleep(pause)
            delivery = db.session.get(LetterDelivery, delivery_id, with_for_update=True)
            if delivery.status != Status.PENDING:  # a restarted run of the job got there
                db.session.commit()
                return delivery
            continue
        delivery.attempts += 1
        delivery.status = Status.SENT
        delivery.finished_at = clock.now()
        journal(
            delivery,
            "digital_post_sent",
            recipient=delivery.recipient,
            transaction=delivery.transaction_id,
            visible_to_applicant=True,
        )
        db.session.commit()
        return delivery


def recipient_of(application: Application) -> tuple[memo.Party | None, str]:
    """Whom Digital Post addresses the case's letters to: the organisation's CVR number; a
    person is not reached (module docstring). With the reason when nobody."""
    organisation = application.organisation
    if organisation is None:
        return None, PERSON
    if not organisation.cvr:
        return None, NO_CVR
    return memo.Party(organisation.cvr, memo.CVR, organisation.name), ""


def _sender() -> memo.Party:
    municipality = Municipality.current()
    return memo.Party(sf1601.sender_cvr(), memo.CVR, municipality.name)


def _memo_letter(letter: Letter, application: Application) -> memo.Letter:
    fund = application.fund
    return memo.Letter(
        title=letter_title(letter, application),
        case_number=application.case_number or str(application.id),
        filename=letter.filename,
        language=letter.language,
        pdf=letter.pdf,
        kle_number=fund.kle_number,
        handling_code=fund.handling_code,
    )


def letter_title(letter: Letter, application: Application) -> str:
    """The letter's title as its recipient reads it: its kind and the case number."""
    with force_locale(letter.language):
        return f"{kind_label(letter.kind)} {application.case_number or application.id}"


def fall_back(delivery: LetterDelivery, reason: str) -> LetterDelivery:
    """Send the letter by the municipality's other channel; commits."""
    delivery.reason = reason
    # (a failure's error is in the journal already, with the attempt it ended)
    how = current_app.config["DIGITAL_POST_FALLBACK"]
    messages = []
    if how == Channel.EMAIL:
        messages = _email_link(delivery)
    if messages:
        delivery.channel = Channel.EMAIL
        delivery.status = Status.EMAILED
        message = "letter_emailed"
    else:
        delivery.channel = Channel.PRINT
        delivery.status = Status.TO_PRINT
        message = "letter_to_print"
    delivery.finished_at = clock.now()
    journal(delivery, message, reason=reason)
    db.session.commit()
    if messages:
        send(messages)
    return delivery


def _email_link(delivery: LetterDelivery) -> list:
    """The e-mail with a link to the letter, to the applicant; none without an address or
    a way to make the link's address (no SERVER_NAME outside a request)."""
    applicant = delivery.application.applicant
    if applicant is None or not applicant.active or not applicant.email:
        return []
    token = secrets.token_urlsafe(32)
    try:
        url = url_for("delivery.letter_by_link", token=token, _external=True)
    except (BuildError, RuntimeError):
        return []
    days = int(current_app.config["DIGITAL_POST_LINK_DAYS"])
    delivery.link_hash = link_hash(token)
    delivery.link_expires_at = clock.now() + dt.timedelta(days=days)
    message = queue_mail(
        applicant,
        "mail/letter_link_subject.txt",
        "mail/letter_link.txt",
        application=delivery.application,
        letter=delivery.letter,
        url=url,
        expires=delivery.link_expires_at.astimezone(clock.LOCAL).date(),
    )
    return [message] if message is not None else []


def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def by_link(token: str) -> LetterDelivery | None:
    """The delivery a secure link opens, expired or not; None for a link never made."""
    if not token or len(token) > 100:
        return None
    return db.session.query(LetterDelivery).filter_by(link_hash=link_hash(token)).one_or_none()


def expired(delivery: LetterDelivery) -> bool:
    expires = delivery.link_expires_at
    if expires is None:
        return True
    if expires.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        expires = expires.replace(tzinfo=dt.UTC)
    return clock.now() >= expires


def journal(
    delivery: LetterDelivery,
    action: str,
    actor=None,
    *,
    visible_to_applicant: bool = False,
    **facts: object,
) -> None:
    """What happened to the letter, in the case's journal: the letter's file name, then the
    facts of this step. The staff's side only, unless the applicant is to see it."""
    record(
        delivery.application,
        action,
        actor,
        details=note(action, letter=delivery.letter.filename, **facts),
        visible_to_applicant=visible_to_applicant,
    )


def opened(delivery: LetterDelivery) -> None:
    """The first opening of the link, in the journal. Flushes."""
    if delivery.link_opened_at is not None:
        return
    delivery.link_opened_at = clock.now()
    journal(delivery, "letter_opened_by_link", None)
    db.session.flush()


def mark_printed(delivery: LetterDelivery, actor) -> None:
    """The secretariat printed and posted the letter. Flushes; the request commits."""
    if delivery.status != Status.TO_PRINT:
        raise DomainError(_("Brevet venter ikke på at blive printet."))
    delivery.status = Status.PRINTED
    delivery.printed_by_id = actor.id
    delivery.finished_at = clock.now()
    journal(delivery, "letter_printed", actor)
    db.session.flush()


def deliveries_of(application: Application) -> list[LetterDelivery]:
    return list(
        db.session.query(LetterDelivery)
        .filter_by(application_id=application.id)
        .order_by(LetterDelivery.id)
    )


def to_print() -> list[LetterDelivery]:
    return list(
        db.session.query(LetterDelivery)
        .filter_by(status=Status.TO_PRINT)
        .order_by(LetterDelivery.created_at, LetterDelivery.id)
    )
