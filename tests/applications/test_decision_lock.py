"""A decision's letter is made before the fund's lock is taken, and the decision is checked
again under it (``applications.operations.take_decision``).

WeasyPrint and the seal are most of a decision's time; with the letter made under the lock a
committee meeting's forty decisions waited for one another's letters. These tests hold the
three halves of the change: the fund is free while the letter is made; a decision that the
decision before it overtook meanwhile is refused and leaves nothing behind; and a letter
whose facts changed meanwhile is made again, never issued stale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.applications import operations
from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry
from grants.budgets.movements import reserve
from grants.budgets.opening import allocate
from grants.cases.models import Application
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db
from grants.letters.models import Letter
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from grants.workflow.models import JournalEntry
from tests.applications.helpers import decisions
from tests.applications.test_decision_limits import _prague, _submitted_youth_case
from tests.factories import make_application, make_fund, make_organisation, make_youth_fund
from tests.locking import lockable_from_elsewhere


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def fund_with(code: str, allocation: int) -> tuple:
    """A fund with ``allocation`` kr. for a trip in two months, and that trip's dates."""
    fund = make_fund(code=code, budget=None)
    departure = clock.today() + dt.timedelta(days=60)
    allocate(fund, departure.year, Decimal(allocation))
    return fund, {"departure_date": departure, "return_date": departure + dt.timedelta(days=3)}


def test_the_fund_is_free_while_the_letter_is_made_and_locked_once_money_moves(
    world, database_url, pdfs_made
):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    seen = []
    pdfs_made["before"] = lambda: seen.append(lockable_from_elsewhere(database_url, world.fund.id))

    operations.decide(application, world.caseworker, "grant", None, "")

    assert seen == [True]  # while WeasyPrint worked, another decision could take the lock
    assert not lockable_from_elsewhere(database_url, world.fund.id)  # held until the commit
    db.session.commit()
    assert lockable_from_elsewhere(database_url, world.fund.id)
    assert application.state == "granted" and len(decisions(application)) == 1


