"""English is complete: every string in the app has a reviewed English translation that keeps
its placeholders, and English pages come out in English.

The strings are extracted afresh from the source with the rules in babel.cfg (the same file
scripts/i18n.sh uses), so a string added anywhere fails here until it is translated:
run `scripts/i18n.sh update`, translate the empty msgstr in
grants/translations/en/LC_MESSAGES/messages.po, then `scripts/i18n.sh compile`.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from grants.core.formatting import money
from tests.html import headings, page, page_text

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "grants" / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")

# A %-placeholder as Python's %-formatting reads it: %(name)s, %d, %.2f, and %% for a literal
# percent sign (needed in every template string: Jinja's newstyle gettext always formats).
PLACEHOLDER = re.compile(
    r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs%]"
)


@cache
def source_catalog() -> Catalog:
    """The messages in the source right now, extracted as `scripts/i18n.sh extract` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    catalog = Catalog(fuzzy=False)
    current = []

    def note(filename, method, options):
        current[:] = [filename]

    try:
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, callback=note
        ):
            catalog.add(message, None, [(filename, lineno)], context=context)
    except Exception as error:  # e.g. a template that does not parse (silent = false)
        name = current[0] if current else "the source"
        raise AssertionError(f"cannot extract the strings of {name}: {error}") from error
    return catalog


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def where(message: Message) -> str:
    return ", ".join(sorted({f"{filename}:{lineno}" for filename, lineno in message.locations}))


def forms(message: Message) -> tuple[str, ...]:
    string = message.string
    return tuple(string) if isinstance(string, list | tuple) else (string,)


def test_the_source_has_strings_to_translate():
    # Guards the tests below: a broken babel.cfg would find nothing and pass them all.
    assert len(messages(source_catalog())) > 100


def test_every_string_in_the_app_has_a_reviewed_english_translation():
    english = read(EN_PO, locale="en")
    problems = []
    for message in messages(source_catalog()):
        translated = english.get(message.id, message.context)
        label = f"{message.id!r} ({where(message)})"
        if translated is None:
            problems.append(f"missing from en/messages.po: {label}")
        elif message.pluralizable and translated.id != message.id:
            problems.append(f"plural form differs in en/messages.po: {label}")
        elif translated.fuzzy:
            problems.append(f"fuzzy (not used until reviewed): {label}")
        elif not all(forms(translated)):
            problems.append(f"untranslated: {label}")
        elif message.pluralizable and len(forms(translated)) != 2:
            problems.append(f"English needs 2 plural forms: {label}")
    assert not problems, (
        "Run scripts/i18n.sh update and translate these in "
        "grants/translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(problems)
    )


def test_the_english_catalogue_is_usable():
    english = read(EN_PO, locale="en")
    # pybabel compile skips a whole catalogue whose header is fuzzy, silently with -q.
    assert not english.fuzzy, "remove '#, fuzzy' from the header of en/messages.po"
    assert str(english.locale) == "en"
    assert english.num_plurals == 2
    assert english.plural_expr == "(n != 1)"


def test_translations_keep_the_placeholders_of_their_msgid():
    english = read(EN_PO, locale="en")
    problems = []
    for message in messages(english):
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        for index, translation in enumerate(forms(message)):
            if not translation:
                continue  # reported by the completeness test
            source = sources[min(index, len(sources) - 1)]
            expected = Counter(PLACEHOLDER.findall(source))
            found = Counter(PLACEHOLDER.findall(translation))
            if expected != found:
                problems.append(
                    f"{source!r} has {sorted(expected.elements())}, "
                    f"but {translation!r} has {sorted(found.elements())}"
                )
    assert not problems, "\n".join(problems)


def test_the_committed_template_matches_the_source():
    """messages.pot is what translators read; `scripts/i18n.sh extract` refreshes it."""
    committed = {(m.id, m.context) for m in messages(read(POT))}
    current = {(m.id, m.context) for m in messages(source_catalog())}
    assert current - committed == set(), "new strings: run scripts/i18n.sh update"
    assert committed - current == set(), "removed strings: run scripts/i18n.sh update"


def translations(catalog: Catalog) -> dict:
    def plain(value):  # read_mo gives the plural forms as lists, read_po as tuples
        return tuple(value) if isinstance(value, list | tuple) else value

    return {
        (plain(message.id), message.context): plain(message.string)
        for message in messages(catalog)
        if not message.fuzzy and all(forms(message))
    }


