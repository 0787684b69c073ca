"""A refused report form never shows a subsidy worked out from what it refused: the
preview says it cannot be worked out until the fields are corrected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.reports.models import TripReport
from tests.html import errors, page_text
from tests.reports.helpers import granted_youth_case

CANNOT = {
    "da": "Tilskuddet kan ikke beregnes, før de markerede felter er rettet.",
    "en": "The subsidy cannot be worked out until the marked fields are corrected.",
}


def _data(application, **changes):
    data = {
        "what_was_done": "Fælles prøver og koncert med orkestret i Prag 10.",
        "actual_departure": application.departure_date.isoformat(),
        "actual_return": application.return_date.isoformat(),
        "actual_young": "10",
        "actual_birth_years": "",
        "actual_leaders": "2",
        "actual_disabled": "0",
        "transport": "20000",
        "intent": "preview",
    }
    return {**data, **changes}


@pytest.mark.parametrize("locale", ["da", "en"])
@pytest.mark.parametrize("intent", ["preview", "save", "submit"])
def test_refused_dates_give_no_subsidy_preview(
    world, youth, client, auth, move_clock, locale, intent
):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date + dt.timedelta(days=40))
    karl = youth["karl"]
    karl.locale = locale
    db.session.commit()
    auth.login(karl)
    # A return a month after the granted one (outside the slack) would give more nights.
    late_return = application.return_date + dt.timedelta(days=30)
    response = client.post(
        f"/ansoegninger/{application.id}/rapport",
        data=_data(application, actual_return=late_return.isoformat(), intent=intent),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors(page)  # the refusal beside the field
    text = page_text(page)
    assert CANNOT[locale] in text
    assert "10 unge + 2 ledere" not in text and "10 young people + 2 leaders" not in text
    assert "Tilskud i alt" not in text and "Total grant" not in text  # no table, no total
    assert db.session.scalars(select(TripReport)).all() == []


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_refused_count_gives_no_subsidy_preview(world, youth, client, auth, move_clock, locale):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    karl = youth["karl"]
    karl.locale = locale
    db.session.commit()
    auth.login(karl)
    response = client.post(
        f"/ansoegninger/{application.id}/rapport",
        data=_data(application, actual_leaders="-4"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    text = page_text(page)
    assert CANNOT[locale] in text
    assert "Tilskud i alt" not in text and "Total grant" not in text


def test_a_valid_preview_still_shows_the_subsidy(world, youth, client, auth, move_clock):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    auth.login(youth["karl"])
    response = client.post(f"/ansoegninger/{application.id}/rapport", data=_data(application))
    text = page_text(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "10 unge + 2 ledere = 12 personer" in text
    assert CANNOT["da"] not in text


def test_a_refusal_only_flashed_gives_no_subsidy_preview(
    world, youth, client, auth, move_clock, monkeypatch
):
    """The domain refuses with no field on the form (a flash): nothing is worked out."""
    from grants.core.errors import DomainError
    from grants.reports import views

    def refuse(*_args, **_kwargs):
        raise DomainError("Sagen kan ikke ændres nu.")

    monkeypatch.setattr(views, "save_report", refuse)
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    auth.login(youth["karl"])
    response = client.post(
        f"/ansoegninger/{application.id}/rapport", data=_data(application, intent="save")
    )
    text = page_text(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Sagen kan ikke ændres nu." in text
    assert CANNOT["da"] in text
    assert "10 unge + 2 ledere" not in text
    assert "Tilskud i alt" not in text
    assert db.session.scalars(select(TripReport)).all() == []


def test_a_crafted_preview_on_a_study_trip_report_saves_nothing(world, client, auth, move_clock):
    """A study trip's report offers no preview: intent=preview is refused, nothing saved."""
    from tests.reports.helpers import granted_case, report_data

    application = granted_case(world)
    move_clock(application.return_date)
    auth.login(world.employee)
    response = client.post(
        f"/ansoegninger/{application.id}/rapport",
        data=report_data(application, intent="preview"),
    )
    assert response.status_code == 400
    assert db.session.scalars(select(TripReport)).all() == []
