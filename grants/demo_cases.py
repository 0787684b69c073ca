"""Sample cases for the demo, made through the same operations a person's clicks run, so
the work queues, the budgets and the public trips have something to show from the start.

No e-mail leaves the demo: what the steps queue is removed from the outbox afterwards.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete

from grants.applications import operations
from grants.applications.models import Application, BudgetCategory, BudgetLine
from grants.core import clock
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.reports.models import AccountLine, TripReport
from grants.reports.report import submit_report
from grants.reports.settlement import settle
from grants.workflow import engine


def _case(
    fund,
    applicant,
    *,
    title,
    city,
    country,
    days_ahead,
    nights,
    lines,
    amount,
    manager=None,
    **extra,
) -> Application:
    departure = clock.today() + dt.timedelta(days=days_ahead)
    application = Application(
        fund=fund,
        route=fund.route,
        state=fund.route.initial_state,
        applicant=applicant,
        manager=manager,
        title=title,
        destination_city=city,
        destination_country=country,
        departure_date=departure,
        return_date=departure + dt.timedelta(days=nights),
        amount_applied=Decimal(amount),
        traveller_count=1,
        travellers=applicant.name,
        purpose=extra.pop("purpose", "At hente inspiration til kommunens arbejde."),
        programme=extra.pop("programme", "Besøg, oplæg og konference efter programmet."),
        expected_benefit="Nye metoder, som kan bruges i hverdagen.",
        knowledge_sharing="Oplæg på personalemøde og en artikel på intranettet.",
        **extra,
    )
    for position, (category, line_amount) in enumerate(lines.items()):
        application.budget_lines.append(
            BudgetLine(position=position, category=category, amount=Decimal(line_amount))
        )
    db.session.add(application)
    db.session.flush()
    engine.record(application, "created", applicant, to_state=application.state)
    return application


def load(people: dict, funds: dict, organisation, prague) -> None:
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        _load(people, funds, organisation, prague)
        db.session.flush()
        db.session.execute(delete(OutboxMessage))


def _load(people: dict, funds: dict, organisation, prague) -> None:
    employee, manager = people["medarbejder"], people["leder"]
    caseworker = people["sagsbehandler"]
    study = funds["studierejsefonden"]

    # Waiting for the manager's endorsement.
    waiting = _case(
        study,
        employee,
        manager=manager,
        title="Konference om inklusion i Oslo",
        city="Oslo",
        country="NO",
        days_ahead=75,
        nights=3,
        amount=9000,
        lines={
            BudgetCategory.TRANSPORT: 3500,
            BudgetCategory.ACCOMMODATION: 3600,
            BudgetCategory.FEES: 1900,
        },
    )
    operations.submit(waiting, employee)

    # Endorsed, with the caseworker for screening.
    screening = _case(
        study,
        employee,
        manager=manager,
        title="Studiebesøg på skoler i Tallinn",
        city="Tallinn",
        country="EE",
        days_ahead=110,
        nights=2,
        amount=7200,
        lines={
            BudgetCategory.TRANSPORT: 3000,
            BudgetCategory.ACCOMMODATION: 2600,
            BudgetCategory.MEALS: 1600,
        },
    )
    operations.submit(screening, employee)
    operations.endorse(screening, manager, True, "Relevant for hele skoleområdet.")

    # Above the delegated limit: forwarded to the fund's board for decision.
    for_board = _case(
        study,
        employee,
        manager=manager,
        title="Forskningskonference i Lyon",
        city="Lyon",
        country="FR",
        days_ahead=140,
        nights=4,
        amount=18500,
        lines={
            BudgetCategory.TRANSPORT: 4500,
            BudgetCategory.ACCOMMODATION: 6000,
            BudgetCategory.FEES: 8000,
        },
    )
    operations.submit(for_board, employee)
    operations.endorse(for_board, manager, True, "")
    engine.take(for_board, "forward_for_decision", caseworker)

    # Granted, travelled, reported and settled: published on the trips-abroad page.
    done = _case(
        study,
        employee,
        manager=manager,
        title="Studietur til ungdomsskoler i Helsinki",
        city="Helsinki",
        country="FI",
        days_ahead=-40,
        nights=3,
        amount=7500,
        lines={BudgetCategory.TRANSPORT: 3500, BudgetCategory.ACCOMMODATION: 4000},
    )
    operations.submit(done, employee)
    operations.endorse(done, manager, True, "")
    engine.take(done, "forward_for_decision", caseworker)
    operations.decide(done, caseworker, "grant", None, "")
    report = TripReport(
        application_id=done.id,
        what_was_done="Besøgte tre ungdomsskoler og deltog i en konference om inklusion.",
        what_was_learned="Finske ungdomsskolers arbejde med små hold og mentorordninger.",
        how_it_will_be_used="Et nyt mentorforløb i klubberne fra næste sæson.",
        actual_departure=done.departure_date,
        actual_return=done.return_date,
        participant_names=employee.name,
        participant_count=1,
    )
    report.account_lines = [
        AccountLine(position=0, category=BudgetCategory.TRANSPORT, amount=Decimal("3250")),
        AccountLine(position=1, category=BudgetCategory.ACCOMMODATION, amount=Decimal("3890")),
    ]
    db.session.add(report)
    db.session.flush()
    submit_report(done, employee)
    settle(done, caseworker, "")

    # A youth trip from the demo association, its subsidy computed by Ballerup's rules.
    representative = people["forening"]
    youth = _case(
        funds["ungdomsrejser"],
        representative,
        title="Orkestertur til Prag 10",
        city="",
        country="",
        days_ahead=95,
        nights=5,
        amount=0,
        lines={BudgetCategory.TRANSPORT: 24000, BudgetCategory.MEALS: 6000},
        organisation=organisation,
        partner_city=prague,
        participants_young=12,
        participants_leaders=2,
        participants_disabled=0,
        purpose="Fælles koncert med et ungdomsorkester i Prag 10.",
        direct_contact="To fælles prøver og en koncert; de unge bor hos hinanden.",
    )
    operations.submit(youth, representative)
