"""A decision confirmed again after it was taken (the same confirmation posted twice, or an
old preview confirmed after the case was decided) is told the case is already decided, with
what it was, as a conflict (409): not that the person may not decide it (403), which stays
for one who may never decide the case. A decision refused once the case has moved on shows
the case as it now is, with no decision form where no decision can be taken."""

from __future__ import annotations

from grants.applications import operations
from grants.core.errors import DomainError
from grants.extensions import db
from tests.confirming import token_in
from tests.factories import make_application
from tests.html import flashes, page

URL = "/ansoegninger/{}/afgoerelse"
DECISION = {"action": "grant", "amount": "", "reasons": "", "dispensation_reason": ""}


def _waiting(world):
    return make_application(world.employee, world.fund, amount="8000.00", state="awaiting_decision")


def _shown(client, application):
    shown = client.post(URL.format(application.id), data=DECISION)
    assert shown.status_code == 200, shown.get_data(as_text=True)[:500]
    return token_in(shown)


def test_the_same_confirmation_posted_again_says_the_case_is_decided(client, auth, world):
    application = _waiting(world)
    auth.login(world.caseworker)
    token = _shown(client, application)
    assert client.post(URL.format(application.id), data={"confirmation": token}).status_code == 302
    again = client.post(URL.format(application.id), data={"confirmation": token})
    assert again.status_code == 409
    [message] = flashes(again, "error")
    assert message.startswith("Sagen er allerede afgjort")
    assert "8.000,00 kr." in message
    assert "Du kan ikke træffe afgørelse" not in message


def test_an_old_preview_confirmed_after_someone_else_decided_says_so(client, auth, world):
    application = _waiting(world)
    auth.login(world.caseworker)
    token = _shown(client, application)
    operations.decide(application, world.caseworker, "refuse", None, "Uden for formålet.")
    db.session.commit()
    late = client.post(URL.format(application.id), data={"confirmation": token})
    assert late.status_code == 409
    [message] = flashes(late, "error")
    assert message.startswith("Sagen er allerede afgjort") and "afslag" in message
    assert application.state == "refused"


def test_one_who_may_never_decide_the_case_is_still_refused(client, auth, world):
    application = _waiting(world)
    auth.login(world.employee)  # the applicant
    refused = client.post(URL.format(application.id), data=DECISION)
    assert refused.status_code == 403
    assert flashes(refused, "error") == ["Du kan ikke træffe afgørelse i denne sag."]


def test_a_refusal_after_the_case_was_decided_offers_no_decision_form(
    client, auth, world, monkeypatch
):
    """As a confirmation posted twice at once: the other request decides the case while this
    one is refused under the lock."""
    application = _waiting(world)
    auth.login(world.caseworker)
    token = _shown(client, application)
    take = operations.take_decision

    def overtaken(application, actor, decision):
        take(application, actor, decision)
        db.session.commit()  # the other request's decision
        raise DomainError("En anden afgørelse, der lige er truffet, ændrer sagen.")

    monkeypatch.setattr(operations, "take_decision", overtaken)
    response = client.post(URL.format(application.id), data={"confirmation": token})
    assert response.status_code == 409  # the case has moved on
    shown = page(response)
    assert shown.select('select[name="action"]') == []
    assert "Træf afgørelse" not in shown.get_text()
    assert "En anden afgørelse, der lige er truffet, ændrer sagen." in shown.get_text()
    assert "Bevilget" in shown.get_text()
