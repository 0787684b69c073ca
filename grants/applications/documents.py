"""The documents received in a case, kept as received (journaliseringspligt,
offentlighedsloven § 15).

A document is never changed or removed. A new upload of a document the case holds one of
(the programme, the file for one of the fund's questions) is a new version of it: it
``supersedes`` the version before, which stays in the case file, downloadable, in the
case-file archive and in the journal. Receipts add up: each is a document of its own.
Every upload is journalised ("document_received", with the document's facts).

The models refuse to update or delete an attachment (``DocumentIsKept``); on PostgreSQL a
trigger refuses it in the database too, unless the transaction says it is erasing personal
data under the retention rules (``allow_erasure``: the privacy purge, and nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import text

from grants.cases.models import Application, Attachment, AttachmentWithdrawal
from grants.core.errors import DomainError
from grants.core.files import PREVIEW_TYPES, CheckedFile
from grants.extensions import db

PROGRAMME = "programme"
RECEIPT = "receipt"
RECONSIDERATION = "reconsideration_request"  # sent with a request for reconsideration
# A file sent with a message on the case (grants.messages).
MESSAGE_FILE = "message"
# The application's other attachments (invitations, confirmations, a programme in several
# files): each upload a document of its own.
APPENDIX = "appendix"
QUESTION_PREFIX = "q:"
# Purposes whose every upload is a document of its own; the others hold one document, in
# versions.
SEPARATE_DOCUMENTS = (RECEIPT, RECONSIDERATION, MESSAGE_FILE, APPENDIX)
# Documents the person who added them may take back before sending them (withdraw).
WITHDRAWABLE = (RECEIPT, APPENDIX)
RECEIVED = "document_received"
WITHDRAWN = "document_withdrawn"
# A document keeps at most this many versions: room for every honest correction, and a bound
# on what one case can be made to hold (every version is kept for six years).
MAX_VERSIONS = 20
# The transaction-local PostgreSQL setting the trigger on ``attachment`` reads.
ERASING_SETTING = "grants.erasing_documents"


def current(application: Application, purpose: str) -> Attachment | None:
    """The current version of the case's document for ``purpose`` (the newest one)."""
    versions = [a for a in application.attachments if a.purpose == purpose]
    return max(versions, key=lambda a: (a.version, a.id), default=None)


def receive(
    application: Application,
    checked: CheckedFile,
    actor,
    purpose: str = PROGRAMME,
    field: str = "programme_file",
) -> Attachment:
    """Keep a checked upload in the case file and journalise it: a new version of the
    purpose's document, or (receipts) a document of its own. Nothing is replaced. The same
    file sent again (same name and content as the current version) is not a new version."""
    from grants.workflow import engine

    previous = None if purpose in SEPARATE_DOCUMENTS else current(application, purpose)
    if previous is not None:
        if (previous.filename, previous.sha256) == (checked.filename, checked.sha256):
            return previous
        if previous.version >= MAX_VERSIONS:
            raise DomainError(
                _(
                    "Dokumentet har allerede %(max)s versioner på sagen. Kontakt "
                    "sagsbehandleren, hvis der skal sendes flere.",
                    max=MAX_VERSIONS,
                ),
                field=field,
            )
    attachment = Attachment(
        purpose=purpose,
        version=previous.version + 1 if previous else 1,
        supersedes_id=previous.id if previous else None,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        data=checked.data,
        uploaded_by_id=actor.id,
    )
    application.attachments.append(attachment)
    db.session.flush()  # the id, for the journal
    engine.record(
        application,
        RECEIVED,
        actor,
        from_state=application.state,
        details={"document": facts(application, attachment)},
    )
    return attachment


def facts(application: Application, attachment: Attachment) -> dict:
    """What the journal keeps about a document version (facts; the pages word them). An
    answer to one of the fund's questions keeps the question as it was asked."""
    kept = {
        "id": attachment.id,
        "purpose": attachment.purpose,
        "version": attachment.version,
        "filename": attachment.filename,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    if attachment.purpose.startswith(QUESTION_PREFIX):
        kept["label"] = label(application, attachment.purpose)
    return kept


def label(application: Application, purpose: str) -> str:
    """What the document is, in the reader's language: "Program", "Kvittering", or the
    fund's question it answers."""
    if purpose == PROGRAMME:
        return _("Program")
    if purpose == RECEIPT:
        return _("Kvittering")
    if purpose == MESSAGE_FILE:
        return _("Bilag til besked")
    if purpose == APPENDIX:
        return _("Bilag")
    if purpose.startswith(QUESTION_PREFIX) and application.form_version is not None:
        key = purpose[len(QUESTION_PREFIX) :]
        for question in application.form_version.questions:
            if question.key[: len(key)] == key:
                return question.label
    return _("Dokument")


@dataclass(frozen=True)
class Document:
    """One document of the case and its versions, the newest (current) first."""

    purpose: str
    label: str
    versions: tuple[Attachment, ...]

    @property
    def current(self) -> Attachment:
        return self.versions[0]

    @property
    def earlier(self) -> tuple[Attachment, ...]:
        return self.versions[1:]


def documents_of(application: Application) -> list[Document]:
    """Every document of the case with all its versions, in the order first received."""
    successor = {a.supersedes_id: a for a in application.attachments if a.supersedes_id}
    documents = []
    for first in sorted(
        (a for a in application.attachments if a.supersedes_id is None), key=lambda a: a.id
    ):
        chain = [first]
        while chain[-1].id in successor:
            chain.append(successor[chain[-1].id])
        documents.append(
            Document(
                purpose=first.purpose,
                label=label(application, first.purpose),
                versions=tuple(reversed(chain)),
            )
        )
    return documents


def kept(application: Application, purpose: str) -> list[Attachment]:
    """The case's documents for ``purpose`` that were not taken back, first received first."""
    return sorted(
        (a for a in application.attachments if a.purpose == purpose and not a.withdrawn),
        key=lambda a: a.id,
    )


def withdraw(application: Application, attachment: Attachment, actor) -> None:
    """Take back a document one added, before sending it. It stays in the case file as
    received, marked withdrawn, and the journal says so; it no longer counts (a receipt is no
    longer part of the accounts)."""
    from grants.core import access
    from grants.core.errors import NotAllowed
    from grants.workflow import engine

    if not access.may(actor, "attachment.withdraw", attachment):
        raise NotAllowed(_("Du kan ikke fjerne dette dokument."))
    db.session.add(AttachmentWithdrawal(attachment_id=attachment.id, withdrawn_by_id=actor.id))
    db.session.flush()
    db.session.refresh(attachment, ["withdrawal"])
    engine.record(
        application,
        WITHDRAWN,
        actor,
        from_state=application.state,
        details={"document": facts(application, attachment)},
    )


def previewable(attachment: Attachment) -> bool:
    """Whether the document is offered for showing in the browser (the view checks its bytes
    again before it does: grants.core.files.preview_type)."""
    return attachment.content_type in PREVIEW_TYPES


def allow_erasure() -> None:
    """Say, for this transaction only, that it erases documents under the retention rules.
    The privacy purge calls this before it deletes a case's files; nothing else may."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": ERASING_SETTING})
