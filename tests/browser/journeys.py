"""Steps that several journeys share, written as the people do them in the browser."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

MANAGER = "leder@ballerup.dk"
EMPLOYEE = "medarbejder@ballerup.dk"
CASEWORKER = "sagsbehandler@ballerup.dk"
FINANCE = "okonomi@ballerup.dk"
ASSOCIATION = "forening@example.dk"


def in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def apply_for_a_study_trip(employee, title: str, *, amount: str = "9500") -> None:
    """The employee fills in the study-trip form and submits it to her manager."""
    employee.follow("Ny ansøgning", "application form")
    employee.fill("#title", title)
    employee.fill("#purpose", "Se hvordan finske ungdomsklubber arbejder med små grupper.")
    employee.fill("#destination_city", "Helsinki")
    employee.select("#destination_country", "FI")
    employee.fill("#departure_date", in_days(60))
    employee.fill("#return_date", in_days(64))
    employee.fill("#programme", "Tre klubbesøg og konferencen Youth Work Now.")
    employee.fill("#travellers", "Mette Madsen, pædagog")
    employee.fill("#traveller_count", "1")
    employee.select("#manager_id", label="Lars Lund (Institutionsleder)")
    employee.fill("#transport", "2500")
    employee.fill("#accommodation", "4000")
    employee.fill("#fees", "3000")
    employee.fill("#amount_applied", amount)
    employee.fill("#expected_benefit", "Nye metoder til klubberne.")
    employee.fill("#knowledge_sharing", "Oplæg på personalemødet.")
    employee.press("Indsend ansøgning", "application submitted")


def open_case(person, title: str, step: str) -> None:
    """From the work queue (or the person's own list) to the case called `title`."""
    person.page.get_by_role("link", name=title).first.click()
    person.page.wait_for_load_state()
    person.check(step)


def take_step(person, action: str, step: str, *, comment: str | None = None) -> None:
    """A workflow step on the case page: the button is the step's name."""
    if comment is not None:
        person.page.locator("form").filter(
            has=person.page.get_by_role("button", name=person._(action), exact=True)
        ).locator("textarea").fill(comment)
    person.press(action, step, exact=True)


def decide(
    caseworker,
    outcome: str,
    step: str,
    *,
    reasons: str = "",
    amount: str = "",
    refused: bool = False,
    confirm: bool = True,
):
    """Fill in the decision and send it. It is shown in a dialog before it goes out (the
    form's errors come as a page: `refused=True`); `confirm` sends it."""
    caseworker.select("#action", outcome)
    caseworker.fill("#amount", amount)
    if reasons:
        caseworker.fill("#reasons", reasons)
    button = caseworker.page.get_by_role("button", name=caseworker._("Træf afgørelse"))
    if refused:
        # The script asks for the confirmation, is answered with the errors, and sends the
        # form as a page: two requests before the page loads, hence the longer wait.
        with caseworker.page.expect_navigation(timeout=30_000):
            button.click()
        caseworker.check(step, fetchable=False)
        return
    button.click()
    dialog = caseworker.page.locator("#confirm-dialog[open]")
    dialog.wait_for(timeout=30_000)
    caseworker.check(f"{step}: shown before it goes out", fetchable=False)
    if confirm:
        confirm_in_dialog(caseworker, step)


def confirm_in_dialog(caseworker, step: str) -> None:
    """Press "Bekræft og send afgørelsen" in the dialog: the grant is reserved and the letter
    made (a PDF), which may take a while on a busy machine."""
    dialog = caseworker.page.locator("#confirm-dialog[open]")
    name = caseworker._("Bekræft og send afgørelsen")
    # The click itself waits for the navigation it starts: the same minute as the navigation.
    with caseworker.page.expect_navigation(timeout=60_000):
        dialog.get_by_role("button", name=name).click(timeout=60_000)
    caseworker.check(step)


def pdf_facts(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    return {
        "title": reader.metadata.title,
        "lang": str(catalog.get("/Lang")),
        "tagged": "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"]),
        "text": "\n".join(page.extract_text() for page in reader.pages),
    }


ADMIN = "admin@ballerup.dk"
CHAIR = "formand@ballerup.dk"
MEMBER = "udvalg@ballerup.dk"
SECRETARY = CASEWORKER  # the demo committees' secretary (grants/demo_committees.py)


def press_within(person, container, name: str, step: str) -> None:
    """Press the button called `name` inside `container` (one of several forms on a page
    with the same button) and check the page it leads to."""
    with person.page.expect_navigation() as navigation:
        container.get_by_role("button", name=person._(name)).click()
    person.check(step, fetchable=navigation.value.request.method == "GET")
