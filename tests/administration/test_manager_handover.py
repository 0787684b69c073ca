"""A manager who stops being one (the administrator takes the role away, or closes the
account) hands over to a successor named on the same form: their employees get the
successor as manager, and the cases waiting for their endorsement go to the successor (the
journal, an e-mail in the successor's language). Without a successor, while cases wait, the
change is refused next to the field and nothing changes. Only an administrator may."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.cases.states import State
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import Role
from grants.workflow import engine
from grants.workflow.models import CaseRole, JournalEntry
from tests import html
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_user


def _post(client, person, roles, *, active=True, successor=None, manager_id=None):
    data = {"roles": roles}
    if active:
        data["active"] = "y"
    if successor is not None:
        data["successor_id"] = str(successor)
    # The page's select is always sent: the person's manager as it is, unless one is given.
    data["manager_id"] = str(manager_id if manager_id is not None else person.manager_id or "")
    return client.post(f"/administration/brugere/{person.id}", data=data)


@pytest.fixture
def karen(world):
    karen = make_user(
        Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist", email="karen@ballerup.dk", locale="en"
    )
    db.session.commit()
    return karen


def _journal(application):
    return db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id,
            JournalEntry.action == "manager_changed",
        )
    ).all()


@pytest.mark.parametrize(
    ("locale", "waiting", "how", "expected"),
    [
        ("da", 1, "role removed", "En sag venter på anbefaling fra Lars Lund. Vælg, hvem der"),
        ("da", 2, "account closed", "2 sager venter på anbefaling fra Lars Lund. Vælg, hvem"),
        ("en", 1, "account closed", "One case is waiting for Lars Lund to endorse it. Choose"),
        ("en", 2, "role removed", "2 cases are waiting for Lars Lund to endorse them. Choose"),
    ],
)
def test_no_successor_while_cases_wait_is_refused_next_to_the_field(
    world, client, auth, karen, locale, waiting, how, expected
):
    for _ in range(waiting):
        make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    world.admin.locale = locale
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    if how == "role removed":
        response = _post(client, world.manager, ["employee"])
    else:
        response = _post(client, world.manager, ["employee", "manager"], active=False)
    assert response.status_code == 422
    error = html.field_error(response, "successor_id")
    assert error is not None and error.startswith(expected), error
    assert table_fingerprint() == before
    db.session.expire_all()
    assert world.manager.has_role(Role.MANAGER) and world.manager.active


@pytest.mark.parametrize("how", ["role removed", "account closed"])
def test_the_successor_takes_over_employees_and_waiting_cases(world, client, auth, karen, how):
    waiting = make_application(
        world.employee, world.fund, state=State.AWAITING_ENDORSEMENT, title="Til lederen"
    )
    draft = make_application(world.employee, world.fund, state=State.DRAFT, title="Kladden")
    endorsed = make_application(world.employee, world.fund, state=State.SCREENING)
    # An applicant whose own manager is another, who named Lars on the form.
    other = make_user(Role.EMPLOYEE, name="Ida Iversen", manager=karen)
    chosen = make_application(
        other, world.fund, manager=world.manager, state=State.AWAITING_ENDORSEMENT
    )
    db.session.commit()
    auth.login(world.admin)
    if how == "role removed":
        response = _post(client, world.manager, ["employee"], successor=karen.id)
    else:
        response = _post(
            client, world.manager, ["employee", "manager"], active=False, successor=karen.id
        )
    assert response.status_code == 302, html.field_errors(response)
    notices = html.flashes(client.get(response.headers["Location"]))
    assert any("Karen Kvist overtager som leder efter Lars Lund" in n for n in notices)
    assert not html.flashes(client.get("/administration/brugere"), "warning")
    db.session.expire_all()

    assert world.employee.manager_id == karen.id
    assert waiting.manager_id == karen.id and chosen.manager_id == karen.id
    assert draft.manager_id == karen.id
    assert endorsed.manager_id == world.manager.id  # past the manager's step: as it was
    assert engine.case_roles(waiting, karen) == {CaseRole.MANAGER}
    assert engine.case_roles(chosen, karen) == {CaseRole.MANAGER}
    for case in (waiting, chosen):
        (entry,) = _journal(case)
        assert entry.details["new"] == "Karen Kvist" and entry.details["old"] == "Lars Lund"
    assert not _journal(draft) and not _journal(endorsed)
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == karen.id)
    ).all()
    assert sorted(m.application_id for m in mail) == sorted([waiting.id, chosen.id])
    assert all("waiting for you" in m.subject + m.body for m in mail)

    # Karen reads the journal in English, the applicant in Danish.
    auth.login(karen)
    text = html.page_text(client.get(f"/ansoegninger/{waiting.id}"))
    assert "Lars Lund is no longer a manager" in text
    assert "Karen Kvist" in text
    assert (
        client.post(f"/ansoegninger/{waiting.id}/trin/endorse", data={"comment": ""}).status_code
        == 302
    )
    auth.login(world.employee)
    text = html.page_text(client.get(f"/ansoegninger/{waiting.id}"))
    assert "Lars Lund er ikke længere leder" in text


def test_a_successor_is_not_asked_when_no_case_waits(world, client, auth, karen):
    """Employees without a waiting case: the change goes through, and the page says whose
    manager to change (as before)."""
    auth.login(world.admin)
    response = _post(client, world.manager, ["employee"])
    assert response.status_code == 302
    notices = html.flashes(client.get(response.headers["Location"]), "warning")
    assert any("Mette Madsen" in n for n in notices)


def test_a_successor_for_one_who_stays_a_manager_is_refused(world, client, auth, karen):
    make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    response = _post(client, world.manager, ["employee", "manager"], successor=karen.id)
    assert response.status_code == 422
    assert "Lars Lund er stadig leder" in html.field_error(response, "successor_id")
    assert table_fingerprint() == before


def test_a_successor_who_is_one_of_the_employees_is_refused(world, client, auth):
    make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    world.employee.grant_role(Role.MANAGER)
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    response = _post(client, world.manager, ["employee"], successor=world.employee.id)
    assert response.status_code == 422
    error = html.field_error(response, "successor_id")
    assert error.startswith("Mette Madsen har selv Lars Lund som leder"), error
    assert table_fingerprint() == before


@pytest.mark.parametrize("bad", ["outsider", "self", "inactive", "999999", "x", "-1", "١"])
def test_a_successor_not_on_the_list_is_refused(world, client, auth, bad):
    make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    closed = make_user(Role.EMPLOYEE, Role.MANAGER, name="Lukket Leder")
    closed.active = False
    db.session.commit()
    value = {
        "outsider": world.outsider.id,
        "self": world.manager.id,
        "inactive": closed.id,
    }.get(bad, bad)
    auth.login(world.admin)
    before = table_fingerprint()
    response = _post(client, world.manager, ["employee"], successor=value)
    assert response.status_code == 422
    assert html.field_error(response, "successor_id") == "Vælg en leder fra listen."
    assert table_fingerprint() == before


def test_the_field_lists_the_managers_and_speaks_english(world, client, auth, karen):
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    page = client.get(f"/administration/brugere/{world.manager.id}")
    assert html.field_label(page, "successor_id") == "New manager for the person's employees"
    offered = html.options(page, "successor_id")
    assert str(karen.id) in offered and "" in offered
    assert str(world.manager.id) not in offered and str(world.outsider.id) not in offered
    # Nobody's manager and not one: no such field.
    page = client.get(f"/administration/brugere/{world.outsider.id}")
    assert html.options(page, "successor_id") == {}


@pytest.mark.parametrize("who", ["manager", "caseworker", "employee", "nobody"])
def test_only_an_administrator_may_hand_over(world, client, auth, karen, who):
    make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    if who != "nobody":
        auth.login(getattr(world, who))
    before = table_fingerprint()
    response = _post(client, world.manager, ["employee"], successor=karen.id)
    if who == "nobody":
        assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert table_fingerprint() == before


@pytest.mark.parametrize(
    ("locale", "said"),
    [("da", "Vælg kun blandt mulighederne."), ("en", "Choose only from the options.")],
)
def test_a_role_not_offered_is_refused_in_the_persons_language(world, client, auth, locale, said):
    """WTForms' own English message ("'x' is not a valid choice for this field.") was shown,
    in Danish too, with the value sent repeated back."""
    world.admin.locale = locale
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    for roles in (["junk"], ["employee", "<b>x</b>", "y"]):
        response = _post(client, world.outsider, roles)
        assert response.status_code == 422
        assert html.field_error(response, "roles") == said
    assert table_fingerprint() == before
