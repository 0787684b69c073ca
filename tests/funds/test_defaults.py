"""One set of fund defaults (grants.funds.defaults): the model, the administrator's form for
a new fund and the profile import (and with it the demo) all take theirs from it."""

from __future__ import annotations

import re

from sqlalchemy import select

from grants.extensions import db
from grants.funds import defaults
from grants.funds.models import Fund
from grants.profiles.operations import import_profile


def test_the_model_takes_its_defaults_from_the_one_place(app):
    columns = Fund.__table__.c
    assert columns.report_due_days.default.arg == defaults.REPORT_DUE_DAYS
    assert columns.remind_days_before.default.arg == defaults.REMIND_DAYS_BEFORE
    assert columns.refund_days.default.arg == defaults.REFUND_DAYS
    assert columns.refund_days.server_default.arg == str(defaults.REFUND_DAYS)


def test_the_new_fund_form_starts_from_the_defaults(world, client, auth, monkeypatch):
    monkeypatch.setitem(defaults.FUND_DEFAULTS, "report_due_days", 43)
    monkeypatch.setitem(defaults.FUND_DEFAULTS, "remind_days_before", 8)
    monkeypatch.setitem(defaults.FUND_DEFAULTS, "refund_days", 31)
    auth.login(world.admin)
    page = client.get("/administration/puljer/ny").get_data(as_text=True)

    def value(name: str) -> str:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        return re.search(r'value="([^"]*)"', tag).group(1)

    assert (value("report_due_days"), value("remind_days_before"), value("refund_days")) == (
        "43",
        "8",
        "31",
    )


def test_a_profile_without_the_settings_gets_the_defaults(app, monkeypatch):
    monkeypatch.setitem(defaults.FUND_DEFAULTS, "report_due_days", 50)
    monkeypatch.setitem(defaults.FUND_DEFAULTS, "refund_days", 14)
    import_profile(
        {
            "format": 1,
            "municipality": {"name": "Prøve Kommune"},
            "funds": [{"code": "prove", "name": "Prøvepuljen", "kind": "study_trip"}],
        }
    )
    db.session.commit()
    fund = db.session.scalars(select(Fund)).one()
    assert (fund.report_due_days, fund.remind_days_before, fund.refund_days) == (
        50,
        defaults.REMIND_DAYS_BEFORE,
        14,
    )
