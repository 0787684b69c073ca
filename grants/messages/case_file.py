"""What the thread adds to the case's archive (aktindsigt, grants.applications.case_file):
the messages as ``beskeder.csv`` (their files are in ``dokumenter/`` with the case's other
documents), and each internal note as a text of its own under ``interne-notater/``, marked as
an internal working document (offentlighedsloven § 23): kept in the case file, and exempt
from access unless the authority decides to give it (meroffentlighed)."""

from __future__ import annotations

import zipfile

from grants.applications import case_file
from grants.cases.models import Application
from grants.core.spreadsheets import csv_text
from grants.messages import operations
from grants.messages.models import CaseMessage

INTERNAL_MARK = (
    "INTERNT ARBEJDSDOKUMENT (offentlighedsloven § 23). Undtaget fra aktindsigt; "
    "udleveres ikke til parten uden en konkret vurdering af meroffentlighed."
)


def _author(message: CaseMessage) -> str:
    return message.author.name if message.author else ""


@case_file.contributes
def add_thread(application: Application, archive: zipfile.ZipFile) -> str:
    thread = operations.thread(application)
    notes = operations.notes(application)
    if not thread and not notes:
        return ""
    rows: list[list] = [
        ["id", "tidspunkt", "hvem", "fra", "art", "svarfrist", "besked", "bilag_dokument_id"]
    ]
    for message in thread:
        rows.append(
            [
                message.id,
                message.created_at.isoformat(),
                _author(message),
                "ansøger" if message.from_applicant else "kommunen",
                "anmodning om oplysninger" if message.kind == operations.REQUEST else "besked",
                message.due_date.isoformat() if message.due_date else "",
                message.body,
                " ".join(str(a.id) for a in message.attachments),
            ]
        )
    # Opened in a spreadsheet: no message is run as a formula.
    archive.writestr("beskeder.csv", "\ufeff" + csv_text(rows))
    for note in notes:
        archive.writestr(
            f"interne-notater/{note.id}-internt-notat.txt",
            f"{INTERNAL_MARK}\n\nSkrevet {note.created_at.isoformat()} af {_author(note)}.\n\n"
            f"{note.body}\n",
        )
    return (
        "beskeder.csv: beskederne mellem ansøgeren og kommunen, med anmodninger om "
        "oplysninger og deres svarfrister. interne-notater/: sagsbehandlernes interne notater, "
        "interne arbejdsdokumenter efter offentlighedsloven § 23, der er undtaget fra "
        "aktindsigt."
    )
