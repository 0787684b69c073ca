"""Every letter is sealed (PAdES, the organisation certificate; the test certificate here)
and carries a verification code that the public page /bekraeft-brev/<code> answers."""

from __future__ import annotations

import io

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from grants.cases.models import Outcome
from grants.extensions import db
from grants.letters import seal, verification
from grants.letters.operations import issue_decision_letter
from tests import html
from tests.letters.test_decision_letter import PARTIAL_REASONS, decided, text_of


def validation_context() -> ValidationContext:
    path = seal.test_certificate(_instance())
    return ValidationContext(trust_roots=[load_cert_from_pemder(str(path))])


def _instance():
    from pathlib import Path

    from flask import current_app

    return Path(current_app.instance_path)


def signature_status(pdf: bytes):
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    # (pyHanko's synchronous validator calls asyncio.run, which fails after the browser
    # tests have left Playwright's loop running in this thread: the seal's own runner.)
    context = validation_context()
    return seal.run_to_end(lambda: async_validate_pdf_signature(signature, context))


def test_a_letter_is_sealed_and_pyhankos_validator_finds_the_seal_intact_and_trusted(world):
    letter = issue_decision_letter(decided(world), world.caseworker)

    status = signature_status(letter.pdf)

    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    # The seal covers the whole file: nothing was appended after it.
    assert status.coverage.name == "ENTIRE_FILE"
    assert "Testkommune" in status.signing_cert.subject.human_friendly
    assert status.pkcs7_signature_mechanism  # a real CMS signature


def test_a_tampered_byte_breaks_the_seal(world):
    letter = issue_decision_letter(decided(world), world.caseworker)
    tampered = bytearray(letter.pdf)
    tampered[len(tampered) // 4] ^= 0x01  # inside the first revision, covered by the seal

    status = signature_status(bytes(tampered))

    assert not status.intact
    assert not status.bottom_line


def test_the_stored_bytes_are_the_sealed_bytes_downloaded(world, client, auth):
    application = decided(world)
    letter = issue_decision_letter(application, world.caseworker)
    db.session.commit()
    auth.login(world.employee)

    response = client.get(f"/breve/{letter.id}/hent")

    assert response.status_code == 200
    assert response.data == letter.pdf
    assert signature_status(response.data).bottom_line


def test_the_letter_prints_its_code_and_a_qr_code_to_the_verification_page(world):
    letter = issue_decision_letter(decided(world), world.caseworker)

    text = text_of(letter)
    code = verification.shown(letter.verification_code)
    assert code in text
    assert f"grants.test/bekraeft-brev/{code}" in text.replace(" ", "")
    assert "Brevets ægthed" in text
    assert letter.parameters["verification"]["code"] == code


def test_an_english_letter_is_sealed_and_links_to_the_english_page(world):
    world.employee.locale = "en"
    letter = issue_decision_letter(decided(world), world.caseworker)

    text = text_of(letter)
    code = verification.shown(letter.verification_code)
    assert letter.language == "en"
    assert "authentic" in text
    assert code in text
    assert letter.parameters["verification"]["url"].endswith(f"/bekraeft-brev/{code}?sprog=en")
    assert signature_status(letter.pdf).bottom_line


def test_codes_are_unique_typable_and_read_back_as_typed(app):
    codes = {verification.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 10 and set(code) <= set(verification.ALPHABET)
        assert verification.normalise(verification.shown(code).lower()) == code
    assert verification.normalise("abcde-fghio") == "ABCDEFGH10"
    assert verification.normalise("ABCDE-1234") is None
    assert verification.normalise("ABCDE-1234!") is None


# The public verification page ---------------------------------------------------------


def test_the_page_says_an_authentic_letter_is_authentic_and_nothing_of_the_case(world, client):
    application = decided(world)
    letter = issue_decision_letter(application, world.caseworker)
    db.session.commit()

    response = client.get(f"/bekraeft-brev/{verification.shown(letter.verification_code)}")

    assert response.status_code == 200
    main = html.text_of(response)
    assert "Brevet er ægte" in main
    assert "Ballerup Kommune" in main
    assert "Afgørelsesbrev" in main
    assert "men erstattet" not in main
    # Nothing else of the case: no names, no amounts, no case number, no title.
    for secret in (
        world.employee.name,
        world.caseworker.name,
        application.case_number,
        application.title,
        "8.000",
        "kr.",
    ):
        assert secret not in main, secret
    # No session for an anonymous visitor, nothing cached or indexed.
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_a_code_typed_in_lower_case_with_spaces_finds_the_letter(world, client):
    letter = issue_decision_letter(decided(world), world.caseworker)
    db.session.commit()
    typed = " " + verification.shown(letter.verification_code).lower().replace("-", " ") + " "

    response = client.get("/bekraeft-brev", query_string={"code": typed})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/bekraeft-brev/{verification.shown(letter.verification_code)}"
    )
    assert "Set-Cookie" not in response.headers


def test_an_unknown_code_is_not_found_and_says_only_that(world, client):
    issue_decision_letter(decided(world), world.caseworker)
    db.session.commit()

    response = client.get("/bekraeft-brev/ABCDE-12345")

    assert response.status_code == 404
    assert "Ingen brev har denne kode" in html.text_of(response)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Skriv koden fra brevet."), ("ABC", "En kode har 10 tegn")],
)
def test_bad_input_on_the_form_is_shown_next_to_the_field(app, client, typed, message):
    response = client.get("/bekraeft-brev", query_string={"code": typed})

    assert response.status_code == 422
    assert message in (html.field_error(response, "code") or "")
    assert html.summary_errors(response)


def test_the_page_in_english(world, client):
    world.employee.locale = "en"
    letter = issue_decision_letter(decided(world), world.caseworker)
    db.session.commit()

    response = client.get(letter.parameters["verification"]["url"])

    assert response.status_code == 200
    page = html.page(response)
    assert page.find("html")["lang"] == "en"
    assert "The letter is authentic" in html.text_of(response)
    assert "Set-Cookie" not in response.headers
    unknown = client.get("/bekraeft-brev/ABCDE-12345?sprog=en")
    assert "No letter has this code" in html.text_of(unknown)


def test_the_page_of_a_replaced_letter_says_it_was_replaced_and_when(world, client):
    application = decided(world, Outcome.PARTLY_GRANTED, "5000", PARTIAL_REASONS)
    first = issue_decision_letter(application, world.caseworker)
    application.outcome = Outcome.GRANTED
    application.granted_amount = 8000
    second = issue_decision_letter(application, world.caseworker, replaces=first)
    db.session.commit()

    old = client.get(f"/bekraeft-brev/{verification.shown(first.verification_code)}")
    new = client.get(f"/bekraeft-brev/{verification.shown(second.verification_code)}")

    assert old.status_code == new.status_code == 200
    assert "Brevet er ægte, men erstattet" in html.text_of(old)
    assert "En senere afgørelse af" in html.text_of(old)
    assert "men erstattet" not in html.text_of(new)
    # Both letters stay, each sealed, the second a new edition.
    assert (first.edition, second.edition) == (1, 2)
    assert first.replaced_by_id == second.id
    assert signature_status(first.pdf).bottom_line and signature_status(second.pdf).bottom_line
