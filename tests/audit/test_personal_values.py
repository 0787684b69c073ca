"""The audit trail is append-only and never purged, so it holds no person's own values: a
name, an e-mail, a title or a login's address are kept apart (audit_personal_value), the
event refers to them, and the purge of a person's data erases them there."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select, text

from grants.audit.models import (
    AuditEvent,
    AuditPersonalValue,
    erase_personal_values,
    resolve,
)
from grants.extensions import db
from tests.databases import on_a_new_postgresql_database
from tests.html import page_text


def trail_text() -> str:
    return json.dumps(
        [e.details for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False
    )


def test_a_changed_name_and_a_login_keep_the_values_out_of_the_trail(world, client):
    assert world.employee.name == "Mette Madsen"  # read first, as the admin page does
    world.employee.name = "Mette Madsen-Holm"
    world.employee.title = "Konsulent i Kultur"
    db.session.commit()
    client.post("/log-ind", data={"email": world.employee.email, "password": "forkert"})
    text_of_trail = trail_text()
    for personal in ("Mette Madsen", "Konsulent i Kultur", world.employee.email, "127.0.0.1"):
        assert personal not in text_of_trail, personal
    changed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "settings.user_changed")
    ).one()
    # The values are still there to be read, through the reference.
    shown = resolve(changed.details)
    assert shown["before"]["name"] == "Mette Madsen"
    assert shown["after"]["name"] == "Mette Madsen-Holm"
    assert shown["after"]["title"] == "Konsulent i Kultur"
    login = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert resolve(login.details)["email"] == world.employee.email


def test_erasing_a_person_leaves_the_events_and_marks_the_values_erased(world, client):
    assert world.employee.name and world.outsider.name  # read first, as the admin page does
    world.employee.name = "Mette Madsen-Holm"
    world.outsider.name = "Ole Olsen-Ny"
    db.session.commit()
    events_before = [(e.id, e.action, e.details) for e in db.session.scalars(select(AuditEvent))]

    assert erase_personal_values(world.employee.id) == 2  # her name before and after
    db.session.commit()

    events_after = [(e.id, e.action, e.details) for e in db.session.scalars(select(AuditEvent))]
    assert events_after == events_before  # the trail itself is untouched
    stored = json.dumps(
        [v.value for v in db.session.scalars(select(AuditPersonalValue))], ensure_ascii=False
    )
    assert "Mette" not in stored and "Ole Olsen-Ny" in stored  # only her values went
    mine = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "settings.user_changed", AuditEvent.object_id == world.employee.id
        )
    ).one()
    assert resolve(mine.details)["before"]["name"] == "[slettet]"


def test_the_admin_page_shows_the_values_and_then_that_they_were_erased(world, client, auth):
    world.employee.title = "Konsulent i Kultur"
    db.session.commit()
    auth.login(world.admin)
    assert "Konsulent i Kultur" in page_text(client.get("/administration/"))
    erase_personal_values(world.employee.id)
    db.session.commit()
    response = client.get("/administration/")
    # Erased: nowhere in the answer, not only out of sight.
    assert "Konsulent i Kultur" not in response.get_data(as_text=True)
    assert "[slettet]" in page_text(response)
    from tests.core.test_translations import switch_language

    switch_language(client, "en")
    assert "[deleted]" in page_text(client.get("/administration/"))


def test_on_postgresql_the_app_may_erase_the_values_but_not_the_events(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the privileges are PostgreSQL's")
    world.employee.name = "Mette Madsen-Holm"
    db.session.commit()
    app_engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with app_engine.begin() as connection:
            connection.execute(text("UPDATE audit_personal_value SET value = NULL"))
        with pytest.raises(Exception, match="permission denied"), app_engine.begin() as c:
            c.execute(text("UPDATE audit_event SET details = '{}'"))
    finally:
        app_engine.dispose()


def _as_json(value):
    return value if isinstance(value, (dict, list)) else json.loads(value)


def check_the_migration_moves_the_values(url: str) -> None:
    from flask_migrate import upgrade

    from grants import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="5e7a2c4b9d13")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, title, department, password_hash,'
                    " locale, active, session_token, created_at, updated_at) VALUES (1,"
                    " 'ulla@ballerup.dk', 'Ulla Ulriksen', '', '', 'x', 'da', :yes, 't',"
                    " :at, :at)"
                ),
                {"yes": True, "at": "2020-01-01"},
            )
            for action, actor, details in (
                (
                    "settings.user_changed",
                    None,
                    {
                        "before": {"name": "Ulla U", "locale": "da"},
                        "after": {"name": "Ulla Ulriksen"},
                    },
                ),
                ("login.succeeded", 1, {"email": "ulla@ballerup.dk", "ip": "10.0.0.7"}),
                ("settings.fund_changed", None, {"before": {"code": "x"}, "after": {"code": "y"}}),
            ):
                connection.execute(
                    text(
                        "INSERT INTO audit_event (at, actor_id, action, object_type, object_id,"
                        " details) VALUES (:at, :actor, :action, 'user', 1, :details)"
                    ),
                    {
                        "at": "2020-01-01",
                        "actor": actor,
                        "action": action,
                        "details": json.dumps(details),
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT action, details FROM audit_event ORDER BY id")
            ).all()
            values = dict(
                connection.execute(text("SELECT id, value FROM audit_personal_value")).all()
            )
            subjects = set(
                connection.execute(text("SELECT subject_id FROM audit_personal_value")).scalars()
            )
        trail = json.dumps([_as_json(details) for _action, details in rows])
        for personal in ("Ulla", "ulla@ballerup.dk", "10.0.0.7"):
            assert personal not in trail
        # SQLite hands back the JSON text ('"Ulla U"'), PostgreSQL the value.
        stored = [json.loads(v) if v.startswith('"') else v for v in values.values()]
        assert sorted(stored) == sorted(["Ulla U", "Ulla Ulriksen", "ulla@ballerup.dk", "10.0.0.7"])
        assert subjects == {1}
        changed = _as_json(rows[0][1])
        assert changed["before"]["locale"] == "da"  # not personal: stays where it was
        assert _as_json(rows[2][1]) == {"before": {"code": "x"}, "after": {"code": "y"}}
        if db.engine.dialect.name == "postgresql":
            # The append-only trigger is on again after the migration's own transaction.
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as c:
                c.execute(text("UPDATE audit_event SET action = 'x'"))
        db.engine.dispose()


def test_the_migration_moves_existing_personal_values_out_of_the_trail(tmp_path):
    check_the_migration_moves_the_values(f"sqlite:///{tmp_path / 'old.db'}")


def test_the_migration_moves_them_on_postgresql_too(owner_database_url):
    """On PostgreSQL the migration switches the trail's trigger off for its own transaction
    only: in a database of its own, made and dropped here."""
    on_a_new_postgresql_database(
        owner_database_url,
        "migration",
        check_the_migration_moves_the_values,
        skip_reason="the trigger is PostgreSQL's",
    )


def test_any_personal_value_is_kept_out_of_the_trail_and_read_back(world):
    """For every set of values: the event's details hold none of them, and reading the
    details through their references gives them back; erased, they read "[slettet]"."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from grants.audit.listeners import _store_personal
    from grants.audit.models import ERASED, Personal, is_reference

    values = st.text(min_size=3, max_size=40).filter(lambda v: v.strip() and v != ERASED)

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(["email", "name", "title", "ip"]), values, min_size=1))
    def holds(found):
        marked = {"before": {k: Personal(world.employee.id, v) for k, v in found.items()}}
        stored = _store_personal(db.session.connection(), marked)
        # Nothing but a reference in the event's details, whatever the value.
        assert set(stored["before"]) == set(found)
        assert all(is_reference(ref) for ref in stored["before"].values())
        assert resolve(stored) == {"before": found}
        erase_personal_values(world.employee.id)
        assert resolve(stored) == {"before": dict.fromkeys(found, ERASED)}

    holds()
    db.session.rollback()
