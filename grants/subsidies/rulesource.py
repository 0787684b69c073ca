"""What a rule file's text says that the TOML reader does not keep.

``tomllib`` gives values, not how they were written, and its syntax errors are English
sentences for programmers. An administrator who writes ``per_event = 11.000`` (eleven
thousand, with a Danish thousands separator) gets the TOML number 11.000, that is 11 kr.,
silently; ``per_event = 300,00`` is a syntax error that says "Expected newline or end of
document after a statement". This module reads the text itself:

- ``amount_problems(text, names)``: every amount key (by name) whose value is written in a
  way that is not plainly kroner in TOML: three digits after the point (``11.000``, read
  as Danish it is 11000), a comma (``300,00``), spaces or several points (``1.500.000``),
  or more than two decimals. Each is a ``RuleError`` with the line, the key's path and a
  message that says how to write it (``11000`` or ``11``).
- ``syntax_error(text, exc)``: a ``tomllib.TOMLDecodeError`` as a ``RuleError`` in the
  administrator's language, naming the line and, where one is written there, the key.

Strings and comments are blanked before anything is looked for, so ``"1.500"`` in a text or
a ``# 11.000 kr.`` comment is never taken for an amount.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from grants.core.money import AmbiguousAmount, AmountError, TooManyDecimals, parse_danish_amount


@dataclass(frozen=True)
class SourceProblem:
    """One problem found in the text: the key's path, the line, what to say."""

    path: str
    line: int
    message: str


# --- Blanking strings and comments -------------------------------------------------------------


