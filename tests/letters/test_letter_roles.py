"""Each person in a letter by their role in the case; the publication note's link; a grant
for a trip already made; a refusal on eligibility (issue 15, point 18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app, url_for

from grants.applications.operations import decide
from grants.core import clock
from grants.extensions import db
from grants.letters.operations import decider_role
from grants.people.models import Role
from grants.workflow.engine import record
from tests.factories import make_application, make_fund, make_user
from tests.letters.kinds import decision_case, letters_of, pdf_text
from tests.reports.helpers import youth_application


def _letter_text(application) -> str:
    return pdf_text(letters_of(application, "decision")[0].pdf)


def test_the_board_decides_as_the_board_and_the_caseworker_is_the_caseworker(world):
    world.board_member.title = "Formand for studierejsefonden"
    application = make_application(
        world.employee, world.fund, state="awaiting_decision", amount=20000
    )
    record(application, "forward_to_board", world.caseworker, from_state="screening")
    decide(application, world.board_member, "grant", None, "")
    db.session.commit()

    text = _letter_text(application)
    assert "Sagsbehandler Sara Skov" in text
    assert "Sagsbehandler Bent Bach" not in text
    assert "Afgjort af Bestyrelsen for Studierejsefonden" in text
    assert (
        "Bent Bach Formand for studierejsefonden På vegne af bestyrelsen for Studierejsefonden"
        in text
    )


def test_the_board_in_english(world):
    world.employee.locale = "en"
    application = make_application(
        world.employee, world.fund, state="awaiting_decision", amount=20000
    )
    decide(application, world.board_member, "grant", None, "")
    db.session.commit()

    text = _letter_text(application)
    assert "Decided by The board of Studierejsefonden" in text
    assert "On behalf of the board of Studierejsefonden" in text
    assert "Caseworker Bent Bach" not in text


def test_a_caseworkers_decision_names_the_caseworker(world):
    text = _letter_text(decision_case(world, "grant"))
    assert "Sagsbehandler Sara Skov" in text
    assert "Afgjort af" not in text and "På vegne af" not in text


def test_a_caseworker_on_the_board_decides_within_the_limit_as_caseworker(world):
    both = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Bo Begge")
    world.fund.board.append(type(world.fund.board[0])(user=both))
    db.session.flush()
    small = make_application(world.employee, world.fund, state="awaiting_decision", amount=8000)
    large = make_application(world.employee, world.fund, state="awaiting_decision", amount=20000)
    assert decider_role(small, both) == "caseworker"
    assert decider_role(large, both) == "board_member"
    assert decider_role(large, world.board_member) == "board_member"


def test_a_committee_decides_as_the_committee(cw):
    from tests.committees.conftest import make_case

    application = make_case(cw)
    assert decider_role(application, cw.secretary) == "committee"


def test_the_publication_note_links_to_the_public_trips_page(world):
    with current_app.test_request_context():
        application = decision_case(world, "grant")
        public_trips = url_for("publication.index", _external=True)
    assert public_trips.endswith("/udlandsrejser")
    text = _letter_text(application).replace("/ ", "/")  # a long link breaks at a slash
    assert f"Du kan se de offentliggjorte rejser på {public_trips}." in text
    # Not the municipality's front page.
    assert "https://ballerup.dk" not in text


def test_a_grant_for_a_trip_already_made_pays_without_before_you_travel(world):
    today = clock.today()
    made = decision_case(
        world,
        "grant",
        departure_date=today - dt.timedelta(days=10),
        return_date=today - dt.timedelta(days=6),
    )
    coming = decision_case(world, "grant")

    text = _letter_text(made)
    assert "udbetales til din NemKonto." in text
    assert "før du rejser" not in text
    assert "på forhånd" not in text and "aflyst" not in text
    assert "før du rejser" in _letter_text(coming)


def test_a_refusal_on_eligibility_does_not_speak_of_a_spent_pool(world):
    text = _letter_text(decision_case(world, "refuse"))
    assert "opfylder formålet og betingelserne" in text
    assert "prioriteret" not in text and "budgettet" not in text


def test_a_refusal_when_the_pool_is_spent_says_how_it_prioritised(world):
    poor = make_fund(code="lille", name="Lille pulje", budget=1000)
    application = make_application(world.employee, poor, state="awaiting_decision", amount=7500)
    decide(application, world.caseworker, "refuse", None, "Puljen er brugt.")
    db.session.commit()
    text = _letter_text(application)
    assert "budgettet rækker ikke til alle ansøgninger" in text
    assert "prioriteret ansøgningerne" in text


def test_a_youth_refusal_shows_no_unexplained_computed_subsidy(world, youth):
    application = youth_application(world, youth, direct_contact="Ingen.")
    assert application.computed_amount == Decimal("7000.00")
    decide(application, world.caseworker, "refuse", None, "Ingen direkte kontakt.")
    db.session.commit()

    text = _letter_text(application)
    assert "Bevilget beløb 0,00 kr." in text
    assert "Beregnet tilskud" not in text
    assert "7.000,00 kr." in text  # what was applied for, as applied for
    assert "prioriteret" not in text


def test_a_partial_grant_for_want_of_money_says_how_it_prioritised(world):
    poor = make_fund(code="halv", name="Halv pulje", budget=6000)
    application = make_application(world.employee, poor, state="awaiting_decision", amount=7500)
    decide(application, world.caseworker, "grant_part", Decimal(6000), "Puljen rækker ikke.")
    db.session.commit()
    text = _letter_text(application)
    assert "6.000,00 kr. af de 7.500,00 kr." in text
    assert "prioriteret ansøgningerne" in text


def test_a_partial_grant_on_eligibility_does_not_speak_of_the_budget(world):
    text = _letter_text(decision_case(world, "grant_part", 6000, applied=7500))
    assert "prioriteret" not in text and "budgettet" not in text
