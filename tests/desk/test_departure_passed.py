"""A case still undecided when its departure day has passed is said to be so: on the task
list ("Afrejse passeret"), on the case page for staff, and to the applicant, who is told the
municipality can still decide but that they travel at their own expense until it does."""

from __future__ import annotations

import pytest

from grants.cases.states import State
from grants.extensions import db
from tests import html
from tests.factories import make_application, trip_dates

TAG = {"da": "Afrejse passeret", "en": "Departure passed"}
STAFF = {
    "da": "Rejsen er begyndt, og sagen er ikke afgjort.",
    "en": "The trip has begun and the case is not decided.",
}
APPLICANT = {
    "da": "Kommunen kan stadig træffe afgørelse i sagen, men du rejser på egen regning",
    "en": "The municipality can still decide the case, but you travel at your own expense",
}


def _case(world, state, days: int, title: str):
    return make_application(
        world.employee, world.fund, state=state, title=title, **trip_dates(days)
    )


def _row(response, title: str) -> str:
    return html.table_row(response, title).get_text(" ", strip=True)


@pytest.mark.parametrize("locale", ["da", "en"])
def test_the_task_list_marks_an_undecided_case_whose_departure_has_passed(
    client, auth, world, locale
):
    _case(world, State.SCREENING, -2, "Rejst uden svar")
    _case(world, State.SCREENING, 0, "Rejser i dag")
    _case(world, State.SCREENING, 20, "Rejser senere")
    world.caseworker.locale = locale
    db.session.commit()
    auth.login(world.caseworker)
    response = client.get("/opgaver")
    assert response.status_code == 200
    assert TAG[locale] in _row(response, "Rejst uden svar")
    assert TAG[locale] not in _row(response, "Rejser i dag")  # the day itself has not passed
    assert TAG[locale] not in _row(response, "Rejser senere")


@pytest.mark.parametrize(
    "state",
    [
        State.AWAITING_ENDORSEMENT,
        State.SCREENING,
        State.AWAITING_INFORMATION,
        State.AWAITING_DECISION,
    ],
)
def test_every_undecided_state_is_marked_and_a_decided_case_is_not(client, auth, world, state):
    undecided = _case(world, state, -1, "Uafgjort")
    granted = _case(world, State.GRANTED, -1, "Bevilget")
    db.session.commit()
    auth.login(world.caseworker)
    assert STAFF["da"] in html.page_text(client.get(f"/ansoegninger/{undecided.id}"))
    page = html.page_text(client.get(f"/ansoegninger/{granted.id}"))
    assert TAG["da"] not in page and STAFF["da"] not in page


@pytest.mark.parametrize("locale", ["da", "en"])
def test_staff_and_the_applicant_are_told_on_the_case_page(client, auth, world, locale):
    application = _case(world, State.SCREENING, -3, "Rejst uden svar")
    world.caseworker.locale = locale
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.caseworker)
    page = html.page_text(client.get(f"/ansoegninger/{application.id}"))
    assert TAG[locale] in page and STAFF[locale] in page
    assert APPLICANT[locale] not in page
    auth.login(world.employee)
    page = html.page_text(client.get(f"/ansoegninger/{application.id}"))
    assert TAG[locale] in page and APPLICANT[locale] in page
    assert STAFF[locale] not in page


def test_a_case_before_its_departure_says_nothing(client, auth, world):
    application = _case(world, State.SCREENING, 0, "Rejser i dag")
    db.session.commit()
    auth.login(world.employee)
    page = html.page_text(client.get(f"/ansoegninger/{application.id}"))
    assert TAG["da"] not in page and APPLICANT["da"] not in page
