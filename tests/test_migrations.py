"""The schema comes from the migrations: upgrade from empty to head, and it matches the
models; downgrade to empty works too."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from grants import create_app
from grants.extensions import db
from tests.databases import on_a_new_postgresql_database


def test_upgrade_from_empty_to_head_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "application",
            "budget_entry",
            "journal_entry",
            "letter",
            "workflow_transition",
            "alembic_version",
        } <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_the_test_database_was_built_by_the_migrations(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version


def check_the_login_seam_migration(url: str) -> None:
    """Up: a person may have no password, and identities link to people. Down: an account
    without a password gets one nobody can log in with (the column is required again), and
    the identities go; up again works."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="d7e2b9c4a1f6")
        person = (
            'INSERT INTO "user" (id, email, name, title, department, password_hash, locale,'
            " active, session_token, created_at, updated_at) VALUES (:id, :email, 'N', '', '',"
            " :hash, 'da', :yes, 't', :at, :at)"
        )
        values = {"yes": True, "at": "2026-01-01"}
        with db.engine.begin() as connection:
            connection.execute(text(person), {**values, "id": 1, "email": "a@x.dk", "hash": "h"})
        upgrade(revision="e8a3c5d7f9b1")
        with db.engine.begin() as connection:
            connection.execute(text(person), {**values, "id": 2, "email": "b@x.dk", "hash": None})
            connection.execute(
                text(
                    "INSERT INTO user_identity (user_id, backend, subject, created_at)"
                    " VALUES (2, 'oidc', 'sub-2', :at)"
                ),
                values,
            )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_identity (user_id, backend, subject, created_at)"
                    " VALUES (1, 'oidc', 'sub-2', :at)"
                ),
                values,
            )
        downgrade(revision="d7e2b9c4a1f6")
        assert "user_identity" not in inspect(db.engine).get_table_names()
        column = next(
            c for c in inspect(db.engine).get_columns("user") if c["name"] == "password_hash"
        )
        assert column["nullable"] is False
        with db.engine.connect() as connection:
            hashes = dict(connection.execute(text('SELECT id, password_hash FROM "user"')).all())
        assert hashes == {1: "h", 2: "!"}
        from werkzeug.security import check_password_hash

        assert not check_password_hash("!", "") and not check_password_hash("!", "!")
        upgrade()
        db.engine.dispose()


def test_the_login_seam_migration_goes_up_and_down(tmp_path):
    check_the_login_seam_migration(f"sqlite:///{tmp_path / 'login.db'}")


def test_the_login_seam_migration_goes_up_and_down_on_postgresql(owner_database_url):
    """In a database of its own, made and dropped here."""
    on_a_new_postgresql_database(
        owner_database_url, "login_migration", check_the_login_seam_migration
    )


