"""The open-data catalogue: what the trips dataset holds, field by field, and its description
in DCAT-AP-DK (the Danish public sector's profile of DCAT-AP, as JSON-LD) for data portals
that harvest catalogues, such as CKAN with ckanext-dcat (issue 23 point 4).

The fields are described once, here: the catalogue page's table is made from ``FIELDS``, and
``tests/publication/test_catalogue.py`` checks that every field of the JSON feed and every
column of the CSV is described.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

# The EU's controlled vocabularies (publications.europa.eu), as DCAT-AP asks.
EU = "http://publications.europa.eu/resource/authority/"
THEME_GOVERNMENT = EU + "data-theme/GOVE"
FREQUENCY_IRREGULAR = EU + "frequency/IRREG"  # a trip is added when its report is approved
LANGUAGE_DANISH = EU + "language/DAN"
FILE_TYPE = {"json": EU + "file-type/JSON", "csv": EU + "file-type/CSV"}
MEDIA_TYPE = {
    "json": "https://www.iana.org/assignments/media-types/application/json",
    "csv": "https://www.iana.org/assignments/media-types/text/csv",
}
DCAT_AP_DK = "https://digst.github.io/DCAT-AP-DK/releases/v.2.0/docs/"


@dataclass(frozen=True)
class FieldDoc:
    """One field of a trip: its name in the JSON (a dotted path for the costs) and the CSV
    column it is (None: not in the CSV), its type, unit and meaning."""

    name: str
    csv: str | None
    type: object
    unit: object
    meaning: object


FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("id", "id", _l("heltal"), "", _l("Rejsens faste nummer. Det skifter aldrig.")),
    FieldDoc("url", "url", _l("tekst (URL)"), "", _l("Rejsens offentlige side; rejsens faste id.")),
    FieldDoc("fund_code", "fund_code", _l("tekst"), "", _l("Puljens kode, fx studierejsefonden.")),
    FieldDoc("fund_name", "fund_name", _l("tekst"), "", _l("Puljens navn.")),
    FieldDoc("title", "title", _l("tekst"), "", _l("Rejsens titel.")),
    FieldDoc("purpose", "purpose", _l("tekst"), "", _l("Formålet, som det står i ansøgningen.")),
    FieldDoc("destination", "destination", _l("tekst"), "", _l("Venskabsbyen, ellers rejsemålet.")),
    FieldDoc("partner_city", "partner_city", _l("tekst"), "", _l("Venskabsbyen, hvis der er én.")),
    FieldDoc(
        "country_code", "country_code", _l("tekst"), "ISO 3166-1 alpha-2", _l("Rejsemålets land.")
    ),
    FieldDoc("country", None, _l("tekst"), "", _l("Landets danske navn (kun i JSON).")),
    FieldDoc(
        "departure_date",
        "departure_date",
        _l("dato"),
        "YYYY-MM-DD",
        _l("Den faktiske udrejse (fra rapporten), ellers den planlagte."),
    ),
    FieldDoc(
        "return_date",
        "return_date",
        _l("dato"),
        "YYYY-MM-DD",
        _l("Den faktiske hjemrejse, ellers den planlagte."),
    ),
    FieldDoc(
        "duration_days",
        "duration_days",
        _l("heltal"),
        _l("dage"),
        _l("Dage væk; både udrejsedagen og hjemrejsedagen tæller."),
    ),
    FieldDoc(
        "participant_count",
        "participant_count",
        _l("heltal"),
        _l("personer"),
        _l("Hvor mange der rejste."),
    ),
    FieldDoc(
        "participant_names",
        "participant_names",
        _l("liste af tekster"),
        "",
        _l(
            "Deltagernes navne, når puljen offentliggør dem (aldrig for børn og unge). "
            "I CSV adskilt af semikolon."
        ),
    ),
    FieldDoc(
        "costs.transport", "transport", _l("decimaltal"), "DKK", _l("Udgifter til transport.")
    ),
    FieldDoc(
        "costs.accommodation",
        "accommodation",
        _l("decimaltal"),
        "DKK",
        _l("Udgifter til ophold (hotel)."),
    ),
    FieldDoc(
        "costs.fees",
        "fees",
        _l("decimaltal"),
        "DKK",
        _l("Deltagergebyrer til kurser og konferencer."),
    ),
    FieldDoc(
        "costs.meals",
        "meals",
        _l("decimaltal"),
        "DKK",
        _l("Forplejning (før december 2026 også diæter)."),
    ),
    FieldDoc("costs.per_diem", "per_diem", _l("decimaltal"), "DKK", _l("Diæter (dagpenge).")),
    FieldDoc("costs.other", "other", _l("decimaltal"), "DKK", _l("Andre udgifter.")),
    FieldDoc("total", "total", _l("decimaltal"), "DKK", _l("Summen af udgifterne.")),
    FieldDoc(
        "cost_per_participant",
        "cost_per_participant",
        _l("decimaltal"),
        "DKK",
        _l("Summen delt med antallet af deltagere, afrundet til hele øre."),
    ),
    FieldDoc(
        "report_pdf_url",
        "report_pdf_url",
        _l("tekst (URL)"),
        "",
        _l("Den godkendte rapport som PDF, hvis den er offentliggjort."),
    ),
)


def dataset_identifier() -> str:
    """The dataset's stable identifier: the catalogue page's own address."""
    return url_for("publication.catalogue", _external=True)


def dcat(municipality, contact_email: str, licence_url: str, licence_name: str) -> dict:
    """The catalogue with its one dataset and two distributions, as DCAT-AP-DK JSON-LD."""
    publisher_name = municipality.name if municipality else ""
    catalogue_url = url_for("publication.catalogue", _external=True)
    publisher = {
        "@id": catalogue_url + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": publisher_name,
    }
    if municipality is not None and municipality.cvr:
        publisher["dct:identifier"] = f"CVR {municipality.cvr}"
    contact = {"@type": "vcard:Organization", "vcard:fn": publisher_name}
    if contact_email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{contact_email}"}
    licence = {"@id": licence_url.replace("/deed.da", "/"), "@type": "dct:LicenseDocument"}

    def distribution(kind: str, endpoint: str, title: str) -> dict:
        url = url_for(endpoint, _external=True)
        return {
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": {"@language": "da", "@value": title},
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dct:format": {"@id": FILE_TYPE[kind]},
            "dcat:mediaType": {"@id": MEDIA_TYPE[kind]},
            "dct:license": licence,
            "dct:conformsTo": {"@id": catalogue_url + "#felter"},
        }

    dataset = {
        "@id": dataset_identifier(),
        "@type": "dcat:Dataset",
        "dct:identifier": dataset_identifier(),
        "dct:title": [
            {"@language": "da", "@value": f"Udlandsrejser, {publisher_name}"},
            {"@language": "en", "@value": f"Trips abroad, {publisher_name}"},
        ],
        "dct:description": [
            {
                "@language": "da",
                "@value": (
                    "Politikeres og medarbejderes rejser til udlandet, betalt af kommunens "
                    "rejsepuljer, med rejsemål, formål, varighed, antal deltagere og det "
                    "godkendte regnskab fordelt på transport, ophold, gebyrer, forplejning og "
                    "diæter og andet. En rejse kommer med, når rapporten og regnskabet er "
                    "godkendt; de seneste fem år vises."
                ),
            },
            {
                "@language": "en",
                "@value": (
                    "Trips abroad by the municipality's politicians and staff, paid from its "
                    "travel funds: destination, purpose, duration, number of participants and "
                    "the approved accounts by transport, accommodation, fees, meals and per "
                    "diem, and other. A trip is added when its report and accounts are "
                    "approved; the last five years are shown."
                ),
            },
        ],
        "dcat:keyword": [
            {"@language": "da", "@value": word}
            for word in ("udlandsrejser", "rejser", "venskabsbyer", "åbenhed", "regnskab")
        ],
        "dcat:theme": {"@id": THEME_GOVERNMENT},
        "dct:language": {"@id": LANGUAGE_DANISH},
        "dct:accrualPeriodicity": {"@id": FREQUENCY_IRREGULAR},
        "dct:publisher": publisher,
        "dcat:contactPoint": contact,
        "dcat:landingPage": {"@id": url_for("publication.index", _external=True)},
        "dct:conformsTo": {"@id": DCAT_AP_DK},
        "dcat:distribution": [
            distribution("json", "publication.trips_json", "Udlandsrejser (JSON)"),
            distribution("csv", "publication.trips_csv", "Udlandsrejser (CSV)"),
        ],
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
        },
        "@id": catalogue_url + "#katalog",
        "@type": "dcat:Catalog",
        "dct:title": {"@language": "da", "@value": f"Åbne data fra {publisher_name}"},
        "dct:description": {
            "@language": "da",
            "@value": "Kommunens åbne data om udlandsrejser betalt af rejsepuljerne.",
        },
        "dct:publisher": publisher,
        "dct:license": licence,
        "dcat:dataset": dataset,
        "dct:conformsTo": {"@id": DCAT_AP_DK},
    }
