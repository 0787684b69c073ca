"""Every form, fuzzed: the harness signs in as each kind of person, visits every page,
finds each <form method="post"> and its fields, and posts values made by hypothesis with a
valid CSRF token. No input may give a server error, and an input the app refuses (4xx) must
leave every table unchanged. Forms added later are found the same way.

The number of examples per form: FUZZ_EXAMPLES (default 10; raise it to search harder).
"""

from __future__ import annotations

import io
import os
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, select

from grants.extensions import db
from tests.core.test_access_matrix import (
    EXPECTATIONS,
    PERSONAS,
    build_world,
    quick_hashes,  # noqa: F401 - the fixture
    sign_in,
    url_values,
)
from tests.dbstate import table_fingerprint
from tests.factories import make_application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 10))
# Forms whose refusal legitimately writes: a failed login is counted (throttling) and audited
# (the e-mail typed and the address kept apart from the trail, in audit_personal_value).
AUDITED = {"login_attempt", "audit_event", "audit_personal_value"}
WRITES_WHEN_REFUSED = {
    "/log-ind": AUDITED,
    # A wrong password or code when changing the second factor counts like a failed login.
    "/konto/totrinsbekraeftelse/slaa-fra": AUDITED,
    "/konto/totrinsbekraeftelse/gendannelseskoder": AUDITED,
}
# The application and report forms: a refused one keeps what was typed as the person's
# draft (grants.drafts), and changes nothing else.
DRAFT_FORMS = re.compile(r"/ansoegninger/(ny/[^/]+|\d+/rediger|\d+/rapport)")
KEPT_AS_DRAFT = {"form_draft"}
# Forms not fuzzed: logging out ends the session the next examples need.
NOT_FUZZED = {"/log-ud"}
# Who looks for forms, and the extra pages with forms that depend on a case's state.
LOOKERS = (
    "anonymous",
    "owner",
    "manager",
    "caseworker",
    "finance",
    "admin",
    "other_org",
    "committee_chair",  # the meeting's forms only the chair (and secretary) are shown
)


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> offered values
    files: list[str] = field(default_factory=list)
    method: str = "post"
    kinds: dict[str, str] = field(default_factory=dict)  # name -> "textarea" or input type


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self.current = Form(action=a.get("action") or self.page_url, method=method)
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or not a.get("name") or a.get("name") == "csrf_token":
            return
        name = a["name"]
        if tag in ("input", "textarea", "select", "button"):
            form.kinds.setdefault(name, (a.get("type") or "text") if tag == "input" else tag)
        if tag == "input" and a.get("type") == "file":
            form.files.append(name)
        elif tag in ("input", "button"):
            form.fields.setdefault(name, [])
            if a.get("value") is not None and a.get("type") in (
                "radio",
                "checkbox",
                "submit",
                None,
                "hidden",
            ):
                form.fields[name].append(a["value"])
        elif tag == "textarea":
            form.fields.setdefault(name, [])
        elif tag == "select":
            form.fields.setdefault(name, [])
            self.select = name
        elif tag == "option" and self.select:
            form.fields[self.select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1.000,50",
    "1e309",
    "99999999999999999999999",
    "2026-02-30",
    "31-12-2026",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "\u202e\ufeff",
    "ø" * 300,
    "x" * 5000,
    "../../etc/passwd",
]


def value_strategy(offered: list[str]):
    choices = [st.text(max_size=40), st.sampled_from(NASTY), st.integers().map(str)]
    if offered:
        choices.insert(0, st.sampled_from(offered))
    return st.one_of(*choices)


FILE_CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"%PDF-1.7\n%%EOF", b"\x89PNG\r\n\x1a\n" + b"0" * 20, b"<html>", b""]),
)


