"""Journalising a case in the municipality's ESDH: the application, each version of each
document received, each letter and each message of the case (a step's comment), each under
the fund's KLE number and handling code, through the configured adapter
(``grants.esdh.adapters``).

Automatic on the events that matter (a case submitted, a letter issued, a message written;
``grants.esdh.subscribers``) and by hand from the case page. Each document is recorded
(``Journalisation``: which, when, to where) in the request's transaction and handed over by
a job after the commit, so nothing is sent for a step that was rolled back, and nothing is
sent twice unless someone asks for it again.
"""

from __future__ import annotations

import functools
import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from grants.applications.case_file import case_facts
from grants.cases.models import Application
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.files import display_name
from grants.esdh import adapters
from grants.esdh.models import Journalisation, JournalisationStatus
from grants.extensions import db
from grants.jobs import runner
from grants.jobs.models import Job
from grants.letters.kinds import kind_label
from grants.letters.models import Letter
from grants.letters.render import create_pdf
from grants.workflow.engine import record
from grants.workflow.journal_texts import note
from grants.workflow.labels import action_label
from grants.workflow.models import JournalEntry

log = logging.getLogger(__name__)

JOB = "esdh_journalise"
APPLICATION = "application"


def active_for(application: Application) -> bool:
    """Whether the case's documents go to the ESDH automatically: an adapter is set up and
    the fund has a KLE number to file them under."""
    return adapters.current() is not None and bool(application.fund.kle_number)


def keys_of(application: Application) -> list[str]:
    """Every document of the case, by key, in the order the case got them."""
    keys = [APPLICATION]
    keys += [f"attachment:{a.id}" for a in sorted(application.attachments, key=lambda a: a.id)]
    keys += [f"letter:{letter.id}" for letter in _letters(application)]
    keys += [f"message:{entry.id}" for entry in _messages(application)]
    return keys


def _letters(application: Application) -> list[Letter]:
    return list(
        db.session.scalars(
            select(Letter).where(Letter.application_id == application.id).order_by(Letter.id)
        )
    )


def _messages(application: Application) -> list[JournalEntry]:
    return list(
        db.session.scalars(
            select(JournalEntry)
            .where(JournalEntry.application_id == application.id, JournalEntry.comment != "")
            .order_by(JournalEntry.id)
        )
    )


def journalise(
    application: Application, keys: list[str], actor=None, *, again: bool = False
) -> list[Journalisation]:
    """Record ``keys`` of the case for the ESDH and start the job that hands them over.
    A document already handed over (or on its way) is left out unless ``again``. Refused
    (DomainError) when no adapter is set up or the fund has no KLE number. Flushes."""
    adapter = adapters.current()
    if adapter is None:
        raise DomainError(_("Journalisering i ESDH er ikke sat op."))
    fund = application.fund
    if not fund.kle_number:
        raise DomainError(
            _("Puljen %(fund)s har intet KLE-nummer at journalisere under.", fund=fund.name)
        )
    done = set() if again else journalised_keys(application)
    titles = {}
    rows = []
    for key in keys:
        if key in done:
            continue
        titles = titles or _titles(application)
        row = Journalisation(
            application_id=application.id,
            document=key,
            title=titles.get(key, key)[:300],
            adapter=adapter.code,
            destination=adapter.destination()[:254],
            kle_number=fund.kle_number,
            handling_code=fund.handling_code,
            requested_by_id=actor.id if actor is not None else None,
        )
        db.session.add(row)
        rows.append(row)
    if rows:
        db.session.flush()
        job = runner.create(JOB, actor, {"ids": [row.id for row in rows]}, total=len(rows))
        runner.submit(job)
    return rows


def journalised_keys(application: Application) -> set[str]:
    """The documents handed over or on their way (a failed one may be tried again)."""
    return set(
        db.session.scalars(
            select(Journalisation.document).where(
                Journalisation.application_id == application.id,
                Journalisation.status != JournalisationStatus.FAILED,
            )
        )
    )


def journalisations_of(application: Application) -> list[Journalisation]:
    return list(
        db.session.scalars(_journalisations_statement(), {"application_id": application.id})
    )


@functools.cache
def _journalisations_statement():
    """Kept (the case page asks on every request): made and its cache key worked out once."""
    return (
        select(Journalisation)
        .where(Journalisation.application_id == bindparam("application_id"))
        .order_by(Journalisation.id)
    )


