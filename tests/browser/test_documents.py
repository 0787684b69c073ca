"""The case file keeps every document: Mette answers the caseworker's request with a new
programme file, a lower amount and a reply; the caseworker sees her answer and what changed,
and both versions of the programme on the case page, the old one still downloadable."""

from tests.browser.journeys import CASEWORKER, EMPLOYEE, open_case

FIRST = b"%PDF-1.4\n% programme, first version\n%%EOF\n"
SECOND = b"%PDF-1.4\n% programme, final version\n%%EOF\n"
QUESTION = "Vedlæg venligst det endelige program, og ret beløbet til 5.500 kr."
REPLY = "Det endelige program er vedhæftet, og beløbet er rettet."


def test_a_new_programme_file_is_a_new_version_and_the_old_one_stays(person, live_server, tmp_path):
    title = "Studiebesøg i Helsinki (browser)"
    live_server.study_trip_awaiting_information(title, FIRST, QUESTION)

    mette = person(EMPLOYEE)
    open_case(mette, title, "my case, information requested")
    mette.see(QUESTION)
    mette.follow("Ret og indsend igen", "the form with the reply field")
    mette.see("program.pdf")
    final = tmp_path / "program-endelig.pdf"
    final.write_bytes(SECOND)
    mette.page.locator("#programme_file").set_input_files(str(final))
    mette.fill("#amount_applied", "5500")
    # Without a reply the resubmission is refused, next to the field.
    mette.press("Indsend igen", "resubmitted without a reply")
    assert mette.page.locator("#reply").get_attribute("aria-invalid") == "true"
    mette.page.locator("#programme_file").set_input_files(str(final))
    mette.fill("#reply", REPLY)
    mette.press("Indsend igen", "resubmitted with the reply")
    mette.see("Ansøgt beløb: 6.000,00 kr. → 5.500,00 kr.")

    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "work queue with the answered case")
    open_case(caseworker, title, "the answered case")
    answer = caseworker.page.locator("#information-answer").inner_text()
    assert QUESTION in answer and REPLY in answer
    assert "Ansøgt beløb: 6.000,00 kr. → 5.500,00 kr." in answer
    assert "Program: version 1 (program.pdf) → version 2 (program-endelig.pdf)" in answer
    documents = caseworker.page.locator("#documents").inner_text()
    assert documents.index("program-endelig.pdf") < documents.index("program.pdf")
    assert caseworker.download("program.pdf") == FIRST
    assert caseworker.download("program-endelig.pdf") == SECOND
