"""The public pages about trips abroad and the open data. No login.

Every page and feed reads ``queries.published_trips`` (one definition of "published", two
queries per page whatever the number of trips), so the pages and the feeds always agree.
The pages and feeds are ``caching.public``: the same for everyone without a session, kept by
a shared cache for five minutes, validated by the data's version (grants.publication.caching).
"""

from __future__ import annotations

import json

from babel import Locale
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)

from grants.budgets.exports import Column, as_csv
from grants.core import address_language
from grants.core.models import current_municipality
from grants.publication import caching, front_page, queries
from grants.publication import catalogue as open_data_catalogue
from grants.publication.forms import TripFilterForm

bp = Blueprint("publication", __name__)
bp.record_once(front_page.register)

PUBLIC_MAX_AGE = 300
# The licence of the open data: a top-level field of the JSON, a Link header on the CSV.
LICENCE_TEXT = "Data kan frit genbruges (CC BY 4.0)"
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.da"
SCHEMA_VERSION = "2.0"

COST_KEYS = {
    queries.BudgetCategory.TRANSPORT: "transport",
    queries.BudgetCategory.ACCOMMODATION: "accommodation",
    queries.BudgetCategory.FEES: "fees",
    queries.BudgetCategory.MEALS: "meals",
    queries.BudgetCategory.PER_DIEM: "per_diem",
    queries.BudgetCategory.OTHER: "other",
}


# The pages (not the feeds, which are in Danish only) keep the address's language in their
# links, so a visitor who chose English stays in English without a session.
LANGUAGE_PAGES = {"publication.index", "publication.trip", "publication.catalogue"}


address_language.install(bp, LANGUAGE_PAGES)


def _filters() -> tuple[TripFilterForm, dict, bool]:
    form = TripFilterForm(request.args)
    if not form.validate():
        return form, {}, False
    return form, {"year": form.year_value, "period": form.period_value}, True


def _contact() -> str:
    municipality = current_municipality()
    if municipality is None:
        return ""
    return municipality.contact_note or municipality.email


def _page(filters: dict, per_page: int, *, count: bool = True):
    return queries.published_trips_page(per_page=per_page, count=count, **filters)


def _link_args(filters: dict) -> dict:
    """The filters as query-string arguments for links to other pages of the same list."""
    args = {"year": filters.get("year"), "period": filters.get("period")}
    return {name: str(value) for name, value in args.items() if value is not None}


# -- the pages ---------------------------------------------------------------------------


@bp.get("/udlandsrejser")
@caching.public
def index():
    form, filters, ok = _filters()
    page = _page(filters, current_app.config["PUBLIC_TRIPS_PAGE_SIZE"]) if ok else None
    return render_template(
        "publication/index.html",
        form=form,
        page=page,
        link_args=_link_args(filters),
        period_shown=queries.shown_period(),
        contact=_contact(),
        filters=filters,
    ), (200 if ok else 400)


@bp.get("/udlandsrejser/<int:trip_id>")
@caching.public
def trip(trip_id: int):
    found = queries.published_trip(trip_id)
    if found is None:
        abort(404)
    return render_template(
        "publication/trip.html",
        trip=found,
        categories=queries.CATEGORIES,
        contact=_contact(),
    )


