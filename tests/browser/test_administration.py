"""The administrator's pages: the municipality's profile, a fund's settings, a question the
study-trip fund asks (and an employee sees on a new application form), a letter text
previewed as a PDF and saved, partner cities and users. Each form is first sent with bad
input: the error summary links to the fields, and nothing is saved."""

from tests.browser.journeys import ADMIN, EMPLOYEE, pdf_facts

QUESTION = "Hvilke sprog taler I på turen?"
# Funds the other journeys do not decide in, so their letters and limits stay as they are.
SETTINGS_FUND = "Børne- og Skoleudvalget"
QUESTION_FUND = "Studierejsefonden"


def errors_linked(person) -> list[str]:
    """The fields the error summary links to (the harness checks each is described)."""
    person.see("Der er fejl i formularen")
    return [link.get_attribute("href") for link in person.page.locator("#error-summary a").all()]


def test_the_administrators_pages(person, live_server):
    admin = person(ADMIN)
    admin.follow("Administration", "administration")

    # The municipality's profile.
    admin.follow("Kommunens profil", "municipality profile")
    name = admin.page.input_value("#name")
    admin.fill("#name", "")
    admin.fill("#cvr", "1234")
    admin.press("Gem", "profile with errors", exact=True)
    assert errors_linked(admin) == ["#name", "#cvr"]
    admin.fill("#name", name)
    admin.fill("#cvr", "")
    admin.fill("#phone", "44 77 20 00")
    admin.press("Gem", "profile saved", exact=True)
    assert admin.page.input_value("#phone") == "44 77 20 00"

    # A fund's settings.
    admin.follow("Administration", None, exact=True)
    admin.follow("Puljer: budget, sagens gang, spørgsmål og brevtekster", "funds")
    admin.follow(SETTINGS_FUND, "a fund's settings", exact=True)
    admin.fill("#delegated_limit", "mange penge")
    admin.fill("#report_due_days", "")
    admin.press("Gem", "fund settings with errors", exact=True)
    assert errors_linked(admin) == ["#delegated_limit", "#report_due_days"]
    admin.fill("#delegated_limit", "12500")
    admin.fill("#report_due_days", "56")
    admin.press("Gem", "fund settings saved", exact=True)
    row = admin.page.locator("tr", has_text=SETTINGS_FUND).inner_text()
    assert "12.500,00 kr." in row, row

    # A letter text: bad placeholders are refused; the preview is the real PDF.
    admin.follow(SETTINGS_FUND, "the fund again", exact=True)
    admin.follow("Brevtekst: Bevilling", "letter text")
    letter_page = admin.page.url
    admin.fill("#body", "Vi glæder os over {{ ukendt_felt }}.")
    admin.press("Gem som ny version", "letter text with errors")
    assert errors_linked(admin) == ["#body"]
    text = "Udvalget ønsker god tur til {{ rejsemaal }}. Husk sagsnummer {{ sagsnummer }}."
    admin.fill("#body", text)
    # (the browser shows the PDF in its own viewer: keep a copy of what it is sent)
    sent = []

    def keep(route):
        response = route.fetch()
        sent.append((response.headers["content-type"], response.body()))
        route.fulfill(response=response)

    admin.page.route(letter_page, keep)
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name=admin._("Se brevet som PDF med eksempeldata")).click()
    admin.page.unroute(letter_page)
    assert sent and sent[0][0] == "application/pdf", sent[:1]
    letter = pdf_facts(sent[0][1])
    assert letter["tagged"]
    assert "god tur til Helsinki" in letter["text"].replace("\n", " "), letter["text"][:600]
    admin.visit(letter_page, "letter text after the preview", check=False)
    admin.fill("#body", text)
    admin.press("Gem som ny version", "letter text saved")
    admin.see("Nu gælder version")

    # A question on the study-trip fund's form.
    admin.follow("Puljer", "funds from the breadcrumb", exact=True)
    admin.follow(QUESTION_FUND, "the study-trip fund", exact=True)
    admin.follow("Puljens egne spørgsmål i ansøgningen", "the fund's questions")
    admin.press("Tilføj spørgsmålet", "question with errors")
    assert errors_linked(admin) == ["#label"]
    admin.fill("#label", QUESTION)
    admin.select("#kind", "short_text")
    admin.fill("#help_text", "Fx dansk og engelsk.")
    admin.press("Tilføj spørgsmålet", "question added")
    assert QUESTION in admin.page.locator("table").inner_text()
    ids = admin.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    # Partner cities and people's roles.
    admin.follow("Administration", "administration again", exact=True)
    admin.follow("Venskabs- og partnerbyer", "partner cities")
    admin.follow("Tilføj en by", "new partner city")
    admin.follow("Administration", None, exact=True)
    admin.follow("Brugere og roller", "users and roles")
    admin.follow("Ulla Ulriksen", "a user's roles")

    # An employee sees the question on a new application.
    mette = person(EMPLOYEE, both_languages=False)
    mette.follow("Ny ansøgning", "application form with the fund's question")
    mette.see(QUESTION)
    mette.see("Fx dansk og engelsk.")
