"""A kind of fund is one object in one registry (grants.funds.kinds), and the kinds the
seeds ask for are in it: the international cooperation's official trips, from plan to
publication with their accounts, and the schools' network, so that Ballerup's whole central
budget for international activities (522,000 kr.) is in the app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import select

from grants.administration.operations import kind_questions
from grants.budgets.balances import balance
from grants.cases.models import Application
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.letters.models import Letter
from grants.people.models import Role
from grants.profiles.operations import read, shipped
from grants.publication.queries import shows_names
from grants.subsidies.rulefile import KINDS
from tests.applications.helpers import form_data
from tests.confirming import decide
from tests.factories import make_fund, make_municipality, make_user
from tests.html import (
    definitions,
    field_error,
    field_hint,
    field_label,
    headings,
    options,
    page_text,
    table_rows,
    text_of,
    texts,
)
from tests.html import page as html_page
from tests.reports.helpers import PDF, pdf_text, report_data, with_files

DELEGATION = "Borgmester Bo Berg, kommunaldirektør Kim Krogh"


def test_one_vocabulary_the_rule_files_kinds_are_the_registered_kinds():
    assert KINDS == ("trip", "hosting", "exchange")
    assert set(KINDS) == {k.rule_set_kind for k in kinds.all_kinds() if k.computes_subsidy}
    assert kinds.subsidy_codes() == ["youth_trip", "hosting", "pupil_exchange"]
    assert len({k.code for k in kinds.all_kinds()}) == len(kinds.all_kinds())
    # Registering a code twice with something else is refused; the same object is not.
    assert kinds.register(kinds.OFFICIAL_TRIP) is kinds.OFFICIAL_TRIP
    with pytest.raises(ValueError, match="registered twice"):
        kinds.register(kinds.Kind("official_trip", "x", kinds.Applicant.EMPLOYEE))


def test_a_fund_of_an_unknown_kind_is_refused_before_the_database(app):
    with pytest.raises(ValueError, match="Unknown fund kind"):
        Fund(code="x", name="X", kind="holiday")
    assert Fund(code="y", name="Y", kind=kinds.OFFICIAL_TRIP).kind == "official_trip"


def test_ballerups_central_international_budget_is_522000_kr():
    """The strategy's 522,000 kr. a year: the youth pool 150,000, the Wuxi exchange 159,000,
    the international cooperation's trips 190,000 and the schools' network 23,000."""
    funds = read(shipped()["ballerup"])["funds"]
    central = {
        f["code"]: Decimal(f["yearly_budget"]) for f in funds if kinds.get(f["kind"]).central
    }
    assert central == {
        "ungdomsrejser": 150000,
        "wuxi-udveksling": 159000,
        "internationalt-samarbejde": 190000,
        "laerernetvaerk": 23000,
    }
    assert sum(central.values()) == 522000


def test_children_are_never_named_whatever_a_fund_says(app):
    youth = Fund(code="u", name="U", kind=kinds.YOUTH_TRIP, publish_names=True)
    official = Fund(code="o", name="O", kind=kinds.OFFICIAL_TRIP, publish_names=True)
    assert (shows_names(youth), shows_names(official)) == (False, True)


@pytest.fixture
def official(app, routes):
    """The secretariat, a colleague in it, the fund's board (the mayor), an employee, and the
    international cooperation's fund."""
    make_municipality()
    people = {
        "secretariat": make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Skov"),
        "colleague": make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Carl Holm"),
        "mayor": make_user(Role.BOARD_MEMBER, name="Bo Berg"),
        "employee": make_user(Role.EMPLOYEE, name="Mette Madsen"),
    }
    people["fund"] = make_fund(
        code="internationalt-samarbejde",
        name="Rejser i det internationale samarbejde",
        kind=kinds.OFFICIAL_TRIP.code,
        route="official_trip",
        delegated_limit=0,
        budget=190000,
        board=[people["mayor"]],
        publish_trips=True,
        publish_names=True,
    )
    kind_questions(people["fund"])  # as when the fund is created in the admin or a profile
    db.session.commit()
    return people


def _delegation_to_prague() -> dict:
    """The official trip's application form: the mayor and the director to Prague."""
    return form_data(
        title="Delegation til Prag 10",
        destination_city="Prag",
        destination_country="CZ",
        travellers=DELEGATION,
        traveller_count="2",
        other_funding="",
        other_funding_source="",
        amount_applied="10000",
    )


