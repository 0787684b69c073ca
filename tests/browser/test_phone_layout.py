"""Tables on a phone (issue 21 point 13): at 360 and 320 px the pages with lists of cases
reflow without sideways scrolling, and each case row shows its status and its amount within
the screen (the rows become cards: the design system's table--responsive-headers, each cell
under its column's heading); at 1280 px no case number and no amount wraps inside its cell.
The study-trip form, with its file field, reflows at 320 px too. Each page is checked with
axe at phone width in Danish and in English.

The browser tests share one demo server whose cases other journeys move on, so the rows are
found by their cells' classes (case-number, amount, case-state: templates/macros/cases.html
and the templates with tables), and the one case every list here is sure to hold is made by
this test: a study trip of Mette's, waiting for the caseworker's screening."""

from __future__ import annotations

import pytest

from tests.browser.journeys import ADMIN, ASSOCIATION, CASEWORKER, EMPLOYEE, FINANCE
from tests.browser.people import WIDE

PHONES = [("360px", {"width": 360, "height": 740}), ("320px", {"width": 320, "height": 640})]
TITLE = "Telefonens studietur til Lissabon"

# What the page looks like to the test: the document's width against the window's, and the
# cells of every table row that is a case (it has a case number), with where they are drawn
# and on how many lines their text stands.
LAYOUT = """() => {
  const lines = cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()]
      .filter(r => r.width > 0).map(r => Math.round(r.top)));
    return tops.size;
  };
  const box = cell => {
    const r = cell.getBoundingClientRect();
    const scroller = cell.closest('.table--responsive-scroll');
    const s = scroller ? scroller.getBoundingClientRect() : {left: 0, right: r.right};
    return {text: cell.innerText.trim(), left: r.left, right: r.right, lines: lines(cell),
            align: getComputedStyle(cell).textAlign,
            shown: cell.checkVisibility() && r.width > 0 && r.height > 0,
            inBox: r.left >= s.left - 1 && r.right <= s.right + 1};
  };
  const rows = [...document.querySelectorAll('main table tbody tr')]
    .filter(tr => tr.querySelector('td.case-number'))
    .map(tr => ({
      number: box(tr.querySelector('td.case-number')),
      amount: tr.querySelector('td.amount') && box(tr.querySelector('td.amount')),
      state: tr.querySelector('td.case-state') && box(tr.querySelector('td.case-state')),
    }));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    rows,
    amounts: [...document.querySelectorAll('main td.amount')].map(box),
  };
}"""


def layout(visitor, viewport: dict) -> dict:
    visitor.page.set_viewport_size(viewport)
    visitor.page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    return visitor.page.evaluate(LAYOUT)


def assert_readable_on_phones(
    visitor, where: str, *, case_rows: bool = True, axe: bool = True
) -> None:
    """At 360 and 320 px: no sideways scrolling of the page, and every case row's status and
    amount drawn within the window (and within the table's own box); at 1280 px no case
    number and no amount on more than one line, and the amounts aligned right. Axe at 360 px, in Danish and English."""
    for label, viewport in PHONES:
        seen = layout(visitor, viewport)
        visitor.screenshot(f"{where} at {label}")
        assert seen["scrollWidth"] <= seen["clientWidth"], (
            f"{where} scrolls sideways at {label}: {seen['scrollWidth']} > {seen['clientWidth']}"
        )
        if case_rows:
            assert seen["rows"], f"no case rows on {where}"
        width = seen["clientWidth"]
        for row in seen["rows"]:
            for part in ("amount", "state"):
                cell = row[part]
                if cell is None:
                    continue
                assert cell["shown"] and cell["inBox"], (
                    f"{part} of {row['number']['text']} hidden: {where}"
                )
                assert cell["left"] >= 0 and cell["right"] <= width + 1, (
                    f"the {part} of case {row['number']['text']} is outside the window at "
                    f"{label} ({cell['left']:.0f}–{cell['right']:.0f} px of {width}) on {where}"
                )
        for cell in seen["amounts"]:
            assert cell["right"] <= width + 1 and cell["inBox"], (
                f"the amount {cell['text']} is outside the window at {label} on {where}"
            )
    seen = layout(visitor, WIDE)
    for row in seen["rows"]:
        for part in ("number", "amount"):
            cell = row[part]
            if cell is not None:
                assert cell["lines"] == 1, f"{cell['text']!r} wraps in its cell on {where}"
    for cell in seen["amounts"]:
        assert cell["lines"] <= 1, f"{cell['text']!r} wraps in its cell at 1280 px on {where}"
        # Amounts line up on the right, as figures do.
        assert cell["align"] == "right", f"{cell['text']!r} is aligned {cell['align']} on {where}"
    # Axe at phone width, in both languages (the cards carry their headings as data-title).
    visitor.page.set_viewport_size(PHONES[0][1])
    for _ in range(2 if axe else 0):
        visitor.assert_no_axe_violations(f"{where} at 360 px ({visitor.language})")
        visitor.switch_language()
    visitor.page.set_viewport_size(WIDE)


