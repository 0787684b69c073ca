"""The decision letter: what it says, that it is an archival tagged PDF, that it is stored
once and served unchanged, and that its renderer fetches nothing from outside the app."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from grants.cases.models import Application, Outcome
from grants.core.errors import DomainError
from grants.core.files import content_disposition
from grants.extensions import db
from grants.letters.models import Letter
from grants.letters.operations import issue_decision_letter
from grants.letters.render import (
    ASSETS_URL,
    AssetsOnlyFetcher,
    FetchRefused,
    create_pdf,
)
from grants.workflow.models import JournalEntry
from tests.factories import make_application

DECIDED_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
DEPARTURE = dt.date(2027, 2, 1)
RETURN = dt.date(2027, 2, 5)
REPORT_DUE = dt.date(2027, 3, 19)

PARTIAL_REASONS = "Fonden dækker ikke kursusgebyret, fordi konferencen også udbydes i Danmark."
REFUSAL_REASONS = (
    "Fondens budget for 2027 er brugt. Ansøgningerne er prioriteret efter, "
    "hvor direkte rejsen styrker det daglige arbejde med børn og unge."
)

STATE = {
    Outcome.GRANTED: "granted",
    Outcome.PARTLY_GRANTED: "partly_granted",
    Outcome.REFUSED: "refused",
}


def decided(
    world,
    outcome: Outcome = Outcome.GRANTED,
    granted: str = "8000",
    reasons: str = "",
    report_due: dt.date | None = REPORT_DUE,
) -> Application:
    """An application the way the decide operation leaves it, before the letter is issued."""
    application = make_application(
        world.employee,
        world.fund,
        state=STATE[outcome],
        amount=8000,
        departure_date=DEPARTURE,
        return_date=RETURN,
    )
    application.outcome = outcome
    application.granted_amount = Decimal(granted)
    application.decision_reasons = reasons
    application.decided_at = DECIDED_AT
    application.decided_by = world.caseworker
    application.report_due = None if outcome is Outcome.REFUSED else report_due
    db.session.flush()
    return application


def reader_of(letter: Letter) -> PdfReader:
    return PdfReader(io.BytesIO(letter.pdf))


def text_of(letter: Letter) -> str:
    """The letter's text with whitespace runs made single spaces (lines break anywhere)."""
    text = " ".join(page.extract_text() for page in reader_of(letter).pages)
    return " ".join(text.split())


# What the letter says ---------------------------------------------------------------------


def test_a_grant_letter_holds_what_a_decision_must_contain(world):
    application = decided(world)

    letter = issue_decision_letter(application, world.caseworker)
    text = text_of(letter)

    # Letterhead: municipality, unit, CVR, date, case number, caseworker and contact.
    for expected in (
        "Ballerup Kommune",
        "Sekretariatet for internationalt samarbejde",
        "Hold-An Vej 7, 2750 Ballerup",
        "CVR-nr. 58271713",
        "24. november 2026",
        "Sagsnr.",
        application.case_number,
        "Sara Skov",
        "international@balk.dk",
        "44 77 20 00",
    ):
        assert expected in text, expected
    # Recipient, fund, trip, outcome and amounts in Danish form.
    for expected in (
        "Mette Madsen",
        "Studierejsefonden",
        "Studietur til Helsinki om ungdomsskoler",
        "Helsinki, Finland",
        "1. februar 2027 – 5. februar 2027",
        "Ansøgt beløb 8.000,00 kr.",
        "Bevilget beløb 8.000,00 kr.",
        "Du får tilskud til rejsen.",
    ):
        assert expected in text, expected
    # Conditions: use, changes, payment to NemKonto, deadline, repayment, late accounts.
    assert "Betingelser for tilskuddet" in text
    assert "godkendes af os på forhånd" in text
    assert "NemKonto" in text
    assert "Senest den 19. marts 2027" in text
    assert "Frist for rapport og regnskab 19. marts 2027" in text
    assert "betale tilbage" in text
    assert "påmindelse" in text
    # Openness, complaint guidance and access to the file.
    assert "Åbenhed om udlandsrejser" in text
    assert "kan derfor blive offentliggjort" in text
    assert "ikke påklages til en anden administrativ myndighed" in text
    assert "Folketingets Ombudsmand" in text
    assert "et år" in text
    assert "ombudsmand.dk" in text
    assert "aktindsigt" in text
    # Nothing to give reasons for when the applicant gets everything.
    assert "Begrundelse" not in text


