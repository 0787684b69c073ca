"""The permission mechanism (grants.core.access): named rules, widened by other domains."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from grants import PERMISSION_MODULES
from grants.core import access

PERSON = SimpleNamespace(is_authenticated=True, id=1)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(access, "RULES", {})
    monkeypatch.setattr(access, "ALSO", {})


def test_a_rule_says_yes_or_no_and_anonymous_is_refused(registry):
    access.rule("thing.open")(lambda user, thing, **_: thing == "open")
    assert access.may(PERSON, "thing.open", "open")
    assert not access.may(PERSON, "thing.open", "shut")
    assert not access.may(None, "thing.open", "open")


def test_a_rule_declared_twice_is_an_error(registry):
    access.rule("thing.open")(lambda *a, **k: True)
    with pytest.raises(ValueError, match="declared twice"):
        access.rule("thing.open")(lambda *a, **k: False)


def test_a_widening_lets_through_what_the_rule_refuses_and_only_that(registry):
    access.rule("case.view")(lambda user, case, **_: case["owner"] == user.id)
    access.also("case.view")(lambda user, case, **_: user.id in case["committee"])
    other = SimpleNamespace(is_authenticated=True, id=2)
    stranger = SimpleNamespace(is_authenticated=True, id=3)
    case = {"owner": 1, "committee": {2}}
    assert access.may(PERSON, "case.view", case)
    assert access.may(other, "case.view", case)
    assert not access.may(stranger, "case.view", case)
    with pytest.raises(KeyError, match="No access rule"):
        access.may(PERSON, "case.widened_only", case)


def test_the_domains_declare_the_rules_the_app_uses(app):
    # Every rule comes from a domain's permissions module, none from the core.
    modules = {rule.__module__ for rule in access.RULES.values()}
    assert modules == set(PERMISSION_MODULES)
    widenings = {f.__module__ for fs in access.ALSO.values() for f in fs}
    assert widenings == {"grants.committees.permissions"}
