"""The budgets' migrations carry existing data: a year with an allocation is open, and a
closing that let money lapse gets its lapse entry (and running total), so a closed year no
longer shows the lapsed money as available."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from grants import create_app
from grants.extensions import db


def test_existing_allocations_open_their_years_and_lapsed_closings_get_their_entry(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="c0d1e2f3a4b5")  # before the years opened
        db.engine.dispose()
    raw = create_engine(url)  # no foreign keys: the rows stand for themselves
    with raw.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO budget_entry (fund_id, year, kind, amount, booked_on, created_at, "
                "note, voucher) VALUES (1, 2026, 'allocation', 10000000, '2026-01-01', "
                "'2025-12-01 09:00:00', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO budget_year_closing (fund_id, year, outcome, amount, closed_at) "
                "VALUES (1, 2026, 'lapsed', 9200000, '2027-01-10 09:00:00'), "
                "(2, 2026, 'carried', 4500000, '2027-01-10 09:00:00')"
            )
        )
    raw.dispose()
    with app.app_context():
        upgrade()
        db.engine.dispose()
    raw = create_engine(url)
    with raw.connect() as connection:
        openings = connection.execute(text("SELECT fund_id, year FROM budget_year_opening")).all()
        lapses = connection.execute(
            text("SELECT fund_id, year, amount, booked_on FROM budget_entry WHERE kind = 'lapse'")
        ).all()
        totals = connection.execute(
            text(
                "SELECT fund_id, year, booked_year, booked_month, amount, entries "
                "FROM budget_total WHERE kind = 'lapse'"
            )
        ).all()
    raw.dispose()
    assert openings == [(1, 2026)]
    assert lapses == [(1, 2026, -9200000, "2026-12-31")]
    assert totals == [(1, 2026, 2026, 12, -9200000, 1)]
