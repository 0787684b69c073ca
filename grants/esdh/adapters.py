"""The ways into an ESDH, one registry: an adapter is found by its code (``ESDH_ADAPTER``).

An adapter takes one document of a case with the fund's KLE number and handling code and
hands it to the ESDH, raising ``JournalisationError`` when the ESDH did not take it (it is
then tried again when someone asks). The first is the journalisation mailbox that SBSYS and
other systems offer; GetOrganized or F2 follow as adapters of their own (their REST APIs),
registered here (docs/integrations.md).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from flask import current_app

from grants.notifications.sender import deliver


class JournalisationError(Exception):
    """The ESDH did not take the document."""


@dataclass(frozen=True)
class Document:
    """One document of a case, as the ESDH gets it."""

    key: str  # Journalisation.document
    title: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Filing:
    """Where the document goes in the ESDH: the case and its classification."""

    case_number: str
    case_title: str
    fund: str
    kle_number: str
    handling_code: str


class Adapter(Protocol):
    code: str

    def destination(self) -> str:
        """Where the documents go, as the journal shows it (a mailbox, a URL)."""
        ...

    def configured(self) -> bool: ...

    def journalise(self, filing: Filing, document: Document) -> None: ...


class MailboxAdapter:
    """Journalisation by e-mail: one message per document to the ESDH's journalisation
    mailbox, over the app's SMTP path, with the case number, the classification and the
    document's title in the subject (``ESDH_SUBJECT``) and the document attached. The ESDH
    files the mail and its attachment on the case the subject names."""

    code = "email"

    def destination(self) -> str:
        return current_app.config.get("ESDH_MAILBOX", "")

    def configured(self) -> bool:
        return bool(self.destination())

    def subject(self, filing: Filing, document: Document) -> str:
        return current_app.config["ESDH_SUBJECT"].format(
            case_number=filing.case_number,
            title=document.title,
            kle=filing.kle_number,
            handling_code=filing.handling_code,
            fund=filing.fund,
        )

    def message(self, filing: Filing, document: Document) -> EmailMessage:
        email = EmailMessage()
        email["From"] = current_app.config["MAIL_SENDER"]
        email["To"] = self.destination()
        email["Subject"] = " ".join(self.subject(filing, document).split())
        email["Message-ID"] = make_msgid(idstring=f"esdh-{document.key.replace(':', '-')}")
        email.set_content(
            "\n".join(
                (
                    f"Sagsnr.: {filing.case_number}",
                    f"Sag: {filing.case_title}",
                    f"Pulje: {filing.fund}",
                    f"KLE: {filing.kle_number}",
                    f"Handlingsfacet: {filing.handling_code}",
                    f"Dokument: {document.title}",
                )
            )
        )
        main, _slash, sub = document.content_type.partition("/")
        email.add_attachment(
            document.data,
            maintype=main or "application",
            subtype=sub or "octet-stream",
            filename=document.filename,
        )
        return email

    def journalise(self, filing: Filing, document: Document) -> None:
        try:
            deliver([self.message(filing, document)])
        except (OSError, smtplib.SMTPException) as error:
            raise JournalisationError(f"{type(error).__name__}: {error}") from error


ADAPTERS: dict[str, Adapter] = {adapter.code: adapter for adapter in (MailboxAdapter(),)}


def current() -> Adapter | None:
    """The configured adapter, or None when journalisation is off."""
    adapter = ADAPTERS.get(current_app.config.get("ESDH_ADAPTER", ""))
    return adapter if adapter is not None and adapter.configured() else None