def pages_to_visit(app, cases) -> list[str]:
    """Every page of the matrix that shows something (no files), and the cases in each
    state."""
    pages = []
    for rule in app.url_map.iter_rules():
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None or "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.endpoint.endswith(("export_file", "export", "case_file", "attachment", "download")):
            continue
        with app.test_request_context():
            pages.append(url_for(rule.endpoint, **url_values(rule, cases, expect)))
    for case in (cases.granted, cases.endorsement, cases.pending, cases.reported):
        pages.append(f"/ansoegninger/{case}")
    pages.append(f"/ansoegninger/{cases.draft}/rediger")
    return pages


def discover(app, client, people, cases, extra_pages=()) -> list[tuple[str, Form]]:
    pages = pages_to_visit(app, cases) + list(extra_pages)
    found: dict[tuple, tuple[str, Form]] = {}
    for persona in LOOKERS:
        sign_in(client, people.get(persona))
        for page in pages:
            response = client.get(page)
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            parser = FormParser(page)
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                action = urlsplit(form.action).path
                if action in NOT_FUZZED:
                    continue
                key = (form.method, action, tuple(sorted(form.fields)), tuple(form.files))
                found.setdefault(key, (persona, page, form))
    # A step accepted moves its case on (a withdrawn case has no decision form any more):
    # the steps go last, so the other forms meet their cases as built.
    return sorted(found.values(), key=lambda item: "/trin/" in item[2].action)


def csrf_token(client, page: str) -> str | None:
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else None


def csrf_secret(client) -> str | None:
    """The session's CSRF secret: the form's token is it, signed (Flask-WTF)."""
    with client.session_transaction() as session:
        return session.get("csrf_token")


def sign_in_again(client, person, secret: str | None) -> None:
    """After an accepted post, a session as fresh as ``sign_in`` makes (what the post did to
    the session is gone: a language, a session ended), holding the CSRF secret the form's
    token was signed from, so that token is valid again. Fetching the form's page for a new
    token, as the tests did, gave the same session and a valid token for one more request
    each: 600 of the attack's 5,900 requests, a seventh of its time on PostgreSQL."""
    sign_in(client, person, csrf_secret=secret)


def test_every_form_survives_fuzzing(app, routes, client):
    people, cases = build_world()
    app.config["WTF_CSRF_ENABLED"] = True
    forms = discover(app, client, people, cases)
    actions = {urlsplit(form.action).path for _, _, form in forms}
    # The harness really finds the forms (a broken parser would pass with none).
    assert "/log-ind" in actions and f"/ansoegninger/{cases.pending}/afgoerelse" in actions
    assert len(forms) >= 10, actions
    forms = [item for item in forms if item[2].method == "post"]
    failures: list[str] = []
    for persona, page, form in forms:
        started = time.perf_counter()
        failures += fuzz(app, client, people.get(persona), persona, page, form)
        print(f"{time.perf_counter() - started:5.2f}s {persona:10} {form.action}")
    assert not failures, "\n".join(failures[:20])


def fuzz(app, client, person, persona, page, form: Form) -> list[str]:
    action = urlsplit(form.action).path
    skip = WRITES_WHEN_REFUSED.get(action, set())
    if DRAFT_FORMS.fullmatch(action):
        skip = skip | KEPT_AS_DRAFT
    failures: list[str] = []
    session: dict = {"token": None, "secret": None, "before": None}
    values = st.fixed_dictionaries(
        {name: value_strategy(offered) for name, offered in form.fields.items()},
    )
    files = st.fixed_dictionaries(
        {name: st.tuples(FILE_CONTENTS, st.text(max_size=30)) for name in form.files}
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values, files)
    def post(data, uploads):
        if not session["token"]:  # signed in and holding the form's token
            sign_in(client, person)
            session["token"] = csrf_token(client, page) or "-"
            session["secret"] = csrf_secret(client)
            session["before"] = table_fingerprint(skip, drafts=True)
        elif session["before"] is None:  # after an accepted post: as fresh, the same token
            sign_in_again(client, person, session["secret"])
            session["before"] = table_fingerprint(skip, drafts=True)
        body = dict(data)
        body["csrf_token"] = session["token"]
        for name, (content, filename) in uploads.items():
            body[name] = (io.BytesIO(content), filename or "f")
        response = client.post(
            form.action, data=body, content_type="multipart/form-data" if uploads else None
        )
        if response.status_code >= 500:
            failures.append(f"{persona} POST {form.action}: {response.status_code} for {data!r}")
        elif response.status_code >= 400:
            if table_fingerprint(skip, drafts=True) != session["before"]:
                failures.append(f"{persona} POST {form.action}: refused but changed {data!r}")
        else:
            # Accepted: the world moved on (a saved draft, a new session); start afresh.
            session["before"] = None

    post()
    return failures


