"""With the keyboard alone (Tab, Enter, Space; no mouse): the skip link, logging in, a form's
error summary and its links to the fields, and the manager's endorsement of a case."""

from tests.browser.journeys import MANAGER


def test_a_manager_endorses_a_case_with_the_keyboard_alone(person):
    lars = person()  # logs in by keyboard below
    lars.visit("/", "front page")

    # The skip link is the first stop and takes the focus to the page's content.
    lars.page.keyboard.press("Tab")
    assert lars.focused()["text"] == "Gå til sidens indhold"
    lars.page.keyboard.press("Enter")
    assert lars.focused()["id"] == "main-content"

    lars.tab_to("main a", name="Log ind")
    lars.key("Enter", "login page")
    lars.tab_to("#email")
    lars.page.keyboard.type(MANAGER)
    lars.tab_to("#password")
    lars.page.keyboard.type("wrong password")
    lars.key("Enter")
    lars.check("login refused", fetchable=False)
    lars.tab_to("#password")
    lars.page.keyboard.type("leder-demo-2026")
    lars.key("Enter", "logged in")

    # An empty application: the error summary gets the focus, and its links lead to fields.
    # (He lands on his tasks: the menu leads to a new application.)
    lars.tab_to(".navigation-menu nav a", name="Ny ansøgning")
    lars.key("Enter", "application form")
    lars.tab_to("button", name="Indsend ansøgning")
    lars.key("Enter")
    lars.check("application form with errors", fetchable=False)
    assert lars.focused()["id"] == "error-summary"
    lars.tab_to("#error-summary a")
    lars.page.keyboard.press("Enter")
    assert lars.focused()["id"] == "title"
    assert lars.page.locator("#title").get_attribute("aria-invalid") == "true"

    # The case waiting for him: from the work queue, endorsed with a comment, with Space.
    lars.tab_to("nav a", name="Arbejdskø", backwards=True)
    lars.key("Enter", "work queue")
    lars.tab_to("main a", name="Konference om inklusion i Oslo")
    lars.key("Enter", "the case waiting for the manager")
    lars.tab_to("textarea#comment-endorse")
    lars.page.keyboard.type("Relevant for hele teamet.")
    lars.tab_to("button", name="Anbefal")
    lars.key("Space", "endorsed by keyboard")
    lars.see("Relevant for hele teamet.")

    # The language switch is a button too.
    lars.tab_to("form.language-switch button")
    lars.key("Enter")
    assert lars.language == "en"
    lars.tab_to("form.language-switch button")
    lars.key("Enter")
    assert lars.language == "da"


def test_the_menu_on_a_phone_opens_and_closes_with_the_keyboard(person):
    from tests.browser.journeys import CASEWORKER
    from tests.browser.people import PHONE

    caseworker = person(CASEWORKER, viewport=PHONE)
    caseworker.tab_to("button.js-menu-open")
    caseworker.key("Enter", navigates=False)
    drawer = caseworker.page.locator(".mobile-drawer")
    drawer.wait_for(state="visible")
    caseworker.check("the menu open on a phone", fetchable=False)
    caseworker.tab_to(".mobile-drawer a", name="Arbejdskø")
    caseworker.key("Enter", "work queue on a phone")
    caseworker.tab_to("button.js-menu-open")
    caseworker.key("Enter", navigates=False)
    drawer.wait_for(state="visible")
    caseworker.page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
