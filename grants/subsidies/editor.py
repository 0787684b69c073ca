"""The form-based rule editor: the key tables of ``rulefile`` (TOP, SECTIONS and their texts)
made into fields, and the fields made back into a rule file.

There is no second validation here. A draft (what the administrator typed, as text) is
written as a TOML file and read by ``rulefile.parse``, exactly as an imported file is; each
error it finds is put back beside the field it names (by the line the field was written on,
or else by its path). A key added to the tables appears as a field without any template
work; a key of a type the editor has no control for is a field for its TOML value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core.input import has_control_characters
from grants.core.money import AmbiguousAmount, TooManyDecimals, parse_danish_amount
from grants.subsidies import rulefile
from grants.subsidies.rulefile import Key, KeyText, RuleError, RuleFileError, Section

# The same words as every other form's (grants.core.forms), from the same catalogue entry.
CONTROL_CHARACTER_MESSAGE = _l(
    "Teksten indeholder et tegn, der ikke kan skrives (et styretegn). Skriv den igen."
)
# Types with a control of their own; any other type is typed as a TOML value.
KNOWN_TYPES = ("int", "money", "percent", "bool", "str", "text", "date", "choice", "choices")
# Keys the page sets itself rather than the administrator: the fund is the page's, and the
# format the rules were written in decides which sections and keys there are.
FIXED_KEYS = ("format", "fund")
MAX_ENTRIES = 50  # of one repeating section
MAX_VALUE = 10_000  # characters in one field
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_INT = re.compile(r"^-?[0-9]{1,12}\Z")
_DECIMAL = re.compile(r"^-?[0-9]{1,12}\.[0-9]{1,6}\Z")


def formats() -> tuple[int, ...]:
    return tuple(getattr(rulefile, "FORMATS", (rulefile.FORMAT,)))


def sections(format_: int) -> list[Section]:
    """The sections a file of this format may have."""
    return [s for s in rulefile.SECTIONS if format_ in getattr(s, "formats", (format_,))]


def keys_of(section: Section, format_: int) -> tuple[Key, ...]:
    keys_in = getattr(section, "keys_in", None)
    return tuple(keys_in(format_)) if keys_in else section.keys


def top_keys(format_: int) -> tuple[Key, ...]:
    return tuple(k for k in rulefile.TOP if format_ in getattr(k, "formats", (format_,)))


def is_repeating(section: Section, format_: int) -> bool:
    """A section written as [[name]] in this format: any number of entries."""
    repeated = getattr(section, "repeated", None)
    return bool(repeated(format_)) if repeated else False


@dataclass
class Control:
    """One key as a field: its id (also its name in the form), its path in the rules
    (``rate.amount``, ``rates.0.amount``), what is typed in it, and its errors."""

    id: str
    path: str
    key: Key
    text: KeyText
    value: Any  # str; bool for "bool"; list[str] for "choices"
    errors: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.key.type if self.key.type in KNOWN_TYPES else "toml"

    @property
    def choices(self) -> list[tuple[str, Any]]:
        return [(value, rulefile.VALUE_TEXTS.get(value, value)) for value in self.key.choices]

    @property
    def blank_choice(self) -> bool:
        """A select that may be left empty (no value and no default)."""
        return not self.key.required and self.key.default is None

    @property
    def empty(self) -> bool:
        if self.kind == "bool":
            return False
        if self.kind == "choices":
            return not self.value
        return not str(self.value or "").strip()


@dataclass
class Group:
    """The keys of one table: the top of the file, a section, or one entry of a repeating
    section (``index``)."""

    id: str
    name: str  # the section's name; "" for the top of the file
    index: int | None
    controls: list[Control]
    errors: list[str] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return any(
            not control.empty
            for control in self.controls
            if control.kind not in ("bool", "choices")
        )


@dataclass
class Part:
    """A section of the form: its words and its group (or, repeating, its entries)."""

    section: Section | None
    text: KeyText
    groups: list[Group]
    repeating: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"section-{self.section.name}" if self.section else "section-top"

    @property
    def optional(self) -> bool:
        return self.section is not None and self.section.optional


@dataclass
class Draft:
    format: int
    parts: list[Part]
    errors: list[str] = field(default_factory=list)  # for the rule set as a whole

    @property
    def controls(self) -> list[Control]:
        return [c for part in self.parts for group in part.groups for c in group.controls]

    @property
    def has_errors(self) -> bool:
        return bool(
            self.errors
            or any(part.errors for part in self.parts)
            or any(group.errors for part in self.parts for group in part.groups)
            or any(control.errors for control in self.controls)
        )

    def summary(self) -> list[tuple[str | None, str]]:
        """(the id to link to, the message) for the error summary, in the form's order."""
        items: list[tuple[str | None, str]] = [(None, message) for message in self.errors]
        for part in self.parts:
            items += [(part.id, message) for message in part.errors]
            for group in part.groups:
                items += [(group.id, message) for message in group.errors]
                for control in group.controls:
                    items += [(control.id, message) for message in control.errors]
        return items


