"""Every address is Danish, and every old English address, in e-mails and letters already
sent, answers 308 Permanent Redirect to its Danish one with the same query string (issue 18
point 7). This file keeps the English paths on purpose: the rename script skips it."""

from __future__ import annotations

import re

import pytest

from grants.core.old_urls import DANISH, english

# The words of the old English paths; "data", "zip", "css", "json" and "csv" are Danish too.
ENGLISH_WORDS = {
    part
    for word in DANISH
    for part in [word, *re.split(r"[-.]", word)]
    if part not in {"data", "zip", "css", "json", "csv", "my"}
}
KEPT = {"/healthz", "/static/<path:filename>"}  # for machines, not for people to read


def _for_systems(rule: str) -> bool:
    """The API's paths are for other systems, which expect English resource names (cases,
    payments): /api/v1/... stays English; its page for people (/api/v1/) has no words."""
    return rule.startswith("/api/v1/")


def _fixed_words(rule: str) -> list[str]:
    return [
        part
        for segment in rule.split("/")
        if segment and "<" not in segment
        for part in [segment, *re.split(r"[-.]", segment)]
    ]


def test_every_route_is_danish(app):
    english_left = {
        rule.rule: sorted(set(_fixed_words(rule.rule)) & ENGLISH_WORDS)
        for rule in app.url_map.iter_rules()
        if rule.rule not in KEPT
        and not _for_systems(rule.rule)
        and set(_fixed_words(rule.rule)) & ENGLISH_WORDS
    }
    assert english_left == {}


def test_healthz_and_static_stay(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules >= KEPT


@pytest.mark.parametrize(
    "method, old, new",
    [
        ("GET", "/login?next=%2Fapplications%2Fmine", "/log-ind?next=%2Fapplications%2Fmine"),
        ("GET", "/applications/mine", "/ansoegninger/mine"),
        ("GET", "/applications/12", "/ansoegninger/12"),
        ("GET", "/applications/new/studierejsefonden", "/ansoegninger/ny/studierejsefonden"),
        ("GET", "/admin", "/administration/"),
        ("GET", "/admin/funds/new", "/administration/puljer/ny"),
        (
            "GET",
            "/admin/funds/3/letters/granted?language=en",
            "/administration/puljer/3/breve/granted?language=en",
        ),
        (
            "GET",
            "/budgets/export/entries.csv?fund=a&year=2026",
            "/budgetter/eksport/entries.csv?fund=a&year=2026",
        ),
        ("GET", "/open-data/trips.json", "/aabne-data/rejser.json"),
        ("GET", "/letters/7/download", "/breve/7/hent"),
        ("GET", "/invitations/abc-DEF_1", "/invitationer/abc-DEF_1"),
        ("GET", "/signup/tok", "/opret-konto/tok"),
        (
            "GET",
            "/queue?fund=studierejsefonden&q=%C3%A6",
            "/arbejdskoe?fund=studierejsefonden&q=%C3%A6",
        ),
        ("GET", "/account/two-factor/setup", "/konto/totrinsbekraeftelse/saet-op"),
        (
            "GET",
            "/subsidies/rules/studierejsefonden/2/export",
            "/tilskud/regler/studierejsefonden/2/eksport",
        ),
        # the step's name is a value, not a word of the path: "return" stays "return"
        ("POST", "/applications/5/steps/return", "/ansoegninger/5/trin/return"),
        ("POST", "/logout", "/log-ud"),
        ("POST", "/language", "/sprog"),
    ],
)
def test_an_old_address_moves_permanently(client, method, old, new):
    response = client.open(old, method=method)
    assert response.status_code == 308  # permanent, and a POST stays a POST
    assert response.headers["Location"] == new


def test_every_old_address_moves_to_its_rule(app, client):
    """Each rule that had an English path: the old one, with values, leads to the new one."""
    checked = 0
    for rule in app.url_map.iter_rules():
        old_rule = english(rule.rule)
        if old_rule is None or old_rule == rule.rule:
            continue
        values = {name: _sample(converter) for name, converter in rule._converters.items()}
        new = rule.build(values, append_unknown=False)[1]
        old = english(new)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(old + "?a=1&b=%C3%A6", method=method)
        assert response.status_code == 308, old
        assert response.headers["Location"] == new + "?a=1&b=%C3%A6", old
        checked += 1
    assert checked >= 50


def _sample(converter):
    from werkzeug.routing import AnyConverter
    from werkzeug.routing.converters import NumberConverter

    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return 1 if isinstance(converter, NumberConverter) else "x"


@pytest.mark.parametrize(
    "path",
    ["/applications", "/applications/mine/extra", "/admin/nothing", "/udvalg/new", "/login/x"],
)
def test_what_never_was_an_address_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_danish_address_answers_without_a_detour(client):
    assert client.get("/log-ind").status_code == 200


def test_a_query_string_sent_unencoded_keeps_its_letters(client):
    """A client that sends "Køge" in the query as raw UTF-8 (curl, a script) got "KÃ¸ge": the
    bytes were read as Latin-1 and encoded again. They are kept, percent-encoded once."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/open-data/trips.json").get_environ()
    environ["QUERY_STRING"] = "city=Køge&q=a b".encode().decode("latin-1")  # as WSGI gives it
    response = client.open(environ)
    assert response.status_code == 308
    assert response.headers["Location"] == "/aabne-data/rejser.json?city=K%C3%B8ge&q=a%20b"
