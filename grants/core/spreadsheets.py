"""Text in a file a person opens in a spreadsheet (CSV): whatever someone typed, a cell that
starts like a formula is kept as text, never run (CSV injection, OWASP's advice: an
apostrophe before it). Every CSV the app writes goes through here: the budgets' and the
payments' exports, the open data, the case file's journal, documents and thread, and a
person's own data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

# What Excel, LibreOffice and Google Sheets take for the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """``value`` as a cell that is text: "'" before it where it starts like a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def spreadsheet_cell(value: Any) -> Any:
    """A cell of a row: text made safe, numbers (never a formula) as they are."""
    return spreadsheet_text(value) if isinstance(value, str) else value


def csv_text(rows: Iterable[Iterable[Any]], **options: Any) -> str:
    """``rows`` as CSV text (``csv.writer``'s ``options``), each text cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, **options)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return out.getvalue()