def test_funds_on_the_old_partial_grant_text_get_the_wording_for_every_recipient(tmp_path):
    """The standard text said "du søgte om" to associations too; a fund still on it gets the
    corrected text as its next version, a fund with its own newer text keeps that, and the
    way down removes only what the migration added."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.db'}"})
    old = (
        "{{ pulje }} støtter rejsen »{{ rejse }}« med {{ bevilget_beloeb }} "
        "af de {{ ansoegt_beloeb }}, du søgte om. "
        "Husk rapport og regnskab senest {{ frist_rapport }}."
    )
    own = "Vi støtter {{ rejse }} med {{ bevilget_beloeb }}, du søgte om mere."
    insert = text(
        "INSERT INTO letter_text (fund_id, outcome, language, version, body, created_at)"
        " VALUES (:fund, 'partly_granted', 'da', :version, :body, '2026-01-01')"
    )

    def texts():
        with db.engine.connect() as connection:
            return connection.execute(
                text("SELECT fund_id, version, body FROM letter_text ORDER BY fund_id, version")
            ).all()

    with app.app_context():
        upgrade(revision="e8a3c5d7f9b1")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no funds needed for this
            connection.execute(insert, {"fund": 1, "version": 1, "body": old})
            connection.execute(insert, {"fund": 2, "version": 1, "body": old})
            connection.execute(insert, {"fund": 2, "version": 2, "body": own})
        before = texts()
        upgrade(revision="f1b3d5a7c9e2")
        after = texts()
        assert after[:1] + after[2:] == before  # nothing rewritten
        assert after[1][:2] == (1, 2)
        assert ", der er søgt om." in after[1][2] and "du søgte om" not in after[1][2]
        assert [row for row in after if row[0] == 2] == before[1:]  # its own text kept
        downgrade(revision="e8a3c5d7f9b1")
        assert texts() == before
        db.engine.dispose()


def check_the_fund_kinds_migration(url: str) -> None:
    """Up: the database no longer lists the kinds (a registered new kind is stored), the
    funds kept. Down: refused while a fund is of a kind the old list lacks; otherwise the
    list is back and the funds are as they were."""
    import pytest

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    fund = (
        "INSERT INTO fund (code, name, description, kind, route_id, delegated_limit,"
        " yearly_budget, carry_over, report_due_days, publish_trips, publish_names,"
        " report_before_return, remind_days_before, refund_days, active, ledger_version,"
        " created_at, updated_at) VALUES (:code, 'F', '', :kind, 1, 0, 0, 'none', 42, :no,"
        " :no, :no, 7, 30, :yes, 0, :at, :at)"
    )
    route = (
        "INSERT INTO workflow_route (id, code, version, name, initial_state)"
        " VALUES (1, 'r', 1, 'R', 'draft')"
    )
    values = {"yes": True, "no": False, "at": "2026-01-01"}
    with app.app_context():
        upgrade(revision="a4c6e8f0b2d3")
        with db.engine.begin() as connection:
            connection.execute(text(route), values)
            connection.execute(text(fund), {**values, "code": "s", "kind": "study_trip"})
        upgrade(revision="a9f4c2e6b8d1")
        with db.engine.begin() as connection:
            connection.execute(text(fund), {**values, "code": "o", "kind": "official_trip"})
        # Refused (flask-migrate reports the error and exits), and nothing changed.
        with pytest.raises(SystemExit):
            downgrade(revision="a4c6e8f0b2d3")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "a9f4c2e6b8d1"
            )
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM fund WHERE code = 'o'"))
        downgrade(revision="a4c6e8f0b2d3")
        names = {c["name"] for c in inspect(db.engine).get_check_constraints("fund")}
        assert "ck_fund_fundkind" in names
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT code, kind FROM fund")).all() == [
                ("s", "study_trip")
            ]
        upgrade()
        names = {c["name"] for c in inspect(db.engine).get_check_constraints("fund")}
        assert "ck_fund_fundkind" not in names
        db.engine.dispose()


def test_the_fund_kinds_migration_goes_up_and_down(tmp_path):
    check_the_fund_kinds_migration(f"sqlite:///{tmp_path / 'kinds.db'}")


def test_the_fund_kinds_migration_goes_up_and_down_on_postgresql(owner_database_url):
    on_a_new_postgresql_database(
        owner_database_url, "kinds_migration", check_the_fund_kinds_migration
    )


def check_the_youth_subsidy_migration(url: str) -> None:
    """Up: the youth data leaves ``application`` for ``youth_subsidy``, a row for each case
    of a youth kind or with youth data, none for the others. Down: the columns are back with
    the values, and the table goes; up again works."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    values = {"yes": True, "no": False, "at": "2026-01-01"}
    fund = (
        "INSERT INTO fund (id, code, name, description, kind, route_id, delegated_limit,"
        " yearly_budget, carry_over, report_due_days, publish_trips, publish_names,"
        " report_before_return, remind_days_before, refund_days, active, ledger_version,"
        " caseworker_email, created_at, updated_at) VALUES (:id, :code, 'F', '', :kind, 1, 0,"
        " 0, 'none', 42, :no, :no, :no, 7, 30, :yes, 0, '', :at, :at)"
    )
    case = (
        "INSERT INTO application (id, fund_id, route_id, state, applicant_id, title, purpose,"
        " destination_city, destination_country, programme, travellers, traveller_count,"
        " other_funding, other_funding_source, amount_applied, expected_benefit,"
        " knowledge_sharing, endorsement_comment, reply_draft, decision_reasons, created_at,"
        " updated_at, partner_city_id, participants_young, participants_leaders,"
        " participants_disabled, birth_years, host_group_size, direct_contact, rule_set_id,"
        " computed_amount, calculation, dispensation_request, dispensation_reason)"
        " VALUES (:id, :fund, 1, 'draft', 1, 'T', '', '', '', '', '', 1, 0, '', 0, :benefit,"
        " '', '', '', '', :at, :at, :city, :young, :leaders, :disabled, :years, :guests,"
        " :contact, :rules, :computed, :calculation, :request, :reason)"
    )
    nothing = {
        "city": None,
        "young": None,
        "leaders": None,
        "disabled": None,
        "years": None,
        "guests": None,
        "contact": "",
        "rules": None,
        "computed": None,
        "calculation": None,
        "request": "",
        "reason": "",
    }
    youth = {
        "city": 1,
        "young": 12,
        "leaders": 2,
        "disabled": 1,
        "years": "[2010, 2011]",
        "guests": 16,
        "contact": "Fælles koncert.",
        "rules": 1,
        "computed": 700000,
        "calculation": '{"total": "7000.00"}',
        "request": "En ekstra nat.",
        "reason": "Koncerten.",
    }
    columns = (
        "partner_city_id, participants_young, participants_leaders, participants_disabled,"
        " birth_years, host_group_size, direct_contact, rule_set_id, computed_amount,"
        " calculation, dispensation_request, dispensation_reason"
    )

    def rows(table: str) -> dict:
        key = "id" if table == "application" else "application_id"
        with db.engine.connect() as connection:
            found = connection.execute(
                text(f"SELECT {key}, {columns} FROM {table} ORDER BY {key}")
            ).all()
        # JSON as Python values: SQLite gives text, PostgreSQL the parsed value.
        return {
            row[0]: tuple(
                json.loads(v) if isinstance(v, str) and v[:1] in ("[", "{") else v for v in row[1:]
            )
            for row in found
        }

    with app.app_context():
        upgrade(revision="c7d9e1f3a5b7")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workflow_route (id, code, version, name, initial_state)"
                    " VALUES (1, 'r', 1, 'R', 'draft')"
                )
            )
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, title, department, password_hash,'
                    " locale, active, session_token, created_at, updated_at) VALUES (1,"
                    " 'a@x.dk', 'N', '', '', 'h', 'da', :yes, 't', :at, :at)"
                ),
                values,
            )
            connection.execute(
                text(
                    "INSERT INTO partner_city (id, name, country, relation, valid_from, note)"
                    " VALUES (1, 'Prag 10', 'CZ', 'twin_city', '2020-01-01', '')"
                )
            )
            connection.execute(text(fund), {**values, "id": 1, "code": "u", "kind": "youth_trip"})
            connection.execute(text(fund), {**values, "id": 2, "code": "s", "kind": "study_trip"})
            connection.execute(
                text(
                    "INSERT INTO rule_set (id, fund_id, version, valid_from, name, description,"
                    " rules, source, created_at) VALUES (1, 1, 1, '2026-01-01', 'R', '', '{}',"
                    " '', :at)"
                ),
                values,
            )
            # A youth case filled in, a youth case not yet filled in, a study trip.
            connection.execute(text(case), {**values, **youth, "id": 1, "fund": 1, "benefit": ""})
            connection.execute(text(case), {**values, **nothing, "id": 2, "fund": 1, "benefit": ""})
            connection.execute(
                text(case), {**values, **nothing, "id": 3, "fund": 2, "benefit": "Viden."}
            )
        before = rows("application")
        upgrade(revision="b8e0f2a4c6d9")
        kept = {c["name"] for c in inspect(db.engine).get_columns("application")}
        assert not kept & {"partner_city_id", "participants_young", "calculation"}
        assert "expected_benefit" in kept
        assert rows("youth_subsidy") == {1: before[1], 2: before[2]}
        downgrade(revision="c7d9e1f3a5b7")
        assert "youth_subsidy" not in inspect(db.engine).get_table_names()
        assert rows("application") == before
        upgrade()
        assert rows("youth_subsidy") == {1: before[1], 2: before[2]}
        db.engine.dispose()


