"""How a rule file is written: amounts with a thousands separator or a comma are refused with a
message that says how to write them, TOML syntax errors are told in plain words in the
administrator's language, every error names its line and key, in the order of the lines."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from grants.extensions import db
from grants.subsidies import rulefile
from grants.subsidies.operations import add_rule_set
from grants.subsidies.rulefile import RuleFileError
from grants.subsidies.rulesource import amount_problems, code_only
from tests.subsidies.helpers import count_rule_sets

VALID = """\
format = 1
fund = "ungdomsrejser"
name = "Ungdomsrejser"  # 11.000 kr. i en kommentar er ikke et beløb
description = "Højst 1.500 kr. pr. rejse, 300,00 kr. pr. nat"
valid_from = 2027-01-01

[rate]
amount = 100
per = "night"

[caps]
per_event = 11000
"""

# tomllib's sentences, none of which may reach an administrator.
RAW_ENGLISH = re.compile(
    r"Invalid|Expected|statement|document|Unclosed|Unterminated|Cannot|Illegal|"
    r"at line|column|TOML"
)


def messages(source: str) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        rulefile.parse(source)
    return [str(error) for error in caught.value.errors]


def with_line(number: int, text: str) -> str:
    """VALID with line ``number`` (1-based) replaced by ``text``."""
    lines = VALID.splitlines()
    lines[number - 1] = text
    return "\n".join(lines) + "\n"


def test_the_valid_file_reads_and_its_texts_and_comments_are_not_amounts():
    rules = rulefile.parse(VALID)
    assert rules["caps"]["per_event"] == "11000.00"
    assert amount_problems(VALID, rulefile.AMOUNT_KEYS) == []


def test_a_danish_thousands_separator_is_refused_not_read_as_eleven_kroner():
    [message] = messages(VALID.replace("per_event = 11000", "per_event = 11.000"))

    assert message == (
        "Linje 12: caps.per_event: 11.000 kan betyde 11.000,00 kr. eller 11,00 kr.: skriv "
        "11000 for 11.000,00 kr. eller 11 for 11,00 kr. (i en regelfil er punktum "
        "decimaltegn, og tusinder skrives uden skilletegn)"
    )


def test_a_decimal_comma_is_refused_in_words_not_as_a_toml_error():
    [message] = messages(VALID.replace("per_event = 11000", "per_event = 300,00"))

    assert message == (
        "Linje 12: caps.per_event: 300,00 skrives 300 for 300,00 kr. (i en regelfil er "
        "punktum decimaltegn, og tusinder skrives uden skilletegn)"
    )
    assert not RAW_ENGLISH.search(message)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.500", "skriv 1500 for 1.500,00 kr. eller 1.50 for 1,50 kr."),
        ("1.500.000", "1.500.000 skrives 1500000 for 1.500.000,00 kr."),
        ("11 000", "11 000 skrives 11000 for 11.000,00 kr."),
        ("1.234,50", "1.234,50 skrives 1234.50 for 1.234,50 kr."),
        (
            "100.505",
            "100.505 har tre decimaler, og et beløb har højst to (øre); mente du "
            "100.505,00 kr., så skriv 100505",
        ),
        ("1500.000", "1500.000 har mere end to decimaler"),
        ("12.3456", "12.3456 har mere end to decimaler"),
    ],
)
def test_every_way_of_writing_an_amount_that_is_not_plain_kroner_is_refused(written, expected):
    [message] = messages(VALID.replace("amount = 100", f"amount = {written}"))

    assert message.startswith("Linje 8: rate.amount: "), message
    assert expected in message
    assert not RAW_ENGLISH.search(message)


@pytest.mark.parametrize("written", ["100", "100.5", "100.50", "1_500", "0"])
def test_plain_kroner_are_read(written):
    rules = rulefile.parse(VALID.replace("amount = 100", f"amount = {written}"))
    assert rules["rate"]["amount"] == f"{float(written.replace('_', '')):.2f}"


def test_an_amount_written_as_text_is_read_by_the_one_rule_for_amounts():
    [message] = messages(VALID.replace("amount = 100", 'amount = "1.500"'))
    assert message.startswith("Linje 8: rate.amount: ")
    assert "1.500" in message

    rules = rulefile.parse(VALID.replace("amount = 100", 'amount = "1.500,00"'))
    assert rules["rate"]["amount"] == "1500.00"


def test_amounts_in_strings_comments_and_other_keys_are_left_alone():
    text = 'name = "per_event = 11.000"  # amount = 300,00\nmax_nights = 7\n'
    assert amount_problems(text, {"per_event", "amount"}) == []
    assert "11.000" not in code_only(text) and "300,00" not in code_only(text)
    assert code_only(text).count("\n") == text.count("\n")


def test_an_amount_in_an_inline_table_and_an_array_of_tables_names_its_place():
    text = (
        "[[rates]]\namount = 100\n\n[[rates]]\namount = 1.000\n\n"
        "[[examples]]\ncosts = { transport = 10.000, meals = 500 }\n"
    )
    problems = amount_problems(text, {"amount", "transport", "meals"})
    assert [(p.line, p.path) for p in problems] == [
        (5, "rates[2].amount"),
        (8, "examples[1].costs.transport"),
    ]


@pytest.mark.parametrize(
    ("line", "text", "expected"),
    [
        (8, "amount = 100 kr.", "rate.amount: skriv kun tallet, uden kr. eller anden enhed"),
        (9, "per = night", "rate.per: værdien kan ikke læses: tekst skal stå i anførselstegn"),
        (9, 'per = "night', "rate.per: teksten mangler sit afsluttende anførselstegn"),
        (9, 'per "night"', "der mangler et = efter nøglen"),
        (7, "[rate", "tabelnavnet mangler sin afsluttende ]"),
        (5, "valid_from = 2027-02-30", "valid_from: datoen findes ikke"),
        (9, "amount = 200", "rate.amount: nøglen eller tabellen er angivet før"),
        (9, 'per = ["night"', "rate.per: listen mangler sin afsluttende ]"),
        (9, "per = { x = 1", "tabellen { … } mangler sin afsluttende }"),
        (9, "pér = 1", "en nøgle skrives med bogstaverne a-z, tal, _ og -"),
        (9, 'per = "night" "day"', "rate.per: der står mere efter værdien"),
    ],
)
def test_toml_syntax_errors_are_told_in_plain_words_with_line_and_key(line, text, expected):
    [message] = messages(with_line(line, text))

    assert message.startswith(f"Linje {line}: "), message
    assert expected in message
    assert not RAW_ENGLISH.search(message), message


def test_the_errors_come_in_the_order_of_their_lines():
    source = (
        VALID.replace("per_event = 11000", "per_event = 11.000")
        .replace('per = "night"', 'per = "week"')
        .replace("[rate]", "[rate]\namout = 5")
    )
    found = messages(source)

    numbers = [int(re.match(r"Linje (\d+):", m).group(1)) for m in found if m.startswith("Linje")]
    assert numbers == sorted(numbers) and len(numbers) == 3, found
    assert "rate.amout" in found[0] and "rate.per" in found[1] and "caps.per_event" in found[2]


def test_with_a_syntax_error_an_amount_elsewhere_is_still_named():
    source = VALID.replace("amount = 100", "amount = 1.500").replace('per = "night"', "per = night")
    found = messages(source)
    assert [m.split(":")[0] for m in found] == ["Linje 8", "Linje 9"]


def test_the_messages_are_in_english_for_an_english_administrator(app):
    with app.test_request_context(), force_locale("en"):
        [thousands] = messages(VALID.replace("per_event = 11000", "per_event = 11.000"))
        [comma] = messages(VALID.replace("per_event = 11000", "per_event = 300,00"))
        [syntax] = messages(VALID.replace('per = "night"', "per = night"))

    assert thousands.startswith("Line 12: caps.per_event: 11.000 can mean")
    assert "write 11000 for" in thousands
    assert comma.startswith("Line 12: caps.per_event: 300,00 is written 300")
    assert syntax.startswith("Line 9: rate.per: the value cannot be read")
    for message in (thousands, comma, syntax):
        assert not re.search(r"\b(skriv|skrives|kan ikke|Linje)\b", message), message


def test_a_refused_amount_loads_nothing(youth):
    before = count_rule_sets()
    with pytest.raises(RuleFileError):
        add_rule_set(VALID.replace("per_event = 11000", "per_event = 11.000"))
    db.session.rollback()
    assert count_rule_sets() == before


def test_a_fund_that_does_not_exist_is_named_with_where_funds_are_made_in_english(app, youth):
    source = VALID.replace('fund = "ungdomsrejser"', 'fund = "ny-pulje"')
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(RuleFileError) as caught:
            add_rule_set(source)
        [message] = [str(error) for error in caught.value.errors]
    db.session.rollback()

    assert message == (
        "Line 2: fund: there is no fund with the code ny-pulje (the funds are: ungdomsrejser, "
        "vaertskab, wuxi-udveksling); an administrator creates a fund in the app under "
        "Administration → Funds → Create a fund (/administration/puljer/ny); an empty database "
        "can also get its funds from a municipality profile (flask profile import)"
    )


FORMAT_2 = """\
format = 2
name = "Værtskab"
valid_from = 2027-01-01
kinds = ["hosting"]

