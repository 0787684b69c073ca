"""Every table in templates/ is readable on a phone (issue 21 point 13): a table of several
columns shows its rows as cards below 768 px (the design system's table--responsive-headers),
so each of its data cells names its column in data-title; a table of facts (each row a
heading and one value) fits as it is. A money cell carries the class ``amount`` (never
wraps, aligned right) unless it holds more than the amount. The browser test
tests/browser/test_phone_layout.py checks how the pages look; this one keeps a new table
from forgetting it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Documents, not pages: rendered to PDF or archived as they are, never read on a phone.
DOCUMENTS = {
    "letters/decision.html",
    "letters/settlement.html",
    "reports/report_pdf.html",
    "esdh/application.html",
    "committees/minutes_pdf.html",
}
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
# A table drawn by the data_table macro (templates/macros/tables.html): its frame is the
# macro's (table--responsive-headers), its rows the caller's, between call and endcall.
MACRO_TABLE = re.compile(r"{%-?\s*call\b[^%]*\bdata_table\(.*?%}(.*?){%-?\s*endcall", re.S)
MACRO_FRAME = '<table class="table table--responsive-headers">'

CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S)


def tables() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in DOCUMENTS:
            continue
        text = path.read_text(encoding="utf-8")
        drawn = [match.group(0) for match in TABLE.finditer(text)]
        drawn += [f"{MACRO_FRAME}{match.group(1)}</table>" for match in MACRO_TABLE.finditer(text)]
        found += [(name, number, table) for number, table in enumerate(drawn)]
    return found


def test_the_pages_have_tables():
    assert len(tables()) > 40


@pytest.mark.parametrize(
    ("name", "number", "table"), tables(), ids=[f"{n}#{i}" for n, i, _ in tables()]
)
def test_every_table_reads_on_a_phone(name, number, table):
    opening = table[: table.index(">") + 1]
    body = table.split("</thead>", 1)[1] if "</thead>" in table else table
    if "table--responsive-headers" in opening:
        unlabelled = [
            content.strip()[:60]
            for tag, attrs, content in CELL.findall(body)
            if tag == "td" and "data-title" not in attrs and "colspan" not in attrs
        ]
        assert not unlabelled, f"cells without data-title in {name}: {unlabelled}"
    else:
        # A table of facts: each row one heading and at most one value.
        for row in re.findall(r"<tr\b.*?</tr>", body, re.S):
            cells = CELL.findall(row)
            values = [cell for cell in cells if cell[0] == "td"]
            assert len(values) <= 1 and len(cells) <= 2, (
                f"table {number} of {name} has rows of several values: make it "
                "table--responsive-headers with data-title on its cells"
            )
    for _tag, attrs, content in CELL.findall(body):
        if content.count("|money") == 1 and "<br>" not in content and "ngettext" not in content:
            assert re.search(r'class="[^"]*\bamount\b', attrs), (
                f"a money cell without the class amount in {name}: {content.strip()[:80]}"
            )
