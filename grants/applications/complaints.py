"""Complaints about a decision (klage): the caseworker records that a complaint was
forwarded to the complaints body the letter names (klageinstans; in the standard complaint
guidance, the Parliamentary Ombudsman), and later that body's outcome. Each is journalised
on the case. Like every operation: adds and flushes, never commits."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.cases.models import Application, Complaint, ComplaintOutcome
from grants.core import access, clock
from grants.core.errors import DomainError, NotAllowed
from grants.core.models import Municipality
from grants.extensions import db
from grants.workflow import engine
from grants.workflow.journal_texts import COMPLAINT_OUTCOMES, note


def outcome_choices() -> list[tuple[str, str]]:
    """The outcomes as the form offers them, in the journal's words (in the reader's
    language, capitalised as a choice)."""
    choices = []
    for outcome in ComplaintOutcome:
        label = str(COMPLAINT_OUTCOMES[outcome.value])
        choices.append((outcome.value, label[:1].upper() + label[1:]))
    return choices


#: The complaints body of the standard complaint guidance (templates/letters/_letter.html).
OMBUDSMAN = _l("Folketingets Ombudsmand")


def named_body() -> str:
    """The complaints body the letters name, as a suggestion: the Ombudsman where the
    letters carry the standard guidance; empty where the municipality wrote its own (staff
    type the body it names)."""
    if Municipality.current().complaint_guidance:
        return ""
    return str(OMBUDSMAN)


def _decision_letter(application: Application):
    from grants.letters.operations import current_letter

    return current_letter(application)


def _day(day: dt.date | None, field: str) -> dt.date:
    if day is None:
        raise DomainError(_("Skriv datoen."), field=field)
    if day > clock.today():
        raise DomainError(_("Datoen kan ikke ligge i fremtiden."), field=field)
    return day


def forward(
    application: Application, actor, body: str, forwarded_on: dt.date | None, note_text: str = ""
) -> Complaint:
    """Record that a complaint about the case's decision was forwarded to ``body``."""
    if not access.may(actor, "case.record_complaint", application):
        raise NotAllowed(_("Du kan ikke registrere klager i denne sag."))
    letter = _decision_letter(application)
    if letter is None:
        raise DomainError(_("Sagen har ingen afgørelse, der kan klages over."), field="body")
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Skriv, hvilken klageinstans klagen er sendt til."), field="body")
    forwarded_on = _day(forwarded_on, "forwarded_on")
    if forwarded_on < clock.local_day(letter.created_at):
        raise DomainError(
            _("Klagen kan ikke være sendt videre, før afgørelsen blev truffet."),
            field="forwarded_on",
        )
    complaint = Complaint(
        application_id=application.id,
        letter_id=letter.id,
        body=body[:200],
        forwarded_on=forwarded_on,
        forwarded_by_id=actor.id,
        note=(note_text or "").strip(),
    )
    db.session.add(complaint)
    engine.record(
        application,
        "complaint_forwarded",
        actor,
        comment=complaint.note,
        details=note("complaint_forwarded", body=complaint.body, day=forwarded_on),
    )
    db.session.flush()
    return complaint


def record_outcome(
    complaint: Complaint,
    actor,
    outcome: str | None,
    outcome_on: dt.date | None,
    note_text: str = "",
) -> None:
    """Record the complaints body's outcome, once."""
    application = complaint.application
    if not access.may(actor, "case.record_complaint", application):
        raise NotAllowed(_("Du kan ikke registrere klager i denne sag."))
    if complaint.outcome is not None:
        raise DomainError(_("Klageinstansens afgørelse er allerede registreret."), field="outcome")
    try:
        chosen = ComplaintOutcome(outcome or "")
    except ValueError:
        raise DomainError(_("Vælg klageinstansens afgørelse."), field="outcome") from None
    outcome_on = _day(outcome_on, "outcome_on")
    if outcome_on < complaint.forwarded_on:
        raise DomainError(
            _("Afgørelsen kan ikke ligge før den dag, klagen blev sendt."), field="outcome_on"
        )
    complaint.outcome = chosen
    complaint.outcome_on = outcome_on
    complaint.outcome_note = (note_text or "").strip()
    complaint.outcome_by_id = actor.id
    # The outcome is kept as its code; the journal words it for each reader.
    engine.record(
        application,
        "complaint_decided",
        actor,
        comment=complaint.outcome_note,
        details=note(
            "complaint_decided", body=complaint.body, day=outcome_on, outcome=chosen.value
        ),
    )
    db.session.flush()
