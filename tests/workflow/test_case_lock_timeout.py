"""A stuck transaction holding a case's row (or any row a request needs) makes no request
hang: the case's lock (``engine.lock_case``) waits at most BUDGET_LOCK_TIMEOUT and then says
"try again" on the case page (409), in the person's language, and nothing changes; a lock not
had in time where no view says so itself is the app's "try again" page (503, Retry-After),
never a server error. PostgreSQL, two connections: SQLite has one writer and no row locks."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from grants.cases.models import Application
from grants.cases.states import State
from grants.core.locks import Busy, bound_lock_wait
from grants.extensions import db
from grants.workflow.models import JournalEntry
from tests.factories import make_application
from tests.html import flashes
from tests.locking import row_held

HELD = 6.0  # seconds the other connection holds the row: a wait of the lock's own ends first


@pytest.fixture
def postgresql(owner_database_url):
    if make_url(owner_database_url).get_backend_name() != "postgresql":
        pytest.skip("row locks and lock_timeout: PostgreSQL (SQLite has one writer)")
    return owner_database_url


def endorse(client, application):
    return client.post(f"/ansoegninger/{application.id}/trin/endorse", data={"comment": "Ja."})


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("da", "Sagen ændres af en anden lige nu. Intet er ændret. Prøv igen om lidt."),
        ("en", "The case is being changed by someone else right now. Nothing was changed."),
    ],
)
def test_a_step_behind_a_stuck_transaction_is_try_again(
    app, client, auth, world, postgresql, monkeypatch, locale, words
):
    monkeypatch.setitem(app.config, "BUDGET_LOCK_TIMEOUT", 0.5)
    application = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    world.manager.locale = locale
    db.session.commit()
    auth.login(world.manager)
    started = time.monotonic()
    with row_held(postgresql, "application", application.id, HELD):
        response = endorse(client, application)
        waited = time.monotonic() - started
    assert waited < HELD - 1
    assert response.status_code == 409
    assert any(words in message for message in flashes(response)), flashes(response)
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.AWAITING_ENDORSEMENT
    assert not db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id, JournalEntry.action == "endorse"
        )
    ).all()
    # Free again, the same step goes through.
    assert endorse(client, application).status_code == 302


@pytest.fixture
def locking_route(app, world):
    """A route that locks the fund's row and says nothing of its own if it cannot."""

    def view():
        bound_lock_wait()
        db.session.execute(
            text("SELECT id FROM fund WHERE id = :id FOR UPDATE"), {"id": world.fund.id}
        )
        return "locked"

    def busy():
        raise Busy("Puljen er optaget. Prøv igen.")

    app.add_url_rule("/test/lock", "test_lock", view, methods=["POST"])
    app.add_url_rule("/test/busy", "test_busy", busy, methods=["POST"])


@pytest.mark.parametrize(
    ("locale", "title"), [("da", "Prøv igen om lidt"), ("en", "Try again in a moment")]
)
def test_a_lock_not_had_in_time_anywhere_is_the_try_again_page(
    app, client, auth, world, postgresql, locking_route, monkeypatch, locale, title
):
    monkeypatch.setitem(app.config, "BUDGET_LOCK_TIMEOUT", 0.5)
    world.finance.locale = locale
    db.session.commit()
    auth.login(world.finance)
    with row_held(postgresql, "fund", world.fund.id, HELD):
        response = client.post("/test/lock")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert title in page
    assert client.post("/test/lock").get_data(as_text=True) == "locked"


def test_a_busy_refusal_no_view_caught_is_the_try_again_page(client, auth, world, locking_route):
    """Both databases: the page, not a server error."""
    auth.login(world.finance)
    response = client.post("/test/busy")
    assert response.status_code == 503
    assert "Puljen er optaget. Prøv igen." in response.get_data(as_text=True)


def test_every_connection_of_the_app_waits_for_a_lock_at_most_the_bound(app, postgresql):
    """Any statement's lock wait, not only the domains' locks (an UPDATE of a held row)."""
    with db.engine.connect() as connection:
        setting = connection.scalar(
            text("SELECT setting FROM pg_settings WHERE name = 'lock_timeout'")
        )
    assert int(setting) == int(float(app.config["BUDGET_LOCK_TIMEOUT"]) * 1000) > 0


def test_the_api_says_try_again_behind_a_stuck_transaction(
    app, client, world, postgresql, monkeypatch
):
    """The finance system marking a case paid while a payment run holds the fund: 503 with
    Retry-After (the same request may be sent again), not a 422 it would take for a refusal
    of its data, and nothing is recorded; free again, the same request goes through."""
    import datetime as dt

    from flask import url_for

    from grants.api import tokens
    from grants.budgets.models import BudgetEntry, EntryKind
    from grants.core import clock
    from tests.payments.test_payments import granted

    monkeypatch.setitem(app.config, "BUDGET_LOCK_TIMEOUT", 0.5)
    application = granted(world, amount=8000)
    _token, secret = tokens.issue(
        "Prisme", "payments", clock.today() + dt.timedelta(days=5), world.finance
    )
    db.session.commit()
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=application.id)
    body = {"amount": "8000.00", "paid_on": clock.today().isoformat(), "voucher": "P-1"}
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    with row_held(postgresql, "fund", world.fund.id, HELD):
        response = client.post(url, json=body, headers=headers)
    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["title"] == "Try again in a moment"
    payments = select(BudgetEntry).where(
        BudgetEntry.application_id == application.id, BudgetEntry.kind == EntryKind.PAYMENT
    )
    assert db.session.scalars(payments).all() == []
    assert client.post(url, json=body, headers=headers).status_code == 201