# --- From the rules, and from the form -----------------------------------------------------


def _group(
    section: Section | None, index: int | None, values: Any, *, typed: bool, format_: int
) -> Group:
    name = section.name if section else ""
    keys = keys_of(section, format_) if section else top_keys(format_)
    prefix = name if index is None else f"{name}-{index}"
    # The parser numbers the entries from 1: rates[1].amount.
    path_prefix = name if index is None else f"{name}.{index + 1}"
    controls = []
    for key in keys:
        if not section and key.name in FIXED_KEYS:
            continue
        control_id = f"{prefix}-{key.name}" if prefix else key.name
        path = f"{path_prefix}.{key.name}" if path_prefix else key.name
        text = rulefile.key_text(f"{name}.{key.name}" if name else key.name)
        if typed:
            raw = values.get(control_id, key.type == "choices")
        else:
            raw = values.get(key.name)
        value = _typed_value(key, raw) if typed else _shown_value(key, raw)
        controls.append(Control(control_id, path, key, text, value))
    group_id = f"entry-{name}-{index}" if index is not None else f"section-{name or 'top'}"
    return Group(group_id, name, index, controls)


def from_rules(rules: dict | None) -> Draft:
    """A draft showing normalised rules (or an empty one), in their own format."""
    rules = rules or {}
    format_ = rules.get("format") if rules.get("format") in formats() else rulefile.FORMAT
    top = _group(None, None, rules, typed=False, format_=format_)
    parts = [Part(None, rulefile.section_text(""), [top])]
    for section in sections(format_):
        table = rules.get(section.name)
        repeating = is_repeating(section, format_)
        if repeating:
            entries = table if isinstance(table, list) else []
            groups = [
                _group(section, i, entry, typed=False, format_=format_)
                for i, entry in enumerate(entries)
                if isinstance(entry, dict)
            ]
        else:
            values = table if isinstance(table, dict) else {}
            groups = [_group(section, None, values, typed=False, format_=format_)]
        parts.append(Part(section, rulefile.section_text(section.name), groups, repeating))
    return Draft(format_, parts)


class FormValues:
    """The form's fields, one value per name (all of them for a key of several choices)."""

    def __init__(self, form) -> None:
        self.form = form

    def get(self, name: str, many: bool = False) -> Any:
        values = [str(v)[:MAX_VALUE] for v in self.form.getlist(name)]
        if many:
            return values
        return values[0] if values else None


def from_form(form) -> Draft:
    """A draft of what was sent, with an entry added or removed when one of the buttons
    ``add`` (a section's name) or ``remove`` (``name-index``) was pressed."""
    values = FormValues(form)
    # One of the formats read, spelled as such ("²" or "٢" is no format), else the newest.
    known = {str(number): number for number in formats()}
    format_ = known.get(str(form.get("format", "")), rulefile.FORMAT)
    top = _group(None, None, values, typed=True, format_=format_)
    parts = [Part(None, rulefile.section_text(""), [top])]
    adding = form.get("add", "")
    removing = form.get("remove", "")
    for section in sections(format_):
        text = rulefile.section_text(section.name)
        if not is_repeating(section, format_):
            group = _group(section, None, values, typed=True, format_=format_)
            parts.append(Part(section, text, [group]))
            continue
        indexes = sorted(_entry_indexes(form, section.name))[:MAX_ENTRIES]
        sent = [_group(section, i, values, typed=True, format_=format_) for i in indexes]
        sent = [g for g in sent if removing != f"{section.name}-{g.index}"]
        if adding == section.name and len(sent) < MAX_ENTRIES:
            sent.append(_group(section, 0, {}, typed=False, format_=format_))
        # Numbered again from 0, so the ids follow the order on the page.
        groups = [_renumber(section, group, i, format_) for i, group in enumerate(sent)]
        parts.append(Part(section, text, groups, repeating=True))
    return Draft(format_, parts)


