"""A letter is in its recipient's language throughout: an English letter has no Danish
fixed text (the catalogue's Danish strings, the standard letter texts, common Danish
words), a Danish letter no English one; a fund's letter texts and the municipality's
complaint guidance are kept per language (issue 15, point 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from grants.core.models import Municipality
from grants.extensions import db
from grants.letters import texts
from grants.letters.models import Letter, LetterText
from tests.html import field_errors, page_text
from tests.letters.kinds import decision_case, every_letter, letters_of, pdf_text

PO = Path(__file__).resolve().parents[2] / "grants/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|\{%.*?%\}")
DANISH_WORDS = re.compile(
    r"\b(og|ikke|til|af|du|vi|på|med|skal|har|rejsen|tilskud\w*|Husk|støtter|desværre|"
    r"endelige|ansøg\w*|betal\w*|Sagsbehandler|Afgjort|Kære|hilsen)\b"
)
ENGLISH_WORDS = re.compile(
    r"\b(the|and|you|your|grant|trip|must|Caseworker|Decided|Dear|Yours|sincerely)\b"
)


def _fragments(text: str) -> list[str]:
    """A message's fixed parts between placeholders, long enough to be its own words."""
    parts = (part.strip(" .,:;»«“”()") for part in PLACEHOLDER.split(text))
    return [part for part in parts if len(part) >= 14]


