"""Whether an address has an account cannot be told from the login: a wrong password for a
known address and any password for an unknown one get the same answer, after the same work
(one password hash checked), and the same lockout."""

from __future__ import annotations

import pytest

from grants.extensions import db
from tests.factories import PASSWORD
from tests.html import errors, has_error
from tests.people.helpers import login_answer, new_visitor


def try_login(app, email: str, password: str):
    return new_visitor(app, "/log-ind", {"email": email, "password": password})


def test_a_known_and_an_unknown_address_get_the_same_answer(world, app):
    world.outsider.active = False
    db.session.commit()
    tries = [
        (world.employee.email, "forkert adgangskode"),
        ("ingen.konto@ballerup.dk", "forkert adgangskode"),
        (world.outsider.email, PASSWORD),  # switched off, right password
    ]
    answers = [(email, try_login(app, email, password)) for email, password in tries]
    first = answers[0][1]

    for email, answer in answers:
        assert answer.status_code == 422
        assert login_answer(email, answer) == login_answer(answers[0][0], first)
        assert sorted(answer.headers.keys()) == sorted(first.headers.keys())
        for name, value in first.headers.items():
            if name not in ("Set-Cookie", "Content-Length"):
                assert answer.headers[name] == value, name
    assert errors(first) == ["E-mail eller adgangskode er forkert."]


def test_the_same_work_is_done_for_a_known_and_an_unknown_address(world, app, hash_checks):
    try_login(app, world.employee.email, "forkert adgangskode")
    assert len(hash_checks) == 1 and hash_checks[0] == world.employee.password_hash
    try_login(app, "ingen.konto@ballerup.dk", "forkert adgangskode")
    assert len(hash_checks) == 2
    # The unknown address is checked against a hash made the way the app makes them.
    method = world.employee.password_hash.split("$")[0]
    assert hash_checks[1].split("$")[0] == method
    world.outsider.active = False
    db.session.commit()
    try_login(app, world.outsider.email, PASSWORD)
    assert len(hash_checks) == 3


def test_an_unknown_address_is_locked_out_like_a_known_one(world, app):
    for email in (world.employee.email, "ingen.konto@ballerup.dk"):
        for _ in range(5):
            try_login(app, email, "forkert")
        answer = try_login(app, email, PASSWORD)
        assert answer.status_code == 422
        assert has_error(answer, "For mange forkerte forsøg")


@pytest.mark.real_password_hashing
def test_the_unknown_address_costs_a_real_hash(app, routes, client, hash_checks):
    """With the app's own hashing (scrypt), the stand-in hash has the same method and cost
    as a person's: the failure takes as long either way."""
    from tests.factories import make_user

    person = make_user()
    db.session.commit()
    client.post("/log-ind", data={"email": "ingen@ballerup.dk", "password": "x" * 12})
    assert hash_checks[0].startswith("scrypt:")
    assert hash_checks[0].split("$")[0] == person.password_hash.split("$")[0]