def _entry_indexes(form, name: str) -> set[int]:
    pattern = re.compile(rf"^{re.escape(name)}-([0-9]{{1,3}})-")
    found = set()
    for key in form:
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    for value in form.getlist("entries"):
        match = re.fullmatch(rf"{re.escape(name)}-([0-9]{{1,3}})", value)
        if match:
            found.add(int(match.group(1)))
    return found


def _renumber(section: Section, group: Group, index: int, format_: int) -> Group:
    values = {control.key.name: control.value for control in group.controls}
    fresh = _group(section, index, {}, typed=False, format_=format_)
    for control in fresh.controls:
        control.value = values.get(control.key.name, control.value)
    return fresh


def _typed_value(key: Key, raw: Any) -> Any:
    """What the form sent for a key, as the control holds it."""
    if key.type == "bool":
        return raw not in (None, "", [], "0")
    if key.type == "choices":
        if raw is None:
            return []
        chosen = raw if isinstance(raw, list) else [raw]
        return [value for value in chosen if value]
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return (raw or "").replace("\r\n", "\n")


def _shown_value(key: Key, value: Any) -> Any:
    """A value of normalised rules as the administrator reads and types it."""
    if key.type == "bool":
        return bool(value) if value is not None else bool(key.default)
    if key.type == "choices":
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if value is None:
        return ""
    if key.type in ("money", "percent"):
        return danish_number(Decimal(str(value)))
    if key.type not in KNOWN_TYPES:
        return _inline(value)
    return str(value)


def danish_number(number: Decimal) -> str:
    """100, 1500,50: as typed in a Danish form (no thousands separator to be mistaken)."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f").replace(".", ",")


def _inline(value: Any) -> str:
    """A value as a TOML inline value (for the keys typed as TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, str):
        # Normalised rules keep dates and amounts as texts: 2026-06-01, "10000.00".
        if _DATE.match(value) or _DECIMAL.match(value):
            return _plain(Decimal(value)) if _DECIMAL.match(value) else value
        return rulefile.toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        body = ", ".join(f"{k} = {_inline(v)}" for k, v in value.items() if v is not None)
        return "{ " + body + " }" if body else "{}"
    return rulefile.toml_string(str(value))


# --- To a rule file ------------------------------------------------------------------------


@dataclass
class Written:
    source: str
    lines: dict[int, str]  # line number -> the id of the control or group written there


def to_source(draft: Draft, fund_code: str) -> Written:
    """The draft as a rule file, and which line holds which field."""
    lines: list[str] = []
    where: dict[int, str] = {}

    def add(text: str, owner: str | None = None) -> None:
        lines.append(text)
        if owner:
            where[len(lines)] = owner

    for part in draft.parts:
        for group in part.groups:
            body = [(c, _toml(c)) for c in group.controls]
            body = [(c, text) for c, text in body if text is not None]
            if part.section is None:
                add(f"format = {draft.format}")
                add(f"fund = {rulefile.toml_string(fund_code)}")
                for control, text in body:
                    add(f"{control.key.name} = {text}", control.id)
                continue
            if not part.repeating and not (group.filled if part.optional else body):
                continue
            add("")
            header = f"[[{part.section.name}]]" if part.repeating else f"[{part.section.name}]"
            add(header, group.id)
            for control, text in body:
                add(f"{control.key.name} = {text}", control.id)
    source = "\n".join(lines) + "\n"
    # Line numbers as the parser counts them (a multi-line string spans several).
    numbered: dict[int, str] = {}
    number = 1
    for index, text in enumerate(lines, start=1):
        owner = where.get(index)
        for offset in range(text.count("\n") + 1):
            if owner:
                numbered[number + offset] = owner
        number += text.count("\n") + 1
    return Written(source, numbered)


