"""The case page's *Afgørelse* says what was decided: a refusal is a refusal, not a grant of
0,00 kr. (found walking the demo: a refused study trip read "Bevilget 0,00 kr.")."""

from decimal import Decimal

import pytest

from grants.cases.models import Outcome
from grants.extensions import db
from tests.factories import make_application
from tests.html import definitions

DECISION = "section[aria-labelledby=decision-heading] dl"


@pytest.mark.parametrize(
    ("locale", "outcome_term", "refused", "granted_term"),
    [("da", "Afgørelse", "Afslag", "Bevilget"), ("en", "Decision", "Refusal", "Granted")],
)
def test_a_refused_case_says_refused_and_no_amount_granted(
    world, client, auth, locale, outcome_term, refused, granted_term
):
    case = make_application(
        world.employee, world.fund, state="refused", decision_reasons="Puljen er brugt op."
    )
    case.granted_amount = Decimal("0")
    db.session.commit()
    auth.login(world.employee)
    client.post("/sprog", data={"locale": locale, "next": "/"})

    shown = definitions(client.get(f"/ansoegninger/{case.id}"), DECISION)

    assert shown[outcome_term] == refused
    assert granted_term not in shown


def test_a_partial_grant_says_so_with_its_amount(world, client, auth):
    case = make_application(world.employee, world.fund, state="partly_granted")
    case.granted_amount = Decimal("5000")
    db.session.commit()
    assert case.outcome is Outcome.PARTLY_GRANTED
    auth.login(world.employee)

    shown = definitions(client.get(f"/ansoegninger/{case.id}"), DECISION)

    assert shown["Afgørelse"] == "Delvis bevilling"
    assert shown["Bevilget"] == "5.000,00 kr."
