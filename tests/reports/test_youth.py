"""Youth subsidies: the subsidy is worked out again from the actual participants and nights
under the rule-set version of the decision, and the report never names a young person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.applications.operations import decide
from grants.core import clock
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import settle
from grants.subsidies.operations import add_rule_set
from tests.html import page_text
from tests.reports.helpers import (
    file_report,
    granted_youth_case,
    pay,
    pdf_text,
    youth_application,
)


def _raise_the_rate(youth) -> None:
    # A new rate: the shipped file's worked examples (for 100 kr.) go with the old one.
    source = youth["source"].partition("\n# Eksempler")[0]
    add_rule_set(source.replace("amount = 100 ", "amount = 150 "), fund=youth["fund"])
    db.session.commit()


def test_the_recalculation_uses_the_decision_rules_even_after_a_new_version(
    world, youth, move_clock
):
    application = granted_youth_case(world, youth)
    assert application.granted_amount == Decimal("7000.00")
    _raise_the_rate(youth)  # version 2: 150 kr. per night, newer and valid on the same dates
    move_clock(application.return_date)

    report = file_report(
        application,
        youth["frida"],
        {"transport": "20000", "meals": "5000"},
        actual_young=10,
        actual_leaders=2,
        actual_disabled=0,
    )
    recalculation = report.recalculation
    assert recalculation["rule_set"]["version"] == 1
    assert recalculation["rule_set"]["id"] == application.rule_set_id
    # 10 young + 2 leaders = 12 persons × 5 nights × 100 kr. (not 150 kr.)
    assert recalculation["total"] == "6000.00"
    assert recalculation["problems"] == []  # its own grant does not count against it
    assert set(recalculation) == set(application.calculation)

    settlement = settle(application, world.caseworker)
    db.session.commit()
    assert settlement.rule == "subsidy"
    assert settlement.final == Decimal("6000.00")
    assert settlement.released == Decimal("1000.00")


def test_a_later_grant_to_the_organisation_never_cuts_a_settlement(world, youth, move_clock):
    """The recalculation sees the organisation as the rules saw it when it applied (the
    facts kept with the case's calculation, its grants by fund and by kind among them), not
    its grants as they stand at the settlement: a grant made to it since is not "already
    granted" before this one."""
    # A cap of 10.000 kr. a year per organisation (a new version, valid on the same dates).
    source = youth["source"].partition("\n# Eksempler")[0]
    add_rule_set(source + "\n[caps]\nper_organisation_per_year = 10000\n", fund=youth["fund"])
    db.session.commit()
    # Two trips of 12 young people and 2 leaders, 5 nights: 7.000 kr. each by the rules,
    # both applied for before either was decided.
    first = youth_application(world, youth)
    second = youth_application(world, youth)
    assert first.computed_amount == second.computed_amount == Decimal("7000.00")
    decide(first, world.caseworker, "grant", None, "")
    # The cap leaves 3.000 kr. for the second; 5.000 kr. is granted by dispensation.
    decide(
        second,
        world.caseworker,
        "grant_part",
        Decimal(5000),
        "Loftet pr. organisation er næsten brugt.",
        "Koncerten er hele formålet.",
    )
    db.session.commit()
    move_clock(first.return_date)

    # Both trips went as applied for.
    for application in (first, second):
        report = file_report(
            application, youth["frida"], {"transport": "24000"}, actual_young=12, actual_leaders=2
        )
        kept = application.calculation["trip"]["organisation"]
        assert report.recalculation["trip"]["organisation"] == kept
        assert report.recalculation["total"] == "7000.00"
    assert settle(first, world.caseworker).final == Decimal("7000.00")
    assert settle(second, world.caseworker).final == Decimal("5000.00")


def test_more_participants_than_applied_for_never_raise_the_grant(world, youth, move_clock):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    file_report(
        application, youth["frida"], {"transport": "30000"}, actual_young=20, actual_leaders=3
    )
    assert application.report.recalculation["total"] == "11500.00"
    assert settle(application, world.caseworker).final == Decimal("7000.00")


def test_a_dispensation_stands_unless_the_actual_figures_fall(world, youth, move_clock):
    same = granted_youth_case(
        world, youth, amount="8000", dispensation_reason="En ekstra overnatning for koncerten."
    )
    fewer = granted_youth_case(
        world, youth, amount="8000", dispensation_reason="En ekstra overnatning for koncerten."
    )
    move_clock(same.return_date)
    file_report(same, youth["frida"], {"transport": "24000"}, actual_young=12, actual_leaders=2)
    settlement = settle(same, world.caseworker)
    assert (settlement.rule, settlement.final) == ("dispensation", Decimal("8000.00"))

    file_report(fewer, youth["frida"], {"transport": "20000"}, actual_young=10, actual_leaders=2)
    # The rules gave 7.000 at the decision and 6.000 now: 8.000 × 6.000 / 7.000.
    assert settle(fewer, world.caseworker).final == Decimal("6857.14")


def test_the_published_report_never_names_young_people(world, youth, move_clock):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    report = file_report(
        application, youth["frida"], {"transport": "24000"}, actual_young=12, actual_leaders=2
    )
    report.participant_names = "Anna Andersen, Bo Berg"  # should never be there; never shown
    db.session.commit()
    settle(application, world.caseworker)
    db.session.commit()
    letter = db.session.scalars(
        db.select(Letter).filter_by(application_id=application.id, kind="report")
    ).one()
    text = pdf_text(letter.pdf)
    assert "Unge under 25: 12" in text and "Ledere: 2" in text
    assert "Anna" not in text and "Frida" not in text
    settlement_text = pdf_text(
        db.session.scalars(
            db.select(Letter).filter_by(application_id=application.id, kind="settlement")
        )
        .one()
        .pdf
    )
    assert "Ballerup Ungdomsorkester" in settlement_text
    assert "12 unge + 2 ledere = 14 personer" in settlement_text


def test_the_recalculation_counts_the_organisations_grants_by_kind_as_the_application_did(
    world, move_clock
):
    """Format 2's ``grants_counted_across``: the organisation's grants are counted from every
    fund, by kind (``OrganisationFacts.grants_by_kind``). A hosting visit applied for after
    the same organisation's trip was granted breaks "one visit a year, to or from a partner
    city", and is granted by dispensation; its report's recalculation says so too, rather
    than count the hosting fund's grants alone."""
    from grants.applications.operations import compute_subsidy
    from tests.applications.test_once_a_year_across_funds import _two_funds_one_organisation

    _organisation, trip, visit = _two_funds_one_organisation(world)
    visit.submitted_at = clock.now()  # the day the rules' deadline is counted from
    decide(trip, world.caseworker, "grant", None, "")
    db.session.commit()
    compute_subsidy(visit)  # the visit as the rules see it once the trip is granted
    assert [p["code"] for p in visit.calculation["problems"]] == ["too_many_grants"]
    visit.amount_applied = visit.computed_amount
    decide(visit, world.caseworker, "grant", None, "", "Besøget er aftalt med venskabsbyen.")
    db.session.commit()
    move_clock(visit.return_date)

    report = file_report(
        visit,
        world.outsider,
        {"transport": "10000"},
        actual_young=20,
        actual_leaders=2,
        actual_host_group_size=12,
    )
    organisation = report.recalculation["trip"]["organisation"]
    assert organisation["grants_by_kind"] == {"trip": 1}
    assert [p["code"] for p in report.recalculation["problems"]] == ["too_many_grants"]


def test_a_report_given_by_birth_years_shows_the_young_people_the_rules_counted(
    world, youth, move_clock, client, auth
):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    year = application.departure_date.year
    file_report(
        application,
        youth["frida"],
        {"transport": "24000"},
        actual_birth_years=[year - 14, year - 15, year - 40],
        actual_leaders=1,
    )
    db.session.commit()
    assert application.report.recalculation["young"] == 2
    auth.login(world.caseworker)
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert "Unge under 25: 2 (fødselsår" in page
    assert "Unge under 25: 0" not in page


@pytest.mark.parametrize(
    "locale, words",
    [
        ("da", "et tilskud kan ikke være større end de faktiske udgifter (1.500,00 kr.)"),
        ("en", "a grant can never be more than the actual costs (1,500.00 kr.)"),
    ],
)
def test_a_subsidy_is_never_more_than_the_actual_costs(world, youth, move_clock, locale, words):
    """The decision letter's condition: money not used is paid back, also when the costs
    are lower than expected. The trip went as applied for (the rules give 7.000 kr. again),
    but it cost 1.500 kr.: the grant is settled at 1.500 kr., and the 2.000 kr. paid in
    advance beyond it is claimed back."""
    application = granted_youth_case(world, youth)
    pay(application, 3500, world.finance)
    move_clock(application.return_date)
    youth["frida"].locale = locale
    file_report(
        application, youth["frida"], {"transport": "1500"}, actual_young=12, actual_leaders=2
    )
    assert application.report.recalculation["total"] == "7000.00"
    settlement = settle(application, world.caseworker)
    db.session.commit()
    assert (settlement.rule, settlement.final) == ("costs_cap", Decimal("1500.00"))
    assert settlement.refund == Decimal("2000.00")
    assert settlement.released == Decimal("5500.00")
    letter = db.session.scalars(
        db.select(Letter).filter_by(application_id=application.id, kind="settlement")
    ).one()
    assert words in pdf_text(letter.pdf)


def test_a_dispensation_is_never_more_than_the_actual_costs_either(world, youth, move_clock):
    application = granted_youth_case(
        world, youth, amount="8000", dispensation_reason="En ekstra overnatning for koncerten."
    )
    move_clock(application.return_date)
    file_report(
        application, youth["frida"], {"transport": "7500.50"}, actual_young=12, actual_leaders=2
    )
    settlement = settle(application, world.caseworker)
    assert (settlement.rule, settlement.final) == ("costs_cap", Decimal("7500.50"))


@pytest.mark.parametrize(
    "locale, words",
    [
        ("da", "Det endelige tilskud er de faktiske udgifter, 1.500,00 kr."),
        ("en", "The final grant is the actual costs, 1,500.00 kr."),
    ],
)
def test_the_caseworker_sees_why_the_settlement_is_the_costs(
    world, youth, move_clock, client, auth, locale, words
):
    from tests.html import text_of

    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    file_report(
        application, youth["frida"], {"transport": "1500"}, actual_young=12, actual_leaders=2
    )
    world.caseworker.locale = locale
    db.session.commit()
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}")
    assert words in text_of(page, "#settlement-costs-cap")
