"""Youth subsidies: the subsidy is worked out again from the actual participants and nights
under the rule-set version of the decision, and the report never names a young person."""

from __future__ import annotations

from decimal import Decimal

from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import settle
from grants.subsidies.operations import add_rule_set
from tests.reports.helpers import file_report, granted_youth_case, pdf_text


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
