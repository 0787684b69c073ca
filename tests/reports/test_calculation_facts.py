"""A case keeps its subsidy calculation as facts, and each reader reads the working in their
own language (issue 15, point 4): saved in Danish, shown in English, and the other way; and
the calculations kept as text before are turned into facts by the migration."""

from __future__ import annotations

from flask_babel import force_locale
from flask_migrate import downgrade, upgrade

from grants.cases.models import Application
from grants.extensions import db
from grants.subsidies.calculation import shown
from tests.html import page_text
from tests.reports.helpers import granted_youth_case

WORKING_DA = "12 unge + 2 ledere = 14 personer × 5 nætter × 100,00 kr. = 7.000,00 kr."
WORKING_EN = "12 young people + 2 leaders = 14 people × 5 nights × 100.00 kr. = 7,000.00 kr."


def test_a_calculation_saved_in_danish_is_read_in_english(app, world, youth):
    with app.test_request_context(), force_locale("da"):
        application = granted_youth_case(world, youth)
    kept = application.calculation
    # No text is kept: only numbers, codes, the rule set and the trip's facts.
    assert "working" not in str(kept) and "kr." not in str(kept)
    assert kept["total"] == "7000.00" and kept["lines"][0] == {"code": "rate", "amount": "7000.00"}
    with app.test_request_context(), force_locale("en"):
        assert shown(kept)["lines"][0]["working"] == WORKING_EN
    with app.test_request_context(), force_locale("da"):
        assert shown(kept)["lines"][0]["working"] == WORKING_DA


def test_the_case_page_writes_the_working_for_its_reader(app, world, youth, client, auth):
    application = granted_youth_case(world, youth)
    world.caseworker.locale = "en"
    db.session.commit()
    auth.login(world.caseworker)
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert WORKING_EN in page and WORKING_DA not in page
    assert "7.000,00 kr." not in page  # no Danish amount beside the English ones


def test_the_migration_turns_a_kept_text_into_facts(app, world, youth):
    application = granted_youth_case(world, youth)
    legacy = {  # as a case kept it before: the working as text, in Danish
        "lines": [
            {
                "code": "rate",
                "label": "Tilskud pr. overnatning",
                "working": WORKING_DA,
                "amount": "7000.00",
                "amount_text": "7.000,00 kr.",
            }
        ],
        "total": "7000.00",
        "total_text": "7.000,00 kr.",
        "eligible": True,
        "problems": [],
        "notes": [],
        "rule_set": {**application.calculation["rule_set"]},
    }
    changed = {**legacy, "total": "6999.00"}  # amounts the rules no longer give
    other = granted_youth_case(world, youth)
    application.calculation, other.calculation = legacy, changed
    db.session.commit()
    case_ids = application.id, other.id
    db.session.remove()

    downgrade(revision="3c1d2e9f7a01")
    upgrade()

    converted, kept_as_text = (db.session.get(Application, i).calculation for i in case_ids)
    assert converted["format"] == 2 and converted["lines"] == [
        {"code": "rate", "amount": "7000.00"}
    ]
    with app.test_request_context(), force_locale("en"):
        assert shown(converted)["lines"][0]["working"] == WORKING_EN
    assert kept_as_text == changed  # not worked out the same: left, and shown, as it was
