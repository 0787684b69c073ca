"""A page shown before a person's part in a case ended is no licence afterwards: the
decision's confirmation shown to a board member who is then taken off the fund's board,
or to a caseworker whose role is then removed, is refused when confirmed, and nothing
changes (the engine asks who handles the case *now*, at the post)."""

from __future__ import annotations

from grants.administration.operations import set_board, set_roles
from grants.cases.states import State
from grants.extensions import db
from grants.people.models import Role
from tests.confirming import token_in
from tests.dbstate import table_fingerprint
from tests.factories import make_application


def _shown(client, application):
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(url, data={"action": "grant", "amount": "", "reasons": ""})
    assert shown.status_code == 200
    return url, token_in(shown)


def test_a_board_member_taken_off_the_board_cannot_confirm_the_decision(world, client, auth):
    application = make_application(
        world.employee, world.fund, state=State.AWAITING_DECISION, amount=40000
    )
    db.session.commit()
    auth.login(world.board_member)
    url, token = _shown(client, application)

    set_board(world.fund, set())
    db.session.commit()
    before = table_fingerprint()
    assert client.post(url, data={"confirmation": token}).status_code == 403
    assert table_fingerprint() == before
    db.session.expire_all()
    assert application.state == State.AWAITING_DECISION


def test_a_caseworker_whose_role_is_removed_cannot_confirm_the_decision(world, client, auth):
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.commit()
    auth.login(world.caseworker)
    url, token = _shown(client, application)

    set_roles(world.caseworker, {Role.EMPLOYEE}, True, world.admin)
    db.session.commit()
    before = table_fingerprint()
    assert client.post(url, data={"confirmation": token}).status_code == 403
    assert table_fingerprint() == before
    db.session.expire_all()
    assert application.state == State.SCREENING
