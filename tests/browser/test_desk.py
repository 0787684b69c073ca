"""The day's start and the search (issue 21 points 1 and 2): the caseworker lands on her
tasks, sorts them by a column without a script, and finds a case that waits for nobody by
the association's name, by a part of a word and by its case number; a filter she typed
ambiguously is said next to the field. The manager's tasks offer only his employees'
funds. Each page is checked with axe in Danish and English."""

from tests.browser.journeys import CASEWORKER, MANAGER


def test_the_caseworker_starts_on_her_tasks_and_finds_any_case(person, live_server):
    # The browser tests share one demo server and earlier journeys decide the demo's cases,
    # so this journey brings a case of its own that waits for her.
    live_server.study_trip_in_screening("Studietur om klubarbejde i Tallinn")
    caseworker = person(CASEWORKER)
    # Logging in led her to her tasks.
    assert caseworker.page.url.endswith("/opgaver")
    caseworker.see("Studietur om klubarbejde i Tallinn")
    menu = caseworker.page.locator("nav.nav").first.inner_text()
    assert "Mine opgaver (" in menu

    caseworker.follow("Ansøgt", "tasks sorted by amount")
    heading = caseworker.page.locator("th[aria-sort]")
    assert heading.get_attribute("aria-sort") == "ascending"
    caseworker.follow("Ansøgt", "tasks sorted by amount, largest first")
    assert caseworker.page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"

    caseworker.page.locator("nav.nav").get_by_role("link", name="Søg", exact=True).click()
    caseworker.page.wait_for_load_state()
    caseworker.check("search page")
    caseworker.fill("#q", "Ungdomsork")
    caseworker.press("Søg", "search by part of a word", exact=True)
    caseworker.see("Orkestertur til Prag 10")
    row = caseworker.page.locator("main table tbody tr", has_text="Orkestertur til Prag 10")
    number = row.locator("td").first.inner_text().strip()

    caseworker.fill("#q", "")
    caseworker.fill("#amount_from", "6.500")
    caseworker.press("Søg", None, exact=True)
    caseworker.check("search with an ambiguous amount", fetchable=False)
    error = caseworker.page.locator("#amount_from-error")
    assert error.is_visible() and "6.500" in error.inner_text()
    assert caseworker.page.locator("#amount_from").get_attribute("aria-invalid") == "true"

    caseworker.fill("#amount_from", "")
    caseworker.fill("#q", number)
    caseworker.press("Søg", "a case number goes straight to its case", exact=True)
    assert "/ansoegninger/" in caseworker.page.url
    caseworker.see("Orkestertur til Prag 10")


def test_the_managers_tasks_offer_his_employees_funds_only(person):
    manager = person(MANAGER)
    assert manager.page.url.endswith("/opgaver")
    funds = manager.page.locator("#fund option").all_inner_texts()
    assert "Ungdomsrejser" not in " ".join(funds)
