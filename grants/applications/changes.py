"""What a resubmission changed, field by field.

Each submission keeps a ``snapshot`` of the application in its journal entry (facts: amounts
as strings of kroner, dates in ISO form, long texts only as a digest). A resubmission
compares the application with the last snapshot and journalises the changes as facts::

    {"field": "amount_applied", "kind": "money", "old": "19500.50", "new": "18100.50"}

``describe`` words a change in the reader's language when a page shows it, so the same
entry reads "Ansøgt beløb: 19.500,50 kr. → 18.100,50 kr." in Danish and "Amount applied
for: 19,500.50 kr. → 18,100.50 kr." in English.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.applications import documents
from grants.cases.models import Application, BudgetCategory
from grants.cases.states import State
from grants.core.formatting import country_name, long_date, money, number
from grants.core.money import kroner
from grants.extensions import db
from grants.organisations.models import Organisation
from grants.partners.models import PartnerCity
from grants.people.models import User
from grants.workflow import journal_texts

SUBMITTED = "submitted"  # the key of the snapshot in a submission's journal details
CHANGES = "changes"

MONEY, DATE, NUMBER, TEXT, LONG_TEXT, COUNTRY, YES_NO, DOCUMENT = (
    "money",
    "date",
    "number",
    "text",
    "long_text",
    "country",
    "yes_no",
    "document",
)


@dataclass(frozen=True)
class Fact:
    """One fact of an application that a resubmission compares: its key, its kind (how it
    is kept and worded), its label and how to read it off the case."""

    key: str
    kind: str
    label: object  # a lazy string
    read: Callable[[Application], object]


def _attribute(name: str) -> Callable[[Application], object]:
    return lambda application: getattr(application, name)


def _name_of(model, column: str) -> Callable[[Application], object]:
    """The name of the row an id column points to (a partner city, an organisation, ...)."""

    def read(application: Application) -> str:
        key = getattr(application, column)
        row = db.session.get(model, int(key)) if key else None
        return row.name if row is not None else ""

    return read


def _budget(category: BudgetCategory, note: bool) -> Callable[[Application], object]:
    def read(application: Application):
        line = application.line(category)
        if note:
            return line.description if line else ""
        return line.amount if line else None

    return read


FACTS = [
    Fact("title", TEXT, _l("Titel"), _attribute("title")),
    Fact(
        "organisation",
        TEXT,
        _l("Ansøgende organisation"),
        _name_of(Organisation, "organisation_id"),
    ),
    Fact("purpose", LONG_TEXT, _l("Formål"), _attribute("purpose")),
    Fact("destination_city", TEXT, _l("By"), _attribute("destination_city")),
    Fact("destination_country", COUNTRY, _l("Land"), _attribute("destination_country")),
    Fact(
        "partner_city",
        TEXT,
        _l("Venskabs- eller partnerby"),
        _name_of(PartnerCity, "partner_city_id"),
    ),
    Fact("departure_date", DATE, _l("Afrejse"), _attribute("departure_date")),
    Fact("return_date", DATE, _l("Hjemkomst"), _attribute("return_date")),
    Fact("programme", LONG_TEXT, _l("Program"), _attribute("programme")),
    Fact("travellers", LONG_TEXT, _l("Hvem rejser?"), _attribute("travellers")),
    Fact("traveller_count", NUMBER, _l("Antal rejsende"), _attribute("traveller_count")),
    Fact("manager", TEXT, _l("Leder"), _name_of(User, "manager_id")),
    Fact(
        "participants_young",
        NUMBER,
        _l("Antal børn og unge under aldersgrænsen"),
        _attribute("participants_young"),
    ),
    Fact(
        "birth_years",
        TEXT,
        _l("Deltagernes fødselsår"),
        lambda a: ", ".join(str(year) for year in a.birth_years or []),
    ),
    Fact("participants_leaders", NUMBER, _l("Antal ledere"), _attribute("participants_leaders")),
    Fact(
        "participants_disabled",
        NUMBER,
        _l("Antal deltagere med handicap (uanset alder)"),
        _attribute("participants_disabled"),
    ),
    Fact(
        "host_group_size",
        NUMBER,
        _l("Antal personer i gruppen, I er værter for"),
        _attribute("host_group_size"),
    ),
    Fact(
        "direct_contact",
        LONG_TEXT,
        _l("Direkte kontakt mellem de unge"),
        _attribute("direct_contact"),
    ),
    Fact("other_funding", MONEY, _l("Anden finansiering"), _attribute("other_funding")),
    Fact(
        "other_funding_source",
        LONG_TEXT,
        _l("Hvem betaler resten?"),
        _attribute("other_funding_source"),
    ),
    Fact("amount_applied", MONEY, _l("Ansøgt beløb"), _attribute("amount_applied")),
    Fact(
        "dispensation_request",
        LONG_TEXT,
        _l("Ansøgning om dispensation"),
        _attribute("dispensation_request"),
    ),
    Fact("expected_benefit", LONG_TEXT, _l("Forventet udbytte"), _attribute("expected_benefit")),
    Fact("knowledge_sharing", LONG_TEXT, _l("Videndeling"), _attribute("knowledge_sharing")),
]


def _budget_fields() -> list[Fact]:
    from grants.applications.forms import BUDGET_CATEGORIES

    fields = []
    for category, label in BUDGET_CATEGORIES:
        fields.append(Fact(f"budget.{category.value}", MONEY, label, _budget(category, False)))
        fields.append(Fact(f"budget.{category.value}.note", TEXT, label, _budget(category, True)))
    return fields


def _fact(kind: str, value) -> object:
    """A value as the snapshot keeps it: JSON, and the same for the same value."""
    if value is None or value == "":
        return None
    if kind == MONEY:
        return str(kroner(Decimal(value)))
    if kind == DATE:
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == NUMBER:
        try:
            return int(value)
        except (TypeError, ValueError):  # an answer kept as text
            return str(value)
    if kind == LONG_TEXT:
        text = str(value).strip()
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest() if text else None
    return str(value).strip() or None


def snapshot(application: Application) -> dict:
    """The application's facts as submitted, for the next resubmission to compare with."""
    facts = {
        fact.key: _fact(fact.kind, fact.read(application)) for fact in (*FACTS, *_budget_fields())
    }
    answers = _kinds(application)
    for key, value in sorted((application.answers or {}).items()):
        if not isinstance(value, dict):  # files are compared as documents, below
            kind = answers.get(f"answer.{key}", (TEXT, None))[0]
            facts[f"answer.{key}"] = _fact(TEXT if kind == YES_NO else kind, value)
    for purpose in sorted({a.purpose for a in application.attachments}):
        if purpose in documents.SEPARATE_DOCUMENTS:
            continue
        latest = documents.current(application, purpose)
        facts[f"document.{purpose}"] = {
            "id": latest.id,
            "version": latest.version,
            "filename": latest.filename,
        }
    return facts


