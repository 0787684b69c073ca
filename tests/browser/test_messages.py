"""The message thread on a case, from both sides: the caseworker asks Mette for information
with a deadline and a file; Mette sees at the top of her case what is needed and by when,
and answers with a file of her own; each is e-mailed to the other side; the caseworker's
internal note stays with the staff. Then the secretariat's reminders page and the bulk page.
Every page checked with axe in Danish and English."""

from tests.browser.journeys import CASEWORKER, EMPLOYEE, in_days, open_case

GUIDE = b"%PDF-1.4\n% the fund's guide\n%%EOF\n"
ANSWER = b"%PDF-1.4\n% the conference programme\n%%EOF\n"
QUESTION = "Send venligst programmet for konferencen, så vi kan se, hvad dagene bruges til."
REPLY = "Programmet for konferencen er vedhæftet."
NOTE = "Ringede til Mette: programmet kommer i dag."


def test_the_caseworker_and_the_applicant_talk_on_the_case(person, live_server, tmp_path):
    title = "Konference i Lissabon (beskeder)"
    live_server.study_trip_in_screening(title)

    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "work queue")
    open_case(caseworker, title, "the case in screening, with its thread")
    caseworker.see("Der er ingen beskeder på sagen endnu.")
    # An empty message is refused next to the field.
    caseworker.press("Send beskeden", "an empty message", fetchable=False)
    assert caseworker.page.locator("#body-message").get_attribute("aria-invalid") == "true"
    guide = tmp_path / "vejledning.pdf"
    guide.write_bytes(GUIDE)
    caseworker.fill("#body-message", QUESTION)
    caseworker.page.locator("#files-message").set_input_files(str(guide))
    caseworker.page.locator("#request-message").check()
    caseworker.fill("#due_date-message", in_days(10))
    caseworker.press("Send beskeden", "request for information sent")
    assert QUESTION in caseworker.page.locator("#beskeder").inner_text()
    caseworker.fill("#note-note", NOTE)
    caseworker.press("Gem notatet", "internal note saved")
    assert NOTE in caseworker.page.locator("#notater").inner_text()

    mail = live_server.mail_to(EMPLOYEE)[-1]
    assert QUESTION in mail.get_content()

    mette = person(EMPLOYEE)
    mette.follow("Mine ansøgninger", "my cases")
    open_case(mette, title, "my case: the municipality needs information")
    needed = mette.page.locator("#needed").inner_text()
    assert QUESTION in needed and mette._("Svar senest") in needed
    assert NOTE not in mette.page.locator("main").inner_text()
    assert mette.page.locator("#notater").count() == 0
    assert mette.download("vejledning.pdf") == GUIDE

    answer = tmp_path / "konferenceprogram.pdf"
    answer.write_bytes(ANSWER)
    mette.fill("#body-message", REPLY)
    mette.page.locator("#files-message").set_input_files(str(answer))
    mette.press("Send beskeden", "answered in the thread")
    assert mette.page.locator("#needed").count() == 0
    thread = mette.page.locator("#beskeder").inner_text()
    assert thread.index(QUESTION) < thread.index(REPLY)

    caseworker.page.reload()
    caseworker.check("the answer in the thread")
    assert REPLY in caseworker.page.locator("#beskeder").inner_text()
    assert caseworker.download("konferenceprogram.pdf") == ANSWER
    assert any(
        title in str(m["Subject"]) or "Lissabon" in m.get_content()
        for m in live_server.mail_to(CASEWORKER)
    )


def test_the_secretariats_reminders_and_bulk_pages(person, live_server):
    title = "Studietur til Aarhus (påmindelse)"
    case_number = live_server.granted_study_trip(title)
    caseworker = person(CASEWORKER)
    caseworker.visit("/paamindelser", "the reminders' settings and runs")
    caseworker.press("Kør påmindelserne nu", "the reminders run now")
    caseworker.visit("/paamindelser/send-flere", "choose cases to remind")
    caseworker.press("Send påmindelser til de valgte sager", "nothing chosen", fetchable=False)
    assert caseworker.page.locator("#cases-error").count() == 1
    caseworker.page.get_by_label(caseworker._("Vælg sag %(case)s") % {"case": case_number}).check()
    caseworker.press("Send påmindelser til de valgte sager", "the chosen cases shown first")
    assert title in caseworker.page.locator("#bulk-chosen").inner_text()
    caseworker.press("Ja, udfør", "the result per case", fetchable=False)
    assert caseworker._("Udført") in caseworker.page.locator("#bulk-results").inner_text()
    assert live_server.mail_to(EMPLOYEE)[-1]["Subject"].startswith("Påmindelse")
    caseworker.visit("/rapporter/godkend-flere", "choose reports to approve")