def _case() -> Application:
    db.session.expire_all()
    return db.session.scalars(select(Application)).one()


def test_an_official_trip_from_plan_to_publication_with_its_accounts(
    official, client, auth, move_clock
):
    fund, secretariat, mayor = official["fund"], official["secretariat"], official["mayor"]
    new_url = url_for("applications.new", fund_code=fund.code)

    # An employee cannot plan an official trip; the secretariat can.
    auth.login(official["employee"])
    assert client.get(new_url).status_code == 404
    assert client.post(new_url, data=form_data()).status_code == 404
    assert db.session.scalar(select(db.func.count(Application.id))) == 0
    auth.login(secretariat)
    page = client.get(url_for("applications.choose_fund"), follow_redirects=True)
    assert "Ansøg om studierejse" in headings(page)  # the only fund offered: its form
    assert text_of(page, "main .font-lead") == fund.name
    # Bad input: told next to the field, nothing saved.
    response = client.post(new_url, data=form_data(traveller_count="0"))
    assert response.status_code == 422
    assert field_error(response, "traveller_count") == "Skriv et antal fra 1 til 200."
    assert db.session.scalar(select(db.func.count(Application.id))) == 0
    data = _delegation_to_prague()
    # The kind's own field: asked, required, kept in the case's answers.
    assert field_label(client.get(new_url), "q-delegation") == "Hvem rejser?"
    response = client.post(new_url, data=data)
    assert response.status_code == 422 and field_error(response, "q-delegation")
    assert db.session.scalar(select(db.func.count(Application.id))) == 0
    response = client.post(new_url, data={**data, "q-delegation": "Politikere"})
    assert response.status_code == 302, response.text[:2000]
    application = _case()
    assert application.state == "awaiting_decision"  # straight to the fund's board
    assert application.answers == {"delegation": "Politikere"}
    page = client.get(url_for("applications.show", application_id=application.id))
    assert text_of(page, "#official-trip .alert-heading") == "Officiel rejse"

    # Neither the planner nor a colleague without a seat on the board decides it.
    for person in (secretariat, official["colleague"]):
        auth.login(person)
        decide(client, application.id, action="grant")
        assert _case().state == "awaiting_decision" and _case().outcome is None

    # The mayor approves: the letter says the accounts are approved and published.
    auth.login(mayor)
    response = decide(client, application.id, action="grant")
    assert response.status_code in (200, 302, 303), response.text[:2000]
    application = _case()
    assert application.state == "granted"
    letter = db.session.scalars(select(Letter).filter_by(application_id=application.id)).one()
    text = pdf_text(letter.pdf)
    assert "Puljens ledelse godkender regnskabet" in text
    assert "udlandsrejser" in text

    # After the trip: the report and the accounts, then the board approves them.
    move_clock(application.return_date)
    auth.login(secretariat)
    form_url = url_for("reports.edit", application_id=application.id)
    assert text_of(client.get(form_url), "#official-trip-report .alert-heading") == (
        "Rapport og regnskab offentliggøres"
    )
    report = report_data(application, participant_names=DELEGATION, participant_count="2")
    response = client.post(
        form_url, data=with_files(report, (PDF, "fly.pdf")), content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.text[:2000]
    assert _case().state == "report_submitted"
    auth.login(official["colleague"])  # not the board: cannot approve
    review = url_for("reports.review", application_id=application.id, action="approve_report")
    assert client.post(review, data={"comment": ""}).status_code == 403
    assert _case().state == "report_submitted"
    auth.login(mayor)
    response = client.post(review, data={"comment": ""})
    assert response.status_code == 302, response.text[:2000]
    assert _case().state == "settled"
    year = application.departure_date.year
    assert balance(fund.id, year).granted == Decimal("5500.00")  # the accounts' total

    # Published with the delegation's names and the accounts, for anyone.
    auth.logout()
    listing = client.get(url_for("publication.index"))
    assert "Delegation til Prag 10" in texts(listing, "main a")
    trip = client.get(url_for("publication.trip", trip_id=application.id))
    facts = definitions(trip)
    assert facts["Deltagere"] == f"2 deltagere: {DELEGATION}"
    assert facts["Hvem rejser?"] == "Politikere"  # the kind's public field
    accounts = [cell for row in table_rows(trip) for cell in row]
    assert {"2.500,00 kr.", "3.000,00 kr.", "5.500,00 kr."} <= set(accounts), accounts


def test_the_schools_network_spends_from_its_own_fund(app, routes):
    """The network's 23,000 kr. is a fund: what its activities cost is paid from it and
    shows in its year's figures."""
    from grants.applications.operations import decide as decide_case
    from grants.budgets.movements import record_payment
    from grants.core import clock
    from tests.factories import make_application

    make_municipality()
    secretariat = make_user(Role.EMPLOYEE, Role.CASEWORKER)
    board = make_user(Role.BOARD_MEMBER)
    finance = make_user(Role.FINANCE)
    network = make_fund(
        code="laerernetvaerk",
        kind=kinds.NETWORK.code,
        route="official_trip",
        delegated_limit=0,
        budget=23000,
        board=[board],
    )
    meeting = make_application(
        secretariat, network, state="awaiting_decision", amount=4500, title="Netværksmøde"
    )
    decide_case(meeting, board, "grant", None, "")
    record_payment(meeting, Decimal(4500), finance, clock.today(), voucher="NET-1")
    db.session.commit()
    figures = balance(network.id, meeting.departure_date.year)  # the grant's budget year
    assert (figures.budget, figures.granted, figures.spent) == (23000, 4500, 4500)
    assert figures.available == 23000 - 4500
    assert not network.spec.names_may_be_public and not network.computes_subsidy


def test_the_budgets_show_ballerups_central_budget_on_a_line_of_its_own(runner, client, auth):
    from html.parser import HTMLParser

    from grants.demo import demo_password
    from grants.people.models import User

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    finance = db.session.scalars(select(User).filter_by(email="okonomi@ballerup.dk")).one()
    auth.login(finance, demo_password("okonomi"))
    page = client.get(url_for("budgets.index")).text

    class Row(HTMLParser):
        """The cells of the row with id="central-budget", as text."""

        inside, cells = False, []

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.inside = ("id", "central-budget") in attrs
            elif self.inside and tag in ("th", "td"):
                self.cells.append("")

        def handle_data(self, data):
            if self.inside and self.cells:
                self.cells[-1] += data.strip()

    row = Row()
    row.feed(page)
    assert row.cells[0] == "Heraf det centrale budget til internationale aktiviteter"
    assert row.cells[1] == "522.000,00 kr."  # 150,000 + 159,000 + 190,000 + 23,000
    assert row.cells[6] == "4.500,00 kr."  # the network meeting, paid


def test_the_kinds_own_public_field_is_shown_in_the_readers_language(app):
    """The official trip's "Hvem rejser?" and its answer are the kind's words, not an
    administrator's: the English trip page said them in Danish. Other words stay as written."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    from grants.publication.queries import _public_facts

    fund = SimpleNamespace(spec=kinds.OFFICIAL_TRIP)
    case = SimpleNamespace(answers={"delegation": "Politikere og administrationen"})
    with app.test_request_context():
        with force_locale("en"):
            assert _public_facts(fund, case) == (
                ("Who is travelling?", "Politicians and the administration"),
            )
            assert kinds.in_reader_language("Borgmesterens egne ord") == "Borgmesterens egne ord"
        with force_locale("da"):
            assert _public_facts(fund, case) == (
                ("Hvem rejser?", "Politikere og administrationen"),
            )


def test_the_kinds_own_question_is_asked_and_shown_in_english(official, client, auth):
    """The planner who reads English is asked "Who is travelling?" with English choices (the
    value kept is the fund's), and the case page shows the answer in English."""
    secretariat, fund = official["secretariat"], official["fund"]
    secretariat.locale = "en"
    db.session.commit()
    auth.login(secretariat)
    new_url = url_for("applications.new", fund_code=fund.code)
    form = client.get(new_url)
    assert field_label(form, "q-delegation") == "Who is travelling?"
    assert field_hint(form, "q-delegation") == "Published with the trip."
    choices = options(form, "q-delegation")
    assert choices["Politikere og administrationen"] == "Politicians and the administration"
    assert "Hvem rejser?" not in page_text(form)
    data = _delegation_to_prague()
    response = client.post(new_url, data={**data, "q-delegation": "Politikere"})
    assert response.status_code == 302, response.text[:2000]
    application = _case()
    assert application.answers == {"delegation": "Politikere"}
    page = client.get(url_for("applications.show", application_id=application.id))
    rows = [row for table in html_page(page).select("table") for row in table_rows(table)]
    assert ["Who is travelling?", "Politicians"] in rows
