from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry
from grants.core import clock
from grants.extensions import db
from grants.funds.models import Fund
from grants.partners.models import PartnerCity
from grants.people.models import User
from tests.html import has_error


def test_demo_data_loads_once_and_prints_the_logins(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert "medarbejder@ballerup.dk" in result.output and "medarbejder-demo-2026" in result.output
    counts = [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (User, Fund, BudgetEntry, PartnerCity)
    ]

    again = runner.invoke(args=["demo", "load"])
    assert "nothing changed" in again.output
    assert counts == [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (User, Fund, BudgetEntry, PartnerCity)
    ]

    year = clock.today().year
    funds = {f.code: f for f in db.session.scalars(select(Fund))}
    assert balance(funds["studierejsefonden"].id, year).budget == 100000
    assert balance(funds["studierejsefonden"].id, year + 1).budget == 100000
    assert balance(funds["ungdomsrejser"].id, year).budget == 150000
    assert balance(funds["wuxi-udveksling"].id, year).budget == 159000
    assert balance(funds["kommunalbestyrelsen"].id, year).budget == 69000
    assert balance(funds["okonomiudvalget"].id, year).budget == 65000
    assert balance(funds["internationalt-samarbejde"].id, year).budget == 190000
    network = balance(funds["laerernetvaerk"].id, year)
    assert (network.budget, network.spent) == (23000, 4500)  # the network meeting, paid
    cities = {c.name for c in db.session.scalars(select(PartnerCity))}
    assert {"Prag 10", "Wuxi", "Brandenburg an der Havel"} <= cities

    # Sample cases in the states people meet first, made by the real operations, and no
    # e-mail left to go out to the demo addresses.
    from grants.cases.models import Application
    from grants.notifications.models import OutboxMessage

    states = sorted(a.state for a in db.session.scalars(select(Application)))
    assert states == [
        "awaiting_decision",
        "awaiting_decision",  # the delegation to Wuxi, before the fund's board
        "awaiting_endorsement",
        "on_agenda",  # the culture committee's own trip, on its planned meeting's agenda
        "screening",
        "screening",
        "settled",
        "settled",  # the delegation to Prague 10: published with its accounts
        "settled",  # the schools' network meeting: paid from the network's fund
    ]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_every_demo_login_works(app, runner, client):
    from grants import demo

    runner.invoke(args=["demo", "load"])
    for email, password, _roles in demo.logins():
        response = client.post("/log-ind", data={"email": email, "password": password})
        assert response.status_code == 302, email
        client.post("/log-ud")


def test_a_wrong_password_is_refused_with_a_message(app, runner, client):
    runner.invoke(args=["demo", "load"])
    response = client.post(
        "/log-ind", data={"email": "medarbejder@ballerup.dk", "password": "forkert"}
    )
    assert response.status_code == 422
    assert has_error(response, "E-mail eller adgangskode er forkert.")


def test_healthz_reports_a_database_that_does_not_answer(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False


def test_demo_load_prints_every_login_the_readme_lists(app, runner):
    """A newcomer logs in with what `make run` prints: the README's table of demo logins
    and the printed list name the same people (the committees' chair, formand@, too)."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\S+@\S+) \| (\S+)", readme, re.MULTILINE)
    assert len(listed) >= 9
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for email, password in listed:
        assert re.search(rf"^  {re.escape(email)} +{re.escape(password)} ", result.output, re.M), (
            email
        )
