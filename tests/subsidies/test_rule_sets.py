"""Rule sets in the database: importing, exporting, versions, and the files refused."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from grants.extensions import db
from grants.subsidies import rulefile
from grants.subsidies.models import rule_set_for, versions_of
from grants.subsidies.operations import (
    STANDARD_RULE_SETS,
    add_rule_set,
    export_rule_set,
    load_standard_rule_sets,
)
from grants.subsidies.rulefile import RuleFileError
from tests.subsidies.helpers import ballerup_rules, ballerup_source, count_rule_sets

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules-format.md"


def test_ballerups_rules_ship_as_files_and_load_once(youth):
    [youth_rules] = versions_of(youth.youth_fund)
    assert youth_rules.version == 1
    assert youth_rules.rules == ballerup_rules("ungdomsrejser")
    assert youth_rules.source == ballerup_source("ungdomsrejser")
    assert versions_of(youth.hosting_fund)[0].rules["host_grant"]["amount"] == "5000.00"
    assert "fornuftigt udgangspunkt" in versions_of(youth.wuxi_fund)[0].description

    assert load_standard_rule_sets() == []  # again: nothing new
    assert count_rule_sets() == 3


@pytest.mark.parametrize("normalised", [False, True])
def test_a_rule_set_round_trips_through_export_and_import_unchanged(youth, normalised):
    original = versions_of(youth.youth_fund)[0]

    exported = export_rule_set(original, normalised=normalised)
    again = add_rule_set(exported)

    assert again.version == original.version + 1
    assert again.fund == original.fund
    assert again.rules == original.rules
    assert (again.name, again.valid_from, again.valid_to, again.description) == (
        original.name,
        original.valid_from,
        original.valid_to,
        original.description,
    )
    assert export_rule_set(again, normalised=normalised) == exported
    if not normalised:
        assert again.source == original.source  # comments and all


def test_the_normalised_export_spells_out_every_default(youth):
    text = export_rule_set(versions_of(youth.hosting_fund)[0], normalised=True)

    assert 'applies_to = ["hosting"]' in text
    assert 'beyond_max = "paid_up_to_max"' in text
    assert rulefile.parse(text) == versions_of(youth.hosting_fund)[0].rules


SYNTAX_ERROR = """\
format = 1
fund = "ungdomsrejser"
name = "Ungdomsrejser"
valid_from = 2027-01-01

[rate]
amount = 100 kr.
per = "night"
"""

WRONG_TYPE = """\
format = 1
fund = "ungdomsrejser"
name = "Ungdomsrejser"
valid_from = 2027-01-01

[persons]
age_limit = "25"

[rate]
per = "night"
amount = "hundrede"
"""


def refused(source: str) -> list[str]:
    before = count_rule_sets()
    with pytest.raises(RuleFileError) as caught:
        add_rule_set(source)
    db.session.rollback()
    assert count_rule_sets() == before, "nothing is loaded"
    return [str(error) for error in caught.value.errors]


def test_a_syntax_error_names_the_line(youth):
    [message] = refused(SYNTAX_ERROR)

    assert message.startswith("Linje 7: kolonne 14: ikke gyldig TOML")


def test_a_wrong_type_names_the_field_and_its_line(youth):
    assert refused(WRONG_TYPE) == [
        "Linje 7: persons.age_limit: skal være et helt tal",
        "Linje 11: rate.amount: skal være et beløb i kroner, fx 100 eller 1234.50",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("[rate]", "[rate]\namout = 1"), "Linje 7: rate.amout: ukendt nøgle (mente du amount?)"),
        (('per = "night"', 'per = "week"'), 'rate.per: skal være en af: "night", "day"'),
        (("valid_from = 2027-01-01", ""), "valid_from: skal angives"),  # no line to name
        (("format = 1", "format = 3"), "Linje 1: format: formatet 3 kendes ikke"),
        (("format = 1", "format = 1\nversion = 3"), "Linje 2: version: versionen gives"),
        (("amount = 100", "amount = -5"), "rate.amount: beløbet kan ikke være negativt"),
        (("amount = 100", "amount = 100.505"), "rate.amount: højst to decimaler (øre)"),
        (
            ('fund = "ungdomsrejser"', 'fund = "findes-ikke"'),
            "Linje 2: fund: der er ingen pulje med koden findes-ikke",
        ),
        (
            ('[rate]\namount = 100\nper = "night"\n', '[persons]\nleaders = "ratio"\n'),
            "persons.leaders_per: skal angives",
        ),
    ],
)
def test_invalid_files_are_refused_with_a_message_naming_the_field(youth, change, expected):
    valid = SYNTAX_ERROR.replace("amount = 100 kr.", "amount = 100")
    source = valid.replace(*change)
    assert source != valid

    messages = refused(source)

    assert any(expected in message for message in messages), messages


def test_a_file_for_another_fund_is_refused(youth):
    with pytest.raises(RuleFileError) as caught:
        add_rule_set(ballerup_source("vaertskab"), fund=youth.youth_fund)

    assert str(caught.value.errors[0]) == (
        "Linje 6: fund: filen er til puljen vaertskab, ikke ungdomsrejser"
    )


def test_the_newest_version_valid_on_the_departure_date_applies(youth):
    first = versions_of(youth.youth_fund)[0]
    # New rates make the worked examples wrong: this test's file goes without them.
    source = ballerup_source("ungdomsrejser").partition("\n# Eksempler")[0]
    rates_2027 = add_rule_set(
        source.replace("valid_from = 2014-08-25", "valid_from = 2027-01-01").replace(
            "amount = 100 ", "amount = 125 "
        )
    )

    assert rule_set_for(youth.youth_fund, dt.date(2026, 12, 31)) == first
    assert rule_set_for(youth.youth_fund, dt.date(2027, 1, 1)) == rates_2027
    assert rule_set_for(youth.youth_fund, dt.date(2014, 8, 24)) is None
    assert rates_2027.rules["rate"]["amount"] == "125.00"
    assert first.rules["rate"]["amount"] == "100.00"  # the old version is never changed

    correction = add_rule_set(source.replace("valid_to", "valid_to"))  # same dates, newer
    assert rule_set_for(youth.youth_fund, dt.date(2026, 6, 1)) == correction


def test_every_key_of_the_format_is_documented():
    documented = DOCS.read_text(encoding="utf-8")
    keys = [key.name for key in rulefile.TOP] + [
        f"{section.name}.{key.name}" for section in rulefile.SECTIONS for key in section.keys
    ]

    missing = [key for key in keys if f"`{key}`" not in documented]
    assert not missing, f"not in docs/rules-format.md: {missing}"
    # The examples in the document are valid rule files.
    examples = re.findall(r"```toml\n(.*?)```", documented, flags=re.DOTALL)
    assert examples
    for example in examples:
        rulefile.parse(example)


def test_the_shipped_files_are_all_valid():
    for path in STANDARD_RULE_SETS.glob("*.toml"):
        rulefile.parse(path.read_text(encoding="utf-8"))
