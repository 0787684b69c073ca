"""The seal stamped by a timestamp authority (RFC 3161; PAdES B-T) when one is configured:
against a real RFC 3161 responder over HTTP on loopback (tests/letters/tsa.py), the token
checked by pyHanko's own validator. Without one the letters are sealed as before (B-B); an
authority that does not answer refuses the decision, and nothing changes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from grants.applications.operations import decide
from grants.budgets.models import BudgetEntry
from grants.cases.states import State
from grants.core.errors import DomainError
from grants.extensions import db
from grants.letters import seal, verification
from grants.letters.models import Letter
from grants.letters.operations import issue_decision_letter
from grants.workflow.models import JournalEntry
from tests import html
from tests.confirming import decide as decide_on_the_page
from tests.factories import make_application
from tests.letters.test_decision_letter import decided
from tests.letters.test_seal import validation_context
from tests.letters.tsa import TimestampAuthority


@pytest.fixture
def tsa(app):
    with TimestampAuthority() as authority:
        app.config.update(LETTER_SEAL_TIMESTAMP_URL=authority.url)
        yield authority
    app.config.update(LETTER_SEAL_TIMESTAMP_URL="")


def status_of(pdf: bytes, tsa: TimestampAuthority | None):
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    stamps = ValidationContext(trust_roots=[tsa.certificate]) if tsa else None
    # Made here, in the app's context: after the browser tests the seal's runner works on a
    # thread of its own (Playwright's loop runs in this one), which has no app context.
    context = validation_context()
    return seal.run_to_end(
        lambda: async_validate_pdf_signature(signature, context, ts_validation_context=stamps)
    )


def test_the_seal_carries_the_authoritys_timestamp_and_the_validator_trusts_it(world, tsa):
    before = dt.datetime.now(dt.UTC)
    letter = issue_decision_letter(decided(world), world.caseworker)

    status = status_of(letter.pdf, tsa)

    assert status.bottom_line  # the seal itself: intact, valid, trusted
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    assert before - dt.timedelta(seconds=5) <= stamp.timestamp <= dt.datetime.now(dt.UTC)
    assert "Testtidsstempel" in stamp.signing_cert.subject.human_friendly
    # One request per letter (the room for the token set aside, not measured by asking),
    # for the signature's value, with SHA-256 and a nonce.
    (request,) = tsa.requests
    assert request["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert request["nonce"].native is not None
    (signature,) = PdfFileReader(io.BytesIO(letter.pdf)).embedded_signatures
    size = len(cms.ContentInfo.load(signature.pkcs7_content, strict=False).dump())
    room = seal.TIMESTAMPED_SIGNATURE_BYTES // 2  # pyHanko counts the room in hex digits
    print(f"timestamped signature: {size} bytes of DER, room for {room}")
    assert size < room


def test_without_an_authority_the_seal_has_no_timestamp_and_still_validates(world, app):
    assert not app.config.get("LETTER_SEAL_TIMESTAMP_URL")
    letter = issue_decision_letter(decided(world), world.caseworker)

    status = status_of(letter.pdf, None)

    assert status.bottom_line
    assert status.timestamp_validity is None


def test_the_verification_page_answers_for_a_stamped_letter(world, tsa, client):
    letter = issue_decision_letter(decided(world), world.caseworker)
    db.session.commit()

    page = client.get(f"/bekraeft-brev/{verification.shown(letter.verification_code)}")

    assert page.status_code == 200
    assert "Brevet er ægte" in html.text_of(page)


def test_an_authority_that_does_not_answer_refuses_the_decision_and_nothing_changes(world, tsa):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    entries = db.session.scalar(select(func.count()).select_from(BudgetEntry))
    tsa.refusing = True

    with pytest.raises(DomainError, match="tidsstemples"):
        decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    db.session.rollback()

    db.session.refresh(application)
    assert application.state == State.AWAITING_DECISION
    assert db.session.scalar(select(func.count()).select_from(BudgetEntry)) == entries
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0

    tsa.refusing = False  # back: the same decision goes through, stamped
    decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    db.session.commit()
    (letter,) = db.session.scalars(select(Letter)).all()
    assert status_of(letter.pdf, tsa).timestamp_validity.valid


def test_an_authority_that_is_gone_is_said_on_the_decision_page(world, app, client, auth):
    with TimestampAuthority() as gone:
        url = gone.url
    app.config.update(LETTER_SEAL_TIMESTAMP_URL=url, LETTER_SEAL_TIMESTAMP_TIMEOUT=2)
    try:
        application = make_application(world.employee, world.fund, state="awaiting_decision")
        db.session.commit()
        auth.login(world.caseworker)

        response = decide_on_the_page(client, application.id, action="grant")

        assert response.status_code == 422
        assert "tidsstemplingstjenesten ikke svarede" in html.page_text(response)
        db.session.refresh(application)
        assert application.state == State.AWAITING_DECISION
    finally:
        app.config.update(LETTER_SEAL_TIMESTAMP_URL="", LETTER_SEAL_TIMESTAMP_TIMEOUT=10)


def _journal_rows(client, application) -> list[list[str]]:
    return html.table_rows(
        client.get(f"/ansoegninger/{application.id}"),
        "section[aria-labelledby=journal-heading] table",
    )


def test_by_default_a_stopped_authority_makes_the_decision_wait(world, app):
    assert app.config["LETTER_SEAL_TIMESTAMP_WHEN_DOWN"] == "wait"
    with TimestampAuthority() as authority:
        app.config.update(LETTER_SEAL_TIMESTAMP_URL=authority.url, LETTER_SEAL_TIMESTAMP_TIMEOUT=2)
    # Stopped: nothing listens at its address any more.
    try:
        application = make_application(world.employee, world.fund, state="awaiting_decision")
        db.session.commit()

        with pytest.raises(DomainError, match="tidsstemples"):
            decide(application, world.caseworker, "grant", None, "")
        db.session.rollback()

        db.session.refresh(application)
        assert application.state == State.AWAITING_DECISION
        assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    finally:
        app.config.update(LETTER_SEAL_TIMESTAMP_URL="", LETTER_SEAL_TIMESTAMP_TIMEOUT=10)


def test_a_municipality_may_seal_without_the_timestamp_and_the_journal_says_so(
    world, app, client, auth
):
    app.config["LETTER_SEAL_TIMESTAMP_WHEN_DOWN"] = "seal"
    with TimestampAuthority() as authority:
        app.config.update(LETTER_SEAL_TIMESTAMP_URL=authority.url, LETTER_SEAL_TIMESTAMP_TIMEOUT=2)
    try:
        application = make_application(world.employee, world.fund, state="awaiting_decision")
        db.session.commit()

        decide(application, world.caseworker, "grant", None, "")
        db.session.commit()

        (letter,) = db.session.scalars(select(Letter)).all()
        status = status_of(letter.pdf, None)
        assert status.bottom_line  # sealed, intact and trusted
        assert status.timestamp_validity is None  # but not stamped
        assert db.session.get(type(application), application.id).state != (State.AWAITING_DECISION)
        auth.login(world.caseworker)
        rows = _journal_rows(client, application)
        (row,) = [r for r in rows if r[2] == "Brev forseglet uden tidsstempel"]
        assert row[1] == "Systemet"
        assert row[4].startswith(f"{letter.filename} er forseglet uden tidsstempel")
        client.post("/sprog", data={"locale": "en"})
        rows = _journal_rows(client, application)
        (row,) = [r for r in rows if r[2] == "Letter sealed without a timestamp"]
        assert row[4].startswith(f"{letter.filename} was sealed without a timestamp")
        # The applicant's view of the case does not show it.
        auth.login(world.employee)
        assert not [r for r in _journal_rows(client, application) if "tidsstempel" in r[2]]
    finally:
        app.config.update(
            LETTER_SEAL_TIMESTAMP_URL="",
            LETTER_SEAL_TIMESTAMP_TIMEOUT=10,
            LETTER_SEAL_TIMESTAMP_WHEN_DOWN="wait",
        )


def test_sealing_without_the_timestamp_is_only_when_the_authority_is_down(world, app, tsa):
    app.config["LETTER_SEAL_TIMESTAMP_WHEN_DOWN"] = "seal"
    try:
        application = decided(world)
        letter = issue_decision_letter(application, world.caseworker)
        db.session.commit()
        assert status_of(letter.pdf, tsa).timestamp_validity.valid
        entries = db.session.scalars(
            select(JournalEntry).where(
                JournalEntry.application_id == application.id,
                JournalEntry.action == "letter_sealed_without_timestamp",
            )
        ).all()
        assert entries == []
    finally:
        app.config["LETTER_SEAL_TIMESTAMP_WHEN_DOWN"] = "wait"