def code_only(text: str) -> str:
    """The text with the insides of strings and comments replaced by spaces (line breaks
    kept), so that what remains is keys, tables, numbers and punctuation at their places."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
            continue
        if char in "\"'":
            triple = text.startswith(char * 3, i)
            quote = char * 3 if triple else char
            j = i + len(quote)
            while j < n:
                if char == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                if not triple and text[j] == "\n":
                    break  # an unterminated one-line string: the TOML reader says so
                j += 1
            j = min(n, j + len(quote)) if text.startswith(quote, j) else j
            body = text[i:j]
            # Keep the quotes (a string is a value); blank what is between them.
            inner = "".join("\n" if c == "\n" else " " for c in body[len(quote) : -len(quote)])
            out.append(quote + inner + quote if len(body) >= 2 * len(quote) else " " * len(body))
            i = j
            continue
        out.append(char)
        i += 1
    return "".join(out)


# --- Where a value stands ----------------------------------------------------------------------

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([A-Za-z0-9_.\- \t]+?)[ \t]*\]\]?")
_KEY_VALUE = re.compile(
    r"(?<![A-Za-z0-9_\-.])"
    r"(?P<key>[A-Za-z0-9_\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_\-]+)*)"
    r"[ \t]*=[ \t]*"
    r"(?P<value>[-+]?[0-9](?:[0-9_.,' \t]*[0-9])?)"
)
_INLINE_OPEN = re.compile(r"(?P<key>[A-Za-z0-9_\-]+)[ \t]*=[ \t]*\{")
_KEY_AT_START = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z0-9_\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_\-]+)*)[ \t]*="
)


def _tables(code: str) -> list[str]:
    """For each line (index 0 = line 1), the table it belongs to: ``caps``, ``rates[2]``."""
    tables: list[str] = []
    current = ""
    counts: dict[str, int] = {}
    for line in code.split("\n"):
        header = _HEADER.match(line)
        if header:
            name = re.sub(r"[ \t]", "", header.group(2))
            if header.group(1) == "[[":
                counts[name] = counts.get(name, 0) + 1
                current = f"{name}[{counts[name]}]"
            else:
                current = name
        tables.append(current)
    return tables


def _inline_parent(line: str, position: int) -> str:
    """The key of the inline table ``name = { ... }`` that is open at ``position``."""
    depth = 0
    for index in range(position - 1, -1, -1):
        char = line[index]
        if char == "}":
            depth += 1
        elif char == "{":
            if depth == 0:
                match = None
                for candidate in _INLINE_OPEN.finditer(line, 0, index + 1):
                    if candidate.end() == index + 1:
                        match = candidate
                return match.group("key") if match else ""
            depth -= 1
    return ""


def _joined(*parts: str) -> str:
    return ".".join(part for part in parts if part)


# --- Amounts -----------------------------------------------------------------------------------

_PLAIN_INTEGER = re.compile(r"[+]?[0-9]+(?:_[0-9]+)*")
_PLAIN_DECIMAL = re.compile(r"[+]?[0-9]+(?:_[0-9]+)*\.[0-9]{1,2}")


def amount_problems(text: str, names: Iterable[str]) -> list[SourceProblem]:
    """Every value of a key called one of ``names`` that is not written as plain kroner in
    TOML (digits, at most one point and two decimals). A negative number is left to the
    reader of the value, which says an amount cannot be negative."""
    wanted = set(names)
    code = code_only(text)
    tables = _tables(code)
    problems = []
    for number, line in enumerate(code.split("\n"), start=1):
        if _HEADER.match(line):
            continue
        for match in _KEY_VALUE.finditer(line):
            key = re.sub(r"[ \t]", "", match.group("key"))
            if key.rpartition(".")[2] not in wanted:
                continue
            written = match.group("value").strip()
            if written.startswith("-"):
                continue
            if _PLAIN_INTEGER.fullmatch(written) or _PLAIN_DECIMAL.fullmatch(written):
                continue
            path = _joined(tables[number - 1], _inline_parent(line, match.start()), key)
            problems.append(SourceProblem(path, number, _how_to_write(written)))
    return problems


def _how_to_write(written: str) -> str:
    """What is wrong with an amount written ``written``, and how to write it."""
    try:
        amount = parse_danish_amount(written.replace("_", "").replace("'", ""))
    except AmbiguousAmount as ambiguous:
        if ambiguous.as_decimals != ambiguous.as_decimals.quantize(Decimal("0.01")):
            # 100.505: as decimals it has a third decimal no amount has; only one reading left.
            return _(
                "%(written)s har tre decimaler, og et beløb har højst to (øre); mente du "
                "%(thousands)s kr., så skriv %(as_thousands)s (i en regelfil er punktum "
                "decimaltegn, og tusinder skrives uden skilletegn)",
                written=written,
                thousands=_danish(ambiguous.as_thousands),
                as_thousands=_toml(ambiguous.as_thousands),
            )
        return _(
            "%(written)s kan betyde %(thousands)s kr. eller %(decimals)s kr.: skriv "
            "%(as_thousands)s for %(thousands)s kr. eller %(as_decimals)s for %(decimals)s kr. "
            "(i en regelfil er punktum decimaltegn, og tusinder skrives uden skilletegn)",
            written=written,
            thousands=_danish(ambiguous.as_thousands),
            decimals=_danish(ambiguous.as_decimals),
            as_thousands=_toml(ambiguous.as_thousands),
            as_decimals=_toml(ambiguous.as_decimals),
        )
    except TooManyDecimals:
        return _(
            "%(written)s har mere end to decimaler; et beløb har højst to (øre), fx 1234.50",
            written=written,
        )
    except AmountError:
        return _(
            "%(written)s er ikke et beløb; skriv kroner med punktum som decimaltegn og uden "
            "tusindtalsskilletegn, fx 11000 eller 1234.50",
            written=written,
        )
    return _(
        "%(written)s skrives %(as_toml)s for %(amount)s kr. (i en regelfil er punktum "
        "decimaltegn, og tusinder skrives uden skilletegn)",
        amount=_danish(amount),
        as_toml=_toml(amount),
        written=written,
    )


def _toml(amount: Decimal) -> str:
    """The amount as it is written in a rule file: 11000, 11, 1234.50."""
    amount = amount.quantize(Decimal("0.01"))
    if amount == amount.to_integral_value():
        return str(int(amount))
    return format(amount, "f")


def _danish(amount: Decimal) -> str:
    """The amount as a Dane reads it, whatever the interface language: 11.000,00."""
    whole, _sep, decimals = format(amount.quantize(Decimal("0.01")), "f").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{decimals}"


# --- TOML syntax errors ------------------------------------------------------------------------

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def syntax_error(text: str, exc: tomllib.TOMLDecodeError) -> SourceProblem:
    """A TOML syntax error in plain words, with its line and the key written there."""
    detail = str(exc.args[0]) if exc.args else str(exc)
    line = getattr(exc, "lineno", None)  # Python 3.14 gives the position as attributes
    match = _POSITION.search(detail)
    if match:
        if match.group(1):
            line = line or int(match.group(1))
        else:
            line = line or max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        detail = detail[: match.start()]
    line = line or 1
    code_lines = code_only(text).split("\n")
    if detail == "Unclosed array":
        # The reader notices at the next table or the end; the list began on a line above.
        for number in range(min(line, len(code_lines)), 0, -1):
            candidate = code_lines[number - 1]
            if re.search(r"=[ \t]*\[", candidate) and candidate.count("[") > candidate.count("]"):
                line = number
                break
    code_line = code_lines[line - 1] if line <= len(code_lines) else ""
    key = _KEY_AT_START.match(code_line)
    path = _joined(
        _tables(code_only(text))[line - 1] if line <= len(code_lines) else "",
        re.sub(r"[ \t]", "", key.group("key")) if key else "",
    )
    return SourceProblem(path, line, _plain_words(detail, code_line))


def _plain_words(detail: str, code_line: str) -> str:
    """tomllib's message (an English sentence for programmers) in the user's language."""
    if detail == "Invalid value":
        value = code_line.partition("=")[2].strip()
        if re.match(r"^[0-9]", value):
            return _(
                "tallet kan ikke læses: skriv tal med punktum som decimaltegn og uden "
                "tusindtalsskilletegn, fx 11000 eller 1234.50"
            )
        return _(
            'værdien kan ikke læses: tekst skal stå i anførselstegn ("…"), tal skrives med '
            "punktum som decimaltegn (1234.50), datoer som 2026-01-01 og ja/nej som true/false"
        )
    if detail == "Expected newline or end of document after a statement":
        if re.search(r"=[ \t]*[0-9][0-9._]*[ \t]*[A-Za-zæøåÆØÅ]", code_line):
            return _(
                "skriv kun tallet, uden kr. eller anden enhed, fx amount = 100; enheden står "
                "i docs/rules-format.md"
            )
        if re.search(r"=[ \t]*[0-9][0-9.]*,[ \t]*[0-9]", code_line):
            return _(
                "komma kan ikke stå i et tal: skriv tal med punktum som decimaltegn og uden "
                "tusindtalsskilletegn, fx 300 eller 1234.50"
            )
        return _(
            "der står mere efter værdien: skriv én nøgle = værdi pr. linje; en kommentar "
            "begynder med #"
        )
    if detail == "Invalid statement":
        return _(
            "linjen kan ikke læses: en linje er nøgle = værdi, en [tabel] eller en kommentar, "
            "der begynder med #"
        )
    if detail == "Expected '=' after a key in a key/value pair":
        key_part = code_line.partition("=")[0].strip()
        if "=" in code_line and re.search(r"[^A-Za-z0-9_\-. \t]", key_part):
            return _("en nøgle skrives med bogstaverne a-z, tal, _ og -, fx per_event")
        return _("der mangler et = efter nøglen")
    if detail == "Illegal character '\\n'":
        return _("teksten mangler sit afsluttende anførselstegn")
    if detail == "Invalid initial character for a key part":
        return _("en nøgle skrives med bogstaverne a-z, tal, _ og -, fx per_event")
    if (
        detail.startswith("Cannot declare")
        or detail in ("Cannot overwrite a value",)
        or detail.startswith("Duplicate inline table key")
    ):
        return _("nøglen eller tabellen er angivet før; hver må kun angives én gang")
    if detail.startswith(("Cannot mutate immutable namespace", "Cannot redefine namespace")):
        return _("tabellen er allerede skrevet færdig ovenfor og kan ikke udvides her")
    if detail == "Unterminated string":
        return _("teksten mangler sit afsluttende anførselstegn")
    if detail == "Unclosed array":
        return _("listen mangler sin afsluttende ]")
    if detail == "Unclosed inline table":
        return _("tabellen { … } mangler sin afsluttende } (og skal stå på én linje)")
    if detail in (
        "Expected ']' at the end of a table declaration",
        "Expected ']]' at the end of an array declaration",
    ):
        return _("tabelnavnet mangler sin afsluttende ]")
    if detail == "Invalid date or datetime":
        return _("datoen findes ikke; skriv datoer som 2026-01-01")
    if detail.startswith(("Illegal character", "Found invalid character")):
        return _("et tegn i teksten er ikke tilladt (fx et tabulator- eller kontroltegn)")
    if detail in (
        "Unescaped '\\' in a string",
        "Invalid hex value",
        "Escaped character is not a Unicode scalar value",
    ):
        return _("en \\ i en tekst skal skrives \\\\")
    if detail.startswith("Expected "):
        return _("der mangler noget her (et anførselstegn, en parentes eller et =)")
    return _("filen kan ikke læses her; se efter anførselstegn, parenteser og =")