def _catalogue() -> list[tuple[str, str]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return [
        (m.id, m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string != m.id
    ]


def _case_values(parameters: dict) -> list[str]:
    """What the case wrote (names, titles, reasons, places): not the letter's language."""
    found = []
    recipient = parameters.get("recipient", {})
    found += [recipient.get(k, "") for k in ("name", "contact", "address", "department")]
    found += [parameters.get("fund", {}).get("name", ""), parameters.get("reasons", "")]
    trip = parameters.get("trip", {})
    found += [trip.get("title", ""), trip.get("destination_city", "")]
    for person in ("caseworker", "decider"):
        found += [(parameters.get(person) or {}).get(k, "") for k in ("name", "title")]
    m = parameters.get("municipality", {})
    found += [m.get(k, "") for k in ("name", "unit", "address", "letterhead")]
    subsidy = parameters.get("subsidy") or {}
    found.append(subsidy.get("dispensation_reason", ""))
    found.append(((subsidy.get("calculation") or {}).get("rule_set") or {}).get("name", ""))
    for line in (parameters.get("recalculation") or {}).get("lines", []):
        found.append(line.get("label", ""))
    return sorted((value for value in found if value), key=len, reverse=True)


def _letter_words(letter: Letter) -> str:
    text = pdf_text(letter.pdf)
    for value in _case_values(letter.parameters):
        text = text.replace(" ".join(value.split()), " ")
    return text


@pytest.fixture
def english_letters(world, youth, move_clock):
    return every_letter(world, youth, move_clock, "en")


@pytest.mark.once  # words, not the database: every kind is issued on PostgreSQL in test_kinds
def test_an_english_letter_has_no_danish_fixed_text(english_letters):
    danish = [fragment for msgid, _en in _catalogue() for fragment in _fragments(msgid)]
    danish += [f for body in texts.DEFAULT_TEXTS.values() for f in _fragments(body)]
    assert len(danish) > 500
    for name, letter in english_letters.items():
        if letter.kind == "report":
            continue  # the report is the municipality's published document, in Danish
        assert letter.language == "en"
        text = _letter_words(letter)
        found = [fragment for fragment in danish if fragment in text]
        assert found == [], (name, found)
        assert DANISH_WORDS.findall(text) == [], (name, DANISH_WORDS.findall(text), text)


@pytest.mark.once  # words, not the database: every kind is issued on PostgreSQL in test_kinds
def test_a_danish_letter_has_no_english_fixed_text(world, youth, move_clock):
    letters = every_letter(world, youth, move_clock, "da")
    english = [fragment for _da, msgstr in _catalogue() for fragment in _fragments(msgstr)]
    english += [f for body in texts.DEFAULT_TEXTS_EN.values() for f in _fragments(body)]
    for name, letter in letters.items():
        text = _letter_words(letter)
        found = [fragment for fragment in english if fragment in text]
        assert found == [], (name, found)
        assert ENGLISH_WORDS.findall(text) == [], (name, ENGLISH_WORDS.findall(text))


def test_a_funds_own_text_is_kept_per_language(world):
    texts.add_text(world.fund, "granted", "Dansk tekst til {{ ansoeger }}.", language="da")
    db.session.commit()
    world.employee.locale = "en"
    db.session.commit()
    english = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    assert "Dansk tekst" not in english
    assert "supports the trip" in english  # the standard English text

    own = texts.add_text(world.fund, "granted", "Our own words for {{ ansoeger }}.", language="en")
    db.session.commit()
    (letter,) = letters_of(decision_case(world, "grant"), "decision")
    assert "Our own words for Mette Madsen." in pdf_text(letter.pdf)
    assert letter.text_id == own.id and own.version == 1  # its own versions

    world.employee.locale = "da"
    db.session.commit()
    danish = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    assert "Dansk tekst til Mette Madsen." in danish and "Our own words" not in danish


def test_a_letter_issued_before_texts_had_languages_is_unchanged(world, client, auth):
    (letter,) = letters_of(decision_case(world, "grant"), "decision")
    before = letter.pdf
    db.session.execute(LetterText.__table__.update().values(language="da"))
    texts.add_text(world.fund, "granted", "A newer English text.", language="en")
    db.session.commit()
    auth.login(world.employee)
    response = client.get(f"/breve/{letter.id}/hent")
    assert response.status_code == 200 and response.data == before


def test_the_complaint_guidance_follows_the_letters_language(world):
    municipality = Municipality.current()
    municipality.complaint_guidance = "Klag til Byrådet inden fire uger."
    db.session.commit()
    world.employee.locale = "en"
    db.session.commit()
    text = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    assert "Klag til Byrådet" not in text
    assert "Parliamentary Ombudsman" in text  # the standard English guidance

    municipality.complaint_guidance_en = "Complain to the City Council within four weeks."
    db.session.commit()
    text = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    assert "Complain to the City Council within four weeks." in text

    world.employee.locale = "da"
    db.session.commit()
    text = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    assert "Klag til Byrådet inden fire uger." in text and "City Council" not in text


def test_every_standard_text_exists_in_every_language_and_renders(app):
    for language, standard in texts.STANDARD_TEXTS.items():
        assert set(standard) == set(texts.OUTCOMES), language
        for body in standard.values():
            assert texts.render(body, {"rejse": "X", "pulje": "P"})


def _versions(fund, language):
    return db.session.scalars(
        select(LetterText.version).where(
            LetterText.fund_id == fund.id, LetterText.language == language
        )
    ).all()


def test_the_administrator_writes_the_english_text(world, client, auth):
    auth.login(world.admin)
    url = f"/administration/puljer/{world.fund.id}/breve/granted?language=en"
    page = client.get(url).get_data(as_text=True)
    assert "Du redigerer den engelske tekst." in page_text(page)
    assert "supports the trip" in page_text(page)  # the English standard text to start from
    response = client.post(url, data={"body": "We support {{ rejse }}.", "intent": "save"})
    assert response.status_code == 302
    assert _versions(world.fund, "en") == [1]
    assert _versions(world.fund, "da") == []


@pytest.mark.parametrize("body", ["", "{{ ukendt }}", "{{ rejse.__class__ }}"])
def test_a_bad_english_text_is_refused_and_nothing_is_saved(world, client, auth, body):
    auth.login(world.admin)
    url = f"/administration/puljer/{world.fund.id}/breve/granted?language=en"
    response = client.post(url, data={"body": body, "intent": "save"})
    assert response.status_code == 422
    assert field_errors(response)
    assert _versions(world.fund, "en") == []


def test_an_unknown_language_is_not_found_and_others_are_refused(world, client, auth):
    auth.login(world.admin)
    base = f"/administration/puljer/{world.fund.id}/breve/granted"
    assert client.get(f"{base}?language=xx").status_code == 404
    assert client.post(f"{base}?language=xx", data={"body": "x"}).status_code == 404
    auth.logout()
    auth.login(world.caseworker)
    response = client.post(f"{base}?language=en", data={"body": "x", "intent": "save"})
    assert response.status_code == 403
    assert _versions(world.fund, "en") == []


NEW_FACTS = ("decider", "trip_started", "budget_short", "public_trips_url")


def test_the_facts_of_a_letter_made_before_this_change_still_render(world, move_clock):
    """Letters are kept as their PDF; their stored facts, as older versions wrote them
    (no decider, no recipient kind, no refund details), still render in the templates."""
    from flask import render_template
    from flask_babel import force_locale

    from tests.letters.kinds import settled_case

    application = settled_case(world, move_clock, paid=7500, costs={"transport": "5000"})
    for letter in letters_of(application, "decision") + letters_of(application, "settlement"):
        facts = {k: v for k, v in letter.parameters.items() if k not in NEW_FACTS}
        facts["recipient"] = {k: v for k, v in facts["recipient"].items() if k != "kind"}
        facts["fund"] = {k: v for k, v in facts["fund"].items() if k != "kind"}
        facts["municipality"] = {
            k: v
            for k, v in facts["municipality"].items()
            if not k.startswith("refund_") and k != "complaint_guidance_en"
        }
        with force_locale("da"):
            html = render_template(letter.template, letter=facts, language="da")
        assert "Sara Skov" in html and "Kære Mette Madsen" in html
        assert "kr.." not in html


def test_a_decision_for_an_english_applicant_is_confirmed_with_the_fund_s_danish_text(
    world, client, auth
):
    """The confirmation compares the letter text the decider was shown (the applicant's
    language) with the one the letter will use: a Danish text does not stop it."""
    from tests.confirming import confirm
    from tests.factories import make_application

    texts.add_text(world.fund, "granted", "Dansk tekst.", language="da")
    world.employee.locale = "en"
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert application.state == "granted"
    (letter,) = letters_of(application, "decision")
    assert letter.language == "en" and letter.text_id is None
    assert "Dansk tekst" not in pdf_text(letter.pdf)
