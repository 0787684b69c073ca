"""The age limit comes from the fund's rules wherever a page or form names it: the form's
count, the case page and the report (issue 18 point 3), in both languages."""

from __future__ import annotations

import re

from flask_babel import force_locale

from grants.extensions import db
from grants.subsidies.figures import age_limit_for, age_limit_of, young_count, young_count_label
from grants.subsidies.models import newest_version
from grants.subsidies.operations import add_rule_set
from grants.subsidies.rulefile import to_toml
from tests.factories import future, make_application
from tests.html import page_text


def with_age_limit(fund, age: int | None) -> None:
    rules = dict(newest_version(fund).rules)
    rules["persons"] = {**rules["persons"], "age_limit": age}
    rules.pop("examples", None)  # worked out for the shipped age limit
    add_rule_set(to_toml(rules), fund=fund, user=None)
    db.session.commit()


def test_the_helper_reads_the_rules(youth, app):
    assert age_limit_of(youth.youth_fund) == 25
    assert age_limit_of(youth.hosting_fund) is None  # the host grant counts no ages
    with_age_limit(youth.youth_fund, 19)
    assert age_limit_of(youth.youth_fund) == 19
    with app.test_request_context():
        assert young_count_label(19) == "Antal børn og unge under 19 år"
        assert young_count(19, 7) == "Unge under 19: 7"
        assert young_count(None, 7) == "Børn og unge: 7"
        with force_locale("en"):
            assert young_count_label(19, attended=True) == (
                "Number of children and young people under 19 who took part"
            )
            assert young_count(19, 7) == "Young people under 19: 7"


def test_the_application_form_and_the_case_page_name_the_rules_age_limit(youth, client, auth):
    with_age_limit(youth.youth_fund, 19)
    auth.login(youth.applicant)
    page = page_text(client.get("/ansoegninger/ny/ungdomsrejser"))
    assert "Antal børn og unge under 19 år" in page
    assert "under 25" not in page

    application = make_application(
        youth.applicant,
        youth.youth_fund,
        state="submitted",
        organisation=youth.organisation,
        partner_city=youth.prague,
        participants_young=7,
        participants_leaders=1,
        departure_date=future(40),
    )
    db.session.commit()
    assert age_limit_for(application) == 19
    auth.login(youth.caseworker)
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert "Unge under 19: 7" in page
    assert "Unge under 25" not in page


def test_rules_without_an_age_limit_name_none(youth, client, auth):
    with_age_limit(youth.youth_fund, None)
    auth.login(youth.applicant)
    page = client.get("/ansoegninger/ny/ungdomsrejser").get_data(as_text=True)
    label = re.search(r'<label[^>]*for="participants_young"[^>]*>(.*?)</label>', page, re.S)
    assert " ".join(label.group(1).split()) == "Antal børn og unge"