def _titles(application: Application) -> dict[str, str]:
    """Each document's title, in Danish: the ESDH is the municipality's record."""
    from grants.applications import documents

    with force_locale("da"):
        titles = {APPLICATION: _("Ansøgning: %(title)s", title=application.title or "")}
        for attachment in application.attachments:
            label = documents.label(application, attachment.purpose)
            name = display_name(attachment.filename)
            titles[f"attachment:{attachment.id}"] = f"{label} {attachment.version}: {name}"
        # Asked of the database: a letter issued in this request is not yet in the case's
        # loaded list of letters.
        for letter in _letters(application):
            titles[f"letter:{letter.id}"] = f"{kind_label(letter.kind)}: {letter.filename}"
        for entry in _messages(application):
            titles[f"message:{entry.id}"] = _(
                "Meddelelse: %(action)s", action=action_label(entry.action)
            )
    return titles


def document(application: Application, key: str) -> adapters.Document:
    """The document's bytes as the ESDH gets it."""
    kind, _colon, ident = key.partition(":")
    title = _titles(application).get(key, key)
    if kind == APPLICATION:
        with force_locale("da"):
            html = render_template(
                "esdh/application.html", application=application, facts=case_facts(application)
            )
        pdf = create_pdf(html)
        name = f"ansoegning-{application.case_number or application.id}.pdf"
        return adapters.Document(key, title, name, "application/pdf", pdf)
    if kind == "attachment":
        attachment = next(a for a in application.attachments if a.id == int(ident))
        return adapters.Document(
            key,
            title,
            display_name(attachment.filename),
            attachment.content_type,
            attachment.data,
        )
    if kind == "letter":
        letter = db.session.get(Letter, int(ident))
        if letter is None or letter.application_id != application.id or letter.erased_at:
            raise LookupError(key)
        return adapters.Document(key, title, letter.filename, "application/pdf", letter.pdf)
    if kind == "message":
        entry = db.session.get(JournalEntry, int(ident))
        if entry is None or entry.application_id != application.id:
            raise LookupError(key)
        with force_locale("da"):
            text = "\n".join(
                (
                    f"{action_label(entry.action)}",
                    f"{entry.created_at:%Y-%m-%d %H:%M} UTC",
                    f"{entry.actor.name if entry.actor else ''}",
                    "",
                    entry.comment,
                )
            )
        return adapters.Document(
            key, title, f"meddelelse-{entry.id}.txt", "text/plain", text.encode("utf-8")
        )
    raise LookupError(key)


@runner.handler(JOB)
def journalise_job(job: Job) -> None:
    """Hand each recorded document to the ESDH, each in its own transaction; the case's
    journal says what went where, once per case."""
    job_id = job.id
    adapter_by_code = adapters.ADAPTERS
    sent: dict[tuple[int, str], list[str]] = {}
    for row_id in job.payload.get("ids", []):
        row = db.session.get(Journalisation, row_id, with_for_update=True)
        if row is None or row.status != JournalisationStatus.PENDING:
            runner.record_result(db.session.get(Job, job_id), row_id, None)
            db.session.commit()
            continue
        application = row.application
        error = None
        try:
            fund = application.fund
            filing = adapters.Filing(
                case_number=application.case_number or str(application.id),
                case_title=application.title or "",
                fund=fund.name,
                kle_number=row.kle_number,
                handling_code=row.handling_code,
            )
            adapter_by_code[row.adapter].journalise(filing, document(application, row.document))
        except (adapters.JournalisationError, LookupError) as exc:
            error = str(exc)[:500] or type(exc).__name__
        row.attempts += 1
        if error is None:
            row.status = JournalisationStatus.SENT
            row.sent_at = clock.now()
            sent.setdefault((application.id, row.destination), []).append(row.title)
        else:
            row.status = JournalisationStatus.FAILED
            row.error = error
            record(
                application,
                "journalisation_failed",
                None,
                details=note("journalisation_failed", error=error),
                visible_to_applicant=False,
            )
        runner.record_result(db.session.get(Job, job_id), row_id, error)
        db.session.commit()
    for (application_id, destination), titles in sent.items():
        record(
            db.session.get(Application, application_id),
            "journalised",
            None,
            details=note("journalised", destination=destination, documents="; ".join(titles)),
            visible_to_applicant=False,
        )
    db.session.commit()