@pytest.fixture
def compiled_english():
    """The pages are translated from en/messages.mo, so it must hold what messages.po says."""
    hint = "run scripts/i18n.sh compile (make test does)"
    assert EN_MO.exists(), f"en/messages.mo is missing: {hint}"
    with EN_MO.open("rb") as f:
        compiled = read_mo(f)
    in_mo = translations(compiled)
    # (pybabel also compiles an untranslated plural, as its msgids; the other tests catch that.)
    stale = [
        key
        for key, string in translations(read(EN_PO, locale="en")).items()
        if in_mo.get(key) != string
    ]
    assert not stale, f"en/messages.mo is out of date ({len(stale)} messages differ): {hint}"


def test_the_front_page_is_danish_by_default(client, world):
    response = client.get("/")
    assert page(response).html["lang"] == "da"
    assert "Puljerne" in headings(response)
    assert "100.000 kr." in page_text(response)  # the fund's budget, whole kroner, Danish style


def switch_language(client, locale: str) -> None:
    response = client.post("/sprog", data={"locale": locale})
    assert response.status_code == 302
    # The app fixture keeps one app context, and so one `g`, around all the requests of a
    # test, and Flask-Babel caches the locale on `g`. A real request starts with a fresh
    # `g`; here the cache is dropped by hand so the next request chooses again.
    refresh()


def test_the_front_page_in_english(client, world, compiled_english):
    switch_language(client, "en")

    response = client.get("/")
    assert page(response).html["lang"] == "en"
    assert "The funds" in headings(response)
    assert "Puljerne" not in page_text(response)
    # A %(name)s placeholder filled in by Jinja, with the amount in English style.
    assert "up to 100,000 kr. a year" in page_text(response)

    switch_language(client, "da")
    response = client.get("/")
    assert page(response).html["lang"] == "da"
    assert "Puljerne" in headings(response)


def test_strings_in_python_and_plural_forms_in_english(app, compiled_english):
    from flask_babel import force_locale, ngettext

    from grants.workflow.labels import state_label

    with app.test_request_context(), force_locale("en"):
        assert state_label("partly_granted") == "Partly granted"
        assert ngettext("%(num)d sag venter på dig.", "%(num)d sager venter på dig.", 1) == (
            "1 case is waiting for you."
        )
        assert ngettext("%(num)d sag venter på dig.", "%(num)d sager venter på dig.", 3) == (
            "3 cases are waiting for you."
        )
    with app.test_request_context(), force_locale("da"):
        assert state_label("partly_granted") == "Delvist bevilget"


def test_money_in_danish_and_english_form(app):
    assert money(Decimal("1234.5"), locale="da") == "1.234,50 kr."
    assert money(Decimal("1234.5"), locale="en") == "1,234.50 kr."


# Strings that were never marked for translation -----------------------------------------
# What a person reads must go through the catalogue; these tests look for text that cannot
# reach it. Templates: the text between tags and the readable attributes, once every Jinja
# expression, tag, comment and {% trans %} block is taken out. Python: the literal strings
# given to flash(), to form fields (label, description, choices) and to the errors a person
# is shown (ValidationError and the DomainError family).

# Words that are the same in every language, or are deliberately in their own language (the
# language switch offers "Dansk" to an English reader and "English" to a Danish one).
NOT_TRANSLATED = {"PDF", "CSV", "JSON", "XLSX", "Dansk", "English", "CVR", "NemKonto", "WCAG"}
JINJA_CODE = re.compile(
    r"\{#.*?#\}|\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}", re.S
)
HTML_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1>|<[^>]*>", re.S)
READABLE_ATTRIBUTE = re.compile(
    r'\b(?:aria-label|aria-description|title|alt|placeholder|data-[\w-]*heading)="([^"]*)"'
)
WORD = re.compile(r"[A-Za-zÆØÅæøåÉé][A-Za-zÆØÅæøåÉé'’-]+")


def unmarked_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if word not in NOT_TRANSLATED]


def test_templates_have_no_text_outside_the_catalogue():
    import html

    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = JINJA_CODE.sub("§", path.read_text(encoding="utf-8"))
        found = [value for value in READABLE_ATTRIBUTE.findall(source) if unmarked_words(value)]
        text = html.unescape(HTML_MARKUP.sub(" ", source)) if path.suffix == ".html" else source
        found += [line.strip() for line in text.splitlines() if unmarked_words(line)]
        problems += [f"{path.relative_to(ROOT)}: {snippet!r}" for snippet in found]
    assert not problems, "Mark these with _() or {% trans %}:\n" + "\n".join(problems)


