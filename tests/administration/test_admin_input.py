"""The administrator's forms given what no page of theirs sends (an empty post, a script's)
and read in English: a message next to the field and nothing changed, never a server error;
no Danish the administrator cannot read."""

from __future__ import annotations

import tomllib
from pathlib import Path

from grants.extensions import db
from grants.workflow.labels import ROUTE_NAMES
from tests.dbstate import table_fingerprint
from tests.html import field_errors, options, page_text


def test_an_empty_post_to_every_admin_form_is_refused_next_to_its_fields(world, client, auth):
    auth.login(world.admin)
    fund = world.fund.id
    before = table_fingerprint()
    for url in (
        "/administration/kommune",
        "/administration/partnerbyer/ny",
        "/administration/puljer/ny",
        f"/administration/puljer/{fund}",
        f"/administration/puljer/{fund}/spoergsmaal",
        f"/administration/puljer/{fund}/breve/granted",
        f"/administration/brugere/{world.employee.id}",
        f"/administration/brugere/{world.manager.id}",
        f"/administration/brugere/{world.admin.id}",
        "/administration/grupper",
        "/administration/api-noegler/",
    ):
        response = client.post(url, data={})
        assert response.status_code == 422, url
        assert field_errors(response), url
    assert table_fingerprint() == before


def test_a_post_without_the_manager_changes_no_role_and_no_account(world, client, auth):
    """Unchecked boxes send nothing, so only the manager's select (which a browser always
    sends) tells the person's form from an empty post: without it, nothing is closed."""
    auth.login(world.admin)
    before = table_fingerprint()
    response = client.post(f"/administration/brugere/{world.manager.id}", data={"roles": []})
    assert response.status_code == 422
    assert "manager_id" in field_errors(response)
    assert table_fingerprint() == before
    db.session.expire_all()
    assert world.manager.active


def test_the_shipped_routes_are_named_in_english_on_the_fund_pages(world, client, auth):
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    funds = page_text(client.get("/administration/puljer"))
    assert "Study trip: manager, screening, decision" in funds
    assert "Studierejse" not in funds.replace("Studierejsefonden", "")
    labels = options(client.get(f"/administration/puljer/{world.fund.id}"), "route_id").values()
    assert "Study trip: manager, screening, decision (study_trip v3)" in labels
    assert not [label for label in labels if any(c in label for c in "æøå")]


def test_every_route_file_has_its_name_translated():
    folder = Path(__file__).parents[2] / "grants" / "workflow" / "routes"
    for path in folder.glob("*.toml"):
        assert tomllib.loads(path.read_text())["name"] in ROUTE_NAMES, path.name


def test_a_question_posted_twice_is_asked_once_and_its_options_once_each(world, client, auth):
    from sqlalchemy import func, select

    from grants.questions.models import FormVersion

    auth.login(world.admin)
    url = f"/administration/puljer/{world.fund.id}/spoergsmaal"
    question = {"label": "Hvilken skole?", "kind": "choice", "choices": "A\nB"}
    assert client.post(url, data=question).status_code == 302
    before = table_fingerprint()
    # A double click, or the same words typed again.
    for label in ("Hvilken skole?", "  hvilken   SKOLE? "):
        response = client.post(url, data=dict(question, label=label))
        assert response.status_code == 422
        assert "stiller allerede" in field_errors(response)["label"]
    response = client.post(
        url, data={"label": "Hvilken klasse?", "kind": "choice", "choices": "7.a\n7.A\n8.b"}
    )
    assert response.status_code == 422
    assert "kun én gang" in field_errors(response)["choices"]
    assert table_fingerprint() == before
    assert db.session.scalar(select(func.count()).select_from(FormVersion)) == 1


def test_a_partner_city_posted_twice_is_listed_once(world, client, auth):
    from sqlalchemy import func, select

    from grants.partners.models import PartnerCity

    auth.login(world.admin)
    city = {"name": "Ystad", "country": "SE", "relation": "partnership", "valid_from": "2020-01-01"}
    assert client.post("/administration/partnerbyer/ny", data=city).status_code == 302
    before = table_fingerprint()
    for again in (city, dict(city, name=" ystad ", valid_from="2024-05-01")):
        response = client.post("/administration/partnerbyer/ny", data=again)
        assert response.status_code == 422
        assert "står allerede på listen" in field_errors(response)["name"]
    assert table_fingerprint() == before
    # Ended, the city can be listed again from a later day, and another Ystad elsewhere.
    ystad = db.session.scalar(select(PartnerCity))
    edit = dict(city, valid_to="2023-12-31")
    assert client.post(f"/administration/partnerbyer/{ystad.id}", data=edit).status_code == 302
    again = dict(city, valid_from="2024-01-01")
    assert client.post("/administration/partnerbyer/ny", data=again).status_code == 302
    elsewhere = dict(city, country="US")
    assert client.post("/administration/partnerbyer/ny", data=elsewhere).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PartnerCity)) == 3
    # The earlier listing cannot be stretched over the later one.
    response = client.post(f"/administration/partnerbyer/{ystad.id}", data=dict(city, valid_to=""))
    assert response.status_code == 422


def test_the_latest_changes_are_said_in_words_in_english(world, client, auth):
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    url = f"/administration/puljer/{world.fund.id}/spoergsmaal"
    client.post(url, data={"label": "Q?", "kind": "short_text"})
    text = page_text(client.get("/administration/"))
    assert f"Created: fund {world.fund.id}" in text
    assert "Changed: person" in text  # the administrator's language
    assert "Created: version of the fund's questions" in text
    assert "settings." not in text
