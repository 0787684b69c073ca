"""Reading the app's pages in tests: the parsed HTML, not substrings of it.

A test that searches the page's text for "Gem" passes when the word is in a hidden input, a
script or another button's label; a test that asks for *the button* Gem fails when the
button goes. So the tests ask for the parts of a page a person meets::

    from tests.html import page, field_error, flashes, buttons, table_rows

    response = client.post("/ansoegninger/ny/studierejsefonden", data=...)
    assert field_error(response, "return_date") == "Hjemrejsen kan ikke være før udrejsen."
    assert flashes(response) == ["Ansøgningen er sendt."]
    assert "Træk ansøgningen tilbage" in buttons(response)
    assert table_rows(response, "#payments")[1] == ["12.03.2027", "4.000,00 kr.", "Udbetalt"]

Every function takes a response (of Flask's test client), a page as text, or a part of a page
already parsed (what ``page`` or ``one`` return), so they compose: ``text_of(one(response,
"#summary"), "dd")``. Texts are what a reader sees: whitespace runs are one space and the
screen readers' prefixes (the ``sr-only`` "Fejl: " before a field's error) are left out
where they are not part of the message.

The parser is BeautifulSoup over Python's own ``html.parser``; a response is parsed once and
the parse kept on it (a page as text: the last few parsed are kept).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

__all__ = [
    "badges",
    "buttons",
    "definitions",
    "errors",
    "field_error",
    "field_hint",
    "field_label",
    "field_errors",
    "field_value",
    "flashes",
    "form_actions",
    "has_button",
    "has_error",
    "headings",
    "link",
    "links",
    "notices",
    "one",
    "options",
    "page",
    "page_text",
    "summary_errors",
    "table_after",
    "table_records",
    "table_rows",
    "text",
    "text_of",
    "texts",
]

Readable = Any  # a test client's response, a page as str or bytes, or a parsed Tag

_SPACES = re.compile(r"\s+")


def page(source: Readable) -> Tag:
    """The page parsed; a response is parsed once (the parse is kept on it)."""
    if isinstance(source, Tag):
        return source
    if isinstance(source, bytes):
        source = source.decode()
    if isinstance(source, str):
        return _parsed(source)
    kept = getattr(source, "_parsed_html", None)
    if kept is None:
        kept = BeautifulSoup(source.get_data(as_text=True), "html.parser")
        source._parsed_html = kept
    return kept


@functools.lru_cache(maxsize=16)
def _parsed(html: str) -> BeautifulSoup:
    # A page kept as text is asked several questions in a row: parsed once. (Callers must not
    # change the tree they get.)
    return BeautifulSoup(html, "html.parser")


def text(node: Tag | None, *, screen_reader: bool = True, separator: str = " ") -> str:
    """An element's text as read: whitespace collapsed. ``screen_reader=False`` leaves out
    the text only screen readers get (``.sr-only``); ``separator`` goes between the texts of
    its elements ("" joins them as a browser shows inline elements)."""
    if node is None:
        return ""
    if not screen_reader and node.select_one(".sr-only"):
        node = BeautifulSoup(str(node), "html.parser")
        for hidden in node.select(".sr-only"):
            hidden.decompose()
    return _SPACES.sub(" ", node.get_text(separator)).strip()


def page_text(source: Readable) -> str:
    """What a reader sees of the page: the text of its main part (``<main>``; the whole page
    when it has none, e.g. a dialog's content fetched alone), entities read and whitespace
    collapsed. For a text in a place: ``text_of(response, selector)``."""
    html = page(source)
    return text(html.find("main") or html, separator="")


def one(source: Readable, selector: str) -> Tag:
    """The one element ``selector`` finds (a CSS selector); an AssertionError that says so
    when there is none or several."""
    found = page(source).select(selector)
    assert len(found) == 1, f"{selector!r} finds {len(found)} elements, not 1"
    return found[0]


def text_of(source: Readable, selector: str = "main") -> str:
    """The text of the first element ``selector`` finds (by default the page's main part);
    an AssertionError when there is none."""
    node = page(source).select_one(selector)
    assert node is not None, f"nothing on the page matches {selector!r}"
    return text(node)


def texts(source: Readable, selector: str) -> list[str]:
    """The text of every element ``selector`` finds, in page order."""
    return [text(node) for node in page(source).select(selector)]


def flashes(source: Readable, kind: str | None = None) -> list[str]:
    """The messages shown at the top of the page after a step ("Ansøgningen er sendt."),
    or only those of one ``kind``: success, info, warning or error."""
    where = ".flash-messages .alert" + (f".alert-{kind}" if kind else "")
    return [text(node.select_one(".alert-text")) for node in page(source).select(where)]


def summary_errors(source: Readable) -> list[str]:
    """The messages of the form's error summary at the top of the page."""
    return texts(source, "#error-summary li")


def field_error(source: Readable, field_id: str) -> str | None:
    """The message next to the field ``field_id``, without the screen readers' "Fejl:";
    None when the field has none. Checks that the field points at its message
    (``aria-describedby``) as the forms' macros make it, so a reader of the field hears it."""
    html = page(source)
    message = html.find(id=f"{field_id}-error")
    if message is None:
        return None
    control = html.find(id=field_id)
    if control is not None and control.name in ("input", "select", "textarea", "fieldset"):
        # A group of radio buttons or boxes: the fieldset around them points at it.
        pointing = [control, *control.find_parents("fieldset")]
        described = " ".join(str(node.get("aria-describedby") or "") for node in pointing)
        assert f"{field_id}-error" in described.split(), f"#{field_id} does not point at its error"
    return text(message, screen_reader=False)


def field_label(source: Readable, field_id: str) -> str | None:
    """The label of the field ``field_id`` (its ``<label for>``, or the legend of a group of
    radio buttons or boxes), without a "(valgfrit)" marker only screen readers get; None
    when it has none."""
    html = page(source)
    label = html.find("label", attrs={"for": field_id})
    if label is None:
        group = html.find("fieldset", id=field_id)
        label = group.find("legend") if group is not None else None
    return text(label, screen_reader=False) if label is not None else None


def field_hint(source: Readable, field_id: str) -> str | None:
    """The hint under the label of the field ``field_id`` (``#<id>-hint``); None when it
    has none."""
    hint = page(source).find(id=f"{field_id}-hint")
    return text(hint) if hint is not None else None


def field_errors(source: Readable) -> dict[str, str]:
    """Every field's message, by the field's id: ``{"end_date": "Slutdatoen kan ..."}``."""
    html = page(source)
    return {
        str(node["id"]).removesuffix("-error"): text(node, screen_reader=False)
        for node in html.select(".form-error-message[id$='-error']")
    }


def errors(source: Readable) -> list[str]:
    """Every error message the page shows: the fields' messages, the form's own (in the error
    summary without a field) and the error flashes. A test asks ``"…" in errors(response)``
    for a whole message, or ``any("…" in message for message in errors(response))``."""
    html = page(source)
    own = [text(item) for item in html.select("#error-summary li") if not item.find("a")]
    return [*field_errors(html).values(), *own, *flashes(html, "error")]


def has_error(source: Readable, message: str) -> bool:
    """Whether one of the page's error messages (``errors``) contains ``message``."""
    return any(message in shown for shown in errors(source))


def table_rows(source: Readable, selector: str = "table") -> list[list[str]]:
    """The rows of the first table ``selector`` finds, each as the texts of its cells
    (header cells too: the header row is the first row)."""
    html = page(source)
    # A table already found is read as it is.
    table = html if html.name == "table" and selector == "table" else html.select_one(selector)
    assert table is not None, f"no table matches {selector!r}"
    if table.name != "table":
        table = table.find("table") or table
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    return [[text(cell) for cell in row.find_all(["th", "td"])] for row in rows]


def table_row(source: Readable, containing: str) -> Tag:
    """The first body row (``tbody tr``) of the page whose text contains ``containing``."""
    for row in page(source).select("tbody tr"):
        if containing in row.get_text(" ", strip=True):
            return row
    raise AssertionError(f"no table row with {containing!r}")


def table_after(source: Readable, heading: str) -> list[list[str]]:
    """The rows (as ``table_rows``) of the first table after the heading whose text is
    ``heading`` and before the next heading: [] when the section has no table (its "none"
    sentence instead)."""
    html = page(source)
    found = [h for h in html.select("h1, h2, h3, h4") if text(h) == heading]
    assert len(found) == 1, f"headings {heading!r}: {len(found)}"
    for node in found[0].find_all_next(["table", "h1", "h2", "h3", "h4"]):
        if node.name != "table":
            return []
        return table_rows(node)
    return []


def table_records(source: Readable, selector: str = "table") -> list[dict[str, str]]:
    """The rows after the header row of the first table ``selector`` finds, each as a dict
    from the column's heading to the cell's text: ``[{"Pulje": "Studierejsefonden",
    "Budget": "100.000,00 kr.", ...}, ...]`` (a footer's total row too; a row with cells
    spanning columns has fewer keys)."""
    header, *rows = table_rows(source, selector)
    return [dict(zip(header, row, strict=False)) for row in rows]


def links(source: Readable, label: str | None = None) -> list[str]:
    """The addresses of the links whose text is ``label`` (all links without one)."""
    return [
        str(anchor.get("href"))
        for anchor in page(source).find_all("a", href=True)
        if label is None or text(anchor) == label
    ]


def link(source: Readable, label: str) -> str:
    """The address of the one link whose text is ``label``."""
    found = sorted(set(links(source, label)))
    assert len(found) == 1, f"links {label!r}: {found}"
    return found[0]


def form_actions(source: Readable) -> list[str]:
    """The addresses the page's forms post to (a form's ``action``, and a button's own
    ``formaction``), in page order: what a person can do here, where links are only for
    going."""
    html = page(source)
    found = [str(form.get("action") or "") for form in html.find_all("form")]
    found += [str(button["formaction"]) for button in html.select("[formaction]")]
    return found


def buttons(source: Readable) -> list[str]:
    """The labels of the page's buttons (``<button>`` and submit inputs), in page order."""
    labels = []
    for node in page(source).select("button, input[type=submit], input[type=button]"):
        labels.append(text(node) if node.name == "button" else str(node.get("value", "")))
    return labels


def has_button(source: Readable, label: str) -> bool:
    return label in buttons(source)


def options(source: Readable, name: str) -> dict[str, str]:
    """The choices of the field ``name`` (a select's options, or its radio buttons or boxes):
    value -> the text shown for it."""
    html = page(source)
    select = html.find("select", attrs={"name": name})
    if select is not None:
        return {str(o.get("value", text(o))): text(o) for o in select.find_all("option")}
    chosen = {}
    for control in html.find_all("input", attrs={"name": name}):
        label = html.find("label", attrs={"for": control.get("id")}) if control.get("id") else None
        chosen[str(control.get("value", ""))] = text(label)
    return chosen


def field_value(source: Readable, name: str) -> str | list[str] | None:
    """What the form shows in the field ``name``: an input's value, a textarea's text, the
    selected option's value, the checked radio button's value, or the checked boxes' values
    (a list). None when there is no such field or nothing is chosen."""
    html = page(source)
    controls = html.find_all(["input", "select", "textarea"], attrs={"name": name})
    if not controls:
        return None
    first = controls[0]
    if first.name == "textarea":
        # A newline straight after <textarea> is not part of its value (as browsers read it).
        return first.get_text().removeprefix("\r\n").removeprefix("\n")
    if first.name == "select":
        chosen = first.find("option", selected=True) or first.find("option")
        return str(chosen.get("value", chosen.get_text())) if chosen else None
    kind = first.get("type", "text")
    if kind == "checkbox":
        return [str(box.get("value", "y")) for box in controls if box.has_attr("checked")]
    if kind == "radio":
        checked = [str(radio.get("value")) for radio in controls if radio.has_attr("checked")]
        return checked[0] if checked else None
    return str(first.get("value", ""))


def headings(source: Readable) -> list[str]:
    """The texts of the headings (``h1`` to ``h4``) of the page's main part (the whole page
    when it has none), in page order: not the menu's and the footer's."""
    html = page(source)
    return [text(node) for node in (html.find("main") or html).select("h1, h2, h3, h4")]


def definitions(source: Readable, selector: str = "dl") -> dict[str, str]:
    """The terms and their descriptions of the definition lists ``selector`` finds (by
    default every one on the page): ``{"Beløb": "4.000,00 kr.", ...}``. A term with several
    descriptions has their texts joined by a space."""
    found: dict[str, str] = {}
    for listing in page(source).select(selector):
        term = None
        for node in listing.find_all(["dt", "dd"]):
            if node.name == "dt":
                term = text(node)
                found.setdefault(term, "")
            elif term is not None:
                found[term] = f"{found[term]} {text(node)}".strip()
    return found


def badges(source: Readable) -> list[str]:
    """The texts of the page's status tags (``.badge``: "Bevilget", "Afventer"), in page
    order."""
    return texts(source, ".badge")


def notices(source: Readable, kind: str | None = None) -> list[str]:
    """The texts of the boxes a page shows in its own body (``.alert`` outside the flashes:
    a warning that the budget does not cover the grant, a note that the year is closed), or
    only those of one ``kind``: success, info, warning or error. For the messages after a
    step: ``flashes``."""
    where = ".alert" + (f".alert-{kind}" if kind else "")
    return [
        text(node)
        for node in page(source).select(where)
        if not node.find_parent(class_="flash-messages")
    ]
