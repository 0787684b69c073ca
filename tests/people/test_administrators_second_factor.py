"""Issue 19 point 3: local staff accounts may turn the second factor on; administrators must.
An administrator who logs in with a password and has no confirmed second factor reaches no
administrator's page, and changes nothing there, before setting it up. (An administrator
from the municipality's login is not asked: its provider does MFA; tests/people/test_oidc.py.)
"""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from grants.administration.models import GroupRoleMapping
from grants.extensions import db
from grants.people import two_factor
from grants.people.models import Role
from tests.factories import PASSWORD, make_user
from tests.html import links
from tests.people.test_two_factor import set_up

ADMIN_PAGES = [
    "/administration/",
    "/administration/kommune",
    "/administration/puljer",
    "/administration/brugere",
    "/administration/grupper",
    "/administration/partnerbyer",
]


def log_in(client, user):
    g.pop("_login_user", None)
    response = client.post("/log-ind", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("secret_begun", [False, True])
def test_an_administrator_without_a_confirmed_second_factor_reaches_no_admin_page(
    world, client, secret_begun
):
    admin = make_user(Role.ADMIN, email="ny-admin@ballerup.dk")
    two_factor.forget(admin)
    if secret_begun:  # a secret begun but never confirmed counts for nothing
        two_factor.pending_secret(admin)
    db.session.commit()
    log_in(client, admin)
    for path in ADMIN_PAGES:
        g.pop("_login_user", None)
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/konto/totrinsbekraeftelse/saet-op", path
    g.pop("_login_user", None)
    response = client.post("/administration/grupper", data={"group_name": "g", "role": "admin"})
    assert response.headers["Location"] == "/konto/totrinsbekraeftelse/saet-op"
    assert db.session.scalar(select(func.count()).select_from(GroupRoleMapping)) == 0
    # Set up, every page opens.
    g.pop("_login_user", None)
    set_up(client, admin)
    for path in ADMIN_PAGES:
        g.pop("_login_user", None)
        assert client.get(path).status_code == 200, path


def test_a_local_caseworker_may_turn_it_on_but_need_not(world, client):
    log_in(client, world.caseworker)
    g.pop("_login_user", None)
    assert client.get("/ansoegninger/mine").status_code == 200
    page = client.get("/konto/totrinsbekraeftelse")
    assert "/konto/totrinsbekraeftelse/saet-op" in links(page)
    set_up(client, world.caseworker)
    assert db.session.get(type(world.caseworker), world.caseworker.id).has_second_factor
