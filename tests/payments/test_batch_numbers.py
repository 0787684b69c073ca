"""A payment batch's number (2026-0001, 2026-0002, ...) is the year's next, whatever funds the
batches hold: two batches of different funds hold different funds' locks, so nothing but the
number's unique constraint keeps them apart. A batch that finds its number taken counts
again; the finance officer never sees a server error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from grants.core import clock
from grants.extensions import db
from grants.payments import batches
from grants.payments.models import PaymentBatch
from grants.people.models import User
from tests.factories import make_fund
from tests.html import flashes
from tests.locking import someone_waits_for_a_lock
from tests.payments.test_batches import urls
from tests.payments.test_payments import granted


def numbers() -> list[str]:
    return list(db.session.scalars(select(PaymentBatch.number).order_by(PaymentBatch.id)))


@pytest.fixture
def two_funds(world):
    """A grant due on the study travel fund and one on a second fund."""
    other = make_fund(code="anden-pulje", name="Anden pulje")
    world.fund.account_string, other.account_string = "5.25.10.01.04.5", "5.25.10.01.04.6"
    first = granted(world, amount=8000)
    second = granted(world, fund=other, amount=3000)
    db.session.commit()
    return {world.fund.id: first, other.id: second}


def only_fund(monkeypatch, fund_id_of_thread):
    """Each request sees only the payments of its own fund (``fund_id_of_thread()``): a batch
    for one fund, made while another fund's batch is being made."""
    real = batches.open_items

    def of_one_fund(fund_id=None):
        due, refunds = real(fund_id)
        mine = fund_id_of_thread()
        return [item for item in due if mine is None or item.fund_id == mine], refunds

    monkeypatch.setattr(batches, "open_items", of_one_fund)


def test_a_number_taken_meanwhile_is_counted_again(
    app, client, auth, world, two_funds, monkeypatch
):
    """The second fund's batch counted the batches before the first fund's was committed
    (its count is stale), so it tries the number the first one took: it counts again and
    takes the next, and the finance officer is told the batch is made."""
    first_fund, second_fund = list(two_funds)
    year = clock.today().year
    fund = {"id": first_fund}
    only_fund(monkeypatch, lambda: fund["id"])
    auth.login(world.finance)
    assert client.post(urls(app)["make"]).status_code == 302
    assert numbers() == [f"{year}-0001"]

    fund["id"] = second_fund
    real, counted = batches._next_number, []

    def stale_first(of_year):
        counted.append(of_year)
        return f"{of_year}-0001" if len(counted) == 1 else real(of_year)

    monkeypatch.setattr(batches, "_next_number", stale_first)
    response = client.post(urls(app)["make"], follow_redirects=True)
    assert response.status_code == 200
    assert f"Bunke {year}-0002 med 1 udbetaling er dannet." in flashes(response)
    db.session.expire_all()
    assert numbers() == [f"{year}-0001", f"{year}-0002"]
    assert len(counted) == 2
    second = db.session.scalar(select(PaymentBatch).where(PaymentBatch.number == f"{year}-0002"))
    assert [line.application_id for line in second.lines] == [two_funds[second_fund].id]


def test_a_number_never_had_is_a_clear_refusal(app, client, auth, world, two_funds, monkeypatch):
    """Should the number be taken every time it is tried, the finance officer is asked to
    try again, and nothing is made."""
    auth.login(world.finance)
    first_fund, second_fund = list(two_funds)
    fund = {"id": first_fund}
    only_fund(monkeypatch, lambda: fund["id"])
    assert client.post(urls(app)["make"]).status_code == 302
    fund["id"] = second_fund
    monkeypatch.setattr(batches, "_next_number", lambda year: f"{year}-0001")
    response = client.post(urls(app)["make"], follow_redirects=True)
    assert response.status_code == 200
    assert "En anden bunke blev dannet i samme øjeblik. Prøv igen." in flashes(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1


def test_two_funds_batches_at_once_get_two_numbers(
    app, client, auth, world, two_funds, database_url, owner_database_url, monkeypatch
):
    """Two finance officers make a batch at the same moment, each of a different fund: the
    first has its batch numbered and not yet committed when the second counts the batches.
    The second's insert waits for the first's commit, finds the number taken, and takes the
    next. It used to end in a server error (the unique constraint)."""
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite has one writer: the second batch waits for the first's commit")
    first_fund, second_fund = list(two_funds)
    year = clock.today().year
    main = threading.get_ident()
    only_fund(monkeypatch, lambda: second_fund if threading.get_ident() == main else first_fund)
    finance_id = world.finance.id
    numbered, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_officer():
        with app.app_context():
            try:
                batch = batches.export_batch(db.session.get(User, finance_id))
                outcome["first"] = batch.number
                numbered.set()
                go_on.wait(30)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports what failed
                db.session.rollback()
                outcome["first"] = error
                numbered.set()
            finally:
                db.session.remove()

    def watcher():
        outcome["second waited"] = someone_waits_for_a_lock(owner_database_url)
        go_on.set()

    auth.login(world.finance)
    first = threading.Thread(target=first_officer)
    first.start()
    assert numbered.wait(30)
    watching = threading.Thread(target=watcher)
    watching.start()
    try:
        response = client.post(urls(app)["make"], follow_redirects=True)
    finally:
        go_on.set()
        first.join(60)
        watching.join(60)
    assert outcome["first"] == f"{year}-0001"
    assert outcome["second waited"]
    assert response.status_code == 200
    assert f"Bunke {year}-0002 med 1 udbetaling er dannet." in flashes(response)
    db.session.expire_all()
    assert numbers() == [f"{year}-0001", f"{year}-0002"]