def last_submitted(application: Application) -> dict | None:
    """The snapshot of the case's last submission, or None (submitted before snapshots)."""
    from grants.workflow.models import JournalEntry

    entry = db.session.scalar(
        db.select(JournalEntry)
        .where(
            JournalEntry.application_id == application.id,
            JournalEntry.action.in_(("submit", "resubmit")),
        )
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )
    if entry is None or not entry.details:
        return None
    return entry.details.get(SUBMITTED)


def _kinds(application: Application) -> dict[str, tuple[str, str | None]]:
    """The kind of each answer key, and its question's label (kept with the change)."""
    from grants.questions.models import QuestionKind

    kinds = {}
    version = application.form_version
    for question in version.questions if version is not None else ():
        kind = {
            QuestionKind.AMOUNT: MONEY,
            QuestionKind.DATE: DATE,
            QuestionKind.NUMBER: NUMBER,
            QuestionKind.LONG_TEXT: LONG_TEXT,
            QuestionKind.YES_NO: YES_NO,
        }.get(question.kind, TEXT)
        kinds[f"answer.{question.key}"] = (kind, question.label)
    return kinds


def compare(application: Application, before: dict, after: dict) -> list[dict]:
    """The changes from ``before`` to ``after``, in the order of the form."""
    known = {fact.key: fact.kind for fact in (*FACTS, *_budget_fields())}
    answers = _kinds(application)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        change: dict = {"field": key}
        if key in known:
            change["kind"] = known[key]
        elif key.startswith("answer."):
            kind, label = answers.get(key, (TEXT, key[len("answer.") :]))
            change.update(kind=kind, label=label)
        elif key.startswith("document."):
            purpose = key[len("document.") :]
            change.update(kind=DOCUMENT, purpose=purpose)
            if purpose.startswith(documents.QUESTION_PREFIX):  # the fund's own words
                change["label"] = documents.label(application, purpose)
        else:
            continue
        change.update(old=old, new=new)
        changes.append(change)
    return changes


