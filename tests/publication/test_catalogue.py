"""The open-data catalogue (issue 23 point 4): a page that says what the trips dataset holds,
field by field, with its licence and how often it changes; and the dataset described in
DCAT-AP-DK, read here as RDF the way a data portal's harvester reads it."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import url_for
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from grants.extensions import db
from grants.publication.catalogue import FIELDS
from tests.html import headings, links, page_text
from tests.html import page as html_page
from tests.publication.helpers import make_trip

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


@pytest.fixture
def study(world):
    world.fund.publish_trips = True
    world.municipality.email = "international@balk.dk"
    db.session.commit()
    make_trip(world.employee, world.fund)
    db.session.commit()
    return world.fund


def url(app, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


class Cells(HTMLParser):
    """The first two columns of the fields table (JSON field, CSV column) and the JSON-LD."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.ld = ""
        self._cell: list[str] | None = None
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []
        elif tag == "script" and ("type", "application/ld+json") in attrs:
            self._in_ld = True

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_ld:
            self.ld += data


def parsed(client, app) -> Cells:
    response = client.get(url(app, "publication.catalogue"))
    assert response.status_code == 200
    cells = Cells()
    cells.feed(response.get_data(as_text=True))
    return cells


def test_the_catalogue_page_documents_every_field_of_both_feeds(app, client, world, study):
    cells = parsed(client, app)
    documented_json = {row[0] for row in cells.rows if row}
    documented_csv = {row[1] for row in cells.rows if row} - {"–"}

    trip = client.get(url(app, "publication.trips_json")).get_json()["trips"][0]
    in_json = {f"costs.{key}" for key in trip["costs"]} | (set(trip) - {"costs"})
    assert in_json == documented_json

    header = client.get(url(app, "publication.trips_csv")).get_data(as_text=True)
    in_csv = set(header.lstrip("\ufeff").splitlines()[0].split(","))
    assert in_csv == documented_csv
    assert {field.name for field in FIELDS} == documented_json


def test_the_page_links_the_feeds_licence_and_says_how_often_it_changes(app, client, study):
    response = client.get(url(app, "publication.catalogue"))
    addresses = links(response)
    for endpoint in ("publication.trips_json", "publication.trips_csv"):
        assert url(app, endpoint) in addresses
    assert "https://creativecommons.org/licenses/by/4.0/deed.da" in addresses
    assert "Uregelmæssigt" in page_text(response)
    assert "s-maxage=300" in response.headers["Cache-Control"]
    assert html_page(response).html["lang"] == "da" and html_page(response).find("h1")


def test_the_page_is_in_english_for_an_english_reader(app, client, study):
    client.post("/sprog", data={"locale": "en"})
    page = client.get(url(app, "publication.catalogue"))
    assert "Open data about trips abroad" in headings(page)
    assert "Irregularly" in page_text(page)


def graph_of(client, app) -> Graph:
    response = client.get(url(app, "publication.catalogue_dcat"))
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    graph = Graph()
    graph.parse(data=response.get_data(as_text=True), format="json-ld")
    return graph


def test_the_dcat_ap_dk_description_has_the_mandatory_properties(app, client, world, study):
    graph = graph_of(client, app)
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    catalogue = catalogues[0]
    # Catalogue: title, description, publisher, dataset (DCAT-AP 2.0, DCAT-AP-DK 2.0).
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset):
        assert graph.value(catalogue, prop) is not None, prop
    dataset = graph.value(catalogue, DCAT.dataset)
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    # Dataset: title and description (mandatory), in Danish and English.
    titles = {str(t.language) for t in graph.objects(dataset, DCTERMS.title)}
    assert titles == {"da", "en"}
    assert {str(d.language) for d in graph.objects(dataset, DCTERMS.description)} == {"da", "en"}
    # Recommended: identifier, publisher, contact point, theme, keyword, frequency, distribution.
    assert str(graph.value(dataset, DCTERMS.identifier)).endswith(url(app, "publication.catalogue"))
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == world.municipality.name
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:international@balk.dk")
    assert graph.value(dataset, DCAT.theme) == URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/GOVE"
    )
    assert len(list(graph.objects(dataset, DCAT.keyword))) >= 3
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) is not None
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == 2


def test_each_distribution_is_a_working_feed_with_licence_and_format(app, client, study):
    graph = graph_of(client, app)
    formats = set()
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        access = graph.value(distribution, DCAT.accessURL)
        assert access is not None  # the one mandatory property of a distribution
        assert str(access).startswith(app.config.get("PREFERRED_URL_SCHEME", "http") + "://")
        answer = client.get(urlsplit(str(access)).path)
        assert answer.status_code == 200
        assert graph.value(distribution, DCTERMS.license) is not None
        formats.add(str(graph.value(distribution, DCTERMS.format)).rsplit("/", 1)[-1])
        assert graph.value(distribution, DCAT.mediaType) is not None
    assert formats == {"JSON", "CSV"}


def test_the_embedded_description_equals_the_harvested_one_and_cannot_break_out(
    app, client, world, study
):
    world.municipality.name = "Ballerup </script><script>alert(1)</script>"
    db.session.commit()
    cells = parsed(client, app)
    page = client.get(url(app, "publication.catalogue")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    embedded = json.loads(cells.ld)
    harvested = client.get(url(app, "publication.catalogue_dcat")).get_json(force=True)
    assert embedded == harvested
    assert embedded["dct:publisher"]["foaf:name"] == world.municipality.name
