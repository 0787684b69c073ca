"""The public pages about trips abroad and the open data: what is published, when, and what
of it. A trip is public only once its report and accounts are approved; children's and young
people's names never appear anywhere public; the JSON and CSV feeds hold exactly the trips
and figures of the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from grants.extensions import db
from grants.funds import kinds
from tests.factories import make_fund, make_organisation, this_year
from tests.html import field_error
from tests.publication.helpers import QueryCounter, letter_of, make_trip

CHILD = "Kalle Barnesen"
ADULT = "Mette Madsen"


@pytest.fixture
def study(world):
    world.fund.publish_trips = True
    world.municipality.contact_note = "Skriv til international@balk.dk"
    db.session.commit()
    return world.fund


@pytest.fixture
def youth(world):
    return make_fund(
        code="ungdomsrejser",
        name="Ungdomsrejser",
        kind=kinds.YOUTH_TRIP.code,
        route="screening_decision",
        publish_trips=True,
        publish_names=True,  # set by mistake: a subsidy fund still never shows names
    )


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    # Amounts are kept on one line with a no-break space before "kr.".
    return response.get_data(as_text=True).replace("\u00a0", " ")


def feed_json(client, query: str = "") -> dict:
    response = client.get(f"/aabne-data/rejser.json{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def feed_csv(client, query: str = "") -> list[dict]:
    response = client.get(f"/aabne-data/rejser.csv{query}")
    assert response.status_code == 200
    # One charset (it was "text/csv; charset=utf-8; charset=utf-8").
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def listed_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/udlandsrejser/(\d+)"', html)}


def public_texts(client, trip) -> list[str]:
    return [
        page(client, "/udlandsrejser"),
        page(client, f"/udlandsrejser/{trip.id}"),
        client.get("/aabne-data/rejser.json").get_data(as_text=True),
        client.get("/aabne-data/rejser.csv").get_data(as_text=True),
    ]


def test_a_trip_is_public_only_once_its_report_and_accounts_are_approved(client, world, study):
    trip = make_trip(world.employee, study, state="report_submitted", title="Studietur til Oulu")
    db.session.commit()
    letter = letter_of(trip)

    assert "Studietur til Oulu" not in page(client, "/udlandsrejser")
    assert feed_json(client)["trips"] == []
    assert feed_csv(client) == []
    assert client.get(f"/udlandsrejser/{trip.id}").status_code == 404
    assert client.get(f"/udlandsrejser/rapporter/{letter.id}.pdf").status_code == 404

    trip.state = "settled"
    db.session.commit()

    assert trip.id in listed_ids(page(client, "/udlandsrejser"))
    assert [t["id"] for t in feed_json(client)["trips"]] == [trip.id]
    assert [int(r["id"]) for r in feed_csv(client)] == [trip.id]
    assert "Studietur til Oulu" in page(client, f"/udlandsrejser/{trip.id}")
    pdf = client.get(f"/udlandsrejser/rapporter/{letter.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF")


def test_funds_that_do_not_publish_and_other_letters_stay_private(client, world, study):
    hidden_fund = make_fund(code="skjult", name="Skjult pulje", publish_trips=False)
    hidden = make_trip(world.employee, hidden_fund, title="Ikke offentlig rejse")
    shown = make_trip(world.employee, study)
    decision = letter_of(shown)
    decision_letter = type(decision)(
        application_id=shown.id,
        kind="decision",
        language="da",
        template="letters/decision.html",
        parameters={},
        filename="afgoerelse.pdf",
        pdf=b"%PDF-1.7 decision",
        sha256="0" * 64,
        size=17,
    )
    db.session.add(decision_letter)
    db.session.commit()

    assert "Ikke offentlig rejse" not in page(client, "/udlandsrejser")
    assert client.get(f"/udlandsrejser/{hidden.id}").status_code == 404
    assert client.get(f"/udlandsrejser/rapporter/{letter_of(hidden).id}.pdf").status_code == 404
    # A published trip's other letters (the decision) are not public either.
    assert client.get(f"/udlandsrejser/rapporter/{decision_letter.id}.pdf").status_code == 404
    assert client.get("/udlandsrejser/rapporter/999999.pdf").status_code == 404
    assert client.get("/udlandsrejser/999999").status_code == 404


def test_a_youth_trip_never_shows_a_name_anywhere_public(client, world, youth):
    association = make_organisation(world.employee, name="Ballerup Ungdomsorkester")
    trip = make_trip(
        world.employee,
        youth,
        organisation_id=association.id,
        names=f"{CHILD}\nLise Lederen",
        count=14,
        participants_young=12,
        participants_leaders=2,
        destination_city="Prag",
        destination_country="CZ",
        travellers=CHILD,
    )
    db.session.commit()

    texts = public_texts(client, trip)
    for text in texts:
        assert CHILD not in text
        assert "Lise Lederen" not in text
        assert ADULT not in text  # nor the applicant
    assert "14 deltagere" in texts[0] and "14 deltagere" in texts[1]
    record = feed_json(client)["trips"][0]
    assert record["participant_count"] == 14
    assert record["participant_names"] is None
    assert feed_csv(client)[0]["participant_names"] == ""


def test_a_kind_whose_names_are_never_public_keeps_them_out_of_the_report_pdf(client, world):
    """The schools' network (no rules, no subsidy) never publishes names either
    (``Kind.names_may_be_public``): not on the pages, and not in the approved report's PDF,
    which anyone may download from them."""
    from grants.reports.letters import issue_report_pdf
    from tests.reports.helpers import pdf_text

    network = make_fund(
        code="laerernetvaerk",
        kind=kinds.NETWORK.code,
        route="official_trip",
        publish_trips=True,
        publish_names=True,  # set by mistake (an imported profile): still never names
    )
    trip = make_trip(world.employee, network, names=f"{ADULT}\nLise Lærer", count=2, letter=False)
    letter = issue_report_pdf(trip, trip.report, world.caseworker)
    db.session.commit()

    for text in public_texts(client, trip):
        assert ADULT not in text and "Lise Lærer" not in text
    response = client.get(f"/udlandsrejser/rapporter/{letter.id}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    assert "2 personer" in text
    assert ADULT not in text and "Lise Lærer" not in text


def test_names_are_shown_only_where_the_fund_publishes_them(client, world, study):
    trip = make_trip(world.employee, study, names=f"{ADULT}\nLars Lund", count=2)
    db.session.commit()
    for text in public_texts(client, trip):
        assert ADULT not in text
    assert feed_json(client)["trips"][0]["participant_names"] is None

    study.publish_names = True
    db.session.commit()
    for text in public_texts(client, trip):
        assert ADULT in text and "Lars Lund" in text
    assert feed_json(client)["trips"][0]["participant_names"] == [ADULT, "Lars Lund"]
    assert feed_csv(client)[0]["participant_names"] == f"{ADULT}; Lars Lund"


def test_the_feeds_hold_the_same_trips_and_figures_as_the_pages(client, world, study, youth):
    trips = [
        make_trip(world.employee, study, departure=dt.date(this_year() - 1, 5, 4), count=3),
        make_trip(world.employee, study, departure=dt.date(this_year() - 2, 9, 1), count=1),
        make_trip(world.employee, youth, departure=dt.date(this_year() - 1, 6, 1), count=14),
        make_trip(world.employee, study, state="report_returned"),
    ]
    db.session.commit()
    published = {trip.id for trip in trips[:3]}

    html = page(client, "/udlandsrejser")
    document = feed_json(client)
    rows = feed_csv(client)
    assert listed_ids(html) == published
    assert [t["id"] for t in document["trips"]] == [int(r["id"]) for r in rows]
    assert {t["id"] for t in document["trips"]} == published
    assert document["licence"] == "Data kan frit genbruges (CC BY 4.0)"

    for record, row in zip(document["trips"], rows, strict=True):
        costs = record["costs"]
        assert set(costs) == {"transport", "accommodation", "fees", "meals", "per_diem", "other"}
        total = sum(Decimal(str(v)) for v in costs.values())
        assert (
            Decimal(str(record["total"])) == total == Decimal(row["total"]) == Decimal("10000.00")
        )
        for key, value in costs.items():
            assert Decimal(row[key]) == Decimal(str(value))
        assert int(row["participant_count"]) == record["participant_count"]
        per_person = (total / record["participant_count"]).quantize(Decimal("0.01"))
        assert Decimal(str(record["cost_per_participant"])) == per_person
        assert Decimal(row["cost_per_participant"]) == per_person
        assert row["departure_date"] == record["departure_date"]
        assert int(row["duration_days"]) == record["duration_days"] == 5

        trip_page = page(client, f"/udlandsrejser/{record['id']}")
        assert "10.000,00 kr." in trip_page
        assert "3.200,50 kr." in trip_page  # transport, in Danish form
        assert "5 dage" in trip_page
        assert "/udlandsrejser/rapporter/" in trip_page
        assert record["report_pdf_url"].endswith(".pdf")
    assert html.count("10.000,00 kr.") == 3


def test_the_last_five_years_are_shown_and_the_filters_agree(client, world, study):
    too_old = make_trip(
        world.employee, study, departure=dt.date(this_year() - 5, 12, 20), title="Gammel"
    )
    oldest = make_trip(
        world.employee, study, departure=dt.date(this_year() - 4, 1, 5), title="Ældst"
    )
    recent = make_trip(world.employee, study, departure=dt.date(this_year(), 2, 1), title="Ny")
    db.session.commit()

    assert listed_ids(page(client, "/udlandsrejser")) == {oldest.id, recent.id}
    assert client.get(f"/udlandsrejser/{too_old.id}").status_code == 404
    assert {t["id"] for t in feed_json(client)["trips"]} == {oldest.id, recent.id}

    assert listed_ids(page(client, f"/udlandsrejser?year={this_year() - 4}")) == {oldest.id}
    assert [t["id"] for t in feed_json(client, f"?year={this_year() - 4}")["trips"]] == [oldest.id]
    assert [int(r["id"]) for r in feed_csv(client, f"?year={this_year()}")] == [recent.id]

    # Election periods: 2022-2025, 2026-2029, ...
    first = 2022 + (this_year() - 2022) // 4 * 4
    period = f"{first}-{first + 3}"
    in_period = {t.id for t in (oldest, recent) if first <= t.departure_date.year <= first + 3}
    assert listed_ids(page(client, f"/udlandsrejser?period={period}")) == in_period
    assert {t["id"] for t in feed_json(client, f"?period={period}")["trips"]} == in_period
    assert {int(r["id"]) for r in feed_csv(client, f"?period={period}")} == in_period
    previous = f"{first - 4}-{first - 1}"
    in_previous = {t.id for t in (oldest, recent) if first - 4 <= t.departure_date.year < first}
    assert {t["id"] for t in feed_json(client, f"?period={previous}")["trips"]} == in_previous

    # A year outside the window, or a made-up period: the message next to the field.
    response = client.get(f"/udlandsrejser?year={this_year() - 5}")
    assert response.status_code == 400
    assert field_error(response, "year")
    assert client.get("/aabne-data/rejser.json?period=2023-2026").status_code == 400
    assert client.get("/aabne-data/rejser.csv?year=abc").status_code == 400


def test_public_pages_need_no_login_and_may_be_cached(client, world, study):
    trip = make_trip(world.employee, study)
    db.session.commit()
    for url in ("/udlandsrejser", f"/udlandsrejser/{trip.id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    for url in ("/aabne-data/rejser.json", "/aabne-data/rejser.csv"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
        assert response.headers["ETag"]
        assert "license" in response.headers["Link"]
        assert "Set-Cookie" not in response.headers
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_a_logged_in_person_gets_a_private_copy(client, auth, world, study):
    trip = make_trip(world.employee, study)
    db.session.commit()
    auth.login(world.employee)
    response = client.get(f"/udlandsrejser/{trip.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")


def test_the_pages_and_feeds_use_a_fixed_number_of_queries(app, client, world, study, youth):
    # What rendering costs: nothing kept from one request to the next (publication.caching).
    app.config.update(PUBLIC_PAGES_KEPT=0)

    def queries(url: str) -> int:
        client.get(url)  # warm up
        with QueryCounter() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    make_trip(world.employee, study)
    db.session.commit()
    one = {
        url: queries(url)
        for url in ("/udlandsrejser", "/aabne-data/rejser.json", "/aabne-data/rejser.csv")
    }
    for n in range(5):
        make_trip(
            world.employee, youth if n % 2 else study, departure=dt.date(this_year() - 1, 4, n + 1)
        )
    db.session.commit()
    six = {url: queries(url) for url in one}
    assert six == one
    # The page: the validator (publication.caching), its trips, their count, their accounts,
    # the municipality (the layout and the languages it offers); the feeds have no layout.
    assert max(one.values()) <= 6


def test_accessible_markup(client, world, study):
    trip = make_trip(world.employee, study)
    db.session.commit()
    for url in ("/udlandsrejser", f"/udlandsrejser/{trip.id}"):
        html = page(client, url)
        assert "<caption>" in html
        assert 'scope="col"' in html and 'scope="row"' in html
        levels = [
            int(n)
            for n in re.findall(
                r"<h([1-6])", html.split('id="main-content"')[1].split("</main>")[0]
            )
        ]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_the_contact_is_shown(client, world, study):
    trip = make_trip(world.employee, study)
    db.session.commit()
    assert "Skriv til international@balk.dk" in page(client, f"/udlandsrejser/{trip.id}")
    assert feed_json(client)["contact"] == "Skriv til international@balk.dk"


def test_long_lists_come_a_page_at_a_time_on_the_page_and_in_the_feeds(app, client, world, study):
    app.config.update(PUBLIC_TRIPS_PAGE_SIZE=4, OPEN_DATA_PAGE_SIZE=3)
    trips = [
        make_trip(
            world.employee, study, departure=dt.date(this_year(), 1, 1) + dt.timedelta(days=n)
        )
        for n in range(7)
    ]
    db.session.commit()
    newest_first = [trip.id for trip in reversed(trips)]

    first = page(client, "/udlandsrejser")
    assert listed_ids(first) == set(newest_first[:4])
    assert "(7 rejser)" in first
    assert "Viser 1-4 af 7." in first
    assert 'href="/udlandsrejser?page=2"' in first
    second = page(client, "/udlandsrejser?page=2")
    assert listed_ids(second) == set(newest_first[4:])

    # The year filter is kept on the page links and on the open-data links.
    filtered = page(client, f"/udlandsrejser?year={this_year()}")
    assert f'href="/udlandsrejser?page=2&amp;year={this_year()}"' in filtered
    assert f'href="/aabne-data/rejser.json?year={this_year()}"' in filtered

    # The feeds: the same order, a page at a time, with the next page in the body and as a
    # Link header, until there is none.
    seen, url = [], "/aabne-data/rejser.json"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        document = response.get_json()
        seen += [trip["id"] for trip in document["trips"]]
        assert document["per_page"] == 3
        if document["next"]:
            assert f'<{document["next"]}>; rel="next"' in response.headers["Link"]
            url = document["next"].replace("http://localhost", "")
        else:
            assert 'rel="next"' not in response.headers["Link"]
            url = None
    assert seen == newest_first

    assert [int(row["id"]) for row in feed_csv(client, "?page=3")] == newest_first[6:]
    assert 'rel="prev"' in client.get("/aabne-data/rejser.csv?page=3").headers["Link"]
