"""Each shipped profile's front page shows its own municipality, funds, budgets and rule
figures, and none of Ballerup's (issue 18 point 3)."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh

from tests.publication.helpers import QueryCounter

# What only Ballerup's profile and rule sets give: its name, its youth, Wuxi, council and
# committee budgets, the rate per night and the host grant.
BALLERUP = ["Ballerup", "150.000 kr.", "159.000 kr.", "69.000 kr.", "65.000 kr.", "5.000 kr."]
OWN = {
    "kolding": ["Kolding Kommune", "Byrådets rejser (eksempel)", "60.000 kr.", "100.000 kr."],
    "aarhus": ["Aarhus Kommune", "60.000 kr.", "100.000 kr."],
    "duesseldorf": ["Düsseldorf", "60.000 kr.", "100.000 kr."],
}


def text_of(page: str) -> str:
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def front_page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


@pytest.mark.parametrize("name", sorted(OWN))
def test_a_profiles_front_page_shows_its_own_municipality_and_numbers(runner, client, name):
    result = runner.invoke(args=["profile", "import", name])
    assert result.exit_code == 0, result.output
    page = front_page(client)
    for own in OWN[name]:
        assert own in page, (own, page)
    for ballerups in BALLERUP:
        assert ballerups not in page, (ballerups, page)
    assert "pr. overnatning" not in page  # no subsidy fund, so no rate


def test_ballerups_front_page_reads_its_rules(runner, client, app):
    assert runner.invoke(args=["profile", "import", "ballerup"]).exit_code == 0
    page = front_page(client)
    assert "puljerne til internationalt samarbejde i Ballerup Kommune" in page
    assert "under 25 år" in page  # the rule sets' age_limit
    assert "100 kr. pr. overnatning pr. deltager" in page
    assert "mindst 12 personer fra en af byerne i mindst 5 dage, får I 5.000 kr." in page
    assert "op til 150.000 kr. om året" in page and "op til 159.000 kr. om året" in page
    assert "op til 69.000 kr. om året" in page
    assert "inden for valgperioden" in page

    client.post("/sprog", data={"locale": "en"})
    refresh()
    page = front_page(client)
    assert "international cooperation in Ballerup Kommune" in page
    assert "under 25" in page
    assert "100 kr. per night per participant" in page
    assert "up to 150,000 kr. a year" in page


def test_the_front_page_follows_the_rules_not_the_template(runner, client, app):
    """Another rate, host grant and age limit in the rules: the page shows those."""
    from grants.extensions import db
    from grants.funds.models import Fund
    from grants.subsidies.models import newest_version
    from grants.subsidies.operations import add_rule_set
    from grants.subsidies.rulefile import to_toml

    assert runner.invoke(args=["profile", "import", "ballerup"]).exit_code == 0
    youth = db.session.scalars(db.select(Fund).filter_by(code="ungdomsrejser")).one()
    rules = dict(newest_version(youth).rules)
    rules["persons"] = {**rules["persons"], "age_limit": 19}
    rules["rate"] = {**rules["rate"], "amount": "140"}
    rules.pop("examples", None)  # worked out for the shipped rate
    add_rule_set(to_toml(rules), fund=youth, user=None)
    db.session.commit()
    page = front_page(client)
    assert "140 kr. pr. overnatning" in page
    assert "Deltagerne skal være under 19 år." in page  # the funds' limits differ now


def test_the_front_page_asks_the_database_little(runner, client):
    assert runner.invoke(args=["profile", "import", "ballerup"]).exit_code == 0
    front_page(client)  # warm: the first request reads the schema version, translations
    with QueryCounter() as counter:
        front_page(client)
    # The municipality (the layout reads it anyway), the funds, their rule sets.
    assert counter.count <= 3, counter.count


def test_an_empty_installation_has_a_front_page(client):
    page = front_page(client)
    assert "Log ind" in page
    assert "Ballerup" not in page
