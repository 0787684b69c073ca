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


def test_switching_on_taking_back_a_document_lands_on_the_case_not_the_download(
    world, client, auth
):
    """``/ansoegninger/<id>/bilag/<id>/fjern`` answers only a form; the address above it is
    the document's download, which is no page to land on: the switch goes on up to the
    case."""
    from grants.cases.models import Attachment

    application = make_application(world.employee, world.fund, state="draft")
    document = Attachment(
        application=application,
        filename="program.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        data=b"%PDF-1.7",
    )
    db.session.add(document)
    db.session.commit()
    auth.login(world.employee)
    target = f"/ansoegninger/{application.id}/bilag/{document.id}/fjern"
    switched = client.post("/sprog", data={"locale": "en", "next": target})
    assert switched.status_code == 302
    assert switched.headers["Location"] == f"/ansoegninger/{application.id}"
    case_page = client.get(switched.headers["Location"])
    assert case_page.status_code == 200 and case_page.mimetype == "text/html"
    assert html.one(case_page, "html")["lang"] == "en"


# Where the switch lands from each address that answers only a form (every rule of the app
# with POST and no GET), by the endpoint of the page it lands on. A new such address fails
# here until someone has looked where it lands and added it.
LANDS_ON = {
    "/administration/api-noegler/<int:token_id>/tilbagekald": "api_tokens.index",
    "/administration/puljer/<int:fund_id>/spoergsmaal/<key>/fjern": "admin.questions",
    "/ansoegninger/<int:application_id>/afgoerelse": "applications.show",
    "/ansoegninger/<int:application_id>/beskeder": "applications.show",
    "/ansoegninger/<int:application_id>/beskeder/<int:message_id>/laest": "applications.show",
    "/ansoegninger/<int:application_id>/bilag/<int:attachment_id>/fjern": "applications.show",
    "/ansoegninger/<int:application_id>/interne-notater": "applications.show",
    "/ansoegninger/<int:application_id>/journaliser": "applications.show",
    "/ansoegninger/<int:application_id>/klager/<int:complaint_id>/udfald": "applications.complaints",
    "/ansoegninger/<int:application_id>/rapport/<action>": "reports.edit",
    "/ansoegninger/<int:application_id>/rapport/kladde": "reports.edit",
    "/ansoegninger/<int:application_id>/rediger/kladde": "applications.edit",
    "/ansoegninger/<int:application_id>/trin/<action>": "applications.show",
    "/ansoegninger/ny/<fund_code>/kladde": "applications.new",
    "/api/v1/payments/<int:case_id>/paid": "api.reference",
    "/breve/til-print/<int:delivery_id>": "delivery.print_list",
    "/konto/totrinsbekraeftelse/gendannelseskoder": "people.two_factor_settings",
    "/konto/totrinsbekraeftelse/slaa-fra": "people.two_factor_settings",
    "/log-ud": "core.index",
    "/organisationer/<int:organisation_id>/cvr": "organisations.show",
    "/organisationer/<int:organisation_id>/invitationer": "organisations.show",
    "/organisationer/<int:organisation_id>/invitationer/annuller": "organisations.show",
    "/organisationer/<int:organisation_id>/medlemmer/fjern": "organisations.show",
    "/paamindelser/koer": "reminders.index",
    "/sprog": "core.index",
    "/tilskud/beregn/<fund_code>": "core.index",
    "/tilskud/regler/<fund_code>/proev": "subsidies.index",
    "/udbetalinger/bunker/kvittering": "payments.batch_list",
    "/udvalg/<int:committee_id>/forretningsorden": "committees.show",
    "/udvalg/<int:committee_id>/medlemmer": "committees.show",
    "/udvalg/<int:committee_id>/moeder": "committees.show",
    "/udvalg/<int:committee_id>/naeste-valgperiode": "committees.show",
    "/udvalg/moeder/<int:meeting_id>/aflys": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/dagsorden": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/dagsorden/udsend": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/erklaeringer/<int:declaration_id>": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/flyt": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/fremmoedte": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/fremmoedte/forladt": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/luk": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/behandles-ikke": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/beslutning": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/haster": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/indsigelse": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/inhabilitet": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/stedfortraeder": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/punkter/<int:item_id>/udsaet": "committees.meeting",
    "/udvalg/moeder/<int:meeting_id>/udsend": "committees.meeting",
}


def test_every_address_that_answers_only_a_form_lands_on_a_page(app):
    """From every address that answers only a form, the fallback is a page: it answers a GET,
    not with a file (``serves_a_file``: a download, the API's data) and not only a form."""
    import re
    from urllib.parse import urlsplit

    from flask import request
    from werkzeug.routing import RequestRedirect

    from grants.core.security import page_to_get

    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    form_only = sorted(rule for rule, allowed in methods.items() if "GET" not in allowed)
    assert form_only == sorted(LANDS_ON), "an address answering only a form: add it to LANDS_ON"
    for rule in form_only:
        path = re.sub(r"<int:[^>]+>", "5", rule)
        path = re.sub(r"<[^>]+>", "x", path)
        with app.test_request_context("/sprog", method="POST"):
            landed = page_to_get(path)
            adapter = app.create_url_adapter(request)
            try:
                endpoint, _values = adapter.match(landed, method="GET")
            except RequestRedirect as redirect:  # the page with its trailing slash
                endpoint, _values = adapter.match(urlsplit(redirect.new_url).path, method="GET")
        assert endpoint == LANDS_ON[rule], (rule, landed, endpoint)
        view = app.view_functions[endpoint]
        assert not getattr(view, "serves_a_file", False), (rule, landed)
