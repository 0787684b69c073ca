"""An amount is written "7.500,00 kr.": its abbreviation's full stop also ends a sentence.
No fixed text may put a second full stop after an amount ("7.500,00 kr.."), in Danish or
in English, in a letter, an e-mail or a page.

The check reads every translated message where it is used (templates through Jinja's parser,
Python through ``ast``) and finds the placeholders given an amount (``|money``, ``money()``);
the letters themselves are rendered in tests/letters/test_letter_wording.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import nodes

from grants.core.formatting import money
from grants.workflow import journal_texts

ROOT = Path(__file__).resolve().parents[2]
GETTEXT = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "lazy_ngettext"}


def _is_money_jinja(value: nodes.Node) -> bool:
    if isinstance(value, nodes.Filter) and value.name == "money":
        return True
    return isinstance(value, nodes.Call) and getattr(value.node, "name", "") == "money"


def _template_messages(app) -> list[tuple[str, str, set[str]]]:
    """(where, msgid, the placeholders given an amount) for every message in a template."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        tree = app.jinja_env.parse(path.read_text())
        for call in tree.find_all(nodes.Call):
            if getattr(call.node, "name", None) not in GETTEXT or not call.args:
                continue
            if not isinstance(call.args[0], nodes.Const):
                continue
            amounts = {kw.key for kw in call.kwargs if _is_money_jinja(kw.value)}
            found.append((str(path.relative_to(ROOT)), call.args[0].value, amounts))
    return found


def _is_money_python(value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in ("money", "_money")
    return False


def _python_messages() -> list[tuple[str, str, set[str]]]:
    found = []
    for path in sorted((ROOT / "grants").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            if call.func.id not in GETTEXT or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            amounts = {kw.arg for kw in call.keywords if kw.arg and _is_money_python(kw.value)}
            if path.name == "journal_texts.py":  # the journal's texts: amounts by their name
                amounts = set(re.findall(r"%\((\w+)\)s", first.value)) & journal_texts.MONEY_FACTS
            found.append((f"{path.relative_to(ROOT)}:{call.lineno}", first.value, amounts))
    return found


def _english() -> dict[str, str]:
    path = ROOT / "grants" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        message.id: message.string
        for message in catalog
        if message.id and isinstance(message.id, str) and isinstance(message.string, str)
    }


def _doubled(text: str, amounts: set[str]) -> list[str]:
    problems = [f"%({name})s." for name in amounts if f"%({name})s." in text]
    if "kr.." in text or re.search(r"kr\.\s*\.", text):
        problems.append("kr..")
    return problems


def test_the_scanner_finds_the_messages_that_carry_amounts(app):
    """The check below is only as good as what it reads: it must see the letters' amounts."""
    messages = _template_messages(app) + _python_messages()
    with_amounts = [(where, msgid) for where, msgid, amounts in messages if amounts]
    places = {where.split(":")[0] for where, _msgid in with_amounts}
    assert "templates/letters/decision.html" in places
    assert "templates/letters/settlement.html" in places
    assert "grants/workflow/journal_texts.py" in places  # the settlement, payments
    assert len(with_amounts) > 20


def test_no_message_puts_a_full_stop_after_an_amount_in_either_language(app):
    english = _english()
    offenders = []
    for where, msgid, amounts in _template_messages(app) + _python_messages():
        for language, text in (("da", msgid), ("en", english.get(msgid, ""))):
            for problem in _doubled(text, amounts):
                offenders.append(f"{where} [{language}] {problem}: {text[:90]}")
    assert offenders == []


def test_no_catalogue_string_has_a_doubled_full_stop_after_kr():
    for msgid, msgstr in _english().items():
        assert "kr.." not in msgid and "kr.." not in msgstr, msgid


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_every_amount_ends_in_exactly_one_full_stop(value):
    for locale in ("da", "en"):
        text = money(value, locale)
        assert text.endswith(" kr.") and not text.endswith("..")


def test_no_template_writes_a_full_stop_right_after_an_amount():
    """ "{{ x|money }}." in a template (the minutes wrote "Ansøgt beløb: 8.000,00 kr..")."""
    pattern = re.compile(r"(\|\s*money|money\([^)]*\))\s*\}\}\s*(</\w+>\s*)*\.")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt")
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_a_fund_text_with_a_full_stop_after_an_amount_reads_one_full_stop(app):
    """Fund texts are data an administrator wrote, some of them (and the standard texts
    until now) with "{{ bevilget_beloeb }}."; the letter still says "kr." once."""
    from grants.letters import texts

    values = {"bevilget_beloeb": "7.500,00 kr.", "pulje": "Puljen"}
    assert texts.render("{{ pulje }} giver {{ bevilget_beloeb }}. Tak.", values) == [
        "Puljen giver 7.500,00 kr. Tak."
    ]
    for body in texts.DEFAULT_TEXTS.values():
        for paragraph in texts.render(body, values | {"endeligt_tilskud": "1,00 kr."}):
            assert "kr.." not in paragraph