def test_the_personas_cover_the_matrix():
    assert set(LOOKERS) <= set(PERSONAS)


# -- The attack: every field of every form, deterministic -----------------------------------
# Where the fuzzing above samples, this sends each attack to every form: markup (which must
# come back escaped, in the response and on every page afterwards), control characters (a
# server error on PostgreSQL, stored as typed on SQLite, an invalid XLSX later), huge text
# and numbers in every notation (out of range, other scripts, exponents). Each attack goes
# once into every field, and once into the free fields with the offered fields (choices,
# hidden values, buttons) left at their first offer, so the form gets past its choices.
MARK = "xss-7f3a"
# No space or comma in it: a value split into words (birth years) still carries it whole.
MARKUP = f"<{MARK}/>&\"'"
RAW = f"<{MARK}".encode()  # the markup as sent: never in a response
CONTROL = "a\x00b\x1b[31m\x07c\x7f\x85"
NUMBERS = [
    "-1",
    "0",
    "1e309",
    "0x1A",
    "1_000",
    "NaN",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "0.001",
    "٢٧٥٠",  # Arabic-Indic digits
    "２７５０",  # full-width digits
    "²",  # a superscript: isdigit(), but no number
]
# A right-to-left override: "Abc\u202elive" is shown as "Abcevil" (a name spoofing another).
BIDI = "Abc\u202elive"
ATTACKS = [
    ("markup", MARKUP),
    ("control", CONTROL),
    ("bidi", BIDI),
    ("huge", "x" * 30_000),
] + [(number, number) for number in NUMBERS]
# The attacks also sent into one field at a time.
ALONE = {"markup", "control", "bidi"}
# A control character a person cannot type; tab, newline and CR are allowed in long texts.
STORED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_html(response) -> bool:
    """A page a browser renders: JSON (application/json, nosniff) and CSV carry the text as
    it was stored, which is right for them."""
    return response.mimetype in ("text/html", "application/xhtml+xml")


