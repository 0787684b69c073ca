"""Letters of a fund with Digital Post go through SF1601 (Serviceplatformen on loopback,
mutual TLS): the MeMo message of each kind of letter read back field by field, the retries
and the fallback after them, the recipient exempt from Digital Post, a person (no CPR
number kept), and the channel and status the caseworker sees on the case."""

from __future__ import annotations

import base64
import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from grants.core import clock
from grants.delivery import memo, operations, sf1601
from grants.delivery.models import Channel, LetterDelivery, Status
from grants.extensions import db
from grants.jobs.models import Job, JobStatus
from grants.jobs.runner import start_pending
from grants.workflow.models import JournalEntry
from tests.delivery.conftest import CVR
from tests.delivery.platform import MUNICIPALITY_CVR
from tests.factories import make_organisation
from tests.html import page as html_page
from tests.html import page_text, table_rows
from tests.letters.kinds import decision_case, letters_of
from tests.reports.helpers import file_report, pay

NS = {"memo": memo.MEMO, "grd": memo.GRD, "kle": memo.KLE}


def _decided(world, action="grant", **overrides):
    application = decision_case(world, action, organisation=world.organisation, **overrides)
    start_pending()  # the jobs the decision made, as the request's commit starts them
    return application


def _memo(received) -> ElementTree.Element:
    request = ElementTree.fromstring(received.body)
    assert request.tag == "kombi_request"
    assert request.findtext("KombiValgKode") == "Digital Post"
    (message,) = request.findall("memo:Message", NS)
    return message


def _journal(application, action):
    return list(
        db.session.scalars(
            db.select(JournalEntry)
            .where(JournalEntry.application_id == application.id, JournalEntry.action == action)
            .order_by(JournalEntry.id)
        )
    )


def test_the_decision_letter_goes_to_the_associations_cvr_as_memo(dp_world, platform):
    application = _decided(dp_world)

    (letter,) = letters_of(application, "decision")
    (received,) = platform.memos()
    # Mutual TLS: the request came with the organisation's certificate, and a bearer token
    # from the access token service, for the municipality's CVR at the STS.
    assert received.client_subject == "Testkommune - Rejsetilskud (FOCES)"
    assert received.headers["authorization"] == "Bearer test-access-token"
    assert received.headers["content-type"] == "application/xml"
    assert re.fullmatch(r"[0-9a-f-]{36}", received.headers["x-transaktionsid"])
    message = _memo(received)
    assert message.get("memoVersion") == "1.2"
    header = message.find("memo:MessageHeader", NS)
    assert header.findtext("memo:messageType", namespaces=NS) == "DIGITALPOST"
    title = f"Afgørelsesbrev {application.case_number}"
    assert header.findtext("memo:label", namespaces=NS) == title
    assert header.findtext("memo:legalNotification", namespaces=NS) == "true"
    sender = header.find("memo:Sender", NS)
    assert sender.findtext("memo:senderID", namespaces=NS) == MUNICIPALITY_CVR
    assert sender.findtext("memo:idType", namespaces=NS) == "CVR"
    assert sender.findtext("memo:label", namespaces=NS) == "Ballerup Kommune"
    recipient = header.find("memo:Recipient", NS)
    assert recipient.findtext("memo:recipientID", namespaces=NS) == CVR
    assert recipient.findtext("memo:idType", namespaces=NS) == "CVR"
    assert recipient.findtext("memo:label", namespaces=NS) == "Ballerup Ungdomsorkester"
    content = header.find("memo:ContentData", NS)
    assert content.findtext("grd:CVRdata/grd:cvrNumber", namespaces=NS) == CVR
    assert content.findtext("memo:CaseID/memo:caseID", namespaces=NS) == application.case_number
    assert content.findtext("kle:KLEdata/kle:subjectKey", namespaces=NS) == "05.10.00"
    assert content.findtext("kle:KLEdata/kle:activityFacet", namespaces=NS) == "G01"
    main = message.find("memo:MessageBody/memo:MainDocument", NS)
    assert main.findtext("memo:label", namespaces=NS) == title
    file = main.find("memo:File", NS)
    assert file.findtext("memo:encodingFormat", namespaces=NS) == "application/pdf"
    assert file.findtext("memo:filename", namespaces=NS) == letter.filename
    assert file.findtext("memo:language", namespaces=NS) == "da"
    assert base64.b64decode(file.findtext("memo:content", namespaces=NS)) == letter.pdf

    delivery = db.session.scalar(db.select(LetterDelivery).filter_by(letter_id=letter.id))
    assert (delivery.channel, delivery.status, delivery.attempts) == (
        Channel.DIGITAL_POST,
        Status.SENT,
        1,
    )
    assert delivery.transaction_id == received.headers["x-transaktionsid"]
    assert delivery.message_uuid == header.findtext("memo:messageUUID", namespaces=NS)
    (entry,) = _journal(application, "digital_post_sent")
    assert entry.details["recipient"] == f"CVR {CVR}"
    assert db.session.scalar(db.select(Job).filter_by(kind="letter_delivery")).status == (
        JobStatus.DONE
    )