@bp.get("/udlandsrejser/rapporter/<int:letter_id>.pdf")
def report(letter_id: int):
    """The approved report of a published trip, as stored; any other letter is not found."""
    letter = queries.published_report_letter(letter_id)
    if letter is None:
        abort(404)
    if letter.erased_at is not None:
        from grants.letters.views import erased_page

        return erased_page(letter, back=url_for("publication.trip", trip_id=letter.application_id))
    response = Response(letter.pdf, mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "inline", filename=f"udlandsrejse-{letter.application_id}.pdf"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.set_etag(letter.sha256)
    return response.make_conditional(request)


# -- open data ---------------------------------------------------------------------------


def _trip_url(trip) -> str:
    return url_for("publication.trip", trip_id=trip.id, _external=True)


def _report_url(trip) -> str:
    if trip.report_letter_id is None:
        return ""
    return url_for("publication.report", letter_id=trip.report_letter_id, _external=True)


def _number(amount):
    return None if amount is None else float(amount)


def _trip_words(trip) -> dict:
    """What the JSON feed and the CSV say of a trip in the same words: which it is, where it
    is shown, its fund, and the trip itself in the applicant's text."""
    return {
        "id": trip.id,
        "url": _trip_url(trip),
        "fund_code": trip.fund_code,
        "fund_name": trip.fund_name,
        "title": trip.title,
        "purpose": trip.purpose,
        "destination": trip.destination,
    }


def trip_record(trip) -> dict:
    """One trip in the open data (docs/open-data.md): the same fields the pages show."""
    country = Locale.parse("da").territories.get(trip.country_code.upper(), trip.country_code)
    return {
        **_trip_words(trip),
        "partner_city": trip.partner_city or None,
        "country_code": trip.country_code or None,
        "country": country or None,
        "departure_date": trip.departure_date.isoformat() if trip.departure_date else None,
        "return_date": trip.return_date.isoformat() if trip.return_date else None,
        "duration_days": trip.duration_days,
        "participant_count": trip.participant_count,
        "participant_names": list(trip.participant_names)
        if trip.participant_names is not None
        else None,
        "costs": {COST_KEYS[c]: _number(a) for c, a in trip.costs.items()},
        "total": _number(trip.total),
        "cost_per_participant": _number(trip.cost_per_participant),
        "report_pdf_url": _report_url(trip) or None,
    }


def _period_record(shown) -> dict:
    """What the feed covers (docs/open-data.md): trips that began from ``first_year`` and
    were over by ``until``."""
    return {
        "first_year": shown.first_year,
        "last_year": shown.last_year,
        "until": shown.until.isoformat(),
    }


def _feed_link(endpoint: str, number: int, exists: bool, filters: dict) -> str | None:
    if not exists:
        return None
    return url_for(endpoint, page=number, _external=True, **_link_args(filters))


def _feed_response(body: bytes, mimetype: str, page, endpoint: str, filters: dict) -> Response:
    """A page of a feed, with its licence and the next and previous pages as Link headers
    (RFC 8288), so a client follows them as it would the JSON's "next"."""
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link"
    response.headers["X-Content-Type-Options"] = "nosniff"
    links = [f'<{LICENCE_URL}>; rel="license"']
    for rel, number, exists in (
        ("next", page.next_num, page.has_next),
        ("prev", page.prev_num, page.has_prev),
    ):
        url = _feed_link(endpoint, number, exists, filters)
        if url:
            links.append(f'<{url}>; rel="{rel}"')
    response.headers["Link"] = ", ".join(links)
    return response


def _bad_filter(form: TripFilterForm) -> Response:
    errors = {
        name: [str(message) for message in messages] for name, messages in form.errors.items()
    }
    response = Response(
        json.dumps({"errors": errors}, ensure_ascii=False), status=400, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _feed_page():
    """The page of trips a feed shows for the request's filters, and the filters; or the 400
    answer that names the bad filters. The feeds give no total, only the next and previous
    pages: nothing is counted."""
    form, filters, ok = _filters()
    if not ok:
        return None, filters, _bad_filter(form)
    return _page(filters, current_app.config["OPEN_DATA_PAGE_SIZE"], count=False), filters, None


@bp.get("/aabne-data/")
@caching.public
def catalogue():
    """The open data's catalogue page: what the trips dataset holds, its fields and units,
    its licence and how often it changes, with its DCAT-AP-DK description embedded."""
    municipality = current_municipality()
    return render_template(
        "publication/catalogue.html",
        fields=open_data_catalogue.FIELDS,
        licence_url=LICENCE_URL,
        licence_name=LICENCE_NAME,
        page_size=current_app.config["OPEN_DATA_PAGE_SIZE"],
        contact=_contact(),
        dcat=_dcat(municipality),
    )


def _dcat(municipality) -> dict:
    email = municipality.email if municipality else ""
    return open_data_catalogue.dcat(municipality, email, LICENCE_URL, LICENCE_NAME)


@bp.get("/aabne-data/katalog.jsonld")
@caching.public
def catalogue_dcat():
    """The catalogue as DCAT-AP-DK JSON-LD, for a data portal's harvester (CKAN's
    ckanext-dcat reads it)."""
    body = json.dumps(_dcat(current_municipality()), ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/ld+json")
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/aabne-data/rejser.json")
@caching.public
def trips_json():
    page, filters, refused = _feed_page()
    if refused is not None:
        return refused
    municipality = current_municipality()
    document = {
        "schema_version": SCHEMA_VERSION,
        "title": "Udlandsrejser",
        "publisher": municipality.name if municipality else "",
        "contact": _contact(),
        "licence": LICENCE_TEXT,
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "currency": "DKK",
        "years_shown": queries.shown_years(),
        "period_shown": _period_record(queries.shown_period()),
        "filters": {
            "year": filters["year"],
            "period": str(filters["period"]) if filters["period"] else None,
        },
        "page": page.page,
        "per_page": page.per_page,
        "next": _feed_link("publication.trips_json", page.next_num, page.has_next, filters),
        "previous": _feed_link("publication.trips_json", page.prev_num, page.has_prev, filters),
        "trips": [trip_record(trip) for trip in page.items],
    }
    # Compact: Python's json writes an indented document with its slow pure-Python
    # encoder (a third of the feed's time); without indent it uses the C one.
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _feed_response(body, "application/json", page, "publication.trips_json", filters)


CSV_COLUMNS = [
    Column("id", "id", "int"),
    Column("url", "url"),
    Column("fund_code", "fund_code"),
    Column("fund_name", "fund_name"),
    Column("title", "title"),
    Column("purpose", "purpose"),
    Column("destination", "destination"),
    Column("partner_city", "partner_city"),
    Column("country_code", "country_code"),
    Column("departure_date", "departure_date", "date"),
    Column("return_date", "return_date", "date"),
    Column("duration_days", "duration_days", "int"),
    Column("participant_count", "participant_count", "int"),
    Column("participant_names", "participant_names"),
    Column("transport", "transport", "money"),
    Column("accommodation", "accommodation", "money"),
    Column("fees", "fees", "money"),
    Column("meals", "meals", "money"),
    Column("per_diem", "per_diem", "money"),
    Column("other", "other", "money"),
    Column("total", "total", "money"),
    Column("cost_per_participant", "cost_per_participant", "money"),
    Column("report_pdf_url", "report_pdf_url"),
]


def csv_row(trip) -> dict:
    row = {
        **_trip_words(trip),
        "partner_city": trip.partner_city,
        "country_code": trip.country_code,
        "departure_date": trip.departure_date,
        "return_date": trip.return_date,
        "duration_days": trip.duration_days,
        "participant_count": trip.participant_count,
        "participant_names": "; ".join(trip.participant_names)
        if trip.participant_names is not None
        else "",
        "total": trip.total,
        "cost_per_participant": trip.cost_per_participant,
        "report_pdf_url": _report_url(trip),
    }
    row.update({COST_KEYS[c]: a for c, a in trip.costs.items()})
    return row


@bp.get("/aabne-data/rejser.csv")
@caching.public
def trips_csv():
    page, filters, refused = _feed_page()
    if refused is not None:
        return refused
    response = _feed_response(
        as_csv(CSV_COLUMNS, [csv_row(trip) for trip in page.items]),
        "text/csv",
        page,
        "publication.trips_csv",
        filters,
    )
    response.headers["Content-Disposition"] = 'inline; filename="udlandsrejser.csv"'
    return response