def _toml(control: Control) -> str | None:
    """The control's value as TOML, or None to leave the key out (its default applies).
    What cannot be read as its type is written as a text, so the parser names the problem
    in its own words, the same as for an imported file."""
    kind, value = control.kind, control.value
    if kind == "bool":
        return "true" if value else "false"
    if kind == "choices":
        if not value:
            return None
        return "[" + ", ".join(rulefile.toml_string(v) for v in value) + "]"
    text = str(value or "").strip()
    if not text:
        return None
    if kind == "int":
        return text if _INT.match(text) else rulefile.toml_string(text)
    if kind in ("money", "percent"):
        try:
            return _plain(parse_danish_amount(text))
        except (AmbiguousAmount, TooManyDecimals, ValueError, ArithmeticError):
            return rulefile.toml_string(text)
    if kind == "date":
        return text if _DATE.match(text) else rulefile.toml_string(text)
    if kind == "text":
        return rulefile.toml_string(str(value).replace("\r\n", "\n"))
    if kind in ("str", "choice"):
        return rulefile.toml_string(text)
    # A TOML value typed as such: on one line, so it cannot start a table of its own.
    return " ".join(text.splitlines())


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


# --- Checking ------------------------------------------------------------------------------


def check(draft: Draft, fund_code: str) -> tuple[str, dict | None]:
    """Write the draft and read it as the import does. Returns the file and its rules, or the
    file and None with every error put beside its field in the draft."""
    typed_badly = False
    for control in draft.controls:
        texts = control.value if isinstance(control.value, list) else [control.value]
        multiline = control.kind == "text"
        if any(
            isinstance(t, str) and has_control_characters(t, multiline=multiline) for t in texts
        ):
            control.errors.append(str(CONTROL_CHARACTER_MESSAGE))
            typed_badly = True
    written = to_source(draft, fund_code)
    if typed_badly:
        return written.source, None
    try:
        rules = rulefile.parse(written.source)
    except RuleFileError as error:
        place_errors(draft, error.errors, written)
        return written.source, None
    return written.source, rules


def place_errors(draft: Draft, errors: list[RuleError], written: Written | None = None) -> None:
    by_id: dict[str, Control | Group | Part] = {}
    by_path: dict[str, Control | Group | Part] = {}
    for part in draft.parts:
        by_id[part.id] = part
        if part.section:
            by_path[part.section.name] = part
        for group in part.groups:
            if group.index is not None:  # (a section's one group is the section)
                by_id[group.id] = group
                by_path[f"{group.name}.{group.index + 1}"] = group  # (numbered from 1)
            for control in group.controls:
                by_id[control.id] = control
                by_path[control.path] = control
    for error in errors:
        target = _target(error, by_id, by_path, written)
        if target is None:
            draft.errors.append(_whole(error))
        else:
            target.errors.append(error.message)


def _target(error: RuleError, by_id: dict, by_path: dict, written: Written | None):
    # The path first (normalised: rates[0].amount and rates.0.amount alike), then the line.
    path = re.sub(r"\[(\d+)\]", r".\1", error.path or "")
    while path:
        if path in by_path:
            return by_path[path]
        if written and error.line and error.line in written.lines:
            return by_id.get(written.lines[error.line])
        path = path.rpartition(".")[0]
    if written and error.line and error.line in written.lines:
        return by_id.get(written.lines[error.line])
    return None


def _whole(error: RuleError) -> str:
    return f"{error.path}: {error.message}" if error.path else error.message


def problems(draft: Draft) -> list[dict]:
    """The errors as data for the live check: the field's id (or None) and the message."""
    return [{"field": target, "message": message} for target, message in draft.summary()]


def examples_of(rules: dict) -> list[dict]:
    """The rule set's worked examples, run: each one's title and what the rules give for it
    (the rules could be read, so each gives what it expects)."""
    from grants.core.formatting import money
    from grants.subsidies import examples

    shown = []
    for outcome in examples.run(rules):
        calculation = outcome.calculation
        if calculation.problems:
            result = _("afslag: %(why)s", why="; ".join(p.message for p in calculation.problems))
        else:
            result = money(calculation.total)
        shown.append({"title": str(outcome.example.get("title") or ""), "result": result})
    return shown