def test_the_settlement_letter_goes_the_same_way_in_the_recipients_language(
    dp_world, platform, move_clock
):
    dp_world.employee.locale = "en"
    db.session.commit()
    application = _decided(dp_world, applied=7500)
    pay(application, 7500, dp_world.finance)
    move_clock(application.return_date)
    file_report(application, dp_world.employee, {"transport": "5000"})
    from grants.reports.settlement import settle

    settle(application, dp_world.caseworker)
    db.session.commit()
    start_pending()

    (settlement,) = letters_of(application, "settlement")
    decision_memo, settlement_memo = (_memo(r) for r in platform.memos())
    header = settlement_memo.find("memo:MessageHeader", NS)
    assert header.findtext("memo:label", namespaces=NS) == (
        f"Settlement letter {application.case_number}"
    )
    assert header.findtext("memo:Recipient/memo:recipientID", namespaces=NS) == CVR
    file = settlement_memo.find("memo:MessageBody/memo:MainDocument/memo:File", NS)
    assert file.findtext("memo:language", namespaces=NS) == "en"
    assert base64.b64decode(file.findtext("memo:content", namespaces=NS)) == settlement.pdf
    # The approved report is the municipality's own record: it is not sent to anyone.
    assert len(platform.memos()) == 2
    assert not db.session.scalar(
        db.select(LetterDelivery).filter_by(letter_id=letters_of(application, "report")[0].id)
    )


def test_a_failure_is_tried_again_and_the_journal_says_each(dp_world, platform):
    platform.failures = 2  # the third attempt (DIGITAL_POST_ATTEMPTS) gets through

    application = _decided(dp_world)

    delivery = db.session.scalar(db.select(LetterDelivery))
    assert (delivery.status, delivery.attempts) == (Status.SENT, 3)
    failed = _journal(application, "digital_post_attempt_failed")
    assert [e.details["attempt"] for e in failed] == [1, 2]
    assert "HTTP 503" in failed[0].details["error"]
    # The same message each time, by its UUID: the platform takes a message once.
    uuids = {
        _memo(r).findtext("memo:MessageHeader/memo:messageUUID", namespaces=NS)
        for r in platform.memos()
    }
    assert uuids == {delivery.message_uuid}
    assert len(_journal(application, "digital_post_sent")) == 1


def test_after_the_last_failure_the_letter_goes_as_a_secure_link(dp_world, platform, inbox, client):
    platform.failures = 10

    application = _decided(dp_world)

    (letter,) = letters_of(application, "decision")
    delivery = db.session.scalar(db.select(LetterDelivery))
    assert (delivery.channel, delivery.status, delivery.reason) == (
        Channel.EMAIL,
        Status.EMAILED,
        operations.FAILED,
    )
    assert delivery.attempts == 3
    assert len(platform.memos()) == 3
    (entry,) = _journal(application, "letter_emailed")
    assert entry.details["reason"] == operations.FAILED
    mails = [m for m in inbox.take() if "Brev i sag" in m["Subject"]]
    (mail,) = mails
    assert mail["To"] == dp_world.employee.email
    url = re.search(r"https?://\S+/brev/\S+", mail.get_content()).group(0)
    # The link gives the letter's bytes to whoever holds it, without a login.
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == letter.pdf
    assert response.headers["Cache-Control"] == "no-store"
    assert len(_journal(application, "letter_opened_by_link")) == 1
    client.get(url)
    assert len(_journal(application, "letter_opened_by_link")) == 1  # the first opening
    # Only the token's hash is kept.
    assert url.rsplit("/", 1)[1] not in (delivery.link_hash or "")


def test_the_secure_link_expires_and_a_guessed_one_opens_nothing(
    dp_world, platform, inbox, client, monkeypatch
):
    platform.failures = 10
    application = _decided(dp_world)
    (mail,) = [m for m in inbox.take() if "Brev i sag" in m["Subject"]]
    url = re.search(r"https?://\S+/brev/\S+", mail.get_content()).group(0)

    assert client.get(url[:-3] + "xyz").status_code == 404
    later = clock.now() + dt.timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.get(url)
    assert response.status_code == 410
    assert "Linket er udløbet" in page_text(response)
    assert not _journal(application, "letter_opened_by_link")


