"""``_lists_as_parameters``: a kept statement's IN and NOT IN lists as one parameter a value
(``one_of``), finding the same rows as SQLAlchemy's expanding parameter."""

from __future__ import annotations

from sqlalchemy import select

from grants.core.models import _lists_as_parameters
from grants.extensions import db
from grants.people.models import User
from tests.factories import make_user


def test_in_and_not_in_lists_become_a_parameter_a_value_with_the_same_rows(app):
    for n in range(5):
        make_user(email=f"person{n}@example.dk")
    db.session.flush()
    wanted = [f"person{n}@example.dk" for n in (0, 1, 2, 3)]
    unwanted = [f"person{n}@example.dk" for n in (1, 3)]
    statement = (
        select(User.email)
        .where(User.email.in_(wanted), User.email.not_in(unwanted), User.email.not_in([]))
        .order_by(User.email)
    )
    kept = _lists_as_parameters(statement)

    sql = str(kept.compile(db.engine))
    # Only the empty list is left as SQLAlchemy writes it (its empty-set expression).
    assert sql.count("POSTCOMPILE") == 1 and "NOT IN (" in sql
    found = db.session.scalars(kept).all()
    assert found == db.session.scalars(statement).all()
    assert found == ["person0@example.dk", "person2@example.dk"]
