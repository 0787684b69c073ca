"""The account operations without the views: the sign-up's account and a password change check
the password rules themselves, so no view (nor a later command or import) can skip them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.core.errors import DomainError
from grants.extensions import db
from grants.people import operations
from grants.people.models import User
from tests.factories import PASSWORD

GOOD = "en lang og god sætning om rejser"


def signup(email="ny@forening.dk"):
    return operations.SignupRequest(email=email, next_path="", locale="en")


def test_the_account_of_a_sign_up_gets_the_name_language_and_password(app):
    user = operations.create_account(signup(), "  Ny Person ", GOOD)
    assert (user.email, user.name, user.locale) == ("ny@forening.dk", "Ny Person", "en")
    assert user.check_password(GOOD) and not user.check_password(PASSWORD)


def test_a_sign_up_with_a_weak_password_makes_no_account_and_says_every_reason(app):
    with pytest.raises(operations.PasswordRefused) as refused:
        operations.create_account(signup(), "Ny Person", "ny@forening.dk")
    assert refused.value.field == "password"
    assert len(refused.value.problems) >= 1 and refused.value.message
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_password_change_needs_the_current_password_and_a_good_new_one(world):
    person = world.employee
    with pytest.raises(DomainError) as wrong:
        operations.change_password(person, "forkert", GOOD)
    assert wrong.value.field == "current"
    with pytest.raises(operations.PasswordRefused):
        operations.change_password(person, PASSWORD, "kort")
    assert person.check_password(PASSWORD)
    token = person.session_token
    operations.change_password(person, PASSWORD, GOOD)
    assert person.check_password(GOOD) and person.session_token != token


def test_an_account_without_a_password_gets_none_by_a_change(world):
    person = world.employee
    person.password_hash = None
    with pytest.raises(DomainError) as refused:
        operations.change_password(person, "", GOOD)
    assert refused.value.field == "current" and person.password_hash is None
