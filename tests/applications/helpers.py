"""Form data a person would type into the study-trip application form."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.applications.operations import decide
from grants.budgets.balances import balance
from grants.extensions import db
from grants.letters.models import Letter
from grants.workflow.models import JournalEntry
from tests.factories import future, make_application


def form_data(**overrides) -> dict:
    data = {
        "title": "Studietur til Helsinki om ungdomsskoler",
        "purpose": "At lære af finske ungdomsskolers arbejde med inklusion.",
        "destination_city": "Helsinki",
        "destination_country": "FI",
        "departure_date": future(60).isoformat(),
        "return_date": future(64).isoformat(),
        "programme": "Dag 1: besøg på en ungdomsskole. Dag 2: konference om inklusion.",
        "travellers": "Mette Madsen, pædagog",
        "traveller_count": "1",
        "manager_id": "",
        "transport": "3000",
        "transport_note": "Fly København–Helsinki t/r",
        "accommodation": "4.000,00",
        "accommodation_note": "4 nætter",
        "fees": "2000",
        "fees_note": "",
        "meals": "1000",
        "meals_note": "",
        "other": "",
        "other_note": "",
        "other_funding": "1000",
        "other_funding_source": "Klubbens egen efteruddannelsespulje",
        "amount_applied": "8000",
        "expected_benefit": "Nye metoder til inklusion i vores klubber.",
        "knowledge_sharing": "Oplæg på personalemøde og en artikel på intranettet.",
        "intent": "submit",
    }
    data.update(overrides)
    return data


def available(application) -> Decimal:
    """What is left in the case's fund in its budget year."""
    return balance(application.fund_id, application.budget_year).available


def decisions(application) -> list[Letter]:
    """The case's decision letters, first edition first (a reconsideration adds one)."""
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.application_id == application.id, Letter.kind == "decision")
            .order_by(Letter.edition)
        )
    )


def journal_actions(application) -> list[str]:
    """The actions of the case's journal, in the order they were written."""
    return list(
        db.session.scalars(
            select(JournalEntry.action)
            .where(JournalEntry.application_id == application.id)
            .order_by(JournalEntry.id)
        )
    )


def partly_granted(world):
    """A case granted 5.000 of 8.000 kr. by the caseworker, committed."""
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen dækkes.")
    db.session.commit()
    return application
