"""A committee meeting without a quorum, through the pages: the secretariat puts a case on
today's meeting and sends the agenda to the members by e-mail; the chair and the member
both declare an interest; at the meeting the chair is ruled disqualified, and then no member
is left to rule on the member's declaration or to decide the case: the page says the
committee has no quorum and offers no decision. The secretary postpones the item as the
committee's rules of procedure say, confirms what goes out (no letter), and the minutes say
the item was not decided."""

from tests.browser.journeys import (
    CHAIR,
    EMPLOYEE,
    MEMBER,
    SECRETARY,
    open_case,
    pdf_facts,
    press_within,
)

COMMITTEE = "Social- og Sundhedsudvalget"
PLACE = "Ballerup Rådhus, mødelokale 2"


def test_a_meeting_without_a_quorum_postpones_the_item(person, live_server):
    title = "Sommerlejr i Kiel (browser)"
    case_number = live_server.committee_case(title, COMMITTEE, EMPLOYEE)
    live_server.meeting_today(COMMITTEE, PLACE)

    # The secretariat: the committee's rules of procedure, then the case onto the agenda.
    secretary = person(SECRETARY)
    secretary.follow("Udvalg", "committees")
    secretary.follow(COMMITTEE, "committee with its rules of procedure")
    secretary.see("Punktet udsættes til et senere møde")
    secretary.follow("Arbejdskø", "work queue")
    open_case(secretary, title, "committee case for screening")
    secretary.follow("Sæt på udvalgets dagsorden", "which meeting")
    secretary.follow(PLACE, "today's meeting")
    meeting_url = secretary.page.url.split("#")[0]
    secretary.select("#application_id", label=f"{case_number} {title}")
    secretary.fill("#recommendation", "Sekretariatet indstiller bevilling.")
    secretary.press("Sæt på dagsordenen", "case on the agenda")
    secretary.press("Send dagsordenen til udvalget", "agenda sent to the members")
    mails = [m for m in live_server.mail_to(MEMBER) if COMMITTEE in str(m["Subject"])]
    assert mails and title in mails[-1].get_content(), [str(m["Subject"]) for m in mails]

    # Both members declare an interest.
    def declare(who, reason: str, step: str) -> None:
        who.visit(meeting_url, f"agenda for {step}")
        here = who.page.locator("article.agenda-item", has_text=title)
        here.locator("summary").click()
        here.locator("details textarea").fill(reason)
        press_within(who, here, "Erklær inhabilitet", step)

    declare(person(CHAIR, both_languages=False), "Jeg er formand for lejren.", "chair declared")
    declare(person(MEMBER, both_languages=False), "Mit barn deltager.", "member declared")

    # At the meeting: both members present; the chair is ruled disqualified.
    secretary.visit(meeting_url, "meeting with two declarations")
    secretary.page.locator("#present").select_option(label=["Frederik Friis", "Ulla Ulriksen"])
    secretary.press("Registrér fremmødet", "attendance recorded")
    declaration = secretary.page.locator("article.agenda-item li", has_text="formand for lejren")
    declaration.get_by_label(secretary._("Inhabil"), exact=True).check()
    press_within(secretary, declaration, "Registrér udvalgets afgørelse", "chair disqualified")
    # The disqualified chair takes no part in ruling on the member's declaration: no quorum.
    declaration = secretary.page.locator("article.agenda-item li", has_text="Mit barn")
    declaration.get_by_label(secretary._("Inhabil"), exact=True).check()
    press_within(secretary, declaration, "Registrér udvalgets afgørelse", "ruling refused")
    secretary.see("Udvalget er ikke beslutningsdygtigt i denne sag")

    # No decision can be recorded; the item is postponed.
    item = secretary.page.locator("article.agenda-item", has_text=title)
    assert item.locator("select").count() == 0
    assert secretary._("Ikke beslutningsdygtigt") in item.inner_text()
    press_within(secretary, item, "Udsæt punktet: ikke beslutningsdygtigt", "item postponed")
    item = secretary.page.locator("article.agenda-item", has_text=title)
    assert secretary._("Udsæt sagen") in item.inner_text()

    # What goes out: no letter. Confirmed; issued; the meeting closed.
    secretary.press("Udsend de registrerede afgørelser", "postponement shown before it goes out")
    secretary.see("Der sendes intet afgørelsesbrev")
    assert secretary.page.locator("iframe.letter-preview").count() == 0
    # (The page reloads itself when the job is done, so it is checked once it has.)
    secretary.press("Bekræft og udsend afgørelserne", None)
    secretary.page.wait_for_selector('#job-progress[data-finished="true"]', timeout=30_000)
    secretary.check("postponement issued")
    secretary.press("Luk mødet og gem beslutningsprotokollen", "meeting closed")
    minutes = pdf_facts(secretary.download("Hent beslutningsprotokollen (PDF)"))["text"]
    flat = " ".join(minutes.split())
    assert "Ikke afgjort: udvalget var ikke beslutningsdygtigt" in flat, flat[:1500]

    # The case is back with the secretariat for a later meeting.
    secretary.follow("Arbejdskø", "work queue after the meeting")
    open_case(secretary, title, "postponed case")
    secretary.see("Sæt på udvalgets dagsorden")
