"""The whole file of a case as one archive (aktindsigt): the case as it stands, its journal,
its documents (every version received) and its letters, for the party or for a request
under offentlighedsloven. Names in the archive are made from ids and cleaned display names,
never taken as paths. The archive is the municipality's record, in Danish."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal

from flask_babel import force_locale

from grants.applications import changes, documents
from grants.cases.models import Application
from grants.core import clock
from grants.core.files import display_name
from grants.core.spreadsheets import csv_text

# What the packages above add to the archive (the messages' thread and internal notes): each
# a function (application, archive) registered with ``contributes`` when the app is built;
# it writes its own files, in Danish, and returns a line for the readme.
CONTRIBUTORS: list[Callable[[Application, zipfile.ZipFile], str]] = []


def contributes(
    function: Callable[[Application, zipfile.ZipFile], str],
) -> Callable[[Application, zipfile.ZipFile], str]:
    """Register ``function`` as adding to every case's archive (see ``CONTRIBUTORS``)."""
    if function not in CONTRIBUTORS:
        CONTRIBUTORS.append(function)
    return function


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return str(value)


def case_facts(application: Application) -> dict:
    columns = {c.key: getattr(application, c.key) for c in application.__table__.columns}
    youth = application.youth_subsidy
    if youth is not None:  # the youth subsidy's own data, as facts of the case
        columns |= {c.key: getattr(youth, c.key) for c in youth.__table__.columns}
        del columns["application_id"]
    columns["budget_lines"] = [
        {"category": line.category.value, "description": line.description, "amount": line.amount}
        for line in application.budget_lines
    ]
    columns["fund"] = application.fund.name
    columns["applicant"] = application.applicant.name
    columns["organisation"] = application.organisation.name if application.organisation else None
    return columns


def build(application: Application) -> bytes:
    """The archive's bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "sag.json",
            json.dumps(
                case_facts(application), default=_json_default, ensure_ascii=False, indent=2
            ),
        )
        with force_locale("da"):
            archive.writestr("journal.csv", _journal_csv(application))
            archive.writestr("dokumenter.csv", _documents_csv(application))
        for attachment in application.attachments:
            archive.writestr(_document_path(attachment), attachment.data)
        for letter in application.letters:
            if letter.erased_at is not None:
                # Never an empty PDF: a note that says the letter was deleted, and when.
                with force_locale("da"):
                    archive.writestr(f"breve/{letter.id}-SLETTET.txt", erased_note(letter))
                continue
            archive.writestr(f"breve/{letter.id}-{display_name(letter.filename)}", letter.pdf)
        report = getattr(application, "report", None)
        if report is not None:
            archive.writestr(
                "rapport.json",
                json.dumps(
                    {c.key: getattr(report, c.key) for c in report.__table__.columns}
                    | {
                        "account_lines": [
                            {
                                "category": ln.category.value,
                                "amount": ln.amount,
                                "description": ln.description,
                            }
                            for ln in report.account_lines
                        ]
                    },
                    default=_json_default,
                    ensure_ascii=False,
                    indent=2,
                ),
            )
        with force_locale("da"):
            contributed = [contributor(application, archive) for contributor in CONTRIBUTORS]
        archive.writestr(
            "LAESMIG.txt",
            (
                f"Sagsakter for sag {application.case_number or application.id}, "
                f"udtrukket {clock.now().isoformat()}.\n"
                "sag.json: sagens oplysninger. journal.csv: sagens journal. dokumenter.csv: "
                "hvert modtaget dokument i alle versioner, hvornår og fra hvem. dokumenter/: "
                "filerne, som de blev modtaget. breve/: afgørelses- og afregningsbreve som "
                "sendt.\n"
            )
            + "".join(f"{line}\n" for line in contributed if line),
        )
    return buffer.getvalue()


def erased_note(letter) -> str:
    """What stands in the place of a letter deleted with the case's personal data."""
    from flask_babel import gettext

    from grants.core.formatting import long_date
    from grants.letters.kinds import kind_label

    return gettext(
        "%(document)s (%(filename)s) blev slettet den %(date)s, da sagens personoplysninger "
        "blev slettet. Kontrolsummen (SHA-256) af det sendte dokument: %(sha256)s",
        document=kind_label(letter.kind),
        filename=letter.filename,
        date=long_date(letter.erased_at),
        sha256=letter.sha256,
    )


def _document_path(attachment) -> str:
    return f"dokumenter/{attachment.id}-v{attachment.version}-{display_name(attachment.filename)}"


def _csv(rows: list[list]) -> str:
    # Opened in a spreadsheet: no text typed by anyone is run as a formula.
    return "\ufeff" + csv_text(rows)


def _journal_csv(application: Application) -> str:
    rows = [
        [
            "tidspunkt",
            "hvem",
            "handling",
            "fra",
            "til",
            "kommentar",
            "vist_for_ansoeger",
            "detaljer",
            "detaljer_data",
        ]
    ]
    for entry in application.journal:
        rows.append(
            [
                entry.created_at.isoformat(),
                entry.actor.name if entry.actor else "",
                entry.action,
                entry.from_state,
                entry.to_state,
                entry.comment,
                "ja" if entry.visible_to_applicant else "nej",
                "\n".join(changes.describe_details(entry.details)),
                json.dumps(_shown_facts(entry.details), ensure_ascii=False)
                if entry.details
                else "",
            ]
        )
    return _csv(rows)


def _shown_facts(details: dict) -> dict:
    """A journal entry's facts without the submission's snapshot (digests of the texts,
    kept only for the next comparison)."""
    return {key: value for key, value in details.items() if key != changes.SUBMITTED}


def _documents_csv(application: Application) -> str:
    rows = [
        [
            "dokument",
            "version",
            "gaeldende",
            "id",
            "erstatter_id",
            "filnavn",
            "type",
            "bytes",
            "sha256",
            "modtaget",
            "modtaget_fra",
            "fil_i_arkivet",
            "trukket_tilbage",
        ]
    ]
    for document in documents.documents_of(application):
        for item in document.versions:
            rows.append(
                [
                    document.label,
                    item.version,
                    "ja" if item is document.current else "nej",
                    item.id,
                    item.supersedes_id or "",
                    item.filename,
                    item.content_type,
                    item.size,
                    item.sha256,
                    item.created_at.isoformat(),
                    item.uploaded_by.name if item.uploaded_by else "",
                    _document_path(item),
                    # Taken back before it was sent: when (it stays in the case file).
                    item.withdrawal.withdrawn_at.isoformat() if item.withdrawal else "",
                ]
            )
    return _csv(rows)
