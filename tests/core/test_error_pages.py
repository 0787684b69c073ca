"""Error pages come in the app's layout and the person's language: the skip link, the main
landmark and the footer's link to the accessibility statement, and nothing of the server's
bare English page."""

import pytest

from tests.core.test_translations import compiled_english, switch_language  # noqa: F401
from tests.html import links, page, page_text


def test_a_missing_page_is_shown_in_the_layout(client):
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    html = page(response)
    assert html.html["lang"] == "da"
    assert "Siden findes ikke" in page_text(response)
    assert html.select_one("a.skipnav")["href"] == "#main-content"
    assert html.select_one("main#main-content")
    assert links(response, "Tilgængelighedserklæring") == ["/tilgaengelighed"]


@pytest.mark.usefixtures("compiled_english")
def test_a_missing_page_in_english(client):
    switch_language(client, "en")
    response = client.get("/findes-ikke")
    assert page(response).html["lang"] == "en"
    assert "Page not found" in page_text(response)


def test_a_refused_page_says_so_and_keeps_its_status(client, auth, world):
    auth.login(world.employee)
    response = client.get("/udbetalinger")
    assert response.status_code == 403
    assert "Du har ikke adgang til siden" in page_text(response)


def test_a_wrong_method_keeps_its_status(client):
    assert client.get("/sprog").status_code == 405


def test_without_a_session_the_404_switches_language_by_a_link_on_this_site(app):
    from tests import html

    client = app.test_client(use_cookies=False)
    # (A browser would ask for //elsewhere.example/side on this site: PATH_INFO as it arrives.)
    response = client.get(
        "/", query_string="x=1", environ_overrides={"PATH_INFO": "//elsewhere.example/side"}
    )
    assert response.status_code == 404 and "Set-Cookie" not in response.headers
    (link,) = html.page(response).select(".language-switch a")
    assert link["href"] == "/elsewhere.example/side?x=1&sprog=en"