def test_the_self_check_finds_unmarked_template_text():
    source = JINJA_CODE.sub("§", '<p>{{ _("Gem") }} Ikke oversat</p><a aria-label="Luk">x</a>')
    assert unmarked_words(HTML_MARKUP.sub(" ", source)) == ["Ikke", "oversat"]
    assert READABLE_ATTRIBUTE.findall(source) == ["Luk"]


SHOWN_TO_PEOPLE = {"flash", "ValidationError", "StopValidation"}
FIELD_TEXT = {"label", "description", "choices", "message"}


def _is_shown(call_name: str, error_names: set[str]) -> bool:
    return call_name in SHOWN_TO_PEOPLE or call_name.endswith("Field") or call_name in error_names


def test_python_gives_people_no_text_outside_the_catalogue():
    import ast

    def name_of(func) -> str:
        return getattr(func, "id", None) or getattr(func, "attr", "")

    def literals(node):
        if isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                # choices: (value, label) pairs; only the label is read by people.
                yield from literals(element.elts[-1] if isinstance(element, ast.Tuple) else element)
        elif isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            yield node

    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "grants").rglob("*.py"))
    }
    classes = [
        node for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
    ]
    errors, before = {"DomainError"}, set()
    while errors != before:  # the DomainError family, however deep
        before = set(errors)
        errors |= {c.name for c in classes if any(name_of(b) in errors for b in c.bases)}
    problems = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_shown(name_of(node.func), errors):
                continue
            candidates = list(node.args[:1]) + [
                k.value for k in node.keywords if k.arg in FIELD_TEXT
            ]
            for candidate in candidates:
                for literal in literals(candidate):
                    text = ast.unparse(literal)
                    if unmarked_words(text.strip("'\"")):
                        where = f"{path.relative_to(ROOT)}:{literal.lineno}"
                        problems.append(f"{where}: {name_of(node.func)}({text[:70]})")
    assert not problems, "Mark these with _() or lazy_gettext():\n" + "\n".join(problems)


def test_a_templates_texts_follow_a_forced_locale_and_a_refresh(app, compiled_english):
    """Templates find the request's catalogue once (grants.core.templating); an e-mail in
    the recipient's language (force_locale) and a change of language (refresh) still
    change it."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Forrige') }}"
    with app.test_request_context():
        assert render_template_string(page) == "Forrige"
        with force_locale("en"):
            assert render_template_string(page) == "Previous"
        assert render_template_string(page) == "Forrige"
        with force_locale("en"):
            refresh()  # inside: the forced locale stays
            assert render_template_string(page) == "Previous"
        assert render_template_string(page) == "Forrige"


def test_lazy_texts_amounts_and_dates_follow_a_forced_locale(app, compiled_english):
    """A lazy text (a state's name), an amount and a date take the request's catalogue and
    locale from what the request keeps (grants.core.templating, grants.core.formatting),
    found once; an e-mail in the recipient's language (force_locale) and a change of
    language (refresh) still change them, and a lazy text with a value is still escaped."""
    import datetime as dt

    from flask import render_template_string
    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l

    from grants.core import formatting

    previous = _l("Forrige")
    with_value = _l("“%(value)s” er ikke et årstal", value="<b>x</b>")
    day = dt.date(2027, 4, 24)
    with app.test_request_context():
        for _round in range(2):  # the second round reads what the first kept
            assert str(previous) == "Forrige"
            assert formatting.money(Decimal("1234.5")) == "1.234,50 kr."
            assert formatting.short_date(day) == "24. apr. 2027"
        with force_locale("en"):
            assert str(previous) == "Previous"
            assert formatting.money(Decimal("1234.5")) == "1,234.50 kr."
            assert formatting.short_date(day) == "24 Apr 2027"
            refresh()
            assert str(previous) == "Previous"
            assert formatting.number(1000) == "1,000"
        assert str(previous) == "Forrige"
        assert formatting.money(Decimal("1234.5")) == "1.234,50 kr."
        page = render_template_string("{{ text }}", text=with_value)
        assert "<b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    # Outside a request: Danish, the source text.
    assert str(previous) == "Forrige"
