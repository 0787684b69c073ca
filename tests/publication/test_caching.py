"""The public pages as a shared cache meets them (grants.publication.caching): no cookie for
a visitor without a session, public caching headers with a validator from the data, 304
without rendering, the language in the address, and a logged-in person's page private."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import g
from werkzeug.http import http_date

from grants.core import clock
from grants.extensions import db
from grants.publication import caching
from tests import html
from tests.conftest import FreshContextClient
from tests.factories import this_year
from tests.publication.helpers import QueryCounter, make_trip

PAGES = ("/udlandsrejser", "/udlandsrejser/{id}", "/aabne-data/")
FEEDS = ("/aabne-data/rejser.json", "/aabne-data/rejser.csv", "/aabne-data/katalog.jsonld")


@pytest.fixture
def trip(world):
    world.fund.publish_trips = True
    found = make_trip(world.employee, world.fund, names="Mette Madsen")
    db.session.commit()
    return found


def addresses(trip) -> list[str]:
    return [url.format(id=trip.id) for url in PAGES + FEEDS]


@pytest.fixture(autouse=True)
def released_long_ago(monkeypatch):
    """The templates' own date would be the pages' Last-Modified on the tests' fixed day."""
    monkeypatch.setattr(
        caching, "release", lambda: ("test", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    )


def fresh(app):
    """A visitor who has never been here: no cookie at all."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def a_fixed_today():
    """The real clock here: the rows' timestamps are written by it (their defaults), and the
    validator compares them with the app's clock."""


@pytest.fixture(autouse=True)
def at_midday(app):  # (after the app: making it sets the clock from its configuration)
    """The app's clock (and so the stamps of the rows made from here on) at noon tomorrow,
    Copenhagen time: the pages' version holds the day, and a test that moved the clock half
    an hour on from a run at 23:40 saw it change at midnight. Tomorrow, not today: rows put
    back from a snapshot keep the real time they were made at, which must not lie ahead."""
    tomorrow = clock.today() + dt.timedelta(days=1)
    clock.set_to(dt.datetime.combine(tomorrow, dt.time(12), tzinfo=clock.LOCAL))
    yield
    clock.set_to(None)


@pytest.fixture
def later(monkeypatch):
    """The app's clock moved on from now by some minutes (the rows keep their stamps)."""
    start = clock.now()

    def move(minutes: float) -> dt.datetime:
        moment = start + dt.timedelta(minutes=minutes)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return move


def assert_shared_cacheable(response) -> None:
    assert response.status_code == 200, response.request.path
    assert "Set-Cookie" not in response.headers, response.request.path
    assert response.headers["Cache-Control"] == caching.CACHE_CONTROL
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert "Cookie" not in response.headers.get("Vary", "")


def test_each_public_page_sets_no_cookie_and_may_be_kept_by_a_shared_cache(app, trip):
    client = fresh(app)
    for url in addresses(trip):
        assert_shared_cacheable(client.get(url))
        # Again, served from the process's memo: the same headers, the same body.
        first, again = client.get(url), client.get(url)
        assert again.get_data() == first.get_data()
        assert_shared_cacheable(again)
    for url in PAGES:
        assert_shared_cacheable(client.get(url.format(id=trip.id) + "?sprog=en"))
    assert not client._cookies  # noqa: SLF001


def test_a_conditional_request_is_answered_304_after_the_validator_query_alone(app, trip, later):
    later(3)  # the data's version has settled (queries.SETTLING): dates are answered too
    client = fresh(app)
    for url in addresses(trip):
        first = client.get(url)
        with QueryCounter() as counter:
            by_etag = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert by_etag.status_code == 304, url
        assert by_etag.get_data() == b""
        assert counter.count == 1
        assert by_etag.headers["ETag"] == first.headers["ETag"]
        assert by_etag.headers["Cache-Control"] == caching.CACHE_CONTROL
        assert "Set-Cookie" not in by_etag.headers
        with QueryCounter() as counter:
            by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert by_date.status_code == 304
        assert counter.count == 1
        # An older copy, or another's ETag, gets the page.
        older = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
        assert older.status_code == 200
        assert client.get(url, headers={"If-None-Match": '"another"'}).status_code == 200


def test_publishing_or_changing_a_trip_changes_the_validator(app, world, trip, later):
    client = fresh(app)
    url = "/udlandsrejser"
    later(3)
    before = client.get(url)
    trip.title = "Studietur til Wuxi, rettet"
    db.session.commit()
    changed = client.get(url)
    assert changed.headers["ETag"] != before.headers["ETag"]
    assert "Studietur til Wuxi, rettet" in html.page_text(changed)
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200

    # Long after that, a new trip is published: the ETag and the date move on.
    settled = client.get(url)
    another = make_trip(world.employee, world.fund, departure=dt.date(this_year(), 5, 1))
    db.session.commit()
    later(10)
    published = client.get(url)
    assert published.headers["ETag"] != settled.headers["ETag"]
    assert f"/udlandsrejser/{another.id}" in html.links(published)
    stale = {"If-Modified-Since": before.headers["Last-Modified"]}
    assert client.get(url, headers=stale).status_code == 200
    fresh_date = {"If-Modified-Since": published.headers["Last-Modified"]}
    assert client.get(url, headers=fresh_date).status_code == 304


def test_the_validator_settles_once_no_transaction_can_still_commit_an_older_change(
    app, trip, later
):
    client = fresh(app)
    url = f"/udlandsrejser/{trip.id}"
    settling = client.get(url)
    moved = later(1)
    # Settling: the ETag moves on by itself, and no date is trusted.
    assert client.get(url).headers["ETag"] != settling.headers["ETag"]
    since = {"If-Modified-Since": http_date(moved)}
    assert client.get(url, headers=since).status_code == 200
    later(3)
    settled = client.get(url)
    later(30)
    assert client.get(url).headers["ETag"] == settled.headers["ETag"]
    since = {"If-Modified-Since": settled.headers["Last-Modified"]}
    assert client.get(url, headers=since).status_code == 304


def test_a_logged_in_person_gets_a_private_page_that_no_cache_keeps(app, client, auth, world, trip):
    anonymous = fresh(app).get("/udlandsrejser")
    g.pop("_login_user", None)  # the tests' requests share g: forget the anonymous visitor
    auth.login(world.employee)
    for url in PAGES:
        response = client.get(url.format(id=trip.id))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert "s-maxage" not in response.headers["Cache-Control"]
        assert html.text(html.one(response, ".portal-user .user")).startswith(world.employee.name)
    mine = client.get("/udlandsrejser", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert mine.status_code == 200
    assert html.text(html.one(mine, ".portal-user .user")).startswith(world.employee.name)
    # Their language switch is the form that keeps the choice on their account.
    assert html.one(mine, "form.language-switch")["action"] == "/sprog"


def test_the_language_switch_is_a_link_that_needs_no_session(app, world, trip):
    client = fresh(app)
    danish = client.get("/udlandsrejser")
    assert html.page(danish).find("html")["lang"] == "da"
    assert not html.page(danish).select("form.language-switch")
    english_url = html.link(danish, "English")
    assert english_url == "/udlandsrejser?sprog=en"

    english = client.get(english_url)
    assert_shared_cacheable(english)
    assert html.page(english).find("html")["lang"] == "en"
    assert english.headers["ETag"] != danish.headers["ETag"]
    # The links stay in English; the filter keeps it; back to Danish is the plain address.
    assert f"/udlandsrejser/{trip.id}?sprog=en" in html.links(english)
    assert html.field_value(english, "sprog") == "en"
    assert html.link(english, "Dansk") == "/udlandsrejser"
    trip_page = client.get(f"/udlandsrejser/{trip.id}?sprog=en")
    assert html.page(trip_page).find("html")["lang"] == "en"
    assert html.link(trip_page, "Dansk") == f"/udlandsrejser/{trip.id}"
    filtered = client.get(f"/udlandsrejser?year={this_year()}&sprog=en")
    assert html.page(filtered).find("html")["lang"] == "en"
    assert "Set-Cookie" not in filtered.headers
    # A language the municipality does not offer: the Danish page.
    assert html.page(client.get("/udlandsrejser?sprog=xx")).find("html")["lang"] == "da"
    assert not client._cookies  # noqa: SLF001


def test_the_feed_comes_in_pages_each_with_its_own_validator(app, world, trip):
    app.config.update(OPEN_DATA_PAGE_SIZE=1)
    make_trip(world.employee, world.fund, departure=dt.date(this_year(), 5, 1))
    db.session.commit()
    client = fresh(app)
    first = client.get("/aabne-data/rejser.json")
    second = client.get("/aabne-data/rejser.json?page=2")
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.get_json()["next"].endswith("/aabne-data/rejser.json?page=2")
    assert second.get_json()["previous"].endswith("/aabne-data/rejser.json?page=1")
    assert second.get_json()["trips"][0]["id"] == trip.id
    # Served again from the memo, page 2 is still page 2.
    assert client.get("/aabne-data/rejser.json?page=2").get_json() == second.get_json()


def test_a_visitor_with_a_session_is_not_given_the_shared_copy(app, client, trip):
    # Nobody logged in, but a language chosen with the session's switch (the login page's).
    chose = client.post("/sprog", data={"locale": "en", "next": "/udlandsrejser"})
    assert chose.headers["Set-Cookie"].startswith("session=")
    response = client.get("/udlandsrejser")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == f"private, max-age={caching.BROWSER_MAX_AGE}"
    assert html.page(response).find("html")["lang"] == "en"


def test_a_page_that_wrote_to_the_session_is_not_shared(app, trip):
    from flask import flash

    from grants.publication import views

    shown = views.catalogue.__wrapped__

    def noisy():
        flash("Et budskab")
        return shown()

    app.view_functions["publication.catalogue"] = caching.public(noisy)
    response = fresh(app).get("/aabne-data/")
    assert response.headers["Set-Cookie"].startswith("session=")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_missing_page_such_as_the_favicon_starts_no_session(app, trip):
    # Every browser asks for /favicon.ico: a cookie from that 404 would send the reader's
    # next public page past the shared cache.
    client = fresh(app)
    response = client.get("/favicon-that-is-not-there.ico")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers
    # Its language switch is a link to the same address in English, not a form.
    page = html.page(response)
    assert not page.select(".language-switch form, form.language-switch")
    (link,) = page.select(".language-switch a")
    assert link["href"] == "/favicon-that-is-not-there.ico?sprog=en"
    english = client.get(link["href"])
    assert english.status_code == 404 and "Set-Cookie" not in english.headers
    assert html.page(english).find("html")["lang"] == "en"
    assert_shared_cacheable(client.get("/udlandsrejser"))