def test_case_lists_and_the_study_trip_form_on_a_phone(person, live_server):
    number = live_server.study_trip_in_screening(TITLE, amount=9000)

    caseworker = person(CASEWORKER)
    caseworker.visit("/opgaver", "tasks")
    assert_readable_on_phones(caseworker, "the task page")
    # On a phone the column headings are not shown: the sorting links stand above the cards.
    caseworker.page.set_viewport_size(PHONES[1][1])
    caseworker.follow("Ansøgt", "tasks sorted by amount on a phone")
    assert "sort=amount" in caseworker.page.url
    caseworker.page.set_viewport_size(WIDE)

    caseworker.visit("/arbejdskoe", "the queue")
    assert_readable_on_phones(caseworker, "the queue")
    row = caseworker.page.locator("main table tbody tr", has_text=TITLE)
    assert row.locator("td.case-number").inner_text().strip() == number

    caseworker.visit("/soeg?q=" + TITLE.replace(" ", "+"), "search")
    assert_readable_on_phones(caseworker, "the search")

    employee = person(EMPLOYEE)
    employee.visit("/ansoegninger/mine", "the applicant's list")
    assert_readable_on_phones(employee, "the applicant's list")
    # The status the applicant reads is in the card, beside its heading.
    employee.page.set_viewport_size(PHONES[1][1])
    card = employee.page.locator("main table tbody tr", has_text=TITLE)
    state = card.locator("td.case-state")
    assert state.is_visible() and state.inner_text().strip()
    assert state.get_attribute("data-title") == employee._("Status")
    employee.page.set_viewport_size(WIDE)

    employee.visit("/ansoegninger/ny/studierejsefonden", "the study-trip form")
    assert employee.page.locator("input[type=file]").count()
    assert_readable_on_phones(employee, "the study-trip form", case_rows=False)

    finance = person(FINANCE)
    finance.visit("/budgetter", "budgets")
    assert_readable_on_phones(finance, "the budgets", case_rows=False)
    # The budget figures are amounts that stay on one line and within the window.
    assert finance.page.locator("main td.amount").count() > 5


# Every other page with a table, as the people who see it (the case page's tables: its
# facts, budget, documents and journal; the budgets' and payments' figures; the
# administration's lists; the public trips), at 360 and 320 px; their axe checks in both
# languages are the other journeys' (tests/browser/test_tour.py and the rest).
TABLE_PAGES = {
    CASEWORKER: ["/paamindelser", "/udvalg", "/udvalg/moeder/1"],
    FINANCE: [
        "/budgetter/bevillinger",
        "/budgetter/luk-aar?year=2025",
        "/budgetter/studierejsefonden/2026",
        "/udbetalinger",
    ],
    ADMIN: [
        "/administration/",
        "/administration/puljer",
        "/administration/partnerbyer",
        "/tilskud/regler",
        "/administration/api-noegler",
        "/api/v1/",
    ],
    ASSOCIATION: ["/ansoegninger/mine", "/organisationer"],
    None: ["/udlandsrejser", "/aabne-data/"],
}


@pytest.mark.parametrize("email", list(TABLE_PAGES), ids=lambda e: (e or "public").split("@")[0])
def test_every_table_reflows_on_a_phone(person, email):
    visitor = person(email)
    paths = list(TABLE_PAGES[email])
    # One case (or organisation, or trip) the list leads to, whatever its state.
    for path in list(paths):
        visitor.visit(path, path, check=False)
        assert_readable_on_phones(visitor, path, case_rows=False, axe=False)
        for prefix in ("/ansoegninger/", "/organisationer/", "/udlandsrejser/"):
            links = visitor.page.locator(f"main a[href^='{prefix}']")
            further = links.first.get_attribute("href") if links.count() else None
            if further and further not in paths and not further.endswith(("/ny", "/mine")):
                paths.append(further)
                visitor.visit(further, further, check=False)
                assert_readable_on_phones(visitor, further, case_rows=False, axe=False)
