"""A binding decision is seen before it goes out. The caseworker decides from her work queue
in three page loads (queue, case, confirmed), seeing the amount in words and the letter in a
dialog first. In English she types "6.500" for a partial grant of 7.000 kr., as the defect
that started this did: she is told it reads two ways, writes it plainly, sees it in words,
confirms, and the letter says 6.500,00 kr."""

from __future__ import annotations

from tests.browser.journeys import CASEWORKER, confirm_in_dialog, decide, open_case, pdf_facts


def main_frame_loads(person) -> list[str]:
    """The addresses the person's tab loads from now on (top-level page loads only)."""
    loads: list[str] = []
    page = person.page
    page.on("framenavigated", lambda frame: frame == page.main_frame and loads.append(frame.url))
    return loads


def test_from_the_work_queue_to_an_issued_letter_in_three_page_loads(person, live_server):
    live_server.study_trip_in_screening("Konference om fritidsklubber i Lissabon")
    caseworker = person(CASEWORKER, both_languages=False)
    loads = main_frame_loads(caseworker)
    caseworker.follow("Arbejdskø", "work queue")
    open_case(caseworker, "Konference om fritidsklubber i Lissabon", "case for decision")
    decide(caseworker, "grant", "granted and the letter issued")
    caseworker.see("Afgørelsen er truffet, og afgørelsesbrevet er sendt til ansøgeren.")
    letter = pdf_facts(caseworker.download("Afgørelsesbrev"))
    assert "7.000,00 kr." in letter["text"]
    assert len(loads) == 3, loads  # the queue, the case, the case with its letter


def test_in_english_an_ambiguous_amount_is_refused_and_the_plain_one_confirmed(person, live_server):
    title = "Studiebesøg i Lissabons fritidsklubber"
    live_server.study_trip_in_screening(title, amount=7000)
    caseworker = person(CASEWORKER, both_languages=False)
    caseworker.switch_language("in English")
    assert caseworker.language == "en"
    caseworker.follow("Arbejdskø", "work queue in English")
    open_case(caseworker, title, "case for decision, in English")

    reasons = "The fund covers the conference fee and the travel, not the hotel."
    decide(caseworker, "grant_part", "6.500 refused", amount="6.500", reasons=reasons,
           refused=True)  # fmt: skip
    error = caseworker.page.locator("#amount-error").inner_text()
    assert "“6.500” can be read as 6,500.00 kr. or 6.50 kr. Write 6500 or 6.50." in error

    decide(caseworker, "grant_part", "partly granted", amount="6500", reasons=reasons,
           confirm=False)  # fmt: skip
    dialog = caseworker.page.locator("#confirm-dialog")
    shown = dialog.inner_text()
    assert "6,500.00 kr." in shown
    assert "six thousand five hundred kroner" in shown
    assert reasons in shown
    # The letter itself, in Mette's language (Danish), with the amount as she will read it.
    letter = dialog.frame_locator("iframe.letter-preview").locator("body").inner_text()
    assert "6.500,00 kr." in letter and "Delvis bevilling" in letter
    confirm_in_dialog(caseworker, "partly granted")
    caseworker.see("Delvist bevilget")
    facts = pdf_facts(caseworker.download("Afgørelsesbrev"))
    assert "6.500,00 kr." in facts["text"] and "6,50 kr." not in facts["text"]
    caseworker.switch_language()
