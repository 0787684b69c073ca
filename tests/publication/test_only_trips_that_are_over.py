"""Nothing unsettled or not yet over is published, and the period the public page and the
open data state is computed from the trips they can show and the date today."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.extensions import db
from tests.html import links, page_text
from tests.publication.helpers import TODAY, letter_of, make_trip


@pytest.fixture
def study(world):
    world.fund.publish_trips = True
    db.session.commit()
    return world.fund


def public(client, trip) -> dict:
    """Where ``trip`` shows: the list, its page, its report's PDF and the two feeds."""
    letter = letter_of(trip)
    return {
        "list": f"/udlandsrejser/{trip.id}" in links(client.get("/udlandsrejser")),
        "page": client.get(f"/udlandsrejser/{trip.id}").status_code == 200,
        "pdf": client.get(f"/udlandsrejser/rapporter/{letter.id}.pdf").status_code == 200,
        "json": trip.id in [t["id"] for t in client.get("/aabne-data/rejser.json").json["trips"]],
        "csv": f"/udlandsrejser/{trip.id}" in client.get("/aabne-data/rejser.csv").text,
    }


NOWHERE = dict.fromkeys(("list", "page", "pdf", "json", "csv"), False)
EVERYWHERE = dict.fromkeys(NOWHERE, True)


def test_a_settled_trip_in_the_future_is_not_published_until_it_is_over(
    client, world, study, move_clock
):
    # The case: a trip in March 2027, settled in November 2026.
    trip = make_trip(world.employee, study, departure=dt.date(2027, 3, 1), days=5)
    db.session.commit()
    assert public(client, trip) == NOWHERE
    move_clock(dt.date(2027, 3, 4))  # under way
    assert public(client, trip) == NOWHERE
    move_clock(dt.date(2027, 3, 5))  # the return date: over
    assert public(client, trip) == EVERYWHERE


def test_a_reported_return_still_to_come_keeps_the_trip_private(client, world, study):
    trip = make_trip(world.employee, study, departure=TODAY - dt.timedelta(days=10), days=5)
    trip.report.actual_return = TODAY + dt.timedelta(days=1)
    db.session.commit()
    assert public(client, trip) == NOWHERE
    trip.report.actual_return = TODAY
    db.session.commit()
    assert public(client, trip) == EVERYWHERE


def test_an_unsettled_trip_that_is_over_stays_private(client, world, study):
    for state in ("granted", "report_submitted", "report_returned", "cancelled"):
        trip = make_trip(world.employee, study, state=state, departure=dt.date(2026, 3, 2))
        db.session.commit()
        assert public(client, trip) == NOWHERE, state


def test_the_period_stated_matches_the_trips_and_today(client, world, study, move_clock):
    make_trip(world.employee, study, departure=dt.date(2022, 1, 3), title="Den ældste")
    make_trip(world.employee, study, departure=dt.date(2027, 3, 1), title="Marts 2027")
    db.session.commit()
    page = page_text(client.get("/udlandsrejser"))
    assert "de seneste fem år (2022-2026), der er afsluttet senest 25. november 2026" in page
    assert "Den ældste" in page and "Marts 2027" not in page
    document = client.get("/aabne-data/rejser.json").json
    assert document["years_shown"] == [2026, 2025, 2024, 2023, 2022]
    assert document["period_shown"] == {
        "first_year": 2022,
        "last_year": 2026,
        "until": "2026-11-25",
    }
    assert all(2022 <= int(t["departure_date"][:4]) <= 2026 for t in document["trips"])
    assert all(t["return_date"] <= "2026-11-25" for t in document["trips"])
    client.post("/sprog", data={"locale": "en"})
    page = page_text(client.get("/udlandsrejser"))
    assert "the last five years (2022-2026) that were over by 25 November 2026" in page

    # In April 2027: the window moves on, 2022 drops out, the 2027 trip is over and shown.
    move_clock(dt.date(2027, 4, 1))
    client.post("/sprog", data={"locale": "da"})
    page = page_text(client.get("/udlandsrejser"))
    assert "de seneste fem år (2023-2027), der er afsluttet senest 1. april 2027" in page
    assert "Den ældste" not in page and "Marts 2027" in page
    assert client.get("/aabne-data/rejser.json").json["period_shown"]["first_year"] == 2023