# -- words for the reader ----------------------------------------------------------------------


def _label(change: dict) -> str:
    if change.get("kind") == DOCUMENT:
        return _document_label(change)
    if change.get("label"):
        return str(change["label"])
    key = change["field"]
    for fact in (*FACTS, *_budget_fields()):
        if fact.key == key:
            if key.startswith("budget.") and key.endswith(".note"):
                return _("%(category)s, uddybning", category=fact.label)
            if key.startswith("budget."):
                return _("%(category)s, budget", category=fact.label)
            return str(fact.label)
    return key


def _value(kind: str, value) -> str:
    if value is None:
        return _("intet")
    if kind == MONEY:
        return money(Decimal(value))
    if kind == DATE:
        return long_date(value)
    if kind == NUMBER:
        return number(int(value))
    if kind == COUNTRY:
        return country_name(value)
    if kind == YES_NO:
        return {"ja": _("Ja"), "nej": _("Nej")}.get(value, value)
    if kind == DOCUMENT:
        return _("version %(version)s (%(name)s)", version=value["version"], name=value["filename"])
    return str(value)


def describe(change: dict) -> str:
    """One change in the reader's language, e.g. "Ansøgt beløb: 19.500,50 kr. → 18.100,50 kr."."""
    kind, old, new = change.get("kind", TEXT), change.get("old"), change.get("new")
    label = _label(change)
    if kind == LONG_TEXT:
        if old is None:
            return _("%(field)s: tilføjet", field=label)
        if new is None:
            return _("%(field)s: slettet", field=label)
        return _("%(field)s: ændret", field=label)
    if kind == DOCUMENT and old is None:
        return _("%(field)s: %(new)s vedhæftet", field=label, new=_value(kind, new))
    return _(
        "%(field)s: %(old)s → %(new)s", field=label, old=_value(kind, old), new=_value(kind, new)
    )


def describe_details(details: dict | None, withheld: Collection[str] = ()) -> list[str]:
    """The facts of a journal entry as lines in the reader's language. A document whose
    purpose is ``withheld`` (need-to-know: a message's file for a reader of the case who does
    not read its thread) is named by what it is, not by its file's name."""
    if not details:
        return []
    lines = journal_texts.describe(details)
    lines += [describe(change) for change in details.get(CHANGES) or ()]
    document = details.get("document")
    if document and document["purpose"] in withheld:
        lines.append(
            _(
                "%(document)s, version %(version)s",
                document=_document_label(document),
                version=document["version"],
            )
        )
    elif document:
        lines.append(
            _(
                "%(document)s, version %(version)s: %(name)s",
                document=_document_label(document),
                version=document["version"],
                name=document["filename"],
            )
        )
    return lines


def _document_label(document: dict) -> str:
    if document["purpose"] == documents.PROGRAMME:
        return _("Program")
    if document["purpose"] == documents.RECEIPT:
        return _("Kvittering")
    if document["purpose"] == documents.MESSAGE_FILE:
        return _("Bilag til besked")
    if document["purpose"] == documents.APPENDIX:
        return _("Bilag")
    return document.get("label") or _("Dokument")


@dataclass(frozen=True)
class Answer:
    """The caseworker's request for information and the applicant's resubmission to it."""

    question: object  # the request_information JournalEntry
    reply: object  # the resubmit JournalEntry


def latest_answer(application: Application, entries: Iterable | None = None) -> Answer | None:
    """The resubmission the case waits on the caseworker with, and the request it answers;
    None unless the case is back in screening after one. ``entries``: the case's journal,
    oldest first, when the caller has read it (entries or rows with their fields)."""
    if application.state != State.SCREENING:
        return None
    question = reply = None
    for entry in application.journal if entries is None else entries:
        if entry.action == "request_information":
            question, reply = entry, None
        elif entry.action == "resubmit" and question is not None:
            reply = entry
    return Answer(question, reply) if reply is not None else None
