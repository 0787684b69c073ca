"""A fund's route changed in the app while cases are under way: the cases already under way
finish on the route they started on; new applications take the new route."""

from __future__ import annotations

from sqlalchemy import select

from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from grants.workflow.loader import current_route
from tests.administration.test_admin_pages import save_fund
from tests.applications.helpers import form_data
from tests.confirming import confirm


def newest() -> Application:
    db.session.expire_all()
    return db.session.scalars(select(Application).order_by(Application.id.desc())).first()


def test_a_route_changed_mid_flight(world, client, auth):
    fund = world.fund
    study_trip, screening = current_route("study_trip"), current_route("screening_decision")
    assert fund.route_id == study_trip.id

    # A case starts on the study-trip route (the manager endorses first).
    auth.login(world.employee)
    client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    old = newest()
    assert (old.route_id, old.state) == (study_trip.id, "awaiting_endorsement")

    # The administrator chooses the route without a manager's endorsement for the fund.
    auth.login(world.admin)
    response = save_fund(client, fund, route_id=str(screening.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert fund.route_id == screening.id

    # A new application takes the new route: straight to screening, no manager asked for.
    auth.login(world.employee)
    response = client.post("/ansoegninger/ny/studierejsefonden", data=form_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    new = newest()
    assert (new.route_id, new.state) == (screening.id, "screening")

    # The old case still waits for its manager and finishes on its own route.
    db.session.expire_all()
    old = db.session.get(Application, old.id)
    assert old.route_id == study_trip.id and old.state == "awaiting_endorsement"
    auth.login(world.manager)
    assert (
        client.post(
            f"/ansoegninger/{old.id}/trin/endorse", data={"comment": "God idé."}
        ).status_code
        == 302
    )
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{old.id}/trin/forward_for_decision", data={})
    response = confirm(
        client,
        f"/ansoegninger/{old.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    # The new case: no endorsement step exists on its route.
    assert client.post(f"/ansoegninger/{new.id}/trin/endorse", data={}).status_code in (
        403,
        404,
        409,
        422,
    )
    client.post(f"/ansoegninger/{new.id}/trin/forward_for_decision", data={})
    response = confirm(
        client,
        f"/ansoegninger/{new.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 302

    db.session.expire_all()
    old, new = db.session.get(Application, old.id), db.session.get(Application, new.id)
    assert [e.action for e in old.journal][:3] == ["created", "submit", "endorse"]
    assert "endorse" not in [e.action for e in new.journal]
    assert (old.state, new.state) == ("granted", "granted")
    assert (old.route_id, new.route_id) == (study_trip.id, screening.id)
    assert db.session.scalar(select(Letter).filter_by(application_id=old.id)) is not None
    assert db.session.scalar(select(Letter).filter_by(application_id=new.id)) is not None