def test_the_youth_subsidy_migration_goes_up_and_down(tmp_path):
    check_the_youth_subsidy_migration(f"sqlite:///{tmp_path / 'youth.db'}")


def test_the_youth_subsidy_migration_goes_up_and_down_on_postgresql(owner_database_url):
    def check(url: str) -> None:
        check_the_youth_subsidy_migration(url)
        # The search's indexes: the application's text without the direct contact, which
        # has its own.
        engine = create_engine(url)
        with engine.connect() as connection:
            indexes = dict(
                connection.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN"
                        " ('ix_application_search_text', 'ix_youth_subsidy_direct_contact_text')"
                    )
                ).all()
            )
        engine.dispose()
        assert "direct_contact" not in indexes["ix_application_search_text"]
        assert "direct_contact" in indexes["ix_youth_subsidy_direct_contact_text"]

    on_a_new_postgresql_database(owner_database_url, "youth_migration", check)


def check_the_processing_days_migration(url: str) -> None:
    """Up: the processing times' counts filled from the cases, calendar days in Copenhagen
    (a case sent at 23:30 on New Year's Eve and decided at 00:30 on 2 January took 2 days of
    the new year; one decided at 23:30 on the day it was sent took 0), the settlement under
    the case's fund. Down: the table goes; up again fills it again."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    values = {"yes": True, "no": False, "at": "2026-01-01"}
    fund = (
        "INSERT INTO fund (id, code, name, description, kind, route_id, delegated_limit,"
        " yearly_budget, carry_over, report_due_days, publish_trips, publish_names,"
        " report_before_return, remind_days_before, refund_days, active, ledger_version,"
        " caseworker_email, created_at, updated_at) VALUES (:id, :code, 'F', '', 'study_trip',"
        " 1, 0, 0, 'none', 42, :no, :no, :no, 7, 30, :yes, 0, '', :at, :at)"
    )
    case = (
        "INSERT INTO application (id, fund_id, route_id, state, applicant_id, title, purpose,"
        " destination_city, destination_country, programme, travellers, traveller_count,"
        " other_funding, other_funding_source, amount_applied, expected_benefit,"
        " knowledge_sharing, endorsement_comment, reply_draft, decision_reasons, created_at,"
        " updated_at, submitted_at, decided_at) VALUES (:id, :fund, 1, 'granted', 1, 'T', '',"
        " '', '', '', '', 1, 0, '', 0, '', '', '', '', '', :at, :at, :sent, :decided)"
    )

    def counts() -> list[tuple]:
        with db.engine.connect() as connection:
            return sorted(
                tuple(row)
                for row in connection.execute(
                    text("SELECT year, fund_id, measure, days, cases FROM processing_days")
                )
            )

    with app.app_context():
        upgrade(revision="a4c6e8f0b2d4")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workflow_route (id, code, version, name, initial_state)"
                    " VALUES (1, 'r', 1, 'R', 'draft')"
                )
            )
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, title, department, password_hash,'
                    " locale, active, session_token, created_at, updated_at) VALUES (1,"
                    " 'a@x.dk', 'N', '', '', 'h', 'da', :yes, 't', :at, :at)"
                ),
                values,
            )
            connection.execute(text(fund), {**values, "id": 1, "code": "a"})
            connection.execute(text(fund), {**values, "id": 2, "code": "b"})
            # Moments in UTC, whatever the database's time zone: Copenhagen is an hour ahead
            # in winter, two in summer.
            for id_, fund_id, sent, decided in (
                (1, 1, "2025-12-31 22:30:00", "2026-01-01 23:30:00"),  # 2 days, 2026
                (2, 1, "2026-03-10 07:00:00", "2026-03-10 22:30:00"),  # 0 days
                (3, 2, "2026-02-01 10:00:00", "2026-02-11 10:00:00"),  # 10 days
                (4, 2, "2026-02-01 10:00:00", None),  # not decided: not counted
            ):
                connection.execute(
                    text(case),
                    {
                        **values,
                        "id": id_,
                        "fund": fund_id,
                        "sent": f"{sent}+00:00",
                        "decided": f"{decided}+00:00" if decided else None,
                    },
                )
            connection.execute(
                text(
                    "INSERT INTO trip_report (application_id, what_was_done, what_was_learned,"
                    " how_it_will_be_used, participant_names, refund_amount, created_at,"
                    " updated_at, submitted_at, approved_at) VALUES (3, '', '', '', '', 0, :at,"
                    " :at, '2026-05-31 22:30:00+00:00', '2026-06-03 08:00:00+00:00')"
                ),
                values,
            )
        upgrade(revision="ecabd91c2452")
        expected = [
            (2026, 1, "decision", 0, 1),
            (2026, 1, "decision", 2, 1),
            (2026, 2, "decision", 10, 1),
            (2026, 2, "settlement", 2, 1),  # 1 June 00:30 to 3 June 10:00, local
        ]
        assert counts() == expected
        downgrade(revision="a4c6e8f0b2d4")
        assert "processing_days" not in inspect(db.engine).get_table_names()
        upgrade()
        assert counts() == expected
        db.engine.dispose()


def test_the_processing_days_migration_goes_up_and_down(tmp_path):
    check_the_processing_days_migration(f"sqlite:///{tmp_path / 'days.db'}")


def test_the_processing_days_migration_goes_up_and_down_on_postgresql(owner_database_url):
    on_a_new_postgresql_database(
        owner_database_url, "days_migration", check_the_processing_days_migration
    )


def check_the_waiting_days_migration(url: str) -> None:
    """Up: a case with an unanswered request for information waits for the applicant side
    at once, one with an unread reply for the caseworkers (what grants.messages adds to the
    days); a draft asked, a request answered and a case without either keep their days.
    Down: those cases' days from their routes alone; up again sets them again."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    values = {"yes": True, "no": False, "at": "2026-01-01"}
    case = (
        "INSERT INTO application (id, fund_id, route_id, state, applicant_id, title, purpose,"
        " destination_city, destination_country, programme, travellers, traveller_count,"
        " other_funding, other_funding_source, amount_applied, expected_benefit,"
        " knowledge_sharing, endorsement_comment, reply_draft, decision_reasons, created_at,"
        " updated_at, waits_for_caseworker) VALUES (:id, 1, 1, :state, 1, 'T', '', '', '',"
        " '', '', 1, 0, '', 0, '', '', '', '', '', :at, :at, :caseworker)"
    )
    message = (
        "INSERT INTO case_message (id, application_id, created_at, kind, from_applicant, body)"
        " VALUES (:id, :case, :at, :kind, :applicant, '')"
    )

    def days() -> dict[int, tuple]:
        with db.engine.connect() as connection:
            return {
                row[0]: (str(row[1]) if row[1] else None, str(row[2]) if row[2] else None)
                for row in connection.execute(
                    text("SELECT id, waits_for_applicant, waits_for_caseworker FROM application")
                )
            }

    with app.app_context():
        upgrade(revision="f6b8d0a2c4e7")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workflow_route (id, code, version, name, initial_state)"
                    " VALUES (1, 'r', 1, 'R', 'draft')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO workflow_transition (id, route_id, position, from_state, action,"
                    " to_state, role, guard, comment_required, outcome, visible_to_applicant,"
                    " notifies) VALUES (1, 1, 0, 'screening', 'approve', 'granted',"
                    " 'caseworker', '', :no, '', :yes, :yes)"
                ),
                values,
            )
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, title, department, password_hash,'
                    " locale, active, session_token, created_at, updated_at) VALUES (1,"
                    " 'a@x.dk', 'N', '', '', 'h', 'da', :yes, 't', :at, :at)"
                ),
                values,
            )
            connection.execute(
                text(
                    "INSERT INTO fund (id, code, name, description, kind, route_id,"
                    " delegated_limit, yearly_budget, carry_over, report_due_days,"
                    " publish_trips, publish_names, report_before_return, remind_days_before,"
                    " refund_days, active, ledger_version, caseworker_email, created_at,"
                    " updated_at) VALUES (1, 'a', 'F', '', 'study_trip', 1, 0, 0, 'none', 42,"
                    " :no, :no, :no, 7, 30, :yes, 0, '', :at, :at)"
                ),
                values,
            )
            for id_, state, caseworker in (
                (1, "awaiting_decision", None),  # asked, unanswered
                (2, "awaiting_decision", None),  # answered; the reply unread
                (3, "draft", None),  # asked, but a draft asks nothing
                (4, "screening", "0001-01-01"),  # the route's caseworker step; nothing asked
            ):
                connection.execute(
                    text(case), {**values, "id": id_, "state": state, "caseworker": caseworker}
                )
            for id_, case_id, kind, applicant in (
                (1, 1, "request", False),
                (2, 2, "request", False),
                (3, 2, "message", True),
                (4, 3, "request", False),
                (5, 4, "request", False),
                (6, 4, "message", True),
            ):
                connection.execute(
                    text(message),
                    {**values, "id": id_, "case": case_id, "kind": kind, "applicant": applicant},
                )
            connection.execute(
                text(
                    "INSERT INTO case_reply_unread (id, application_id, message_id, created_at)"
                    " VALUES (1, 2, 3, :at)"
                ),
                values,
            )
        before = {
            1: (None, None),
            2: (None, None),
            3: (None, None),
            4: (None, "0001-01-01"),
        }
        assert days() == before
        upgrade()
        after = {
            1: ("0001-01-01", None),
            2: (None, "0001-01-01"),
            3: (None, None),
            4: (None, "0001-01-01"),
        }
        assert days() == after
        downgrade(revision="f6b8d0a2c4e7")
        assert days() == before
        upgrade()
        assert days() == after
        db.engine.dispose()