def stored_control_characters() -> list[str]:
    """Every text stored anywhere with a control character in it (table.column: value)."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str) and STORED_CONTROL.search(value):
                    found.append(f"{table.name}.{column.name}: {value[:60]!r}")
    return found


# Fields whose text no code reads as a number: prose (a message, a note, a comment, reasons)
# and the e-mail and password fields, each stored and shown as typed or compared. A number
# there is text like any other, which the markup, control, bidi and huge attacks cover; a form
# of nothing else is spared the numbers (a third of the forms, 350 requests). A field that
# does parse numbers is an input of its own (the form macro marks every IntegerField and
# DecimalField ``inputmode``; ids, years and dates are selects or inputs), and its form gets
# every number.
PROSE = {"textarea", "email", "password"}


def parses_numbers(form: Form) -> bool:
    return any(form.kinds.get(name, "text") not in PROSE for name in form.fields)


def attack_bodies(form: Form):
    """(attack, value, body) for each attack: into every field, then into the free fields."""
    free = [name for name, offered in form.fields.items() if not offered]
    numbers = parses_numbers(form)
    sent: list[dict] = []
    for attack, value in ATTACKS:
        if attack in NUMBERS and not numbers:
            continue
        variants = [{name: value for name in form.fields}]
        if free and len(free) < len(form.fields):
            variants.append(
                {
                    name: (value if not offered else offered[0])
                    for name, offered in form.fields.items()
                }
            )
        if attack in ALONE:
            # Into one free field at a time, the others empty: a draft saved with only a
            # title is accepted, and what is accepted is stored.
            # Once for each intent a form has (save a draft, submit, preview).
            for intent in form.fields.get("intent") or [None]:
                if intent == "preview" and "/breve/" in form.action:
                    continue  # a PDF (tests/administration), and WeasyPrint starts slowly
                for name in one_of_each_shape(free):
                    body = {
                        other: (value if other == name else (offered[0] if offered else ""))
                        for other, offered in form.fields.items()
                    }
                    if intent is not None:
                        body["intent"] = intent
                    variants.append(body)
        # The same request again checks what the first did (a form of one free field gets
        # the same body "into every field" and "alone", a form of no fields the same body
        # for every attack): each body once.
        for body in variants:
            if body not in sent:
                sent.append(body)
                yield attack, value, body


def one_of_each_shape(names: list[str]) -> list[str]:
    """A field repeated in numbered groups (the rule editor's ``examples-0-title``,
    ``examples-1-title`` …) is one field handled by one piece of code: attacked alone once,
    in its first group. The rule editor has a hundred such fields, each attack on each of them
    cost the suite minutes, and every field still takes every attack with the others."""
    seen: set[str] = set()
    chosen = []
    for name in names:
        shape = re.sub(r"-[0-9]+-", "-#-", name)
        if shape not in seen:
            seen.add(shape)
            chosen.append(name)
    return chosen


def youth_case_world(people, cases):
    """A granted youth trip of organisation A: its report asks for the actual birth years."""
    from grants.funds.models import Fund
    from grants.organisations.models import Organisation

    youth = db.session.scalar(select(Fund).where(Fund.code == cases.youth_fund))
    org = db.session.get(Organisation, cases.organisation_a)
    case = make_application(people["owner"], youth, state="granted", organisation=org)
    db.session.commit()
    return case.id


def test_every_field_of_every_form_under_attack(app, routes, client):
    """Issue 16 points 1, 3 and 5, as a class: no attack gives a server error, markup is
    always escaped (in the response, the page a redirect leads to, and every page visited
    afterwards), and no control character is ever stored."""
    people, cases = build_world()
    youth_case = youth_case_world(people, cases)
    app.config["WTF_CSRF_ENABLED"] = True
    extra = [f"/ansoegninger/ny/{cases.youth_fund}", f"/ansoegninger/{youth_case}/rapport"]
    forms = discover(app, client, people, cases, extra_pages=extra)
    actions = {urlsplit(form.action).path for _, _, form in forms}
    assert f"/ansoegninger/ny/{cases.youth_fund}" in actions, actions
    assert f"/ansoegninger/{youth_case}/rapport" in actions, actions
    searches = {urlsplit(form.action).path for _, _, form in forms if form.method == "get"}
    assert {"/arbejdskoe", "/udlandsrejser"} <= searches, searches
    failures: list[str] = []
    sent = 0
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    per_form: dict[str, float] = {}
    for persona, page, form in forms:
        action = urlsplit(form.action).path
        person = people.get(persona)
        form_started = time.perf_counter()
        sign_in(client, person)
        token = csrf_token(client, page) or "-"
        secret = csrf_secret(client)
        for attack, value, body in attack_bodies(form):
            if form.method == "get":  # a search or a filter: the values in the query
                response = client.get(form.action, query_string=body)
            else:
                response = client.post(form.action, data=dict(body, csrf_token=token))
            sent += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 400 and sent < 3:
                print(
                    persona, page, form.action, token, body, response.get_data(as_text=True)[:3000]
                )
            where = f"{persona} POST {action} ({attack} {value[:12]!r})"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                continue
            if is_html(response) and RAW in response.data:
                failures.append(f"{where}: markup unescaped in the response")
            if response.status_code in (302, 303):
                # Accepted: the page it leads to shows what was saved; a fresh session after.
                location = urlsplit(response.headers["Location"])
                if location.netloc in ("", "localhost"):
                    followed = client.get(
                        location.path + (f"?{location.query}" if location.query else "")
                    )
                    sent += 1
                    if followed.status_code >= 500:
                        failures.append(f"{where}: the page after it answers 500")
                    elif is_html(followed) and RAW in followed.data:
                        failures.append(f"{where}: markup unescaped on {location.path}")
                sign_in_again(client, person, secret)
        per_form[f"{persona} {action}"] = time.perf_counter() - form_started
    slowest = sorted(per_form.items(), key=lambda item: -item[1])[:5]
    stored = stored_control_characters()
    if stored:
        failures.append(f"control characters stored: {stored[:5]}")
    # Stored markup, anywhere it is shown afterwards.
    for persona in LOOKERS:
        sign_in(client, people.get(persona))
        for page in pages_to_visit(app, cases) + extra:
            response = client.get(page)
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{persona} GET {page}: {response.status_code} after the attack")
            elif is_html(response) and RAW in response.data:
                failures.append(f"{persona} GET {page}: stored markup unescaped")
    print(
        f"{sent} requests, {len(forms)} forms, {time.perf_counter() - started:.1f}s, "
        f"answers to the attacks: {sorted(statuses.items())}, slowest forms: {slowest}"
    )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


# -- The class behind point 1: nothing a person typed becomes markup ---------------------------
ROOT = Path(__file__).resolve().parents[2]


def test_a_lazy_message_with_a_persons_value_is_escaped_in_a_template(app):
    from flask import render_template_string
    from flask_babel import lazy_gettext

    message = lazy_gettext("“%(value)s” er ikke et årstal.", value="<script>x</script>")
    with app.test_request_context():
        page = render_template_string("<p>{{ message }}</p>", message=message)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_no_message_of_the_catalogue_is_markup():
    """The escaping of lazy messages (grants.core.templating) relies on it."""
    from babel.messages.pofile import read_po

    with (ROOT / "grants/translations/messages.pot").open("rb") as pot:
        catalogue = read_po(pot)
    tagged = [m.id for m in catalogue if m.id and re.search(r"<[a-zA-Z/]", str(m.id))]
    assert not tagged, tagged


# The exceptions: segno's SVG of a QR code, drawn from a text the app made (no typed text);
# WTForms' html_params made without Markup.format (grants/core/forms.py), which escapes every
# name and value as WTForms' own does (tests/core/test_forms.py holds the two equal); the
# task list's rows and sorting links (grants/desk/task_table.py), written in Python from
# escaped values (tests/desk/test_tasks.py puts markup in every text a row shows); the lists
# of cases' rows (grants/applications/case_lists.py) and the search's options
# (grants/desk/forms.py), the same (tests/applications/test_case_lists.py). The budgets
# overview's rows (grants/budgets/overview.py) are formats of values each escaped there (a
# fund's name, its address) or formatted from numbers (amounts, days).
MARKED_SAFE = {
    "grants/core/qr.py",
    "grants/core/forms.py",
    "grants/desk/task_table.py",
    "grants/applications/case_lists.py",
    "grants/desk/forms.py",
    "grants/budgets/overview.py",
}


def test_nothing_is_marked_safe_by_hand():
    """Markup(), |safe and __html__ would each make a person's value markup again."""
    found = []
    for path in [*(ROOT / "grants").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\bMarkup\(", r"\|\s*safe\b", r"__html__\s*=", r"autoescape\s+false"):
            where = str(path.relative_to(ROOT))
            if (
                re.search(pattern, text)
                and path.name != "templating.py"
                and where not in MARKED_SAFE
            ):
                found.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not found, found
