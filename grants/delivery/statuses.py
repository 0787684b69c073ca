"""What became of a letter after Serviceplatformen took it: the Digital Post status messages
(PostStatusBesked) that KOMBIT's Beskedfordeler (the message distributor) keeps for the
sender, fetched on a schedule (PostStatusBeskedHent) over mutual TLS with the organisation's
certificate, as the sending job calls SF1601.

Each message is a Beskedfordeler envelope (``Haendelsesbesked``) whose ``Beskeddata/Base64``
holds the status itself (``PKO_PostStatus``): the transmission's id, the MeMo message's UUID,
the channel (``KanalKode``), the time, the status (``TransaktionsStatusKode``, e.g.
"Afleveret Digital Post" or "Fejlet") and, for a failure, ``FejlDetaljer`` (a code and a
text). The element names are those the public consumers of these messages read (OS2Forms'
Digital Post module, ITK's Beskedfordeler bundle); KOMBIT's schema is not public, so the
reader finds elements by their local name whatever their namespace. docs/integrations.md
says what is assumed.

A message is matched to its letter by the platform's transaction id that the sending job
kept (``LetterDelivery.transaction_id``), or else by the MeMo message's UUID
(``LetterDelivery.message_uuid``), which is how OS2Forms matches them. Only a letter still
"sent" moves: to "delivered", or, after a failure, by the fallback as a failed attempt does
(``operations.fall_back``). A message for a letter already moved, or read twice, changes
nothing; one for a transaction the app does not know is logged and left.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError  # nosec B405  # types; parsed by defusedxml

import requests
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeXML
from flask import current_app
from sqlalchemy import or_, select

from grants.core import clock
from grants.delivery import operations
from grants.delivery.models import LetterDelivery, Status
from grants.extensions import db
from grants.jobs import runner
from grants.jobs.models import Job

log = logging.getLogger(__name__)

JOB = "post_status_fetch"
DIGITAL_POST = "Digital Post"  # KanalKode of a message that went by Digital Post

DELIVERED = "delivered"
FAILED = "failed"
OTHER = "other"  # a step on the way ("Modtaget Digital Post"): nothing to do


class StatusFetchError(Exception):
    """The Beskedfordeler refused or did not answer: fetched again on the next run."""


@dataclass(frozen=True)
class PostStatus:
    """One status message, as read from the Beskedfordeler."""

    message_id: str  # the Beskedfordeler's id of the message (BeskedId)
    transaction_id: str  # TransmissionId: the sending's transaction
    message_uuid: str  # the MeMo message's UUID
    channel: str  # KanalKode
    status: str  # TransaktionsStatusKode, as it came
    at: dt.datetime | None  # TransaktionsDatoTid
    error_code: str
    error_text: str

    @property
    def outcome(self) -> str:
        if self.error_code or self.error_text or self.status.lower().startswith("fejlet"):
            return FAILED
        if self.status.lower().startswith("afleveret"):
            return DELIVERED
        return OTHER

    @property
    def error(self) -> str:
        return ": ".join(part for part in (self.error_code, self.error_text) if part) or (
            self.status
        )


def configured() -> bool:
    config = current_app.config
    return bool(config.get("DIGITAL_POST_STATUS_URL") and _certificate())


def _certificate() -> str:
    config = current_app.config
    return config.get("DIGITAL_POST_STATUS_CERTIFICATE") or config.get(
        "DIGITAL_POST_CERTIFICATE", ""
    )


def fetch() -> bytes:
    """The status messages the Beskedfordeler holds for the municipality (one document of
    Haendelsesbesked envelopes)."""
    config = current_app.config
    try:
        response = requests.get(  # nosec B113  # the timeout is DIGITAL_POST_TIMEOUT
            config["DIGITAL_POST_STATUS_URL"],
            cert=_certificate(),
            verify=config.get("DIGITAL_POST_CA_BUNDLE") or True,
            timeout=float(config.get("DIGITAL_POST_TIMEOUT", 30)),
            headers={"Accept": "application/xml"},
        )
    except requests.RequestException as error:
        raise StatusFetchError(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 400:
        raise StatusFetchError(f"HTTP {response.status_code}: {response.text[:300]}")
    return response.content


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, *names: str) -> Element | None:
    """The first descendant along the path of local names, whatever the namespaces."""
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element: Element | None, *names: str) -> str:
    found = _child(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def read(document: bytes) -> list[PostStatus]:
    """The status messages in a fetched document; an envelope that cannot be read is
    logged and left out."""
    root = SafeXML.fromstring(document)
    envelopes = [e for e in root.iter() if _local(e.tag) == "Haendelsesbesked"]
    statuses = []
    for envelope in envelopes:
        message_id = _text(envelope, "BeskedId", "UUIDIdentifikator")
        try:
            data = base64.b64decode(_text(envelope, "Beskeddata", "Base64"), validate=True)
            status = SafeXML.fromstring(data)
        except (binascii.Error, ParseError, DefusedXmlException):
            log.warning("Digital Post status message %s could not be read", message_id)
            continue
        statuses.append(
            PostStatus(
                message_id=message_id,
                transaction_id=_text(status, "TransmissionId"),
                message_uuid=_text(status, "MessageUUID"),
                channel=_text(status, "KanalKode"),
                status=_text(status, "TransaktionsStatusKode"),
                at=_time(_text(status, "TransaktionsDatoTid")),
                error_code=_text(status, "FejlDetaljer", "FejlKode"),
                error_text=_text(status, "FejlDetaljer", "FejlTekst"),
            )
        )
    return statuses


def delivery_of(status: PostStatus) -> LetterDelivery | None:
    """The letter the status is about: by the transaction id, else by the MeMo UUID."""
    conditions = []
    if status.transaction_id:
        conditions.append(LetterDelivery.transaction_id == status.transaction_id)
    if status.message_uuid:
        conditions.append(LetterDelivery.message_uuid == status.message_uuid)
    if not conditions:
        return None
    return db.session.scalars(
        select(LetterDelivery).where(or_(*conditions)).order_by(LetterDelivery.id).limit(1)
    ).first()


def apply(status: PostStatus) -> str:
    """Record one status message on its letter; commits. What was done: "delivered",
    "failed", "unknown" (no such transaction), or "unchanged"."""
    if status.channel and status.channel != DIGITAL_POST:
        log.info("Digital Post status %s on channel %s left", status.message_id, status.channel)
        return "unchanged"
    found = delivery_of(status)
    if found is None:
        log.warning(
            "Digital Post status %s for an unknown transaction %s (message %s) ignored",
            status.message_id,
            status.transaction_id,
            status.message_uuid,
        )
        return "unknown"
    delivery = db.session.get(LetterDelivery, found.id, with_for_update=True)
    outcome = status.outcome
    if delivery is None or delivery.status != Status.SENT or outcome == OTHER:
        db.session.commit()
        return "unchanged"
    if outcome == DELIVERED:
        delivery.status = Status.DELIVERED
        delivery.finished_at = status.at or clock.now()
        operations.journal(
            delivery,
            "digital_post_delivered",
            status=status.status,
            transaction=delivery.transaction_id,
        )
        db.session.commit()
        return "delivered"
    delivery.last_error = status.error[:500]
    operations.journal(
        delivery,
        "digital_post_failed_after_sending",
        error=delivery.last_error,
        transaction=delivery.transaction_id,
    )
    operations.fall_back(delivery, operations.FAILED_AFTER_SENDING)
    return "failed"


def fetch_and_apply() -> dict[str, int]:
    """Fetch the status messages and record each; the counts of what was done. Raises
    StatusFetchError, changing nothing, when the Beskedfordeler does not answer."""
    counts: dict[str, int] = {}
    for status in read(fetch()):
        done = apply(status)
        counts[done] = counts.get(done, 0) + 1
    return counts


def due() -> bool:
    """The schedule: the last fetch began DIGITAL_POST_STATUS_MINUTES ago or more."""
    minutes = int(current_app.config.get("DIGITAL_POST_STATUS_MINUTES", 15))
    last = db.session.scalar(select(Job.created_at).where(Job.kind == JOB).order_by(Job.id.desc()))
    if last is None:
        return True
    if last.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        last = last.replace(tzinfo=dt.UTC)
    return clock.now() - last >= dt.timedelta(minutes=minutes)


@runner.handler(JOB)
def status_job(job: Job) -> None:
    job_id = job.id
    error = None
    try:
        counts = fetch_and_apply()
        log.info("Digital Post statuses fetched: %s", counts or "none")
    except (StatusFetchError, ParseError, DefusedXmlException) as exc:
        # Nothing was taken from the Beskedfordeler: the next run fetches the same again.
        db.session.rollback()
        log.warning("Digital Post statuses not fetched: %s", exc)
        error = str(exc)[:500]
    done = db.session.get(Job, job_id)
    if done is not None:
        runner.record_result(done, 0, error)
    db.session.commit()
