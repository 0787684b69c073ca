"""The checks themselves catch what they are there for: a page they pass is not a page they
cannot see. Bad pages are served by the browser's own routing, not by the app."""

import pytest

from tests.browser.people import AccessibilityProblem

GOOD_FRAME = """<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body>
<a class="skipnav" href="#main-content">Gå til sidens indhold</a>
<main id="main-content"><h1>Prøve</h1>{body}</main>
<footer><a href="/tilgaengelighed">Tilgængelighedserklæring</a></footer></body></html>"""


def serve(visitor, body: str, *, frame: str = GOOD_FRAME) -> None:
    visitor.page.route(
        "**/check-me",
        lambda route: route.fulfill(content_type="text/html", body=frame.format(body=body)),
    )
    visitor.page.goto("/check-me")


@pytest.mark.parametrize(
    "body, rule",
    [
        ('<label>Navn</label><input id="x">', "label"),
        ('<p style="color:#bbb;background:#fff">Lys tekst</p>', "color-contrast"),
        ('<a href="/x"><img src="data:,"></a>', "link-name"),
    ],
)
def test_axe_finds_a_violation_and_names_its_rule(person, body, rule):
    visitor = person(both_languages=False, every_time=True)
    serve(visitor, body)
    with pytest.raises(AccessibilityProblem, match=rf"\b{rule}\b \(\w+\)"):
        visitor.check("a page with a violation")


def test_a_page_that_scrolls_sideways_is_caught(person):
    visitor = person(both_languages=False, every_time=True)
    serve(visitor, '<p style="width:900px">Bred</p>')
    with pytest.raises(AccessibilityProblem, match="scrolls sideways at 360px"):
        visitor.check("too wide")


def test_a_page_without_skip_link_or_statement_is_caught(person):
    visitor = person(both_languages=False, every_time=True)
    serve(visitor, "", frame=GOOD_FRAME.replace('class="skipnav"', ""))
    with pytest.raises(AssertionError, match="no skip link"):
        visitor.check("no skip link")
    serve(visitor, "", frame=GOOD_FRAME.replace("/tilgaengelighed", "/om"))
    with pytest.raises(AssertionError, match="accessibility statement"):
        visitor.check("no statement")


def test_an_error_summary_link_to_an_undescribed_field_is_caught(person):
    visitor = person(both_languages=False, every_time=True)
    summary = (
        '<div id="error-summary" role="alert"><h2>Fejl</h2><a href="#navn">Skriv dit navn</a>'
        '</div><label for="navn">Navn</label><input id="navn" aria-invalid="true">'
    )
    serve(visitor, summary)
    with pytest.raises(AssertionError, match="error summary links without a described field"):
        visitor.check("an error that is not linked")
    described = summary.replace(
        'aria-invalid="true">',
        'aria-invalid="true" aria-describedby="navn-error">'
        '<span class="form-error-message" id="navn-error">Skriv dit navn</span>',
    )
    serve(visitor, described)
    visitor.check("an error that is linked")
