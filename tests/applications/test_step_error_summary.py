"""A step sent back with errors (``workflow.step``, drawn on the case page with status 422)
sums its errors up at the top of its form as the app's other forms do: the design system's
error summary (focused on load), each message a link to its field's id."""

from __future__ import annotations

import pytest

from grants.extensions import db
from tests import html
from tests.factories import future, make_application


@pytest.fixture
def screening(world):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    return application


def _ask(client, application, **data):
    return client.post(f"/ansoegninger/{application.id}/trin/request_information", data=data)


def _summary(response):
    """The error summary: its heading, and each message with the id its link leads to."""
    summary = html.one(response, "#error-summary")
    assert summary["data-module"] == "error-summary"  # focused on load by dkfds
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"
    links = [(a.get_text(" ", strip=True), a["href"]) for a in summary.select("li a")]
    heading = html.one(summary, "#error-summary-heading").get_text(strip=True)
    return heading, links


@pytest.mark.parametrize(
    ("locale", "heading", "message"),
    [
        ("da", "Der er fejl i formularen", "Skriv en begrundelse."),
        ("en", "There are errors in the form", "Give the reasons."),
    ],
)
def test_a_step_without_its_required_comment_has_a_summary_linking_to_the_comment(
    world, client, auth, screening, locale, heading, message
):
    world.caseworker.locale = locale
    db.session.commit()
    auth.login(world.caseworker)
    response = _ask(client, screening, comment=" ")
    assert response.status_code == 422
    assert _summary(response) == (heading, [(message, "#comment-request_information")])
    # The link leads to the field that has the message next to it.
    assert html.one(response, "#comment-request_information").name == "textarea"
    assert html.field_error(response, "comment-request_information") == message
    # One summary on the page, in the step's own form.
    page = html.page(response)
    assert len(page.select("#error-summary")) == 1
    form = html.one(response, "#error-summary").find_parent("form")
    assert form["action"].endswith("/trin/request_information")


def test_every_error_of_the_step_is_in_the_summary(world, client, auth, screening):
    auth.login(world.caseworker)
    response = _ask(client, screening, comment="", due_date=future(-1).isoformat())
    assert response.status_code == 422
    assert _summary(response)[1] == [
        ("Skriv en begrundelse.", "#comment-request_information"),
        ("Fristen skal ligge efter i dag.", "#due_date-request_information"),
    ]
    for target in ("comment-request_information", "due_date-request_information"):
        assert html.page(response).find(id=target) is not None


def test_the_case_page_asked_for_has_no_summary(world, client, auth, screening):
    auth.login(world.caseworker)
    assert html.page(client.get(f"/ansoegninger/{screening.id}")).find(id="error-summary") is None