def test_each_kind_of_decision_makes_its_letter_once(world, pdfs_made):
    """The letter made from the draft is the one issued: the case, once decided, says
    exactly what the draft said, so nothing is rendered twice."""
    full = make_application(world.employee, world.fund, state="awaiting_decision")
    part = make_application(world.employee, world.fund, state="awaiting_decision")
    refused = make_application(world.employee, world.fund, state="awaiting_decision")
    operations.decide(full, world.caseworker, "grant", None, "")
    operations.decide(part, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    operations.decide(refused, world.caseworker, "refuse", None, "Ikke et studieformål.")
    db.session.commit()
    assert pdfs_made["count"] == 3

    # A reconsidered decision: its letter replaces the one before.
    operations.request_reconsideration(part, world.employee, "request_reconsideration", "Igen.")
    operations.decide(part, world.caseworker, "grant", None, "")
    db.session.commit()
    assert pdfs_made["count"] == 4
    assert [letter.edition for letter in decisions(part)] == [1, 2]
    for case, outcome in ((full, "granted"), (part, "granted"), (refused, "refused")):
        assert decisions(case)[-1].parameters["outcome"] == outcome


def test_a_youth_subsidy_with_a_dispensation_makes_its_letter_once(world, pdfs_made):
    fund = make_youth_fund(board=[world.board_member])
    add_rule_set((STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(), fund=fund)
    case = _submitted_youth_case(world, fund, make_organisation(world.outsider), _prague())
    operations.decide(case, world.caseworker, "grant", case.computed_amount + 500, "", "Jubilæum.")
    db.session.commit()
    assert pdfs_made["count"] == 1
    (letter,) = decisions(case)
    assert letter.parameters["subsidy"]["dispensation_reason"] == "Jubilæum."


def test_a_decision_overtaken_by_the_one_before_it_is_refused_and_leaves_nothing(world):
    """Two of an organisation's cases under a once-a-year rule: the second is checked (the
    organisation has no grant yet), then the first is granted and committed while the second's
    letter is being made. Under the lock the second is checked again and refused."""
    fund = make_youth_fund(board=[world.board_member])
    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text()
    add_rule_set(source + "\n[limits]\ngrants_per_organisation_per_year = 1\n", fund=fund)
    organisation = make_organisation(world.outsider)
    first = _submitted_youth_case(world, fund, organisation, _prague())
    second = _submitted_youth_case(world, fund, organisation, first.partner_city)
    checked = operations.check_decision(second, world.caseworker, "grant", None, "")

    operations.decide(first, world.caseworker, "grant", None, "")
    db.session.commit()
    journal = count(JournalEntry, application_id=second.id)
    entries = count(BudgetEntry, fund_id=fund.id)

    with pytest.raises(DomainError) as refused:
        operations.take_decision(second, world.caseworker, checked)
    db.session.rollback()

    assert refused.value.field == "dispensation_reason"  # as if decided after the first
    second = db.session.get(Application, second.id)
    assert second.state == "awaiting_decision" and second.outcome is None
    assert count(Letter, application_id=second.id) == 0
    assert count(JournalEntry, application_id=second.id) == journal
    assert count(BudgetEntry, fund_id=fund.id) == entries


def test_a_decision_the_budget_ran_out_for_meanwhile_is_refused_and_leaves_nothing(world):
    fund, dates = fund_with("lille-pulje", 10000)
    departure = dates["departure_date"]
    first = make_application(world.employee, fund, state="awaiting_decision", **dates)
    second = make_application(world.employee, fund, state="awaiting_decision", **dates)
    checked = operations.check_decision(second, world.caseworker, "grant", None, "")
    operations.decide(first, world.caseworker, "grant", None, "")
    db.session.commit()

    with pytest.raises(DomainError, match="Der er kun 2.000,00 kr. til rådighed"):
        operations.take_decision(second, world.caseworker, checked)
    db.session.rollback()

    assert db.session.get(Application, second.id).state == "awaiting_decision"
    assert count(Letter, application_id=second.id) == 0
    assert count(BudgetEntry, application_id=second.id) == 0
    assert balance(fund.id, departure.year).available == Decimal(2000)


def test_a_letter_whose_facts_changed_while_it_was_made_is_made_again(world, pdfs_made):
    """A partial grant's letter says how applications were prioritised only when the year's
    money could not cover what was asked. If another grant takes the money while this letter
    is being made, the letter issued says so: it is made again, not issued stale."""
    fund, dates = fund_with("knap-pulje", 12000)
    departure = dates["departure_date"]
    case = make_application(world.employee, fund, state="awaiting_decision", **dates)
    other = make_application(world.employee, fund, state="awaiting_decision", **dates)
    db.session.commit()

    def another_grant_meanwhile():
        if pdfs_made["count"] == 1:
            reserve(other, Decimal(6000), world.caseworker)
            db.session.flush()

    pdfs_made["before"] = another_grant_meanwhile
    operations.decide(case, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    db.session.commit()

    assert pdfs_made["count"] == 2
    (letter,) = decisions(case)
    assert letter.parameters["budget_short"] is True
    assert balance(fund.id, departure.year).available == Decimal(1000)


def test_more_kinds_of_decision_make_their_letter_once(world, pdfs_made):
    """The board above the delegated limit (the caseworker named from the journal), an
    applicant writing in English with the fund's own English text, and reconsiderations that
    lower a grant and refuse it: each renders one letter."""
    from grants.letters import texts
    from grants.workflow.engine import record

    board = make_application(world.employee, world.fund, state="awaiting_decision", amount=20000)
    record(board, "forward_to_board", world.caseworker, from_state="screening")
    operations.decide(board, world.board_member, "grant_part", Decimal(16000), "Delvist.")
    db.session.commit()
    assert pdfs_made["count"] == 1
    assert decisions(board)[0].parameters["caseworker"]["id"] == world.caseworker.id

    texts.add_text(world.fund, "granted", "Our own words for {{ ansoeger }}.", language="en")
    world.employee.locale = "en"
    english = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    operations.decide(english, world.caseworker, "grant", None, "")
    db.session.commit()
    assert pdfs_made["count"] == 2
    assert decisions(english)[0].language == "en" and decisions(english)[0].text_id

    for action, amount, reasons in (
        ("grant_part", Decimal(3000), "Kortere ophold."),
        ("refuse", None, "Rejsen er aflyst."),
    ):
        operations.request_reconsideration(
            english, world.employee, "request_reconsideration", "Igen."
        )
        operations.decide(english, world.caseworker, action, amount, reasons)
        db.session.commit()
    assert pdfs_made["count"] == 4
    assert [letter.edition for letter in decisions(english)] == [1, 2, 3]
