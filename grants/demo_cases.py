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
from grants.cases.models import Application, BudgetCategory, BudgetLine
from grants.core import clock
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.payments import operations as payments
from grants.questions.models import current_form
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
        traveller_count=extra.pop("traveller_count", 1),
        travellers=extra.pop("travellers", applicant.name),
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


T, A, F, M = (
    BudgetCategory.TRANSPORT,
    BudgetCategory.ACCOMMODATION,
    BudgetCategory.FEES,
    BudgetCategory.MEALS,
)
# The study trips, each applied for the sum of its budget lines and taken along the route
# as far as its first figure: 1 waits for the manager's endorsement; 2 is endorsed (with the
# manager's comment), with the caseworker for screening; 3 is above the delegated limit,
# forwarded to the fund's board; 4 is granted (and then travelled, reported and settled:
# published on the trips-abroad page).
STUDY_TRIPS = [
    # (steps, comment, title, city, country, days until departure, nights, budget lines)
    (1, "", "Konference om inklusion i Oslo", "Oslo", "NO", 75, 3, {T: 3500, A: 3600, F: 1900}),
    (
        2,
        "Relevant for hele skoleområdet.",
        "Studiebesøg på skoler i Tallinn",
        "Tallinn",
        "EE",
        110,
        2,
        {T: 3000, A: 2600, M: 1600},
    ),
    (3, "", "Forskningskonference i Lyon", "Lyon", "FR", 140, 4, {T: 4500, A: 6000, F: 8000}),
    (4, "", "Studietur til ungdomsskoler i Helsinki", "Helsinki", "FI", -40, 3, {T: 3500, A: 4000}),
]


def _study_trip(
    fund, people: dict, steps: int, comment: str, title, city, country, days, nights, lines
):
    """One study trip, taken ``steps`` steps along the route: submitted, endorsed, forwarded
    for decision, granted."""
    employee, manager = people["medarbejder"], people["leder"]
    caseworker = people["sagsbehandler"]
    application = _case(
        fund,
        employee,
        manager=manager,
        title=title,
        city=city,
        country=country,
        days_ahead=days,
        nights=nights,
        amount=sum(lines.values()),
        lines=lines,
    )
    operations.submit(application, employee)
    if steps >= 2:
        operations.endorse(application, manager, True, comment)
    if steps >= 3:
        engine.take(application, "forward_for_decision", caseworker)
    if steps >= 4:
        operations.decide(application, caseworker, "grant", None, "")
    return application


def load(people: dict, funds: dict, organisation, prague) -> None:
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        _load(people, funds, organisation, prague)
        db.session.flush()
        db.session.execute(delete(OutboxMessage))


def _load(people: dict, funds: dict, organisation, prague) -> None:
    employee = people["medarbejder"]
    caseworker = people["sagsbehandler"]
    study = funds["studierejsefonden"]

    trips = [_study_trip(study, people, *trip) for trip in STUDY_TRIPS]
    done = trips[-1]
    _settled(
        done,
        employee,
        caseworker,
        costs={BudgetCategory.TRANSPORT: 3250, BudgetCategory.ACCOMMODATION: 3890},
        names=employee.name,
        count=1,
        what_was_done="Besøgte tre ungdomsskoler og deltog i en konference om inklusion.",
        what_was_learned="Finske ungdomsskolers arbejde med små hold og mentorordninger.",
        how_it_will_be_used="Et nyt mentorforløb i klubberne fra næste sæson.",
    )

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
    _international(people, funds, prague)


def _settled(application, applicant, approver, *, costs: dict, names: str, count: int, **text):
    """Report and accounts after the trip, approved by ``approver``: the case is settled."""
    report = TripReport(
        application_id=application.id,
        actual_departure=application.departure_date,
        actual_return=application.return_date,
        participant_names=names,
        participant_count=count,
        **text,
    )
    report.account_lines = [
        AccountLine(position=n, category=category, amount=Decimal(amount))
        for n, (category, amount) in enumerate(costs.items())
    ]
    db.session.add(report)
    db.session.flush()
    submit_report(application, applicant)
    settle(application, approver, "")


