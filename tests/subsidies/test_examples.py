"""Worked examples in the rule file (issue 20 point 11): read like every key, run whenever a
file is read (the import, the editor), refusing the set with each failing example named; and
shown on the fund's public page as "what you would get"."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from grants.subsidies import examples, rulefile
from grants.subsidies.models import versions_of
from grants.subsidies.rulefile import RuleFileError
from tests.html import links, page_text, text_of
from tests.subsidies.helpers import ballerup_rules, ballerup_source, count_rule_sets, write

BASE = """\
format = 2
fund = "vaertskab"
name = "Værtskab"
valid_from = 2026-01-01
kinds = ["hosting"]

[host_grant]
amount = 5000
min_group_size = 12
min_days = 5
"""

GOOD = """
[[examples]]
title = "12 gæster i 5 dage"
departure = 2026-06-01
return = 2026-06-05
guests = 12
expect = 5000
"""

WRONG = """
[[examples]]
title = "10 gæster i 5 dage"
departure = 2026-06-01
return = 2026-06-05
guests = 10
expect = 5000
"""


def refused(source: str) -> list[str]:
    with pytest.raises(RuleFileError) as error:
        rulefile.parse(source)
    return [str(item) for item in error.value.errors]


def test_the_ballerup_files_carry_examples_that_hold(app):
    for name, count in (("ungdomsrejser", 4), ("vaertskab", 3), ("wuxi", 3)):
        rules = ballerup_rules(name)
        outcomes = examples.run(rules)
        assert len(outcomes) == count
        assert all(outcome.passed for outcome in outcomes)
    [youth_trip, *_rest] = examples.run(ballerup_rules("ungdomsrejser"))
    assert youth_trip.calculation.total == 7000
    [hosting, *_rest] = examples.run(ballerup_rules("vaertskab"))
    assert hosting.calculation.total == 5000


def test_a_failing_example_refuses_the_set_with_expected_and_got(app):
    messages = refused(BASE + GOOD + WRONG)

    assert messages == [
        "Linje 19: examples[2]: eksemplet »10 gæster i 5 dage« holder ikke: forventet "
        "5.000,00 kr., men reglerne giver 0,00 kr.; forventede problemer: ingen; reglerne "
        "giver: host_group_too_small (Værtskabstilskuddet kræver en gruppe på mindst 12 "
        "personer; gruppen er på 10.)"
    ]
    with force_locale("en"):
        [english] = refused(BASE + WRONG)
    assert english.startswith(
        "Line 12: examples[1]: the example “10 gæster i 5 dage” does not hold"
    )


def test_an_example_that_expects_problems_holds_when_exactly_those_are_found(app):
    expecting = WRONG.replace("expect = 5000", 'expect_problems = ["host_group_too_small"]')
    rulefile.parse(BASE + expecting)

    too_many = expecting.replace('"host_group_too_small"]', '"host_group_too_small", "too_late"]')
    [message] = refused(BASE + too_many)
    assert "forventede problemer: host_group_too_small, too_late" in message


def test_an_example_must_expect_something_and_its_keys_are_checked(app):
    source = BASE + GOOD.replace("expect = 5000\n", 'guest = 3\ncities = ["Prag"]\n')

    # The keys are read like every key; the examples run only in a file without errors.
    assert refused(source) == [
        "Linje 17: examples[1].guest: ukendt nøgle (mente du guests?)",
        'Linje 18: examples[1].cities: skal være en liste af byer, fx [{ name = "Prag 10", '
        'relation = "twin_city" }]; relation er en af: "twin_city", "partnership", "other"',
    ]
    assert refused(BASE + GOOD.replace("expect = 5000\n", "")) == [
        "Linje 12: examples[1]: angiv expect (beløbet) og/eller expect_problems"
    ]


def test_examples_round_trip_through_the_writer(app):
    source = BASE + GOOD.replace(
        "guests = 12",
        'guests = 12\ncities = [{ name = "Prag 10", relation = "twin_city" }]\n'
        "costs = { transport = 1000.50 }\nages = [15, 16]",
    )
    rules = rulefile.parse(source)

    assert rulefile.parse(rulefile.to_toml(rules)) == rules
    assert rules["examples"][0]["kind"] == "hosting"  # the default spelled out


def test_the_import_refuses_a_file_whose_example_fails(youth, runner, tmp_path):
    path = write(tmp_path, "vaert.toml", BASE + WRONG)

    result = runner.invoke(args=["rules", "import", str(path)])

    assert result.exit_code == 1
    assert "Refused; nothing was loaded:" in result.output
    assert "vaert.toml: Linje 12: examples[1]: eksemplet »10 gæster i 5 dage« holder ikke" in (
        result.output
    )
    assert count_rule_sets() == 3
    imported = runner.invoke(args=["rules", "import", str(write(tmp_path, "ok.toml", BASE + GOOD))])
    assert imported.exit_code == 0, imported.output
    assert versions_of(youth.hosting_fund)[0].rules["examples"][0]["title"] == (
        "12 gæster i 5 dage"
    )


def test_the_funds_public_page_shows_the_examples_in_plain_words(youth, client):
    page = client.get("/puljer/ungdomsrejser")

    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "Det kan I få: eksempler" in text
    assert "12 unge og 2 ledere, 5 nætter i Prag 10" in text
    assert "Rejser til venskabs- og partnerbyer · Prag 10 · 1. juni 2026 til 6. juni 2026" in text
    assert "12 unge, 2 ledere" in text
    assert "I får 7.000,00 kr." in text
    assert "12 unge + 2 ledere = 14 personer × 5 nætter × 100,00 kr. = 7.000,00 kr." in text
    assert "organisationen hører ikke hjemme i kommunen" in text
    assert "I får ikke tilskud efter reglerne:" in text
    assert "100,00 kr. pr. person pr. overnatning" in text  # the rules in words too

    hosting = text_of(client.get("/puljer/vaertskab").get_data(as_text=True))
    assert "12 gæster" in hosting and "I får 5.000,00 kr." in hosting


def test_the_public_page_in_english(youth, client):
    client.post("/sprog", data={"locale": "en"})

    text = page_text(client.get("/puljer/ungdomsrejser").get_data(as_text=True))

    assert "What you could get: examples" in text
    assert "You get 7,000.00 kr." in text


def test_the_public_page_of_an_unknown_or_inactive_fund_or_one_without_rules(youth, client):
    from grants.extensions import db
    from tests import factories

    assert client.get("/puljer/findes-ikke").status_code == 404
    youth.wuxi_fund.active = False
    db.session.commit()
    assert client.get("/puljer/wuxi-udveksling").status_code == 404
    study = factories.make_fund(code="studierejser", name="Studierejser")
    db.session.commit()
    assert client.get(f"/puljer/{study.code}").status_code == 404  # no subsidy rules
    assert client.get("/puljer/<script>").status_code == 404


def test_the_front_page_and_the_list_of_funds_link_to_it(youth, client, auth):
    front = client.get("/")
    assert "/puljer/ungdomsrejser" in links(front)

    auth.login(youth.applicant)
    choose = client.get("/ansoegninger/ny")
    assert "/puljer/ungdomsrejser" in links(choose)


def test_a_loaded_rule_set_keeps_its_examples(youth):
    [rule_set] = versions_of(youth.youth_fund)

    assert rule_set.rules["examples"] == ballerup_rules("ungdomsrejser")["examples"]
    assert "[[examples]]" in ballerup_source("ungdomsrejser")
