"""What the system writes in a case's journal, as data: an entry keeps a message key and its
facts in JournalEntry.details (amounts as strings of Decimal, dates ISO), never text in the
language of whoever took the step. The pages, the case file and the exports word it for the
reader with ``describe``, in the reader's language, money and dates through
grants.core.formatting. Old entries without a message keep showing their stored comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from grants.core.formatting import long_date, money

MESSAGE = "message"

TEXTS = {
    "payment_recorded": _l("Udbetalt %(amount)s den %(day)s (bilag %(voucher)s)."),
    "refund_recorded": _l(
        "Tilbagebetaling på %(amount)s modtaget den %(day)s (bilag %(voucher)s)."
    ),
    "payment_line_withdrawn": _l(
        "Udbetalingen på %(amount)s i bunke %(batch)s (linje %(line)s) er tilbagekaldt, fordi "
        "økonomisystemet ikke udbetaler den: %(why)s. Beløbet sendes igen i en senere bunke."
    ),
    "report_reminder": _l("Påmindelse sendt: rapport og regnskab skal indsendes senest %(date)s."),
    "report_reminder_overdue": _l(
        "Påmindelse sendt: fristen for rapport og regnskab var %(date)s."
    ),
    "settlement": _l("Endeligt tilskud: %(final)s"),
    "information_requested": _l("Anmodning om oplysninger. Svarfrist: %(date)s."),
    "settlement_refund": (
        _l("Endeligt tilskud: %(final)s"),
        _l("Der skal tilbagebetales %(amount)s senest %(date)s."),
    ),
    "representative_removed": _l(
        "%(person)s handler ikke længere for organisationen. Sagens kontaktperson er nu "
        "%(contact)s."
    ),
    "manager_changed": _l(
        "%(old)s er ikke længere ansøgerens leder. Sagen venter nu på anbefaling fra %(new)s."
    ),
    # The manager's role taken away, or their account closed: a successor takes over.
    "manager_handed_over": _l(
        "%(old)s er ikke længere leder. Sagen venter nu på anbefaling fra %(new)s."
    ),
    # The manager's role gone at a login (the identity provider's group) with no successor.
    "manager_lost_role": _l(
        "%(old)s er ikke længere leder. Sagen venter på, at en administrator vælger en ny "
        "leder, der kan anbefale den."
    ),
    "manager_removed": _l(
        "%(old)s er ikke længere ansøgerens leder. Sagen venter på, at ansøgeren får en ny leder."
    ),
    "budget_year_moved": _l(
        "Budgetåret %(year)s blev lukket, før sagen var afgjort. Sagen afgøres på "
        "budgettet for %(to)s."
    ),
    "budget_year_changed": _l(
        "Rejsens datoer er ændret. Sagen afgøres nu på budgettet for %(to)s, ikke for %(year)s."
    ),
    "put_on_agenda": _l("Sat på dagsordenen for %(committee)s, møde %(date)s."),
    "withdrawn_from_agenda": _l(
        "Ansøgningen er trukket tilbage og taget af dagsordenen for %(committee)s, møde %(date)s."
    ),
    "postponed_without_quorum": _l(
        "Udvalget var ikke beslutningsdygtigt: %(taking)s af udvalgets %(size)s medlemmer var "
        "til stede og ikke inhabile, og mindst %(needed)s skal deltage. Punktet er udsat til "
        "et senere møde."
    ),
    "substitute_called": _l("%(substitute)s er indkaldt som stedfortræder for %(member)s."),
    "late_item_objection": _l(
        "%(member)s gør indsigelse mod, at sagen behandles på mødet: den blev sat på "
        "dagsordenen efter udsendelsen."
    ),
    "late_item_objection_withdrawn": _l("%(member)s har trukket sin indsigelse tilbage."),
    "late_item_urgent": _l(
        "Registreret for udvalget, at sagen ikke kan vente: den afgøres på mødet, selv om "
        "den blev sat på dagsordenen efter udsendelsen."
    ),
    "late_item_not_handled": _l(
        "Sagen blev ikke behandlet på mødet i %(committee)s den %(date)s: den blev sat på "
        "dagsordenen efter udsendelsen, og et medlem gjorde indsigelse. Den venter på et nyt "
        "møde."
    ),
    "meeting_moved": _l(
        "Mødet i %(committee)s er flyttet fra %(from_date)s kl. %(from_time)s til %(date)s "
        "kl. %(time)s. Sagen er stadig på dagsordenen."
    ),
    "meeting_cancelled": _l(
        "Mødet i %(committee)s den %(date)s er aflyst, og sagen er taget af dagsordenen. Den "
        "venter på et nyt møde."
    ),
    "complaint_forwarded": _l("Klagen er sendt til %(body)s den %(day)s."),
    "complaint_decided": _l("%(body)s har afgjort klagen den %(day)s: %(outcome)s."),
    "interest_ruled_disqualified": _l("%(member)s: inhabil"),
    "interest_ruled_not_disqualified": _l("%(member)s: ikke inhabil"),
    "interest_found_applicant": _l("%(member)s: Medlemmet er selv ansøger."),
    "interest_found_organisation": _l(
        "%(member)s: Medlemmet handler for den ansøgende organisation."
    ),
    # grants.workflow.engine: a case moved onto a newer version of its route
    "route_version_changed": _l(
        "Sagen er flyttet fra version %(old)s til version %(new)s af sagsgangen "
        "“%(route)s” for at tage trinnet “%(step)s”, som kom med version %(new)s. Den nye "
        "version har alle den gamles trin."
    ),
    # grants.delivery: how a letter went to its recipient
    "digital_post_sent": _l(
        "%(letter)s er afleveret til Digital Post til %(recipient)s (transaktion %(transaction)s)."
    ),
    "digital_post_attempt_failed": _l(
        "Digital Post, forsøg %(attempt)s af %(attempts)s, fejlede: %(error)s"
    ),
    "digital_post_delivered": _l(
        "%(letter)s er leveret i modtagerens digitale postkasse (%(status)s, transaktion "
        "%(transaction)s)."
    ),
    "digital_post_failed_after_sending": _l(
        "Digital Post kunne ikke aflevere %(letter)s efter afsendelsen (transaktion "
        "%(transaction)s): %(error)s"
    ),
    "letter_emailed": _l("%(letter)s er sendt som et sikkert link på e-mail (%(reason)s)."),
    "letter_to_print": _l("%(letter)s skal printes og sendes med posten (%(reason)s)."),
    "letter_opened_by_link": _l("%(letter)s er åbnet via det sikre link."),
    "letter_printed": _l("%(letter)s er printet og sendt med posten."),
    # grants.letters: the seal
    "letter_sealed_without_timestamp": _l(
        "%(letter)s er forseglet uden tidsstempel, fordi tidsstemplingstjenesten ikke "
        "svarede (%(error)s). Tidspunktet i seglet er systemets eget."
    ),
    # grants.esdh: the case's documents in the municipality's ESDH
    "journalised": _l("Journaliseret i ESDH (%(destination)s): %(documents)s"),
    "journalisation_failed": _l("Journalisering i ESDH fejlede: %(error)s"),
}

# A complaints body's outcome (grants.cases.models.ComplaintOutcome), kept as its code.
COMPLAINT_OUTCOMES = {
    "upheld": _l("afgørelsen er stadfæstet"),
    "changed": _l("afgørelsen er ændret"),
    "remitted": _l("sagen er hjemvist til fornyet behandling"),
    "dismissed": _l("klagen er afvist"),
}

# A message of several sentences is a tuple of them, shown as one line.
# How a fact is shown, by its name; anything else is shown as it is kept.
MONEY_FACTS = {"amount", "final"}
DATE_FACTS = {"day", "date", "from_date"}


def note(message: str, **facts: object) -> dict[str, object]:
    """The details of a system entry: the message key and its facts, kept as plain JSON."""
    if message not in TEXTS:
        raise KeyError(f"No journal text {message!r}")
    kept: dict[str, object] = {MESSAGE: message}
    for name, value in facts.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        kept[name] = value
    return kept


# Facts kept as a key and shown in the reader's language (grants.delivery's reasons).
REASON_TEXTS: dict[str, object] = {}


def _shown(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "reason" and value in REASON_TEXTS:
        return str(REASON_TEXTS[value])
    if name in MONEY_FACTS:
        return money(Decimal(str(value)))
    if name in DATE_FACTS:
        return long_date(str(value))
    if name == "step":  # an action of the routes, in the reader's language
        from grants.workflow.labels import action_label

        return str(action_label(str(value)))
    if name == "outcome" and value in COMPLAINT_OUTCOMES:
        return str(COMPLAINT_OUTCOMES[str(value)])
    return str(value)


def describe(details: dict | None) -> list[str]:
    """The entry's message in the reader's language, or nothing for an entry without one.
    Plain text: the templates escape it like any other value."""
    if not details or details.get(MESSAGE) not in TEXTS:
        return []
    values = {name: _shown(name, value) for name, value in details.items() if name != MESSAGE}
    text = TEXTS[details[MESSAGE]]
    parts = text if isinstance(text, tuple) else (text,)
    return [" ".join(str(part) % values for part in parts)]
