"""A payment sent to the finance system in a batch and not yet confirmed is paid as it was
sent. Settling the report below it (or lowering the grant any other way: a reconsidered
decision, giving it up) would count money free that is going out, and the confirmation
would then be refused as more than is due. So it is refused, with the batch and line named,
until the finance system has confirmed the line; then the settlement goes through and what
was paid beyond the final amount is claimed back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from grants.applications.operations import give_up_grant
from grants.budgets.balances import application_money
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import adjust
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db
from grants.letters.models import Letter
from grants.payments import batches
from grants.reports.settlement import settle
from tests.html import flashes
from tests.reports.helpers import file_report, granted_case

COSTS = {"transport": 3000, "accommodation": 3000}  # 6.000 kr. of a grant of 8.000 kr.
SENT_MESSAGE = (
    "8.000,00 kr. er sendt til udbetaling i bunke {batch} (linje 1) og er endnu ikke bekræftet "
    "af økonomisystemet. Bevillingen kan ikke sættes under det beløb, før økonomi har bekræftet "
    "udbetalingen; derefter kræves det for meget udbetalte tilbage. Intet er ændret."
)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def releases(application) -> int:
    return count(
        BudgetEntry,
        BudgetEntry.application_id == application.id,
        BudgetEntry.kind == EntryKind.RELEASE,
    )


@pytest.fixture
def sent(world, move_clock):
    """A grant of 8.000 kr. sent to the finance system in a batch, and a report of 6.000 kr."""
    world.fund.account_string = "5.25.10.01.04.5"
    application = granted_case(world, 8000)
    batch = batches.export_batch(world.finance)
    db.session.commit()
    move_clock(application.return_date)
    file_report(application, world.employee, COSTS)
    return application, batch


def test_a_settlement_below_a_sent_payment_is_refused(world, sent):
    application, batch = sent
    with pytest.raises(DomainError) as refused:
        settle(application, world.caseworker)
    db.session.rollback()
    assert refused.value.message == SENT_MESSAGE.format(batch=batch.number)
    db.session.expire_all()
    assert application.state == "report_submitted"
    assert releases(application) == 0
    assert application_money(application).granted == Decimal(8000)
    assert count(Letter, Letter.application_id == application.id, Letter.kind != "decision") == 0


def test_once_the_payment_is_confirmed_the_settlement_claims_the_rest_back(world, sent):
    application, batch = sent
    confirmed = batches.confirm(
        f"batch;line;voucher;paid_on\n{batch.number};1;V-1;{clock.today().isoformat()}\n",
        world.finance,
    )
    assert confirmed.paid == 1
    db.session.commit()
    settlement = settle(application, world.caseworker)
    db.session.commit()
    assert (settlement.final, settlement.paid, settlement.refund) == (
        Decimal(6000),
        Decimal(8000),
        Decimal(2000),
    )
    assert application.state == "settled"


def test_the_refusal_on_the_case_page_in_english(app, client, auth, world, sent):
    application, batch = sent
    world.caseworker.locale = "en"
    db.session.commit()
    auth.login(world.caseworker)
    response = client.post(f"/ansoegninger/{application.id}/rapport/approve_report", data={})
    assert response.status_code == 422
    assert (
        f"8,000.00 kr. is sent for payment in batch {batch.number} (line 1) and not yet "
        "confirmed by the finance system. The grant cannot be set below that amount until "
        "finance has confirmed the payment; after that, what was paid beyond it is claimed "
        "back. Nothing has been changed."
    ) in flashes(response)
    db.session.expire_all()
    assert application.state == "report_submitted"
    assert releases(application) == 0


def test_a_grant_is_not_lowered_or_given_up_below_a_sent_payment(app, world, move_clock):
    world.fund.account_string = "5.25.10.01.04.5"
    application = granted_case(world, 8000)
    batch = batches.export_batch(world.finance)
    db.session.commit()
    message = SENT_MESSAGE.format(batch=batch.number)
    with pytest.raises(DomainError) as lowered:
        adjust(application, Decimal(5000), world.caseworker, "Genoptaget")
    db.session.rollback()
    assert lowered.value.message == message
    with pytest.raises(DomainError) as given_up:
        give_up_grant(application, world.employee, "give_up_grant", "Rejsen er aflyst.")
    db.session.rollback()
    assert given_up.value.message == message
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(DomainError) as in_english:
            adjust(application, Decimal(5000), world.caseworker, "Reconsidered")
        db.session.rollback()
    assert in_english.value.message.startswith("8,000.00 kr. is sent for payment in batch")
    db.session.expire_all()
    assert application_money(application).granted == Decimal(8000)
    assert releases(application) == 0
    # Raising it, or lowering it no further than what is sent, is not held up.
    assert adjust(application, Decimal(8500), world.caseworker, "Mere") is not None
    assert adjust(application, Decimal(8000), world.caseworker, "Som før") is not None
