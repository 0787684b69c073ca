"""The administrator's mapping of the identity provider's groups to roles (/administration/grupper):
good lines saved and audited, bad ones refused next to the field with nothing changed, and
nobody but the administrator gets near it. How the mapping is applied at a login is tested
with a real provider in tests/people/test_oidc.py; here the mapping is applied directly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.administration.group_roles import GroupRoles
from grants.administration.models import GroupRole, GroupRoleMapping
from grants.audit.models import AuditEvent
from grants.committees.models import CommitteeKind, MemberRole
from grants.committees.operations import create_committee
from grants.core import clock
from grants.extensions import db
from grants.people.models import Role
from tests.factories import make_fund, make_user, this_year
from tests.html import buttons, field_error, has_error, page_text, summary_errors, table_rows


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(GroupRoleMapping))


def test_the_administrator_adds_and_removes_lines(world, client, auth):
    auth.login(world.admin)
    page = client.get("/administration/grupper")
    assert "Ingen grupper giver roller endnu" in page_text(page)
    response = client.post(
        "/administration/grupper",
        data={"group_name": "  rejse-sagsbehandlere ", "role": "caseworker"},
    )
    assert response.status_code == 302
    response = client.post(
        "/administration/grupper",
        data={"group_name": "bestyrelsen", "role": "board_member", "fund_id": str(world.fund.id)},
    )
    assert response.status_code == 302
    mappings = db.session.scalars(select(GroupRoleMapping).order_by(GroupRoleMapping.id)).all()
    assert [(m.group_name, m.role, m.fund_id) for m in mappings] == [
        ("rejse-sagsbehandlere", GroupRole.CASEWORKER, None),
        ("bestyrelsen", GroupRole.BOARD_MEMBER, world.fund.id),
    ]
    page = client.get("/administration/grupper")
    cells = [cell for row in table_rows(page)[1:] for cell in row]
    assert "Studierejsefonden" in " ".join(cells)
    assert "Fjern linjen for gruppen bestyrelsen" in buttons(page)
    assert "Fjern linjen for gruppen rejse-sagsbehandlere" in buttons(page)
    client.post("/administration/grupper", data={"remove": str(mappings[0].id)})
    assert count() == 1
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "group_role_mapping")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "settings.group_role_mapping_added",
        "settings.group_role_mapping_added",
        "settings.group_role_mapping_removed",
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"group_name": "", "role": "caseworker"}, "group_name", "Feltet skal udfyldes."),
        ({"group_name": "x" * 256, "role": "caseworker"}, "group_name", "255"),
        ({"group_name": "g", "role": "board_member"}, "fund_id", "Vælg puljen"),
        ({"group_name": "g", "role": "committee_chair"}, "committee_id", "Vælg udvalget"),
        ({"group_name": "g", "role": "superuser"}, "role", ""),
        ({"group_name": "g", "role": "caseworker", "fund_id": "{fund}"}, "fund_id", "Vælg kun"),
        ({"group_name": "g", "role": "board_member", "fund_id": "999999"}, "fund_id", ""),
    ],
)
def test_bad_lines_are_refused_next_to_the_field_and_nothing_changes(
    world, client, auth, data, field, message
):
    auth.login(world.admin)
    data = {key: value.replace("{fund}", str(world.fund.id)) for key, value in data.items()}
    response = client.post("/administration/grupper", data=data)
    assert response.status_code == 422
    # next to the field, or (a hidden field) in the summary that links to it
    shown = field_error(response, field) or " ".join(summary_errors(response))
    assert message in shown
    assert count() == 0


def test_the_same_line_twice_is_refused(world, client, auth):
    auth.login(world.admin)
    data = {"group_name": "rejse-sagsbehandlere", "role": "caseworker"}
    assert client.post("/administration/grupper", data=data).status_code == 302
    response = client.post("/administration/grupper", data=data)
    assert response.status_code == 422
    assert has_error(response, "Gruppen giver allerede den rolle.")
    assert count() == 1


def test_markup_in_a_group_name_is_shown_as_text(world, client, auth):
    auth.login(world.admin)
    client.post(
        "/administration/grupper",
        data={"group_name": "<script>alert(1)</script>", "role": "finance"},
    )
    page = client.get("/administration/grupper").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("who", ["caseworker", "employee", "finance"])
def test_nobody_else_may_see_or_change_the_mapping(world, client, auth, who):
    db.session.add(GroupRoleMapping(group_name="g", role=GroupRole.FINANCE))
    db.session.commit()
    auth.login(getattr(world, who))
    assert client.get("/administration/grupper").status_code == 403
    data = {"group_name": "mine", "role": "admin"}
    assert client.post("/administration/grupper", data=data).status_code == 403
    mapping = db.session.scalar(select(GroupRoleMapping))
    assert (
        client.post("/administration/grupper", data={"remove": str(mapping.id)}).status_code == 403
    )
    assert count() == 1


def test_anonymous_people_are_sent_to_log_in(world, client):
    assert client.get("/administration/grupper").status_code == 302
    assert (
        client.post(
            "/administration/grupper", data={"group_name": "g", "role": "admin"}
        ).status_code
        == 302
    )
    assert count() == 0


def test_the_database_refuses_a_board_seat_without_a_fund(world):
    from sqlalchemy.exc import IntegrityError

    db.session.add(GroupRoleMapping(group_name="g", role=GroupRole.BOARD_MEMBER))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_applying_replaces_what_groups_gave_and_keeps_what_was_given_by_hand(world):
    person = make_user(Role.FINANCE, email="p@ballerup.dk")  # FINANCE by hand
    fund = make_fund(code="udv", name="Udvalgets pulje", kind="committee")
    committee = create_committee("Udvalget", CommitteeKind.STANDING, fund, this_year(), this_year())
    for group, role, kwargs in [
        ("a", GroupRole.CASEWORKER, {}),
        ("a", GroupRole.FINANCE, {}),
        ("b", GroupRole.BOARD_MEMBER, {"fund_id": world.fund.id}),
        ("c", GroupRole.COMMITTEE_SECRETARY, {"committee_id": committee.id}),
    ]:
        db.session.add(GroupRoleMapping(group_name=group, role=role, **kwargs))
    db.session.commit()
    mapping = GroupRoles()
    assert mapping.gives_a_role(["x", "a"]) and not mapping.gives_a_role(["x"])
    mapping.apply(person, ["a", "b", "c"])
    db.session.commit()
    assert person.roles == {Role.CASEWORKER, Role.FINANCE, Role.BOARD_MEMBER}
    finance = next(grant for grant in person.role_grants if grant.role == Role.FINANCE)
    assert finance.granted_by_group is None  # given by hand before; stays the hand's
    db.session.refresh(world.fund)
    assert world.fund.is_board_member(person)
    assert committee.membership_of(person).role == MemberRole.SECRETARY
    mapping.apply(person, [])
    db.session.commit()
    assert person.roles == {Role.FINANCE}
    db.session.refresh(world.fund)
    db.session.refresh(committee)
    assert not world.fund.is_board_member(person)
    # The seat that began today is gone (not ended yesterday, before it began).
    assert committee.current_memberships(clock.today()) == []
    assert not committee.memberships
