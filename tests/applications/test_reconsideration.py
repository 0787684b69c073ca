"""Reconsideration (genoptagelse): the applicant asks, the decider decides again, the new
letter replaces the old one, and the ledger moves by exactly the difference."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from grants.applications.operations import decide, request_reconsideration
from grants.budgets.balances import application_money
from grants.cases.states import State
from grants.core.errors import DomainError, NotAllowed
from grants.extensions import db
from grants.letters.verification import shown
from tests import html
from tests.applications.helpers import available, decisions, journal_actions, partly_granted
from tests.factories import make_application, make_fund

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASONS = "Programmet er udvidet med et besøg, som ikke var med i ansøgningen."


@pytest.fixture
def partly(world):
    """A case granted 5.000 of 8.000 kr. by the caseworker."""
    return partly_granted(world)


def test_a_reconsideration_that_raises_the_grant_moves_the_ledger_by_the_difference(world, partly):
    before = available(partly)
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    assert partly.state == State.RECONSIDERATION

    decide(partly, world.caseworker, "grant", None, "")
    db.session.commit()

    assert partly.state == State.GRANTED
    assert application_money(partly).granted == Decimal(8000)
    assert available(partly) == before - Decimal(3000)
    first, second = decisions(partly)
    assert first.replaced_by_id == second.id and second.replaced_by_id is None
    assert first.replaced_at is not None
    assert (first.edition, second.edition) == (1, 2)
    assert first.pdf and second.pdf  # both stay in the case file


def test_a_reconsideration_that_lowers_the_grant_gives_the_difference_back(world, partly):
    before = available(partly)
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)

    decide(partly, world.caseworker, "grant_part", Decimal(2000), "Opholdet er kortere.")
    db.session.commit()

    assert partly.state == State.PARTLY_GRANTED
    assert application_money(partly).granted == Decimal(2000)
    assert available(partly) == before + Decimal(3000)


def test_raise_then_lower_each_leaves_the_balance_right(world, partly):
    start = available(partly)
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    decide(partly, world.caseworker, "grant", None, "")
    db.session.commit()
    assert available(partly) == start - Decimal(3000)

    request_reconsideration(partly, world.employee, "request_reconsideration", "Igen.")
    decide(partly, world.caseworker, "refuse", None, "Rejsen er aflyst.")
    db.session.commit()
    assert available(partly) == start + Decimal(5000)
    assert application_money(partly).granted == Decimal(0)
    assert [letter.edition for letter in decisions(partly)] == [1, 2, 3]


def test_a_raise_above_what_is_available_is_refused_and_nothing_changes(world):
    poor = make_fund(code="lille", name="Lille pulje", budget=6000)
    application = make_application(world.employee, poor, state="awaiting_decision")
    decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    request_reconsideration(application, world.employee, "request_reconsideration", REASONS)
    db.session.commit()

    with pytest.raises(DomainError, match="kun 1.000,00 kr. til rådighed"):
        decide(application, world.caseworker, "grant", None, "")
    db.session.rollback()

    assert application.state == State.RECONSIDERATION
    assert application_money(application).granted == Decimal(5000)
    assert len(decisions(application)) == 1


def test_the_board_reconsiders_what_is_above_the_delegated_limit(world):
    application = make_application(
        world.employee, world.fund, state="awaiting_decision", amount=20000
    )
    decide(application, world.board_member, "grant_part", Decimal(16000), "Delvist.")
    request_reconsideration(application, world.employee, "request_reconsideration", REASONS)

    with pytest.raises(NotAllowed):
        decide(application, world.caseworker, "grant", None, "")
    decide(application, world.board_member, "grant", None, "")

    assert application_money(application).granted == Decimal(20000)
    assert len(decisions(application)) == 2


def test_who_may_not_ask_or_decide_is_refused(world, partly):
    for person in (world.outsider, world.caseworker, world.manager):
        with pytest.raises(NotAllowed):
            request_reconsideration(partly, person, "request_reconsideration", REASONS)
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    for person in (world.employee, world.outsider, world.finance):
        with pytest.raises(NotAllowed):
            decide(partly, person, "grant", None, "")


def test_reasons_are_required(world, partly):
    with pytest.raises(DomainError):
        request_reconsideration(partly, world.employee, "request_reconsideration", "  ")
    assert partly.state == State.PARTLY_GRANTED


def test_the_journal_shows_the_whole_path_and_the_old_letter_says_it_was_replaced(
    world, partly, client
):
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    decide(partly, world.caseworker, "grant", None, "")
    db.session.commit()

    actions = journal_actions(partly)
    path = [
        action for action in actions if action in ("grant_part", "request_reconsideration", "grant")
    ]
    assert path == ["grant_part", "request_reconsideration", "grant"]
    assert sum("letter" in action for action in actions) == 2  # both letters journalised
    first, second = decisions(partly)
    old = client.get(f"/bekraeft-brev/{shown(first.verification_code)}")
    assert "Brevet er ægte, men erstattet" in html.text_of(old)


def test_the_applicant_asks_from_the_case_page_with_a_document(world, partly, client, auth):
    auth.login(world.employee)
    url = f"/ansoegninger/{partly.id}/genoptagelse"
    page = client.get(f"/ansoegninger/{partly.id}")
    assert url in html.links(page)
    assert client.get(url).status_code == 200

    done = client.post(
        url,
        data={"reasons": REASONS, "documents": [(io.BytesIO(PDF), "nyt-program.pdf")]},
        content_type="multipart/form-data",
    )

    assert done.status_code == 302
    db.session.refresh(partly)
    assert partly.state == State.RECONSIDERATION
    (document,) = [a for a in partly.attachments if a.purpose == "reconsideration_request"]
    assert document.filename == "nyt-program.pdf"
    assert partly.journal[-1].comment == REASONS


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reasons": ""}, "reasons", "Skriv, hvorfor afgørelsen skal genoptages."),
        (
            {"reasons": REASONS, "documents": [(io.BytesIO(b"MZ not a pdf"), "virus.exe")]},
            "documents",
            "",
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(
    world, partly, client, auth, data, field, message
):
    auth.login(world.employee)

    response = client.post(
        f"/ansoegninger/{partly.id}/genoptagelse", data=data, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert message in (html.field_error(response, field) or "")
    assert html.field_error(response, field)
    db.session.refresh(partly)
    assert partly.state == State.PARTLY_GRANTED
    assert not [a for a in partly.attachments if a.purpose == "reconsideration_request"]


@pytest.mark.parametrize("who", ["outsider", "caseworker", "manager"])
def test_others_may_not_open_or_post_the_request(world, partly, client, auth, who):
    auth.login(getattr(world, who))
    url = f"/ansoegninger/{partly.id}/genoptagelse"

    assert client.get(url).status_code in (403, 404)
    assert client.post(url, data={"reasons": REASONS}).status_code in (403, 404)
    db.session.refresh(partly)
    assert partly.state == State.PARTLY_GRANTED


def test_an_english_applicant_gets_the_new_letter_in_english(world, partly):
    world.employee.locale = "en"
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    decide(partly, world.caseworker, "grant", None, "")
    first, second = decisions(partly)
    assert second.language == "en"
    assert second.parameters["verification"]["url"].endswith("?sprog=en")


def test_the_caseworker_decides_again_through_the_decision_page(world, partly, client, auth):
    before = available(partly)
    request_reconsideration(partly, world.employee, "request_reconsideration", REASONS)
    db.session.commit()
    auth.login(world.caseworker)
    url = f"/ansoegninger/{partly.id}/afgoerelse"

    shown_first = client.post(url, data={"action": "grant", "reasons": ""})
    assert shown_first.status_code == 200
    token = html.field_value(shown_first, "confirmation")
    done = client.post(url, data={"confirmation": token})

    assert done.status_code in (302, 303)
    db.session.refresh(partly)
    assert partly.state == State.GRANTED
    assert available(partly) == before - Decimal(3000)
    assert len(decisions(partly)) == 2


def test_a_raise_that_does_not_fit_is_refused_on_the_decision_page(world, client, auth):
    poor = make_fund(code="lille", name="Lille pulje", budget=6000)
    application = make_application(world.employee, poor, state="awaiting_decision")
    decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    request_reconsideration(application, world.employee, "request_reconsideration", REASONS)
    db.session.commit()
    auth.login(world.caseworker)

    response = client.post(
        f"/ansoegninger/{application.id}/afgoerelse", data={"action": "grant", "reasons": ""}
    )

    assert response.status_code == 422
    assert "1.000,00 kr. til rådighed" in html.page_text(response)
    db.session.refresh(application)
    assert application.state == State.RECONSIDERATION
    assert application_money(application).granted == Decimal(5000)


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "locale, words", [("da", "PDF, Word, OpenDocument"), ("en", "PDF, Word, OpenDocument")]
)
def test_the_documents_field_says_which_files_it_takes(world, partly, client, auth, locale, words):
    """The field takes what every document field takes (a Word file too, checked by its
    content), and its hint and the file picker say so, not "PDF or picture" only."""
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.employee)
    url = f"/ansoegninger/{partly.id}/genoptagelse"
    page = client.get(url)
    assert words in (html.field_hint(page, "documents") or "")
    assert ".docx" in html.one(page, "#documents")["accept"]

    done = client.post(
        url,
        data={"reasons": REASONS, "documents": [(io.BytesIO(_docx()), "nyt-program.docx")]},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    db.session.refresh(partly)
    (document,) = [a for a in partly.attachments if a.purpose == "reconsideration_request"]
    assert document.filename == "nyt-program.docx"