def test_a_partial_grant_gives_reasons_and_both_amounts(world):
    application = decided(world, Outcome.PARTLY_GRANTED, granted="6000", reasons=PARTIAL_REASONS)

    text = text_of(issue_decision_letter(application, world.caseworker))

    assert "Du får delvist tilskud til rejsen." in text
    assert "6.000,00 kr. af de 8.000,00 kr." in text
    assert "Begrundelse" in text
    assert PARTIAL_REASONS in text
    assert "opfylder formålet og betingelserne" in text
    assert "§§ 22-24" in text
    assert "Senest den 19. marts 2027" in text
    assert "Folketingets Ombudsmand" in text
    assert "aktindsigt" in text


def test_a_refusal_gives_reasons_and_complaint_guidance_but_no_conditions(world):
    application = decided(world, Outcome.REFUSED, granted="0", reasons=REFUSAL_REASONS)

    text = text_of(issue_decision_letter(application, world.caseworker))

    assert "Du får desværre ikke tilskud til rejsen." in text
    assert "Afslag" in text
    assert "Bevilget beløb 0,00 kr." in text
    assert "8.000,00 kr." in text
    assert REFUSAL_REASONS in text
    assert "Folketingets Ombudsmand" in text
    assert "aktindsigt" in text
    assert "Betingelser for tilskuddet" not in text
    assert "Frist for rapport og regnskab" not in text


@pytest.mark.parametrize("outcome", [Outcome.PARTLY_GRANTED, Outcome.REFUSED])
def test_no_letter_without_reasons_when_the_applicant_does_not_get_everything(world, outcome):
    application = decided(world, outcome, granted="0", reasons="  ")

    with pytest.raises(DomainError):
        issue_decision_letter(application, world.caseworker)
    assert db.session.scalar(select(func.count(Letter.id))) == 0


def test_no_grant_letter_without_a_report_deadline(world):
    application = decided(world, report_due=None)

    with pytest.raises(DomainError):
        issue_decision_letter(application, world.caseworker)


def test_a_case_that_is_not_decided_gets_no_letter(world):
    application = make_application(world.employee, world.fund, state="awaiting_decision")

    with pytest.raises(ValueError, match="outcome"):
        issue_decision_letter(application, world.caseworker)


def test_the_letter_goes_out_in_the_recipients_language(world):
    world.employee.locale = "en"
    application = decided(world)

    letter = issue_decision_letter(application, world.caseworker)

    assert letter.language == "en"
    assert reader_of(letter).trailer["/Root"]["/Lang"] == "en"
    text = text_of(letter)
    assert "24 November 2026" in text
    assert "8,000.00 kr." in text


# The PDF itself ---------------------------------------------------------------------------


def test_the_pdf_is_archival_tagged_titled_and_has_its_fonts(world):
    letter = issue_decision_letter(decided(world), world.caseworker)
    reader = reader_of(letter)
    catalog = reader.trailer["/Root"]

    assert letter.pdf.startswith(b"%PDF-1.7")
    assert "Afgørelse om tilskud" in reader.metadata.title
    assert catalog["/Lang"] == "da"
    # Tagged (PDF/A level A, and what screen readers read).
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    # Declares PDF/A-3a in its XMP metadata.
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp), xmp
    assert re.search(r"pdfaid:conformance(>|=\")A", xmp), xmp
    # Every font is embedded.
    fonts = [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]


def test_the_letter_is_stored_with_its_hash_parameters_and_a_journal_entry(world):
    application = decided(world)

    letter = issue_decision_letter(application, world.caseworker)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Letter, letter.id)

    assert stored.sha256 == hashlib.sha256(stored.pdf).hexdigest()
    assert stored.size == len(stored.pdf)
    assert stored.kind == "decision"
    assert stored.language == "da"
    assert stored.template == "letters/decision.html"
    assert stored.filename == f"afgoerelse-{application.case_number}.pdf"
    assert stored.created_by_id == world.caseworker.id
    parameters = stored.parameters
    json.dumps(parameters)  # plain JSON, no Decimals or dates
    assert parameters["case_number"] == application.case_number
    assert parameters["outcome"] == "granted"
    assert parameters["granted_amount"] == "8000.00"
    assert parameters["amount_applied"] == "8000.00"
    assert parameters["report_due"] == "2027-03-19"
    assert parameters["letter_date"] == "2026-11-24"
    assert parameters["recipient"]["name"] == "Mette Madsen"
    entries = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id, JournalEntry.action == "letter_issued"
        )
    ).all()
    assert [entry.comment for entry in entries] == [stored.filename]
    assert entries[0].actor_id == world.caseworker.id