[[rates]]
amount = 175
basis = "person_day"
categories = ["guest"]

[[caps]]
per_event = 11000

[[examples]]
title = "20 gæster i 5 dage"
departure = 2027-06-01
return = 2027-06-05
guests = 20
costs = { meals = 500 }
expect = 11000
"""


def test_format_2_amounts_in_arrays_of_tables_and_an_examples_costs_are_read_as_written():
    assert rulefile.parse(FORMAT_2)["caps"][0]["per_event"] == "11000.00"
    source = (
        FORMAT_2.replace("amount = 175", "amount = 0.175")
        .replace("per_event = 11000", "per_event = 11.000")
        .replace("meals = 500", "meals = 1.500")
        .replace("expect = 11000", "expect = 11,000")
    )

    found = messages(source)

    assert [m.split(": ")[:2] for m in found] == [
        ["Linje 7", "rates[1].amount"],
        ["Linje 12", "caps[1].per_event"],
        ["Linje 19", "examples[1].costs.meals"],
        ["Linje 20", "examples[1].expect"],
    ]
    assert "skriv 11000 for 11.000,00 kr. eller 11 for 11,00 kr." in found[1]
    assert not any("holder ikke" in m for m in found), "examples run only on a readable file"


def test_the_editor_shows_the_amount_message_beside_the_file_in_the_admins_language(
    youth, client, auth
):
    from tests.html import field_error
    from tests.subsidies.helpers import ballerup_source

    auth.login(youth.admin)
    changed = ballerup_source("ungdomsrejser").replace("amount = 100 ", "amount = 1.000 ")
    line = next(n for n, text in enumerate(changed.splitlines(), 1) if "1.000" in text)
    before = count_rule_sets()

    danish = client.post("/tilskud/regler/ungdomsrejser/toml", data={"source": changed})

    assert danish.status_code == 422
    assert (
        f"Linje {line}: rate.amount: 1.000 kan betyde 1.000,00 kr. eller 1,00 kr.: skriv "
        "1000 for 1.000,00 kr. eller 1 for 1,00 kr."
    ) in " ".join(field_error(danish.get_data(as_text=True), "source").split())
    assert count_rule_sets() == before

    client.post("/sprog", data={"locale": "en"})
    english = client.post("/tilskud/regler/ungdomsrejser/toml", data={"source": changed})
    assert (
        f"Line {line}: rate.amount: 1.000 can mean DKK 1.000,00 or DKK 1,00: write 1000 "
        "for DKK 1.000,00 or 1 for DKK 1,00"
    ) in " ".join(field_error(english.get_data(as_text=True), "source").split())