def test_an_expired_link_says_so_in_the_letters_language(
    dp_world, platform, inbox, client, monkeypatch
):
    """The e-mail and the letter were in English, and the page behind the link, once it
    had expired, in Danish: the reader who followed it has no session of their own."""
    dp_world.employee.locale = "en"
    db.session.commit()
    platform.failures = 10
    application = _decided(dp_world)
    (letter,) = letters_of(application, "decision")
    assert letter.language == "en"
    (mail,) = [m for m in inbox.take() if "Letter in case" in m["Subject"]]
    url = re.search(r"https?://\S+/brev/\S+", mail.get_content()).group(0)

    later = clock.now() + dt.timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.get(url)
    assert response.status_code == 410
    assert html_page(response).html["lang"] == "en"
    assert "The link has expired" in page_text(response)
    assert "Linket" not in page_text(response)


def test_an_exempt_recipient_gets_the_letter_on_paper_when_the_municipality_prints(
    dp_world, platform, app, client, auth
):
    app.config["DIGITAL_POST_FALLBACK"] = "print"
    platform.exempt.add(CVR)

    application = _decided(dp_world)

    assert platform.memos() == []  # asked PostForespoerg first, sent nothing
    delivery = db.session.scalar(db.select(LetterDelivery))
    assert (delivery.channel, delivery.status, delivery.reason) == (
        Channel.PRINT,
        Status.TO_PRINT,
        operations.EXEMPT,
    )
    # The secretariat's list of letters to print, and the case page, say so.
    auth.login(dp_world.caseworker)
    header, *rows = table_rows(client.get("/breve/til-print"))
    assert len(rows) == 1 and rows[0][0] == application.case_number
    assert rows[0][2:4] == ["Ballerup Ungdomsorkester", "Modtageren er fritaget for Digital Post"]
    case_rows = table_rows(
        client.get(f"/ansoegninger/{application.id}"),
        "section[aria-labelledby=delivery-heading] table",
    )
    assert case_rows[1][:2] == ["Afgørelsesbrev", "Print"]
    assert case_rows[1][2].startswith("Skal printes og sendes")
    response = client.post(f"/breve/til-print/{delivery.id}")
    assert response.status_code == 302
    assert db.session.get(LetterDelivery, delivery.id).status == Status.PRINTED
    assert len(_journal(application, "letter_printed")) == 1
    assert "Der er ingen breve, der venter" in page_text(client.get("/breve/til-print"))
    # Twice is refused, and nothing changes.
    response = client.post(f"/breve/til-print/{delivery.id}")
    assert response.status_code == 422
    assert len(_journal(application, "letter_printed")) == 1


def test_only_the_secretariat_prints(dp_world, client, auth):
    for person in (dp_world.employee, dp_world.finance, dp_world.board_member):
        auth.login(person)
        assert client.get("/breve/til-print").status_code == 403


def test_a_person_is_not_reached_without_a_cpr_number(dp_world, platform, inbox):
    application = decision_case(dp_world, "grant")  # the employee's own case: no CVR
    start_pending()

    delivery = db.session.scalar(db.select(LetterDelivery))
    assert (delivery.channel, delivery.reason) == (Channel.EMAIL, operations.PERSON)
    assert platform.received == []
    assert [m["To"] for m in inbox.take() if "Brev i sag" in m["Subject"]] == [
        dp_world.employee.email
    ]
    (entry,) = _journal(application, "letter_emailed")
    assert entry.details["reason"] == operations.PERSON


def test_a_fund_without_digital_post_sends_nothing(world, platform):
    decision_case(world, "grant", organisation=make_organisation(world.employee, cvr=CVR))
    start_pending()
    assert db.session.scalar(db.select(LetterDelivery)) is None
    assert platform.received == []


def test_a_client_certificate_from_another_ca_is_refused(dp_world, platform, certificates, app):
    settings = sf1601.Settings.from_config()
    stranger = sf1601.Client(
        sf1601.Settings(**{**settings.__dict__, "certificate": str(certificates.stranger)})
    )
    with pytest.raises(sf1601.DigitalPostError):
        stranger.token(sf1601.SEND_ENTITY)
    assert platform.received == []


def test_the_memo_message_to_a_person_names_the_cpr_number():
    letter = memo.Letter(
        title="Afgørelsesbrev 2026-000001",
        case_number="2026-000001",
        filename="afgoerelse-2026-000001.pdf",
        language="da",
        pdf=b"%PDF-1.7 test",
    )
    message = memo.message(
        memo.Party(MUNICIPALITY_CVR, memo.CVR, "Ballerup Kommune"),
        memo.Party("0101701234", memo.CPR, "Mette Madsen"),
        letter,
    )
    parsed = ElementTree.fromstring(ElementTree.tostring(message))
    header = parsed.find("memo:MessageHeader", NS)
    assert header.findtext("memo:Recipient/memo:recipientID", namespaces=NS) == "0101701234"
    assert header.findtext("memo:Recipient/memo:idType", namespaces=NS) == "CPR"
    assert header.findtext("memo:ContentData/grd:CPRdata/grd:cprNumber", namespaces=NS) == (
        "0101701234"
    )
    assert header.find("memo:ContentData/kle:KLEdata", NS) is None  # no KLE number given
