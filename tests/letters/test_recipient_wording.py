"""Conditions and wording follow the recipient and the fund: an association gets the money
on its NemKonto and reports for its group; a person on their own NemKonto, sharing what
they learnt (issue 15, point 16)."""

from __future__ import annotations

import pytest

from grants.extensions import db
from grants.reports.settlement import settle
from tests.letters.kinds import decision_case, letters_of, pdf_text
from tests.reports.helpers import file_report, granted_youth_case, pay, youth_application

PERSONAL = {
    "da": ["din NemKonto", "deler din viden", "du har beskrevet", "Når du tager imod"],
    "en": ["your NemKonto", "share your knowledge", "you described", "When you accept"],
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_associations_grant_is_written_to_the_association(world, youth, language):
    youth["frida"].locale = language
    db.session.commit()
    text = pdf_text(letters_of(granted_youth_case(world, youth), "decision")[0].pdf)

    for phrase in PERSONAL[language]:
        assert phrase not in text, phrase
    expected = {
        "da": [
            "Ballerup Ungdomsorkester får tilskud.",
            "Når I tager imod tilskuddet",
            "NemKonto for Ballerup Ungdomsorkester, før I rejser",
            "hvad de unge lavede sammen med de unge, I besøgte",
            "børn og unge nævnes aldrig ved navn",
            "sender vi jer en påmindelse",
        ],
        "en": [
            "Ballerup Ungdomsorkester will receive a grant.",
            "When your organisation accepts the grant",
            "NemKonto of Ballerup Ungdomsorkester before the group travels",
            "what the young people did together",
            "never named",
        ],
    }[language]
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_persons_grant_is_written_to_the_person(world, language):
    world.employee.locale = language
    db.session.commit()
    text = pdf_text(letters_of(decision_case(world, "grant"), "decision")[0].pdf)
    for phrase in PERSONAL[language]:
        assert phrase in text, phrase
    assert "NemKonto for" not in text and "NemKonto of" not in text


def test_an_associations_settlement_pays_and_claims_from_the_association(world, youth, move_clock):
    application = granted_youth_case(world, youth)
    pay(application, 7000, world.finance)
    move_clock(application.return_date)
    file_report(
        application, youth["frida"], {"transport": "20000"}, actual_young=10, actual_leaders=2
    )
    settle(application, world.caseworker)
    db.session.commit()

    text = pdf_text(letters_of(application, "settlement")[0].pdf)
    assert "Vi har godkendt jeres rapport og regnskab." in text
    assert "Ballerup Ungdomsorkester har fået udbetalt 7.000,00 kr." in text
    assert "Jeres rejse med tilskud fra Ungdomsrejser" in text
    assert "din rapport" not in text and "Du har fået udbetalt" not in text


def test_an_associations_partial_grant_does_not_address_a_person(world, youth):
    """The standard text of a partial grant said "af de 7.000,00 kr., du søgte om" to an
    association (the letter says "I" everywhere else): the fund's text is written for any
    recipient."""
    from decimal import Decimal

    from grants.applications.operations import decide

    application = youth_application(world, youth)
    decide(application, world.caseworker, "grant_part", Decimal(6500), "Færre nætter.")
    db.session.commit()

    text = pdf_text(letters_of(application, "decision")[0].pdf)
    assert "6.500,00 kr. af de 7.000,00 kr." in text
    assert "du søgte om" not in text and "Du søgte om" not in text