def test_a_letter_is_never_made_again(world):
    application = decided(world)
    first = issue_decision_letter(application, world.caseworker)
    db.session.commit()

    with pytest.raises(DomainError):
        issue_decision_letter(application, world.caseworker)

    letters = db.session.scalars(select(Letter)).all()
    assert [letter.id for letter in letters] == [first.id]


def test_issuing_does_not_commit(world):
    application = decided(world)
    issue_decision_letter(application, world.caseworker)

    db.session.rollback()

    assert db.session.scalar(select(func.count(Letter.id))) == 0


def test_a_normal_letter_needs_nothing_refused(world, caplog):
    with caplog.at_level(logging.WARNING, logger="grants.letters.render"):
        issue_decision_letter(decided(world), world.caseworker)

    assert not [r for r in caplog.records if r.name == "grants.letters.render"]


# The renderer fetches nothing from outside the app ----------------------------------------

HOSTILE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Prøve</title>
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="letter.css">
</head><body><h1>Prøve</h1>
<p><img src="http://example.com/tracker.png" alt="sporing"></p>
<p>Tekst efter billedet.</p></body></html>"""


def test_create_pdf_refuses_remote_images_and_foreign_files(app, caplog):
    with caplog.at_level(logging.WARNING, logger="grants.letters.render"):
        pdf = create_pdf(HOSTILE)

    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "grants.letters.render")
    assert "http://example.com/tracker.png" in refused
    assert "file:///etc/passwd" in refused
    assert "letter.css" not in refused  # the app's own stylesheet is served
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Tekst efter billedet." in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/tracker.png",
        "https://example.com/font.woff2",
        "ftp://example.com/x.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://otherhost/" + ASSETS_URL.removeprefix("file:///") + "letter.css",
        ASSETS_URL + "../render.py",
        ASSETS_URL + "%2e%2e/render.py",
        ASSETS_URL + "missing.css",
        "letter.css",  # not absolute: WeasyPrint resolves relative URLs first
    ],
)
def test_the_fetcher_refuses_everything_outside_the_assets(url):
    with pytest.raises(FetchRefused):
        AssetsOnlyFetcher()(url)


def test_the_fetcher_serves_the_letters_own_assets():
    response = AssetsOnlyFetcher()(ASSETS_URL + "letter.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


# Downloading ------------------------------------------------------------------------------


@pytest.fixture
def issued(world):
    letter = issue_decision_letter(decided(world), world.caseworker)
    db.session.commit()
    return letter


def test_a_party_downloads_the_stored_bytes_unchanged(client, auth, world, issued):
    auth.login(world.employee)

    first = client.get(f"/breve/{issued.id}/hent")
    second = client.get(f"/breve/{issued.id}/hent")

    assert first.status_code == second.status_code == 200
    assert first.data == second.data == issued.pdf
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == content_disposition(issued.filename)
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Cache-Control"] == "private, no-store"
    assert first.headers["ETag"] == f'"{issued.sha256}"'
    assert first.headers["Content-Length"] == str(issued.size)


def test_the_caseworker_downloads_it_too(client, auth, world, issued):
    auth.login(world.caseworker)

    assert client.get(f"/breve/{issued.id}/hent").status_code == 200


def test_someone_outside_the_case_is_refused(client, auth, world, issued):
    auth.login(world.outsider)

    response = client.get(f"/breve/{issued.id}/hent")

    assert response.status_code == 403
    assert response.data != issued.pdf


def test_an_anonymous_visitor_is_sent_to_log_in(client, issued):
    response = client.get(f"/breve/{issued.id}/hent")

    assert response.status_code == 302
    assert "/log-ind" in response.headers["Location"]


def test_an_unknown_letter_is_not_found(client, auth, world):
    auth.login(world.employee)

    assert client.get("/breve/999999/hent").status_code == 404


def test_a_letter_named_with_danish_letters_and_spaces_downloads_by_its_name(
    client, auth, world, issued
):
    issued.filename = "Bevilling til Ærø og Søby.pdf"
    db.session.commit()
    auth.login(world.employee)
    header = client.get(f"/breve/{issued.id}/hent").headers["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert 'filename="Bevilling til Aeroe og Soeby.pdf"' in header
    assert "filename*=UTF-8''Bevilling%20til%20%C3%86r%C3%B8%20og%20S%C3%B8by.pdf" in header
