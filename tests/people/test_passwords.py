"""The password rules, at their edges and for all inputs (NIST SP 800-63B § 5.1.1.2)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.people.passwords import MAX_LENGTH, MIN_LENGTH, password_problems

GOOD = "BlåBærGrød12"  # 12 characters, nothing an attacker's lists hold


def problems(password: str, **context) -> list[str]:
    context.setdefault("municipality", "Ballerup Kommune")
    return password_problems(password, **context)


def test_the_length_edges():
    assert len(GOOD) == MIN_LENGTH and problems(GOOD) == []
    assert problems(GOOD[:-1]) == ["Adgangskoden skal være mindst 12 tegn."]
    long = ("Ni grønne hvaler svømmer mod Prag, " * 6)[:MAX_LENGTH]
    assert problems(long) == []
    assert problems(long + "x") == ["Adgangskoden må højst være 200 tegn."]


@pytest.mark.parametrize(
    "password, message",
    [
        ("aaaaaaaaaaaa", "Adgangskoden gentager det samme tegn eller de samme tegn."),
        ("abcabcabcabc", "Adgangskoden gentager det samme tegn eller de samme tegn."),
        ("password1234", "Adgangskoden står på en liste over kendte, lækkede adgangskoder."),
        ("1q2w3e4r5t6y", "Adgangskoden står på en liste over kendte, lækkede adgangskoder."),
        ("PASSWORD1234", "Adgangskoden står på en liste over kendte, lækkede adgangskoder."),
        (
            "ｐａｓｓｗｏｒｄ１２３４",
            "Adgangskoden står på en liste over kendte, lækkede adgangskoder.",
        ),
        ("velkommen1234", "Adgangskoden står på en liste over kendte, lækkede adgangskoder."),
        ("international", "Adgangskoden består mest af almindelige ord eller navne."),
        ("Sommerferie2026", "Adgangskoden bygger på en dato eller et årstal."),
        ("zaq12wsxcde3", "Adgangskoden bygger på kendte, lækkede adgangskoder."),
        ("mnbvcxzlkjhg", "Adgangskoden følger tasterne på tastaturet, fx qwerty."),
        ("20202020abcd", "Adgangskoden indeholder tegn i rækkefølge, fx abcd eller 1234."),
        ("ballerup i maj måned", "Adgangskoden indeholder tjenestens eller kommunens navn."),
        ("mit Rejsetilskud 7", "Adgangskoden indeholder tjenestens eller kommunens navn."),
    ],
)
def test_each_kind_of_weak_password_is_refused_with_its_reason(password, message):
    assert message in problems(password)


def test_the_persons_own_address_and_name_are_refused():
    person = {"email": "mette.madsen@ballerup.dk", "name": "Mette Madsen"}
    assert "Adgangskoden indeholder din e-mailadresse." in problems("mette.madsen.2026!", **person)
    assert "Adgangskoden indeholder dit navn." in problems("MetteMadsen-rejser", **person)
    assert "Adgangskoden indeholder dit navn." in problems("madsen paa sommertur", **person)
    # Short parts of a name are no reason: "Bo" is in many sentences.
    assert problems("Bornholm er en dejlig ø", email="bo@ballerup.dk", name="Bo Ek") == []


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "en lang og god sætning",
        "Jeg elsker at rejse",
        "Kaffe og kage 7",
        "Xk9#mQ2$vL5p",
    ],
)
def test_long_unguessable_passwords_pass(password):
    assert problems(password, email="kim@example.dk", name="Kim Ek") == []


@settings(max_examples=60, deadline=None)
@given(char=st.characters(blacklist_categories=("Cs",)), length=st.integers(MIN_LENGTH, 80))
def test_one_character_repeated_is_always_refused(char, length):
    assert problems(char * length)


@settings(max_examples=60, deadline=None)
@given(
    local=st.text(string.ascii_lowercase, min_size=4, max_size=12),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_a_password_holding_the_persons_address_is_always_refused(local, before, after):
    found = problems(before + local + after + "x" * 12, email=f"{local}@example.dk")
    assert "Adgangskoden indeholder din e-mailadresse." in found


@settings(max_examples=60, deadline=None)
@given(password=st.text(max_size=MIN_LENGTH - 1))
def test_nothing_shorter_than_the_minimum_passes(password):
    assert "Adgangskoden skal være mindst 12 tegn." in problems(password)


@settings(max_examples=30, deadline=None)
@given(password=st.text(min_size=MIN_LENGTH, max_size=MAX_LENGTH))
def test_every_refusal_is_a_sentence_a_person_can_act_on(password):
    for problem in problems(password, email="x@example.dk", name="X"):
        assert problem.startswith("Adgangskoden") and problem.endswith(".")
