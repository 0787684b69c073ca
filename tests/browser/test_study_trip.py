"""The employee's study trip, from the application to the decision letter, through the pages:
Mette applies (in English, her chosen language), her manager Lars endorses, the caseworker
decides (in Danish), and Mette downloads a letter in English and gets her e-mail in English."""

from tests.browser.journeys import (
    CASEWORKER,
    EMPLOYEE,
    MANAGER,
    apply_for_a_study_trip,
    decide,
    open_case,
    pdf_facts,
    take_step,
)


def test_a_study_trip_from_application_to_decision_letter(person, live_server):
    title = "Studietur til Helsinki (browser)"
    mette = person(EMPLOYEE)
    mette.switch_language("my applications in English")
    assert mette.language == "en"
    apply_for_a_study_trip(mette, title)
    mette.see("Sendt til din leder")
    mette.see("9,500.00 kr.")

    lars = person(MANAGER)
    lars.follow("Arbejdskø", "manager's work queue")
    open_case(lars, title, "case for the manager")
    take_step(lars, "Anbefal", "endorsed", comment="Relevant for hele klubområdet.")

    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "caseworker's work queue")
    open_case(caseworker, title, "case for screening")
    take_step(caseworker, "Send til afgørelse", "forwarded for decision")
    decide(caseworker, "grant", "granted")
    caseworker.see("Bevilget")

    mette.visit("/ansoegninger/mine", "my applications after the decision")
    open_case(mette, title, "my granted case")
    letter = pdf_facts(mette.download("Afgørelse"))
    # A tagged PDF, titled, in the applicant's language although the caseworker reads Danish.
    assert letter["tagged"]
    assert letter["lang"].startswith("en"), letter["lang"]
    assert letter["title"].startswith("Grant decision – Case no. "), letter["title"]
    assert "Case no." in letter["text"] and "Sagsnr." not in letter["text"]

    decided = live_server.mail_to(EMPLOYEE)[-1]
    assert decided["Subject"].startswith("Your application"), decided["Subject"]
    assert "A decision has been made" in decided.get_content()
    manager_mail = live_server.mail_to(MANAGER)[-1]  # Lars reads Danish
    assert "Kære Lars Lund" in manager_mail.get_content()

    mette.switch_language()
    assert mette.language == "da"
