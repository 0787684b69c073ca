"""The whole journey of a youth association, from registering the association to its
downloaded letter, through the web pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grants.budgets.models import BudgetEntry
from grants.cases.models import Application
from grants.extensions import db
from grants.funds import kinds
from grants.letters.models import Letter
from grants.organisations.models import Organisation
from grants.partners.models import PartnerCity, Relation
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from tests.confirming import confirm
from tests.factories import (
    PASSWORD,
    future,
    make_fund,
    make_organisation,
    make_user,
    make_youth_fund,
)
from tests.html import errors, field_error, field_value, page_text, table_rows
from tests.people.helpers import sign_up

ORGANISATION = {
    "name": "Ballerup Ungdomsorkester",
    "kind": "association",
    "cvr": "31415926",
    "address": "Banegårdspladsen 1",
    "postcode": "2750",
    "city": "Ballerup",
    "email": "kontakt@orkester.example.dk",
    "phone": "",
}


@pytest.fixture
def youth(world):
    fund = make_youth_fund()
    hosting = make_fund(
        code="vaertskab",
        name="Værtskab",
        kind=kinds.HOSTING.code,
        route="screening_decision",
        delegated_limit=5000,
        budget=25000,
    )
    add_rule_set((STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(), fund=fund)
    add_rule_set((STANDARD_RULE_SETS / "ballerup-vaertskab.toml").read_text(), fund=hosting)
    prague = PartnerCity(
        name="Prag 10", country="CZ", relation=Relation.TWIN_CITY, valid_from=dt.date(2014, 8, 25)
    )
    former = PartnerCity(
        name="Tidligere By",
        country="DE",
        relation=Relation.PARTNERSHIP,
        valid_from=dt.date(2014, 8, 25),
        valid_to=dt.date(2020, 12, 31),
    )
    db.session.add_all([prague, former])
    db.session.commit()
    return {"fund": fund, "hosting": hosting, "prague": prague, "former": former}


def trip_form(organisation_id, city_id, **overrides) -> dict:
    data = {
        "organisation_id": str(organisation_id),
        "title": "Orkestertur til Prag",
        "partner_city_id": str(city_id),
        "departure_date": future(40).isoformat(),
        "return_date": future(45).isoformat(),  # 5 nights
        "participants_young": "12",
        "birth_years": "",
        "participants_leaders": "2",
        "participants_disabled": "0",
        "host_group_size": "",
        "purpose": "Fælles koncert med et ungdomsorkester i Prag 10.",
        "direct_contact": "To fælles prøver og en fælles koncert; de unge bor hos hinanden.",
        "programme": "Dag 1 ankomst, dag 2-4 prøver og koncert, dag 5 byvandring med værterne.",
        "transport": "24000",
        "transport_note": "Bus",
        "accommodation": "",
        "accommodation_note": "",
        "fees": "",
        "fees_note": "",
        "meals": "6000",
        "meals_note": "",
        "other": "",
        "other_note": "",
        "other_funding": "",
        "other_funding_source": "",
        "dispensation_request": "",
        "intent": "submit",
    }
    data.update(overrides)
    return data


def test_from_registering_the_association_to_its_letter(world, youth, client, auth):
    # A representative signs up and registers the association.
    sign_up(client, "frida@example.dk", "Frida Frost", PASSWORD)
    assert client.post("/organisationer/ny", data=ORGANISATION).status_code == 302
    organisation = db.session.scalars(select(Organisation)).one()

    # The funds open to her are the subsidies; she picks the youth trip.
    page = client.get("/ansoegninger/ny").get_data(as_text=True)
    assert "Ungdomsrejser" in page_text(page) and "Studierejsefonden" not in page_text(page)
    url = "/ansoegninger/ny/ungdomsrejser"
    assert "Orkestertur" not in page_text(client.get(url))

    # Without JavaScript: the preview step shows the working, line by line.
    response = client.post(
        url, data=trip_form(organisation.id, youth["prague"].id, intent="preview")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "12 unge + 2 ledere = 14 personer" in page_text(page), page[
        page.find('id="calculation"') :
    ][:2000]
    assert "7.000,00 kr." in page_text(page)
    assert db.session.scalars(select(Application)).all() == []  # a preview saves nothing

    # The live calculation (the form's JavaScript) gives the same answer.
    data = trip_form(organisation.id, youth["prague"].id)
    live = client.post("/tilskud/beregn/ungdomsrejser", data=data).get_json()
    assert live["total"] == "7000.00"

    # She submits; the amount applied for is what the rules give.
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 302, re.findall(
        r"form-error-message[^>]*>(.*?)</span>\s*</span>|alert-text\">(.*?)<", page, re.S
    )
    application = db.session.scalars(select(Application)).one()
    assert application.state == "screening"
    assert application.organisation_id == organisation.id
    assert application.amount_applied == Decimal("7000.00")
    assert application.computed_amount == Decimal("7000.00")
    assert application.rule_set_id is not None
    assert application.calculation["rule_set"]["version"] == 1

    # The caseworker screens and grants more than the rules give, with a dispensation.
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "8000", "reasons": "", "dispensation_reason": ""},
    )
    assert response.status_code == 422
    assert "kræver dispensation" in page_text(response)
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {
            "action": "grant",
            "amount": "8000",
            "reasons": "",
            "dispensation_reason": "Koncerten kræver en ekstra overnatning for hele gruppen.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert (application.state, application.granted_amount) == ("granted", Decimal("8000.00"))
    reservation = db.session.scalars(
        select(BudgetEntry).filter_by(application_id=application.id)
    ).one()
    assert reservation.fund_id == youth["fund"].id and reservation.amount == Decimal("8000.00")

    # The representative downloads the letter: the calculation, both amounts and the reason.
    auth.login(db.session.scalars(select(Organisation)).one().members[0].user)
    letter = db.session.scalars(select(Letter)).one()
    response = client.get(f"/breve/{letter.id}/hent")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for part in (
        "Ballerup Ungdomsorkester",
        "31415926",
        "12 unge + 2 ledere = 14 personer",
        "7.000,00 kr.",
        "8.000,00 kr.",
        "Koncerten kræver en ekstra overnatning",
        "Ungdomsrejser til venskabs- og partnerbyer",
    ):
        assert part in text, part


def maaloev_scouts(member):
    """An association in the municipality (Måløv), outside Ballerup town."""
    return make_organisation(member, name="Måløv Spejdere", postcode="2760", city="Måløv")


def test_what_the_rules_cannot_allow_is_said_before_submitting(world, youth, client, auth):
    member = world.outsider
    organisation = maaloev_scouts(member)
    outside = make_organisation(member, name="Roskilde Roklub", postcode="4000", city="Roskilde")
    db.session.commit()
    auth.login(member)
    url = "/ansoegninger/ny/ungdomsrejser"

    cases = [
        (trip_form(organisation.id, youth["former"].id), "partner"),
        (trip_form(outside.id, youth["prague"].id), "kommunen"),
    ]
    for data, words in cases:
        preview = client.post(url, data={**data, "intent": "preview"}).get_data(as_text=True)
        assert "Det kan reglerne ikke give tilskud til" in page_text(preview)
        assert words in page_text(preview)
        response = client.post(url, data=data)
        assert response.status_code == 422
        assert "Reglerne kan ikke give tilskud" in page_text(response)
    # A missing description of direct contact is refused at the field.
    response = client.post(
        url, data=trip_form(organisation.id, youth["prague"].id, direct_contact="")
    )
    assert response.status_code == 422
    assert field_error(response, "direct_contact")
    assert db.session.scalars(select(Application)).all() == []

    # With a reasoned request for dispensation, the application can be sent anyway.
    response = client.post(
        url,
        data=trip_form(
            organisation.id,
            youth["former"].id,
            dispensation_request="Vi har et mangeårigt samarbejde med byen.",
        ),
    )
    assert response.status_code == 302
    application = db.session.scalars(select(Application)).one()
    assert application.calculation["problems"]


def test_the_host_grant(world, youth, client, auth):
    organisation = make_organisation(
        world.outsider, name="Skovlunde Skole", kind="school", postcode="2740", city="Skovlunde"
    )
    db.session.commit()
    auth.login(world.outsider)
    data = trip_form(
        organisation.id,
        youth["prague"].id,
        title="Besøg fra Prag",
        departure_date=future(40).isoformat(),
        return_date=future(44).isoformat(),
        host_group_size="12",
        participants_young="20",
        participants_leaders="2",
    )
    live = client.post("/tilskud/beregn/vaertskab", data=data).get_json()
    assert live["total"] == "5000.00"
    short = {**data, "host_group_size": "11"}
    assert client.post("/tilskud/beregn/vaertskab", data=short).get_json()["total"] == "0.00"
    assert client.post("/ansoegninger/ny/vaertskab", data=data).status_code == 302


def test_the_rules_version_stays_with_the_case(world, youth, client, auth):
    """A later change of rates never changes an old case."""
    organisation = make_organisation(world.outsider)
    db.session.commit()
    auth.login(world.outsider)
    client.post(
        "/ansoegninger/ny/ungdomsrejser", data=trip_form(organisation.id, youth["prague"].id)
    )
    application = db.session.scalars(select(Application)).one()
    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text()
    source = source.partition("\n# Eksempler")[0]  # the examples are for 100 kr.
    add_rule_set(source.replace("amount = 100 ", "amount = 150 "), fund=youth["fund"])
    db.session.commit()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.computed_amount == Decimal("7000.00")
    assert application.calculation["rule_set"]["version"] == 1
    assert Path(STANDARD_RULE_SETS).exists()


def test_a_youth_resubmission_records_the_new_counts_and_the_computed_amount(
    world, youth, client, auth
):
    """After a request for information the association corrects the participants: the
    journal keeps the counts and the subsidy the rules now give, and the reply."""
    from grants.applications import changes
    from tests.factories import make_organisation, make_user

    frida = make_user(name="Frida Frost", email="frida@example.dk")
    organisation = make_organisation(frida, name="Ballerup Ungdomsorkester")
    db.session.commit()
    auth.login(frida)
    url = "/ansoegninger/ny/ungdomsrejser"
    assert client.post(url, data=trip_form(organisation.id, youth["prague"].id)).status_code == 302
    application = db.session.scalars(select(Application)).one()
    assert application.amount_applied == Decimal("7000.00")  # 14 persons × 5 nights × 100 kr.
    auth.login(world.caseworker)
    client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Hvor mange unge deltager nu?"},
    )
    auth.login(frida)
    page = client.get(f"/ansoegninger/{application.id}/rediger").get_data(as_text=True)
    assert field_value(page, "reply") is not None
    response = client.post(
        f"/ansoegninger/{application.id}/rediger",
        data=trip_form(
            organisation.id,
            youth["prague"].id,
            participants_young="10",
            reply="To af de unge er faldet fra.",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    entry = [e for e in application.journal if e.action == "resubmit"][-1]
    found = {c["field"]: (c["old"], c["new"]) for c in entry.details[changes.CHANGES]}
    assert found == {
        "participants_young": (12, 10),
        "amount_applied": ("7000.00", "6000.00"),
    }
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Antal børn og unge under aldersgrænsen: 12 → 10" in page_text(page)
    assert "Ansøgt beløb: 7.000,00 kr. → 6.000,00 kr." in page_text(page)
    assert "To af de unge er faldet fra." in page_text(page)


def test_a_control_character_in_the_birth_years_is_refused_once_and_never_quoted(
    world, youth, client, auth
):
    """Refused by the control-character policy, "2009<NUL>" was then parsed again and quoted
    back in the year message; a refused value is not parsed again."""
    organisation = maaloev_scouts(world.outsider)
    db.session.commit()
    auth.login(world.outsider)
    response = client.post(
        "/ansoegninger/ny/ungdomsrejser",
        data=trip_form(organisation.id, youth["prague"].id, birth_years="2008, 2009\x00"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "styretegn" in page_text(page)
    shown = page_text(page) + " ".join(errors(page))
    assert "“2009\x00”" not in shown and "er ikke et årstal" not in shown
    assert db.session.scalars(select(Application)).all() == []


def test_the_youth_data_is_kept_apart_and_read_with_the_case(world, youth, client, auth):
    """The counts, the partner city and the calculation go into the case's youth subsidy
    (a table of its own), and the case page reads them in the case's own statement: none of
    its statements reads the youth subsidy by itself."""
    from sqlalchemy import event

    from grants.cases.models import YouthSubsidy

    organisation = make_organisation(world.outsider, name="Ballerup Ungdomsorkester")
    db.session.commit()
    auth.login(world.outsider)
    data = trip_form(organisation.id, youth["prague"].id)
    assert client.post("/ansoegninger/ny/ungdomsrejser", data=data).status_code == 302
    application = db.session.scalars(select(Application)).one()
    kept = db.session.get(YouthSubsidy, application.id)
    assert (kept.partner_city_id, kept.participants_young, kept.participants_leaders) == (
        youth["prague"].id,
        12,
        2,
    )
    assert kept.direct_contact == data["direct_contact"]
    assert kept.computed_amount == Decimal("7000.00") and kept.rule_set_id is not None

    auth.login(world.caseworker)
    path = f"/ansoegninger/{application.id}"
    client.get(path)  # first-use caches
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert response.status_code == 200
    assert [s for s in statements if re.search(r"\bFROM youth_subsidy\b", s)] == []
    details = dict((row[0], row[1]) for row in table_rows(response, "#details-heading + div table"))
    assert details["Venskabs- eller partnerby"].startswith("Prag 10")
    assert details["Direkte kontakt mellem de unge"] == data["direct_contact"]


def test_a_case_of_another_kind_has_no_youth_subsidy(world):
    """A study trip has none, and the steps that clear the youth fields on every case (a
    decision without dispensation, the purge) make none."""
    from grants.cases.models import YouthSubsidy
    from tests.factories import make_application

    application = make_application(world.employee, world.fund)
    application.dispensation_reason = ""
    application.direct_contact = ""
    application.birth_years = None
    db.session.commit()
    assert application.youth_subsidy is None
    assert db.session.scalars(select(YouthSubsidy)).all() == []
    assert (application.direct_contact, application.participants_young) == ("", None)


def test_a_case_given_by_birth_years_shows_the_young_people_the_rules_counted(
    world, youth, client, auth
):
    """Given as birth years, the young people are counted by the rules on the departure
    date: the case page says how many counted, never "Unge under 25: 0"."""
    frida = make_user(name="Frida Frost")
    organisation = make_organisation(frida)
    db.session.commit()
    auth.login(frida)
    departure = future(40)
    years = f"{departure.year - 15}, {departure.year - 16}, {departure.year - 30}"
    data = trip_form(organisation.id, youth["prague"].id, participants_young="", birth_years=years)
    response = client.post("/ansoegninger/ny/ungdomsrejser", data=data)
    assert response.status_code == 302
    application = db.session.scalars(select(Application)).one()
    assert application.calculation["young"] == 2
    for user in (frida, world.caseworker):
        auth.login(user)
        page = page_text(client.get(f"/ansoegninger/{application.id}"))
        assert "Unge under 25: 2 (fødselsår" in page, page[page.find("Deltagere") :][:300]
        assert "Unge under 25: 0" not in page
