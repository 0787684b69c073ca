"""The caseworker's queue and decisions: she finds the association's trip with the queue's
filter, is told what is missing when she refuses part of it without reasons, decides it, and
asks an employee for more information on another case."""

from tests.browser.journeys import CASEWORKER, decide, open_case, take_step


def test_the_caseworkers_queue_and_decisions(person):
    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "work queue")
    caseworker.see("Orkestertur til Prag 10")
    caseworker.select("#filter-fund", "ungdomsrejser")
    caseworker.press("Filtrér", "work queue, youth trips only")
    caseworker.see("Orkestertur til Prag 10")
    assert "Studiebesøg på skoler i Tallinn" not in caseworker.page.locator("main").inner_text()

    open_case(caseworker, "Orkestertur til Prag 10", "youth case for screening")

    # A partial grant without an amount or reasons: the errors are announced and linked.
    decide(caseworker, "grant_part", "decision with errors", refused=True)
    summary = caseworker.page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    links = summary.locator("a")
    assert links.count() >= 1
    for index in range(links.count()):
        field_id = links.nth(index).get_attribute("href").lstrip("#")
        field = caseworker.page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        described = field.get_attribute("aria-describedby") or ""
        error = caseworker.page.locator(f"#{field_id}-error")
        assert f"{field_id}-error" in described.split() and error.is_visible()
    links.first.click()
    first = links.first.get_attribute("href").lstrip("#")
    assert caseworker.page.evaluate("document.activeElement.id") == first

    decide(
        caseworker,
        "grant_part",
        "partly granted",
        amount="5000",
        reasons="Puljen er næsten brugt; tilskuddet dækker overnatningerne delvist.",
    )
    caseworker.see("Delvist bevilget")

    caseworker.follow("Arbejdskø", "work queue after the decision")
    open_case(caseworker, "Studiebesøg på skoler i Tallinn", "study trip for screening")
    # The request without its comment: the step's error summary takes the focus and leads
    # to the comment; the language switch from that page (its address answers only the
    # form) lands on the case page.
    take_step(caseworker, "Bed om flere oplysninger", None)
    caseworker.check("request for information with errors", fetchable=False)
    assert caseworker.focused()["id"] == "error-summary"
    caseworker.page.locator("#error-summary a").first.click()
    assert caseworker.focused()["id"] == "comment-request_information"
    case_url = caseworker.page.url.rsplit("/trin/", 1)[0]
    caseworker.switch_language()
    assert caseworker.language == "en" and caseworker.page.url == case_url
    caseworker.switch_language()
    assert caseworker.language == "da" and caseworker.page.url == case_url
    take_step(
        caseworker,
        "Bed om flere oplysninger",
        "information requested",
        comment="Vedlæg venligst programmet for besøgene.",
    )