def test_the_waiting_days_migration_goes_up_and_down(tmp_path):
    check_the_waiting_days_migration(f"sqlite:///{tmp_path / 'waiting.db'}")


def test_the_waiting_days_migration_goes_up_and_down_on_postgresql(owner_database_url):
    on_a_new_postgresql_database(
        owner_database_url, "waiting_migration", check_the_waiting_days_migration
    )


def check_the_invitation_language_migration(url: str) -> None:
    """Up: an invitation sent before keeps the language its e-mail went out in: the invited
    account's (whatever the case of its address), else the inviter's, else Danish. Down and
    up again work."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    values = {"yes": True, "at": "2026-01-01"}
    person = (
        'INSERT INTO "user" (id, email, name, title, department, password_hash, locale, active,'
        " session_token, created_at, updated_at) VALUES (:id, :email, 'N', '', '', 'h',"
        " :locale, :yes, :token, :at, :at)"
    )
    invitation = (
        "INSERT INTO invitation (id, organisation_id, email, token_hash, invited_by_id,"
        " created_at, expires_at) VALUES (:id, 1, :email, :token, :by, :at, :at)"
    )

    def languages() -> dict[int, str]:
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, locale FROM invitation ORDER BY id"))
            return {row[0]: row[1] for row in rows}

    with app.app_context():
        upgrade(revision="a3c5e7f9b1d2")
        with db.engine.begin() as connection:
            for id_, email, locale in ((1, "inviter@x.dk", "en"), (2, "Kim@X.dk", "da")):
                connection.execute(
                    text(person),
                    {**values, "id": id_, "email": email, "locale": locale, "token": f"t{id_}"},
                )
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, kind, address, postcode, city, email,"
                    " phone, created_at, updated_at) VALUES (1, 'F', 'association', '', '', '',"
                    " '', '', :at, :at)"
                ),
                values,
            )
            for id_, email, by in ((1, "kim@x.dk", 1), (2, "ny@x.dk", 1), (3, "ny@x.dk", 2)):
                connection.execute(
                    text(invitation),
                    {**values, "id": id_, "email": email, "token": f"h{id_}", "by": by},
                )
        upgrade(revision="c4e8a2f6b1d3")
        assert languages() == {1: "da", 2: "en", 3: "da"}
        downgrade(revision="a3c5e7f9b1d2")
        assert "locale" not in {c["name"] for c in inspect(db.engine).get_columns("invitation")}
        upgrade()
        assert languages() == {1: "da", 2: "en", 3: "da"}
        db.engine.dispose()


def test_the_invitation_language_migration_goes_up_and_down(tmp_path):
    check_the_invitation_language_migration(f"sqlite:///{tmp_path / 'invitations.db'}")


def test_the_invitation_language_migration_goes_up_and_down_on_postgresql(owner_database_url):
    on_a_new_postgresql_database(
        owner_database_url, "invitation_language", check_the_invitation_language_migration
    )
