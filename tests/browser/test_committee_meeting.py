"""A committee meeting, through the pages: the secretariat puts a case on the meeting's
agenda with a recommendation; a member and the chair declare an interest; the members read
the agenda with the case and what it does to the budget; on the meeting's day the secretary
records attendance (the members, not the secretary), the committee's rulings and the
decisions, sees them as they will go out and confirms them once, following the progress
display until it is done; the minutes are a PDF; and the applicant reads her decision
letter."""

import re
from pathlib import Path

from tests.browser.journeys import (
    CHAIR,
    EMPLOYEE,
    MEMBER,
    SECRETARY,
    open_case,
    pdf_facts,
    press_within,
)

COMMITTEE = "Kultur-, Fritids- og Idrætsudvalget"
DEMO_TRIP = "Udvalgets studietur til Malmø om idrætsfaciliteter"


def test_a_committee_meeting(person, live_server):
    title = "Kulturnat i Göteborg (browser)"
    case_number = live_server.committee_case(title, COMMITTEE, EMPLOYEE)

    # The secretariat: from the case to the meeting's agenda, with a recommendation.
    secretary = person(SECRETARY)
    secretary.follow("Udvalg", "committees for the secretariat")
    secretary.follow("Opret et udvalg", "new committee form")
    secretary.follow("Udvalg", None, exact=True)
    secretary.follow(COMMITTEE, "committee with its forms")
    secretary.press("Opret mødet", "meeting form with errors")
    secretary.see("Der er fejl i formularen")
    ids = secretary.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    secretary.follow("Arbejdskø", "secretary's work queue")
    open_case(secretary, title, "committee case for screening")
    secretary.follow("Sæt på udvalgets dagsorden", "which meeting")
    secretary.follow("Ballerup Rådhus, mødelokale 1", "the meeting, to plan its agenda")
    meeting_url = secretary.page.url.split("#")[0]
    secretary.select("#application_id", label=f"{case_number} {title}")
    secretary.press("Sæt på dagsordenen", "agenda item without a recommendation")
    secretary.see("Der er fejl i formularen")
    secretary.select("#application_id", label=f"{case_number} {title}")
    secretary.fill(
        "#recommendation", "Sekretariatet indstiller, at udvalget bevilger 9.000 kr. af puljen."
    )
    secretary.press("Sæt på dagsordenen", "case on the agenda")
    secretary.see(f"Punkt 2: {title}")
    secretary.press("Send dagsordenen til udvalget", "agenda sent to the members")

    # A member reads the agenda: the case, the recommendation, what it does to the budget.
    member = person(MEMBER)
    member.follow("Udvalg", "member's committees")
    member.follow(COMMITTEE, "member's committee")
    member.visit(meeting_url, "agenda for the member")
    item = member.page.locator("article.agenda-item", has_text=title)
    text = item.inner_text()
    assert "udvalget bevilger 9.000 kr." in text, text
    assert "9.000,00 kr." in text and member._("Til rådighed efter fuld bevilling") in text
    assert member._("Det gør afgørelsen ved") in text
    with member.page.expect_download() as paper:
        item.get_by_role("link", name="program-kulturnat.pdf", exact=True).click()
    assert Path(paper.value.path()).read_bytes().startswith(b"%PDF-")

    # The member declares an interest, first without saying why.
    def declare(who, reason: str | None, step: str) -> None:
        here = who.page.locator("article.agenda-item", has_text=title)
        if here.locator("details[open]").count() == 0:  # open after an error already
            here.locator("summary").click()
        if reason:
            here.locator("details textarea").fill(reason)
        press_within(who, here, "Erklær inhabilitet", step)

    declare(member, None, "declaration without a reason")
    member.see("Der er fejl i formularen")
    declare(member, "Ansøgeren er min nabo og nære ven.", "member declared an interest")
    member.see("Ulla Ulriksen: Ansøgeren er min nabo og nære ven.")

    chair = person(CHAIR, both_languages=False)
    chair.visit(meeting_url, "agenda for the chair")
    declare(chair, "Jeg sidder i bestyrelsen for arrangøren.", "chair declared an interest")

    # The meeting's day comes: the secretary records attendance (the two members; the
    # secretary is an official, not one of them), and the meeting is held.
    live_server.meeting_day_comes("Ballerup Rådhus, mødelokale 1")
    secretary.visit(meeting_url, "meeting on its day")
    options = secretary.page.locator("#present option").all_inner_texts()
    assert options == ["Frederik Friis", "Ulla Ulriksen"], options
    secretary.page.locator("#present").select_option(label=["Frederik Friis", "Ulla Ulriksen"])
    secretary.press("Registrér fremmødet", "attendance recorded")
    secretary.see("Ulla Ulriksen (medlem) – til stede")

    # The secretary records the committee's rulings: two forms on one page. The chair's
    # first (the member, whose own declaration waits, takes part); then the member's, with
    # the chair, who is not disqualified.
    ids = secretary.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for reason, ruling in (("bestyrelsen", "Ikke inhabil"), ("min nabo", "Inhabil")):
        declaration = secretary.page.locator("article.agenda-item li", has_text=reason)
        declaration.get_by_label(secretary._(ruling), exact=True).check()
        press_within(secretary, declaration, "Registrér udvalgets afgørelse", f"ruled: {ruling}")
        said = secretary.page.locator("article.agenda-item li", has_text=reason).inner_text()
        assert secretary._(ruling.lower()) in said and "udvalget har ikke" not in said, said

    # The decisions (a partial grant needs an amount and reasons).
    for case, decision in ((title, "grant_part"), (DEMO_TRIP, "grant")):
        here = secretary.page.locator("article.agenda-item", has_text=case)
        here.locator("select").select_option(decision)
        press_within(secretary, here, "Registrér beslutningen", f"decision on {case}")
        if decision == "grant_part":  # without amount or reasons: errors, linked
            secretary.see("Der er fejl i formularen")
            here = secretary.page.locator("article.agenda-item", has_text=case)
            here.locator("select").select_option(decision)
            here.get_by_label(re.compile(secretary._("Bevilget beløb"))).fill("7000")
            here.get_by_label(secretary._("Begrundelse"), exact=True).fill(
                "Puljen dækker overnatningerne, ikke hele rejsen."
            )
            press_within(secretary, here, "Registrér beslutningen", "partial grant recorded")

    decisions = secretary.page.locator("article.agenda-item").all_inner_texts()
    assert secretary._("Bevil fuldt ud") in decisions[0], decisions[0]
    assert f"{secretary._('Bevil delvist')} (7.000,00 kr.)" in decisions[1], decisions[1]

    # Shown as they will go out (amounts in figures and words, the letters), confirmed once.
    secretary.press("Udsend de registrerede afgørelser", "decisions shown before they go out")
    secretary.see("Bekræft afgørelserne, før de sendes")
    shown = secretary.page.locator("main").inner_text()
    assert "7.000,00 kr." in shown and "24.000,00 kr." in shown, shown
    assert secretary.page.locator("iframe.letter-preview").count() == 2
    # Issued together: the progress display follows the job until it is done.
    # (The page reloads itself when the job is done, so it is checked once it has.)
    secretary.press("Bekræft og udsend afgørelserne", None)
    progress = secretary.page.locator("#job-progress")
    assert progress.is_visible()
    secretary.page.wait_for_selector('#job-progress[data-finished="true"]', timeout=30_000)
    secretary.check("decisions issued")
    assert "2 " + secretary._("af") + " 2" in progress.inner_text(), progress.inner_text()
    assert secretary.page.locator(".item-status").all_inner_texts() == [secretary._("Udsendt")] * 2

    secretary.press("Luk mødet og gem beslutningsprotokollen", "meeting closed")
    minutes = secretary.download("Hent beslutningsprotokollen (PDF)")
    assert minutes.startswith(b"%PDF-")
    assert title in pdf_facts(minutes)["text"].replace("\n", " ")

    # The applicant reads the decision.
    mette = person(EMPLOYEE)
    mette.visit("/ansoegninger/mine", "my applications after the meeting")
    open_case(mette, title, "my case decided by the committee")
    letter = pdf_facts(mette.download("Afgørelse"))
    assert letter["tagged"] and case_number in letter["text"]
    assert "7.000" in letter["text"], letter["text"][:800]
