"""Staff log in with the municipality's login (OpenID Connect) in a real browser, through a
real provider on loopback (panva's oidc-provider, tests/oidc/provider.mjs): the administrator
maps the provider's groups to roles on /administration/grupper; a caseworker who has never been here
clicks "Log ind med Ballerup Kommunes login", signs in at the provider and lands on the work
queue with the roles the groups give; logging out ends the session at the provider too.
The app's pages are checked like every journey's (axe-core in both languages, 360 px, zoom).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.journeys import ADMIN
from tests.oidc.provider import OIDCProvider, node_missing

pytestmark = pytest.mark.skipif(
    node_missing() is not None, reason=f"OpenID Connect provider: {node_missing()}"
)

SETTINGS = ("AUTHENTICATION_BACKENDS", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


@pytest.fixture
def staff_login(live_server):
    """The live app with the municipality's login switched on, for this test only."""
    app = live_server.app
    provider = OIDCProvider([f"{live_server.url}/log-ind/via/oidc/retur"], [f"{live_server.url}/"])
    before = {key: app.config.get(key) for key in (*SETTINGS, "OIDC_SCOPES", "OIDC_LABEL")}
    app.config.update(provider.config(), OIDC_LABEL="Ballerup Kommunes login")
    app.config["OIDC_LABEL_EN"] = "Ballerup's staff login"
    app.extensions.pop("grants.oidc", None)
    yield provider
    app.config.update(before)
    app.extensions.pop("grants.oidc", None)
    provider.stop()


def test_a_caseworker_logs_in_with_the_municipalitys_login_and_lands_on_the_work_queue(
    person, live_server, staff_login
):
    admin = person(ADMIN)
    admin.visit("/administration/grupper", "groups and roles, none yet")
    admin.see("Ingen grupper giver roller endnu")
    admin.fill("#group_name", "rejse-sagsbehandlere")
    admin.select("#role", "caseworker")
    admin.press("Tilføj", "a group gives the caseworker's role", exact=True)
    admin.fill("#group_name", "alle-medarbejdere")
    admin.select("#role", "employee")
    admin.press("Tilføj", "a group gives the employee's role", exact=True)
    admin.fill("#group_name", "bestyrelsen")
    admin.select("#role", "board_member")
    admin.press("Tilføj", "a board seat without a fund is refused", exact=True)
    assert "Vælg puljen" in admin.page.locator("#fund_id-error").inner_text()

    sofie = person(None)
    sofie.visit("/arbejdskoe", "sent to log in", check=False)
    assert "/log-ind" in sofie.page.url
    sofie.check("the login page offers the municipality's login")
    button = sofie.page.get_by_role("link", name="Log ind med Ballerup Kommunes login")
    assert button.count() == 1
    with sofie.page.expect_navigation():
        button.click()
    # At the provider (its own sign-in page, not the app's).
    assert sofie.page.url.startswith(staff_login.issuer)
    sofie.page.fill("input[name=login]", "caseworker-1")
    sofie.page.fill("input[name=password]", "the provider's password")
    with sofie.page.expect_navigation(url=f"{live_server.url}/**"):
        sofie.page.click("button[type=submit]")
    sofie.page.wait_for_url(f"{live_server.url}/arbejdskoe")
    sofie.check("the work queue")
    sofie.see("Arbejdskø")
    assert "Sofie Sagsbehandler" in sofie.page.locator("header").inner_text()

    with live_server.app.app_context():
        from grants.extensions import db
        from grants.people.models import Role, User

        made = db.session.scalar(select(User).where(User.email == "sofie.sag@ballerup.dk"))
        assert made.roles == {Role.CASEWORKER, Role.EMPLOYEE}
        assert not made.has_password
        db.session.remove()

    # Logging out: out of the app, then out at the provider, and back.
    sofie.logout()
    assert sofie.page.url.startswith(f"{staff_login.issuer}/session/end")
    with sofie.page.expect_navigation(url=f"{live_server.url}/**"):
        sofie.page.click("button[type=submit][value=yes], button[name=logout]")
    sofie.see("Du er logget ud.")  # before the checks, whose language switch reloads
    sofie.check("logged out at the provider too")
    sofie.visit("/arbejdskoe", "logged out: sent to log in", check=False)
    assert "/log-ind" in sofie.page.url
