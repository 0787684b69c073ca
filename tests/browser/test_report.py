"""After the trip: Mette writes the report and the accounts with a receipt, the caseworker
approves them (the settlement letter follows), and the finance officer sees what to pay."""

from tests.browser.journeys import (
    CASEWORKER,
    EMPLOYEE,
    FINANCE,
    open_case,
    pdf_facts,
    take_step,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_report_and_accounts_after_the_trip(person, live_server, tmp_path):
    title = "Kursus i Aarhus (browser)"
    case_number = live_server.granted_study_trip(title)
    mette = person(EMPLOYEE)
    open_case(mette, title, "my granted case, travelled")
    mette.follow("Udfyld rapport og regnskab", "report form")
    mette.fill("#what_was_done", "Deltog i kurset om ungdomsarbejde.")
    mette.fill("#what_was_learned", "Metoder til at inddrage de unge i planlægningen.")
    mette.fill("#how_it_will_be_used", "Vi prøver metoderne i klubben i foråret.")
    mette.fill("#participant_names", "Mette Madsen")
    mette.fill("#participant_count", "1")
    mette.fill("#transport", "1800")
    mette.fill("#fees", "4000")
    receipt = tmp_path / "kvittering.pdf"
    receipt.write_bytes(PDF)
    mette.page.locator("#receipts").set_input_files(str(receipt))
    mette.press("Indsend rapport og regnskab", "report submitted")
    mette.see("5.800,00 kr.")

    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "work queue with the report")
    open_case(caseworker, title, "report to review")
    take_step(caseworker, "Godkend rapport og regnskab", "report approved")
    caseworker.see("Endeligt tilskud")

    mette.visit(mette.page.url, "my case, settled")
    settlement = pdf_facts(mette.download("Afregningsbrev"))
    assert settlement["tagged"] and settlement["lang"] == "da" and settlement["title"]
    assert "5.800,00 kr." in settlement["text"]

    finance = person(FINANCE)
    finance.follow("Udbetalinger", "payments")
    finance.see(case_number)
    finance.follow(f"Registrér udbetaling – {case_number}", "record the payment")
    finance.fill("#amount", "5800")
    finance.fill("#voucher", "B-2026-17")
    finance.press("Registrér udbetaling", "payment recorded")
    assert case_number not in finance.page.locator("main table").first.inner_text()
