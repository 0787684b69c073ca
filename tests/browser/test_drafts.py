"""Nothing typed is lost (issue 21, points 9 and 10), in the browser: Mette types into the
study-trip form, sees the budget's total follow her and "Kladde gemt kl. …" appear without the
focus moving, reloads the page and finds what she typed, in Danish and in English, and throws
the draft away. Each page is checked (axe in both languages, 360 px, 200 % zoom)."""

import re

from playwright.sync_api import expect

from tests.browser.journeys import EMPLOYEE

TITLE = "Kladde: studietur til Tallinn"


def test_the_study_trip_form_keeps_a_draft_as_she_types(person):
    mette = person(EMPLOYEE)
    mette.follow("Ny ansøgning", "application form")
    page = mette.page
    total = page.locator("#budget-total")
    status = page.locator("#draft-status")
    expect(total).to_have_text("0,00 kr.")
    expect(status).to_be_hidden()  # nothing to say before she has typed

    mette.fill("#title", TITLE)
    mette.fill("#transport", "2.500,50")
    mette.fill("#accommodation", "4000")
    expect(total).to_have_text("6.500,50 kr.")
    # An ambiguous amount is not guessed: left out of the total, and the page says so.
    mette.fill("#fees", "1.500")
    expect(page.locator("[data-budget-unreadable]")).to_be_visible()
    expect(total).to_have_text("6.500,50 kr.")
    mette.fill("#fees", "1500")
    expect(total).to_have_text("8.000,50 kr.")
    expect(page.locator("[data-budget-unreadable]")).to_be_hidden()

    expect(status).to_have_text(re.compile(r"^Kladde gemt kl\. \d\d\.\d\d$"), timeout=10_000)
    assert status.get_attribute("aria-live") == "polite"
    assert mette.focused()["id"] == "fees"  # the message never takes the focus
    mette.check("draft saved as she types", fetchable=False)

    # Back to the form (here: a reload; as well another day, on another device).
    page.reload()
    mette.check("the form filled from her draft")
    mette.see("Formularen er udfyldt fra din kladde")
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#transport")).to_have_value("2.500,50")
    expect(page.locator("#fees")).to_have_value("1500")
    expect(total).to_have_text("8.000,50 kr.")

    # In English: the same draft, the notice and the status in English, the total too.
    mette.switch_language("the form from her draft in English")
    assert mette.language == "en"
    mette.see("Formularen er udfyldt fra din kladde")
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(total).to_have_text("8,000.50 kr.")
    mette.fill("#meals", "499,50")
    expect(total).to_have_text("8,500.00 kr.")
    expect(status).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"), timeout=10_000)
    mette.check("draft saved in English", fetchable=False)
    mette.switch_language()
    assert mette.language == "da"

    # She throws the draft away: the form is empty again (and the other journeys' form too).
    mette.press("Kassér kladden", "draft discarded")
    mette.see("Kladden er kasseret.")
    expect(page.locator("#title")).to_have_value("")
    expect(total).to_have_text("0,00 kr.")
