"""The applicant's own list says which of their cases has passed its departure undecided
(the tag the task list and the case page use), and which draft was not sent before it. Such
a draft cannot be sent as it is: the date field says so, on the form and when it is sent.
A case already sent keeps its departure though it has passed: its applicant can still answer
a request for information without moving the trip."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import clock
from grants.extensions import db
from tests import html
from tests.applications.helpers import form_data
from tests.applications.test_youth_journey import youth  # noqa: F401
from tests.factories import make_application, trip_dates

TAG = {"da": "Afrejse passeret", "en": "Departure passed"}
DRAFT_NOTICE = {
    "da": "En ansøgning skal sendes før afrejsen",
    "en": "An application must be sent before the departure",
}
IN_THE_PAST = {
    "da": "Afrejsedatoen er overskredet. Vælg en dato fra i dag.",
    "en": "The departure date has passed. Choose a date from today onwards.",
}


def _case(world, state, days: int, title: str) -> Application:
    return make_application(
        world.employee, world.fund, state=state, title=title, **trip_dates(days)
    )


def _state_cell(response, title: str) -> str:
    return html.text(html.table_row(response, title).select_one(".case-state"))


@pytest.mark.parametrize("locale", ["da", "en"])
def test_my_list_tags_an_undecided_case_and_a_draft_whose_departure_has_passed(
    client, auth, world, locale
):
    _case(world, State.SCREENING, -2, "Rejst uden svar")
    _case(world, State.AWAITING_INFORMATION, -1, "Spurgt og rejst")
    _case(world, State.DRAFT, -1, "Glemt kladde")
    _case(world, State.SCREENING, 0, "Rejser i dag")
    _case(world, State.DRAFT, 3, "Ny kladde")
    _case(world, State.GRANTED, -5, "Bevilget og rejst")
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.employee)
    response = client.get("/ansoegninger/mine")
    assert response.status_code == 200
    for title in ("Rejst uden svar", "Spurgt og rejst", "Glemt kladde"):
        assert TAG[locale] in _state_cell(response, title), title
    for title in ("Rejser i dag", "Ny kladde", "Bevilget og rejst"):
        assert TAG[locale] not in _state_cell(response, title), title


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_draft_whose_departure_has_passed_says_so_and_cannot_be_sent_as_it_is(
    client, auth, world, locale
):
    draft = _case(world, State.DRAFT, -1, "Glemt kladde")
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.employee)
    page = client.get(f"/ansoegninger/{draft.id}")
    assert TAG[locale] in html.badges(page)
    assert DRAFT_NOTICE[locale] in html.page_text(html.one(page, "#departure-passed"))
    # The form says it beside the date before anything is sent.
    form = client.get(f"/ansoegninger/{draft.id}/rediger")
    assert form.status_code == 200
    assert html.field_error(form, "departure_date") == IN_THE_PAST[locale]
    # Sent as it is: refused beside the date, nothing changes.
    departure, return_ = draft.departure_date, draft.return_date
    response = client.post(
        f"/ansoegninger/{draft.id}/rediger",
        data=form_data(
            departure_date=departure.isoformat(),
            return_date=return_.isoformat(),
            manager_id=str(world.manager.id),
        ),
    )
    assert response.status_code == 422
    assert html.field_error(response, "departure_date") == IN_THE_PAST[locale]
    db.session.expire_all()
    assert db.session.get(Application, draft.id).state == State.DRAFT
    # With the trip moved, it goes.
    moved = clock.today() + dt.timedelta(days=10)
    response = client.post(
        f"/ansoegninger/{draft.id}/rediger",
        data=form_data(
            departure_date=moved.isoformat(),
            return_date=(moved + dt.timedelta(days=4)).isoformat(),
            manager_id=str(world.manager.id),
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).state != State.DRAFT


def test_a_draft_before_its_departure_says_nothing(client, auth, world):
    draft = _case(world, State.DRAFT, 0, "Rejser i dag")
    db.session.commit()
    auth.login(world.employee)
    assert TAG["da"] not in html.page_text(client.get(f"/ansoegninger/{draft.id}"))
    assert not html.field_error(client.get(f"/ansoegninger/{draft.id}/rediger"), "departure_date")


def test_a_case_asked_for_information_after_its_departure_can_still_answer(client, auth, world):
    application = _case(world, State.AWAITING_INFORMATION, -2, "Spurgt og rejst")
    db.session.commit()
    auth.login(world.employee)
    form = client.get(f"/ansoegninger/{application.id}/rediger")
    assert not html.field_error(form, "departure_date")
    data = form_data(
        departure_date=application.departure_date.isoformat(),
        return_date=application.return_date.isoformat(),
        manager_id=str(world.manager.id),
        reply="Rejsen er gennemført som planlagt; programmet er vedhæftet.",
    )
    response = client.post(f"/ansoegninger/{application.id}/rediger", data=data)
    assert response.status_code == 302, html.errors(response)
    db.session.expire_all()
    assert db.session.get(Application, application.id).state != State.AWAITING_INFORMATION
    # Moving the departure to another day in the past is still refused.
    other = _case(world, State.AWAITING_INFORMATION, -2, "Spurgt igen")
    db.session.commit()
    earlier = other.departure_date - dt.timedelta(days=1)
    response = client.post(
        f"/ansoegninger/{other.id}/rediger", data={**data, "departure_date": earlier.isoformat()}
    )
    assert response.status_code == 422
    assert html.field_error(response, "departure_date") == IN_THE_PAST["da"]


@pytest.mark.parametrize("locale", ["da", "en"])
def test_the_organisations_list_of_cases_tags_them_too(client, auth, world, locale):
    """An association's cases are listed on its page for everyone who acts for it."""
    from tests.factories import make_organisation

    organisation = make_organisation(world.employee, name="Ballerup Ungdomsorkester")
    for state, days, title in (
        (State.SCREENING, -2, "Rejst uden svar"),
        (State.DRAFT, -1, "Glemt kladde"),
        (State.SCREENING, 5, "Rejser senere"),
    ):
        _case(world, state, days, title).organisation = organisation
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.employee)
    response = client.get(f"/organisationer/{organisation.id}")
    assert response.status_code == 200
    rows = {
        row.select("td")[1].get_text(strip=True): row.get_text(" ", strip=True)
        for row in html.page(response).select("tbody tr")
    }
    assert TAG[locale] in rows["Rejst uden svar"] and TAG[locale] in rows["Glemt kladde"]
    assert TAG[locale] not in rows["Rejser senere"]


def test_a_youth_draft_whose_departure_has_passed_says_so_beside_its_first_day(
    client,
    auth,
    world,
    youth,  # noqa: F811
):
    from tests.applications.test_youth_journey import maaloev_scouts

    organisation = maaloev_scouts(world.outsider)
    departure = clock.today() - dt.timedelta(days=1)
    draft = make_application(
        world.outsider,
        youth["fund"],
        state=State.DRAFT,
        title="Orkestertur, glemt",
        organisation=organisation,
        departure_date=departure,
        return_date=departure + dt.timedelta(days=5),
    )
    db.session.commit()
    auth.login(world.outsider)
    form = client.get(f"/ansoegninger/{draft.id}/rediger")
    assert form.status_code == 200
    assert (
        html.field_error(form, "departure_date") == "Datoen er overskredet. Vælg en dato fra i dag."
    )
    assert TAG["da"] in _state_cell(client.get("/ansoegninger/mine"), "Orkestertur, glemt")
