"""The case page's fresh forms (the decision's fields, the message and the note form) are kept
as rendered across requests (``kept_fragment``, by language and what they offer): each
case still shows its own applied amount, each reader the fields they may use, and a form
sent back with errors is drawn from what was sent, not from the kept fields."""

from __future__ import annotations

from grants.extensions import db
from tests.factories import make_application


def _page(client, case) -> str:
    response = client.get(f"/ansoegninger/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_case_shows_its_own_amount_in_the_kept_decision_fields(client, auth, world):
    first = make_application(world.employee, world.fund, state="awaiting_decision", amount=8000)
    second = make_application(world.employee, world.fund, state="awaiting_decision", amount=9125)
    db.session.commit()
    auth.login(world.caseworker)
    for _ in range(2):  # drawn, then kept
        assert "Ansøgt beløb: 8.000,00 kr." in _page(client, first)
        page = _page(client, second)
        assert "Ansøgt beløb: 9.125,00 kr." in page
        assert "Ansøgt beløb: 8.000,00 kr." not in page
        assert 'name="reasons"' in page and 'value="grant_part"' in page


def test_a_decision_sent_back_with_errors_shows_them_and_what_was_typed(client, auth, world):
    case = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)
    _page(client, case)  # the fresh fields kept
    response = client.post(
        f"/ansoegninger/{case.id}/afgoerelse",
        data={"action": "grant_part", "amount": "abc", "reasons": "Typed <b>here</b>"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Typed &lt;b&gt;here&lt;/b&gt;" in page
    assert 'aria-invalid="true"' in page
    assert "Typed" not in _page(client, case)


def test_the_kept_message_form_offers_a_request_only_to_the_secretariat(client, auth, world):
    case = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    staff = _page(client, case)
    assert 'id="request-message"' in staff and 'name="note"' in staff
    auth.login(world.employee)
    own = _page(client, case)
    assert 'name="body"' in own
    assert 'id="request-message"' not in own and 'name="note"' not in own
    auth.login(world.caseworker)
    assert 'id="request-message"' in _page(client, case)
