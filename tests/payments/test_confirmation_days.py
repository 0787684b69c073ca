"""The day in a confirmation file is written one way only, ``ÅÅÅÅ-MM-DD`` (docs/payments.md):
a compact ``20261207``, an ISO week day ``2026-W50-1``, ``7.12.2026``, ``12/7/2026`` or digits
of another script are refused, naming the line and what it says, in the reader's language;
the file then changes nothing. Never a guess: every text either is a day's own ``ÅÅÅÅ-MM-DD``
and reads as exactly that day, or is refused."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from grants.core import clock
from grants.extensions import db
from grants.payments.batches import confirmation_day
from grants.payments.models import SENT
from tests.html import errors, field_error
from tests.payments.test_batches import confirmation, make_batch, urls
from tests.payments.test_confirmation_and_dates import payments, statuses

DAYS = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@given(DAYS)
def test_every_days_own_form_reads_as_that_day(day):
    assert confirmation_day(day.isoformat()) == day


@given(st.text(max_size=20))
def test_any_text_is_refused_or_is_exactly_the_days_own_form(text):
    day = confirmation_day(text)
    assert day is None or day.isoformat() == text


@given(st.text(alphabet="0123456789-W/. T:+Z", max_size=20))
def test_text_made_of_date_characters_is_refused_or_exact(text):
    day = confirmation_day(text)
    assert day is None or day.isoformat() == text


@given(DAYS)
def test_the_other_shapes_of_a_day_are_refused(day):
    year, week, weekday = day.isocalendar()
    for shape in (
        day.strftime("%Y%m%d"),
        f"{year}-W{week:02d}-{weekday}",
        f"{year}W{week:02d}{weekday}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        f"{day.month}/{day.day}/{day.year}",
        f"{day.isoformat()}T00:00",
        f"{day.year}-{day.month}-{day.day}",
        day.isoformat().translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ):
        if shape != day.isoformat():
            assert confirmation_day(shape) is None, shape


def test_a_compact_day_refuses_the_file_naming_the_line(app, client, auth, world, two_cases):
    auth.login(world.finance)
    batch = make_batch(client, app)
    today = clock.today()
    rows = [
        f"{batch.number};1;V-1;{today.isoformat()}",
        f"{batch.number};2;V-2;{today:%Y%m%d}",
    ]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    message = field_error(response, "file")
    assert f"Linje 3: datoen »{today:%Y%m%d}« skal skrives ÅÅÅÅ-MM-DD" in message, errors(response)
    assert "Linje 2" not in message
    assert payments() == []
    assert [status for status, _voucher in statuses(batch)] == [SENT, SENT]


def test_an_iso_week_day_is_refused_in_english(app, client, auth, world, two_cases):
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    year, week, weekday = clock.today().isocalendar()
    rows = [f"{batch.number};1;V-1;{year}-W{week:02d}-{weekday}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    message = field_error(response, "file")
    assert f"Line 2: the date “{year}-W{week:02d}-{weekday}” must be written YYYY-MM-DD" in (
        message
    ), errors(response)
    assert payments() == []


def test_a_long_day_is_cut_short_in_the_message(app, client, auth, world, two_cases):
    auth.login(world.finance)
    batch = make_batch(client, app)
    rows = [f"{batch.number};1;V-1;{'9' * 500}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    message = field_error(response, "file")
    assert "Linje 2: datoen »" + "9" * 20 + "…«" in message, message
    assert payments() == []
