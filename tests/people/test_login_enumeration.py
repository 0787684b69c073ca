"""Whether an address has an account cannot be told from the login: a wrong password for a
known address and any password for an unknown one get the same answer, after the same work
(one password hash checked), and the same lockout."""

from __future__ import annotations

import re

import pytest
from flask import g

from grants.extensions import db
from grants.people import operations
from tests.factories import PASSWORD


def without_csrf(html: str) -> str:
    return re.sub(r'value="[\w-]{20,}\.[\w-]+\.[\w-]+"', 'value=""', html)


def new_visitor(app, email: str, password: str):
    g.pop("csrf_token", None)
    g.pop("_login_user", None)
    return app.test_client().post("/login", data={"email": email, "password": password})


@pytest.fixture
def hash_checks(monkeypatch):
    """How many password hashes the login checks."""
    checked: list[str] = []
    real = operations.check_password_hash

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    return checked


def test_a_known_and_an_unknown_address_get_the_same_answer(world, app):
    world.outsider.active = False
    db.session.commit()
    tries = [
        (world.employee.email, "forkert adgangskode"),
        ("ingen.konto@ballerup.dk", "forkert adgangskode"),
        (world.outsider.email, PASSWORD),  # switched off, right password
    ]
    answers = [(email, new_visitor(app, email, password)) for email, password in tries]
    first = answers[0][1]

    def page(email, answer):  # the typed address is shown again in the form
        return without_csrf(answer.get_data(as_text=True)).replace(email, "ADDRESS")

    for email, answer in answers:
        assert answer.status_code == 422
        assert page(email, answer) == page(answers[0][0], first)
        assert sorted(answer.headers.keys()) == sorted(first.headers.keys())
        for name, value in first.headers.items():
            if name not in ("Set-Cookie", "Content-Length"):
                assert answer.headers[name] == value, name
    assert "E-mail eller adgangskode er forkert." in first.get_data(as_text=True)


def test_the_same_work_is_done_for_a_known_and_an_unknown_address(world, app, hash_checks):
    new_visitor(app, world.employee.email, "forkert adgangskode")
    assert len(hash_checks) == 1 and hash_checks[0] == world.employee.password_hash
    new_visitor(app, "ingen.konto@ballerup.dk", "forkert adgangskode")
    assert len(hash_checks) == 2
    # The unknown address is checked against a hash made the way the app makes them.
    method = world.employee.password_hash.split("$")[0]
    assert hash_checks[1].split("$")[0] == method
    world.outsider.active = False
    db.session.commit()
    new_visitor(app, world.outsider.email, PASSWORD)
    assert len(hash_checks) == 3


def test_an_unknown_address_is_locked_out_like_a_known_one(world, app):
    for email in (world.employee.email, "ingen.konto@ballerup.dk"):
        for _ in range(5):
            new_visitor(app, email, "forkert")
        answer = new_visitor(app, email, PASSWORD)
        assert answer.status_code == 422
        assert "For mange forkerte forsøg" in answer.get_data(as_text=True)


@pytest.mark.real_password_hashing
def test_the_unknown_address_costs_a_real_hash(app, routes, client, hash_checks):
    """With the app's own hashing (scrypt), the stand-in hash has the same method and cost
    as a person's: the failure takes as long either way."""
    from tests.factories import make_user

    person = make_user()
    db.session.commit()
    client.post("/login", data={"email": "ingen@ballerup.dk", "password": "x" * 12})
    assert hash_checks[0].startswith("scrypt:")
    assert hash_checks[0].split("$")[0] == person.password_hash.split("$")[0]