def _international(people: dict, funds: dict, prague) -> None:
    """The international cooperation's own spending: the secretariat plans, the fund's board
    (the demo's committee member) approves. An official delegation to Prague 10, published
    with its accounts; one still to come; and the schools' network meeting, paid and
    settled, so the network's 23,000 kr. shows what it was spent on."""
    secretariat, board = people["sagsbehandler"], people["udvalg"]
    official, network = funds["internationalt-samarbejde"], funds["laerernetvaerk"]
    # The kind's own field (grants.funds.kinds: Kind.questions), answered on the fund's form.
    asked = {"form_version_id": current_form(official.id).id}
    delegation = "Borgmester Bo Berg, kommunaldirektør Kim Krogh, Sara Skov (sekretariatet)"
    visit = _case(
        official,
        secretariat,
        title="Borgmesterens delegation til Prag 10",
        city="Prag",
        country="CZ",
        days_ahead=-50,
        nights=3,
        amount=24000,
        lines={BudgetCategory.TRANSPORT: 9000, BudgetCategory.ACCOMMODATION: 10500},
        purpose="Årligt møde i venskabsbysamarbejdet og aftale om næste års udvekslinger.",
        travellers=delegation,
        traveller_count=3,
        answers={"delegation": "Politikere og administrationen"},
        **asked,
    )
    operations.submit(visit, secretariat)
    operations.decide(visit, board, "grant", None, "")
    _settled(
        visit,
        secretariat,
        board,
        costs={BudgetCategory.TRANSPORT: 8640, BudgetCategory.ACCOMMODATION: 9870},
        names=delegation,
        count=3,
        what_was_done="Møde med Prag 10's borgmester og besøg på to skoler i udvekslingen.",
        what_was_learned="Prag 10 vil gerne udvide udvekslingen til ungdomsklubberne.",
        how_it_will_be_used="En aftale om klubudveksling lægges frem for udvalget.",
    )
    coming = _case(
        official,
        secretariat,
        title="Delegation til Wuxi om erhvervssamarbejde",
        city="Wuxi",
        country="CN",
        days_ahead=120,
        nights=5,
        amount=60000,
        lines={BudgetCategory.TRANSPORT: 36000, BudgetCategory.ACCOMMODATION: 18000},
        purpose="Erhvervsfremme uden for Bycirklen: besøg hos virksomheder med filial i Ballerup.",
        travellers="Borgmester Bo Berg, erhvervschef Eva Holm",
        traveller_count=2,
        answers={"delegation": "Politikere og administrationen"},
        **asked,
    )
    operations.submit(coming, secretariat)
    meeting = _case(
        network,
        secretariat,
        title="Netværksmøde for internationale koordinatorer",
        city="Ballerup",
        country="DK",
        days_ahead=-20,
        nights=0,
        amount=4500,
        lines={BudgetCategory.FEES: 3000, BudgetCategory.MEALS: 1500},
        purpose="Skolernes internationale koordinatorer deler erfaringer fra årets udvekslinger.",
        travellers="Koordinatorerne fra kommunens skoler",
        traveller_count=14,
    )
    operations.submit(meeting, secretariat)
    operations.decide(meeting, board, "grant", None, "")
    payments.pay(meeting, Decimal(4500), people["okonomi"], clock.today(), "DEMO-NET-1")
    _settled(
        meeting,
        secretariat,
        board,
        costs={BudgetCategory.FEES: 3000, BudgetCategory.MEALS: 1500},
        names="",
        count=14,
        what_was_done="Oplæg fra tre skoler og en workshop om næste års udvekslinger.",
        what_was_learned="Skolerne vil dele værtsfamilier ved udvekslingerne.",
        how_it_will_be_used="En fælles liste over værtsfamilier fra næste skoleår.",
    )
