"""Saving a fund's settings waits for the fund's lock as long as a movement of money does
(BUDGET_LOCK_TIMEOUT), and no longer: behind a long payment run the administrator is told to
try again and nothing is saved. It used to write the fund's row with no wait of its own:
on PostgreSQL it waited without end, on SQLite it ended in a server error."""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from grants.extensions import db
from grants.funds.models import Fund
from tests.administration.test_admin_pages import save_fund
from tests.html import flashes

HELD_AT_MOST = 6.0  # seconds: without the lock's wait the save goes through after this


class FundHeld:
    """Another server process holding the fund's lock (a payment run, a closing) on its
    own connection, until the block ends or HELD_AT_MOST seconds have passed."""

    def __init__(self, database_url: str, fund_id: int) -> None:
        self.url, self.fund_id = database_url, fund_id
        self.taken, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            other = sqlite3.connect(url.database, timeout=5, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                self.taken.set()
                self.done.wait(HELD_AT_MOST)
                other.execute("ROLLBACK")
            finally:
                other.close()
            return
        engine = create_engine(self.url)
        try:
            with engine.connect() as other:
                other.execute(
                    text("UPDATE fund SET ledger_version = ledger_version + 1 WHERE id = :id"),
                    {"id": self.fund_id},
                )
                self.taken.set()
                self.done.wait(HELD_AT_MOST)
                other.rollback()
        finally:
            engine.dispose()

    def __enter__(self) -> FundHeld:
        self.thread.start()
        assert self.taken.wait(10)
        return self

    def __exit__(self, *_exc) -> None:
        self.done.set()
        self.thread.join(30)


def test_a_save_behind_a_payment_run_is_refused_with_try_again(
    app, client, auth, world, owner_database_url, monkeypatch
):
    monkeypatch.setitem(app.config, "BUDGET_LOCK_TIMEOUT", 0.5)
    auth.login(world.admin)
    name = world.fund.name
    started = time.monotonic()
    with FundHeld(owner_database_url, world.fund.id):
        response = save_fund(client, world.fund, name="Omdøbt pulje")
        waited = time.monotonic() - started
    assert response.status_code == 422
    assert (
        "Puljen er optaget af en udbetaling eller en afgørelse lige nu, så indstillingerne "
        "er ikke gemt. Prøv igen om lidt."
    ) in flashes(response)
    assert waited < HELD_AT_MOST - 1
    db.session.expire_all()
    assert db.session.scalar(select(Fund.name).where(Fund.id == world.fund.id)) == name
    # Free again, the same save goes through.
    assert save_fund(client, world.fund, name="Omdøbt pulje").status_code == 302
    db.session.expire_all()
    assert db.session.get(Fund, world.fund.id).name == "Omdøbt pulje"


def test_the_refusal_in_english(app, client, auth, world, owner_database_url, monkeypatch):
    monkeypatch.setitem(app.config, "BUDGET_LOCK_TIMEOUT", 0.5)
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    with FundHeld(owner_database_url, world.fund.id):
        response = save_fund(client, world.fund, name="Renamed fund")
    assert response.status_code == 422
    assert (
        "The fund is busy with a payment or a decision right now, so the settings were not "
        "saved. Try again in a moment."
    ) in flashes(response)
