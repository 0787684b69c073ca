"""Other Danish municipalities' published schemes, written as rule files
(grants/subsidies/rulesets/examples/): each imports into a fund, its worked examples give what
the municipality's page says, and its source is listed in docs/rules-format.md."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from grants.subsidies import examples, rulefile
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set, load_standard_rule_sets
from grants.subsidies.rulefile import RuleFileError
from tests import factories

EXAMPLES = STANDARD_RULE_SETS / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules-format.md"

# What each page's words give, computed by hand (the working is in each file's comments):
# the title of each worked example and its amount, or the problems that refuse it.
BY_HAND: dict[str, dict[str, Decimal | list[str]]] = {
    "slagelse-venskabsbybesoeg.toml": {
        "20 unge og 3 ledere til Hässleholm, transport 23.000 kr.": Decimal(11000),
        "9 unge og 1 leder: lederen tæller først ved det tiende barn": Decimal(2250),
        "Ansøgt 1 måned før afrejse: for sent": ["too_late"],
        "Foreningen har allerede fået tilskud i år": ["too_many_grants"],
    },
    "gladsaxe-besoeg-fra-venskabsbyer.toml": {
        "25 gæster fra to venskabsbyer i 3 nætter": Decimal(18000),
        "10 gæster fra én venskabsby i 5 nætter: højst 3 nætter betales": Decimal(7500),
        "Ansøgt 3 uger før besøget: for sent": ["too_late"],
    },
    "albertslund-besoeg-i-albertslund.toml": {
        "15 gæster fra en venskabsby i en uge": Decimal(4500),
        "15 gæster fra en anden by i udlandet": Decimal(3000),
    },
    "ishoej-besoeg-fra-venskabsby.toml": {
        "12 gæster fra Svedala i 4 dage": Decimal(8400),
        "20 gæster fra Waalre i 5 dage: højst 11.000 kr.": Decimal(11000),
        "Foreningen har allerede haft et besøg i år": ["too_many_grants"],
    },
    "ishoej-besoeg-i-venskabsby.toml": {
        "Transport til Bad Salzungen for 15.000 kr.": Decimal(15000),
        "Transport til Cihanbeyli for 26.000 kr.: højst 20.000 kr.": Decimal(20000),
        "Foreningen har allerede været i en venskabsby i år": ["too_many_grants"],
    },
    "jammerbugt-venskabsbypulje.toml": {
        "18 deltagere og 2 ledere til Stadt Tornesch": Decimal(3000),
        "10 deltagere på foreningsbesøg i en anden by i udlandet": Decimal(1500),
    },
}
FILES = sorted(path.name for path in EXAMPLES.glob("*.toml"))


def source(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def test_every_shipped_example_file_is_checked_here():
    assert sorted(BY_HAND) == FILES
    municipalities = {name.split("-")[0] for name in FILES}
    assert len(municipalities) >= 5 and "ballerup" not in municipalities


@pytest.mark.parametrize("name", FILES)
def test_the_file_imports_into_a_fund_and_its_examples_give_what_the_page_says(youth, name):
    fund = factories.make_fund(code=name.removesuffix(".toml")[:40])

    rule_set = add_rule_set(source(name), fund=fund)  # runs the examples: refused if one fails

    assert rule_set.fund == fund and rule_set.version == 1
    outcomes = examples.run(rule_set.rules)
    got = {
        outcome.example["title"]: (
            outcome.got_problems if outcome.expected_problems else outcome.calculation.total
        )
        for outcome in outcomes
    }
    assert got == BY_HAND[name]
    assert all(outcome.passed for outcome in outcomes)


@pytest.mark.parametrize("name", FILES)
def test_the_file_names_its_source_in_danish_and_the_docs_list_it(name):
    text = source(name)
    header = text.split("\nformat = ")[0]
    assert "Kilde:" in header and "(læst 2026-12-06)" in header
    address = re.search(r"https?://\S+", header)
    assert address, "the page's address"

    docs = DOCS.read_text(encoding="utf-8")
    section = docs.split("## Other municipalities' schemes", 1)[1]
    assert f"`{name}`" in section
    assert address.group(0) in section


@pytest.mark.parametrize("name", FILES)
def test_a_wrong_worked_example_refuses_the_file(name):
    text = source(name)
    first = re.search(r"^expect = (\d+)", text, flags=re.MULTILINE)
    if first is None:
        first = re.search(r"^expect_problems = \[.*\]", text, flags=re.MULTILINE)
        wrong = text.replace(first.group(0), 'expect_problems = ["kind_not_covered"]', 1)
    else:
        wrong = text.replace(first.group(0), f"expect = {int(first.group(1)) + 1}", 1)

    with pytest.raises(RuleFileError) as caught:
        rulefile.parse(wrong)

    assert "holder ikke" in str(caught.value)


def test_the_example_files_are_not_loaded_as_the_standard_rule_sets(youth):
    assert load_standard_rule_sets() == []  # the examples/ folder is not a fund's rules
