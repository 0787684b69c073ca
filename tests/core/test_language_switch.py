"""The language switch on a page drawn as the answer to a form: the switch goes back to the
page's address, which for a step sent back with errors (``/ansoegninger/<id>/trin/<action>``,
status 422) answers only the form; it lands on the nearest page above it that a browser can
ask for (the case page), in the language chosen, and never leaves the site."""

from __future__ import annotations

import pytest

from grants.extensions import db
from tests import html
from tests.core.test_web_security import lands_on_this_site
from tests.factories import make_application


def _switch(client, page):
    """Press the header's language switch on ``page`` (a response): the switch's own form."""
    form = html.one(page, "form.language-switch")
    data = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    return client.post(form["action"], data=data)


@pytest.mark.parametrize(("start", "switch_to"), [("da", "en"), ("en", "da")])
def test_switching_language_on_a_step_sent_back_lands_on_the_case_page(
    world, client, auth, start, switch_to
):
    world.caseworker.locale = start
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    step_url = f"/ansoegninger/{application.id}/trin/request_information"
    sent_back = client.post(step_url, data={"comment": ""})
    assert sent_back.status_code == 422
    assert html.field_value(sent_back, "next") == step_url

    switched = _switch(client, sent_back)
    assert switched.status_code == 302
    assert switched.headers["Location"] == f"/ansoegninger/{application.id}"
    case_page = client.get(switched.headers["Location"])
    assert case_page.status_code == 200
    assert html.one(case_page, "html")["lang"] == switch_to


def test_a_page_that_answers_a_get_is_kept_with_its_query(world, client, auth):
    auth.login(world.caseworker)
    response = client.post("/sprog", data={"locale": "en", "next": "/arbejdskoe?page=2"})
    assert response.headers["Location"] == "/arbejdskoe?page=2"


@pytest.mark.parametrize(
    ("target", "lands"),
    [
        ("/ansoegninger/12/afgoerelse?x=1", "/ansoegninger/12"),
        ("/udvalg/moeder/3/punkter/4/beslutning", "/udvalg/moeder/3"),
        ("/log-ud", "/"),
        ("/sprog", "/"),
        ("/findes-ikke", "/findes-ikke"),
    ],
)
def test_an_address_that_answers_only_a_form_goes_to_the_page_above_it(
    world, client, target, lands
):
    response = client.post("/sprog", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == lands
    assert lands_on_this_site(response.headers["Location"])


@pytest.mark.parametrize(
    "target", ["//evil.example/trin/x", "/\\evil.example/sprog", "https://evil.example/log-ud"]
)
def test_a_hostile_target_still_lands_on_this_site(world, client, target):
    response = client.post("/sprog", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]
