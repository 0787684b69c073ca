"""The settlement's line in the journal ("Endeligt tilskud: ...") is worded for the reader,
not for the caseworker who settled (issue 15, point 4)."""

from __future__ import annotations

import datetime as dt

from grants.core.formatting import long_date
from grants.extensions import db
from grants.reports.settlement import settle
from tests.journal_reading import in_english, read_in_both_languages
from tests.reports.helpers import file_report, granted_case, pay


def test_a_settlement_with_a_refund_is_worded_for_the_reader(client, auth, world, move_clock):
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})
    with in_english():
        settle(application, world.caseworker, comment="<i>Fine</i>")
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, world.employee, application)
    assert "Endeligt tilskud: 5.500,00 kr. Der skal tilbagebetales 2.500,00 kr. senest" in danish
    assert "5,500.00" not in danish and "Final grant" not in danish
    assert "5,500.00 kr." in english and "2,500.00 kr." in english
    assert "Endeligt tilskud" not in english
    # The caseworker's own words are kept as written, escaped.
    assert "&lt;i&gt;Fine&lt;/i&gt;" in danish and "<i>Fine</i>" not in danish


def test_a_settlement_without_a_refund_is_worded_for_the_reader(client, auth, world, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})
    with in_english():
        settle(application, world.caseworker)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, world.employee, application)
    assert "Endeligt tilskud: 5.500,00 kr." in danish and "tilbagebetales" not in danish
    assert "5,500.00 kr." in english and "Endeligt tilskud" not in english


def test_a_reminder_is_worded_for_the_reader(client, auth, world, runner, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.report_due + dt.timedelta(days=1))
    assert runner.invoke(args=["reports", "remind"]).exit_code == 0
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, world.employee, application)
    due = application.report_due
    assert f"Påmindelse sendt: fristen for rapport og regnskab var {long_date(due, 'da')}." in (
        danish
    )
    assert "Reminder sent" not in danish
    assert long_date(due, "en") in english and "Påmindelse sendt" not in english


def test_the_ledger_notes_of_a_settlement_are_danish_whoever_settles(world, move_clock):
    """The ledger is the municipality's accounts, its notes in Danish (grants.budgets.ledger);
    a caseworker reading the English interface wrote "Settlement of report and accounts" and
    "Refund claim on settlement" into it for good."""
    from sqlalchemy import select

    from grants.budgets.models import BudgetEntry

    application = granted_case(world, 8000)
    pay(application, 5000, world.finance)
    move_clock(application.return_date)
    # 2,000 kr. spent of 5,000 paid: 3,000 unpaid is released, 3,000 is claimed back.
    file_report(application, world.employee, {"transport": "2000"})
    with in_english():
        settle(application, world.caseworker)
    db.session.commit()

    notes = db.session.scalars(
        select(BudgetEntry.note).where(
            BudgetEntry.application_id == application.id, BudgetEntry.note != ""
        )
    ).all()
    assert sorted(notes) == [
        "Afregning af rapport og regnskab",
        "Tilbagebetalingskrav ved afregning",
    ]


def test_a_dispensation_is_labelled_the_same_whoever_decides(world, youth):
    """The decision's comment is the decider's words, kept and sent as written; the label
    before the dispensation's reason was in the decider's language ("Exemption:"), into the
    Danish applicant's e-mail and the case's journal for good."""
    from decimal import Decimal

    from sqlalchemy import select

    from grants.applications.operations import decide
    from grants.notifications.models import OutboxMessage
    from grants.workflow.models import JournalEntry
    from tests.reports.helpers import youth_application

    assert youth["frida"].locale == "da"
    application = youth_application(world, youth)
    with in_english():
        decide(application, world.caseworker, "grant", Decimal("7500"), "", "Et særligt program.")
    db.session.commit()

    entry = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id, JournalEntry.action == "grant"
        )
    ).one()
    assert entry.comment == "Dispensation: Et særligt program."
    (mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == youth["frida"].id)
    ).all()
    assert "Kommentar: Dispensation: Et særligt program." in mail.body
    assert "Exemption" not in mail.body
