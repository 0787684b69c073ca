"""The layout's header, menus and footer are kept as rendered (``kept_fragment``,
grants.core.templating): what they show must still follow the person, their roles, their
language and the page, and never pass from one person to another."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import delete

from grants.core import templating
from grants.extensions import db
from grants.people.models import Role, UserRole
from tests import html
from tests.factories import make_user


def menu_of(client, path: str = "/ansoegninger/mine") -> list[str]:
    return html.texts(client.get(path), "nav.nav li")


def header_user(response) -> str:
    return html.text(html.one(response, ".portal-user .user"))


def test_the_menu_follows_a_role_granted_and_taken_away(client, auth, world):
    auth.login(world.employee)
    assert "Budgetter" not in menu_of(client)
    world.employee.grant_role(Role.FINANCE)
    db.session.commit()
    assert "Budgetter" in menu_of(client)
    assert "Udbetalinger" in menu_of(client)
    db.session.execute(
        delete(UserRole).where(UserRole.user_id == world.employee.id, UserRole.role == Role.FINANCE)
    )
    db.session.commit()
    db.session.expire_all()
    assert "Budgetter" not in menu_of(client)
    assert "Udbetalinger" not in menu_of(client)


def test_two_people_see_their_own_name_and_menu_in_the_same_app(client, auth, world):
    """The same page in the same worker, one person after the other: the header kept for
    the first person's roles is never shown with the first person's name to the second."""
    twin = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Tvilling <b>Tvillingsen</b>")
    db.session.commit()
    auth.login(world.caseworker)
    caseworker_page = client.get("/ansoegninger/mine")
    assert header_user(caseworker_page) == world.caseworker.name
    auth.login(twin)  # the same roles: the same kept header, another name
    page = client.get("/ansoegninger/mine")
    assert header_user(page) == "Tvilling <b>Tvillingsen</b>"  # text, not markup
    assert "<b>Tvillingsen" not in page.get_data(as_text=True)
    assert html.texts(page, ".portal-info-mobile .user span")[0] == "Tvilling <b>Tvillingsen</b>"
    auth.login(world.employee)
    page = client.get("/ansoegninger/mine")
    assert header_user(page) == world.employee.name
    assert "Arbejdskø" not in html.texts(page, "nav.nav li")
    auth.login(world.caseworker)
    assert "Arbejdskø" in menu_of(client)


def test_the_menu_marks_the_page_it_is_on(client, auth, world):
    auth.login(world.caseworker)
    for path, label in (("/ansoegninger/mine", "Mine ansøgninger"), ("/arbejdskoe", "Arbejdskø")):
        current = html.texts(client.get(path), "nav.nav li.current")
        assert current == [label]


def test_the_header_follows_the_language_and_keeps_the_page(client, auth, world):
    auth.login(world.caseworker)
    page = client.get("/arbejdskoe?page=1")
    assert html.field_value(page, "next") == "/arbejdskoe?page=1"
    assert "Arbejdskø" in html.texts(page, "nav.nav li")
    client.post("/sprog", data={"locale": "en", "next": "/arbejdskoe"})
    page = client.get("/ansoegninger/mine")
    assert "Work queue" in html.texts(page, "nav.nav li")
    assert html.field_value(page, "next") == "/ansoegninger/mine"
    assert html.field_value(page, "locale") == "da"
    client.post("/sprog", data={"locale": "da", "next": "/arbejdskoe"})
    assert "Arbejdskø" in menu_of(client)


def test_a_public_page_keeps_its_language_link_and_starts_no_session(client, world):
    for asked, switch_to in (("/udlandsrejser", "sprog=en"), ("/udlandsrejser?sprog=en", None)):
        response = client.get(asked)
        assert "Set-Cookie" not in response.headers
        link = html.one(response, ".language-switch a")["href"]
        if switch_to:
            assert link.endswith(switch_to)
        else:
            assert "sprog" not in link


def test_a_kept_fragment_is_rendered_once_and_its_slots_each_time(app):
    template = (
        "{% call kept_fragment('probe', key, token=token, here=here) %}"
        "{{ counted() }}<a href='{{ slot('here') }}'>{{ label }}</a>{% endcall %}"
    )
    renders: list[int] = []

    def counted() -> str:
        renders.append(1)
        return ""

    def token() -> str:
        raise AssertionError("a value whose slot the fragment does not have is not asked")

    def render(key: str, label: str, here: str) -> str:
        with app.test_request_context("/"):
            return render_template_string(
                template, key=key, label=label, here=here, counted=counted, token=token
            )

    assert render("a", "Første", "/x?a=1&b=<2>") == "<a href='/x?a=1&amp;b=&lt;2&gt;'>Første</a>"
    # The same key: the kept text (its label too), this request's value in the slot.
    assert render("a", "Anden", "/y") == "<a href='/y'>Første</a>"
    assert len(renders) == 1
    assert render("b", "Anden", "/y") == "<a href='/y'>Anden</a>"
    assert len(renders) == 2


def test_a_value_that_looks_like_a_slot_is_only_text(app):
    """The slots' mark holds a secret of the process: a person's text is never a slot."""
    with app.test_request_context("/"):
        out = render_template_string(
            "{% call kept_fragment('probe-text', 1, here='/a') %}{{ typed }}"
            "{{ slot('here') }}{% endcall %}",
            typed="\x00" + "0" * 16 + ":here\x00",
        )
    assert out.endswith("/a")
    assert out.count("/a") == 1
    assert templating.slot("here") not in out


def test_a_slot_used_twice_asks_its_value_once(app):
    asked: list[int] = []

    def token() -> str:
        asked.append(1)
        return "t<1>"

    with app.test_request_context("/"):
        out = render_template_string(
            "{% call kept_fragment('probe-twice', 1, token=token) %}"
            "{{ slot('token') }}|{{ slot('token') }}{% endcall %}",
            token=token,
        )
    assert out == "t&lt;1&gt;|t&lt;1&gt;"
    assert len(asked) == 1
