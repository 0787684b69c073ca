"""The whole file of a case as one archive (aktindsigt): the case as it stands, its journal,
its documents and its letters, for the party or for a request under offentlighedsloven.
Names in the archive are made from ids and cleaned display names, never taken as paths."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

from grants.applications.models import Application
from grants.core import clock
from grants.core.files import display_name


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
        journal = io.StringIO()
        writer = csv.writer(journal)
        writer.writerow(
            ["tidspunkt", "hvem", "handling", "fra", "til", "kommentar", "vist_for_ansoeger"]
        )
        for entry in application.journal:
            writer.writerow(
                [
                    entry.created_at.isoformat(),
                    entry.actor.name if entry.actor else "",
                    entry.action,
                    entry.from_state,
                    entry.to_state,
                    entry.comment,
                    "ja" if entry.visible_to_applicant else "nej",
                ]
            )
        archive.writestr("journal.csv", "\ufeff" + journal.getvalue())
        for attachment in application.attachments:
            archive.writestr(
                f"dokumenter/{attachment.id}-{display_name(attachment.filename)}", attachment.data
            )
        for letter in application.letters:
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
        archive.writestr(
            "LAESMIG.txt",
            (
                f"Sagsakter for sag {application.case_number or application.id}, "
                f"udtrukket {clock.now().isoformat()}.\n"
                "sag.json: sagens oplysninger. journal.csv: sagens journal. dokumenter/: "
                "vedhæftede filer. breve/: afgørelses- og afregningsbreve som sendt.\n"
            ),
        )
    return buffer.getvalue()
