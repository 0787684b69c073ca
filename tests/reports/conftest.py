"""Fixtures for reports and settlement: granted cases with a real reservation and decision
letter, and the reports blueprint and `flask reports` commands on the app (registered here
too, so these tests run before and after grants/__init__.py registers them)."""

from __future__ import annotations

import pytest

from grants.reports import models  # noqa: F401  - the report tables, emptied between tests


@pytest.fixture(autouse=True)
def reports_registered(app):
    from grants.reports.cli import reports
    from grants.reports.views import bp

    if "reports" not in app.blueprints:
        app.register_blueprint(bp)
    if "reports" not in app.cli.commands:
        app.cli.add_command(reports)
    return app


@pytest.fixture
def youth(world, snapshot):
    return snapshot("reports.youth", _youth)


def _youth():
    """Ballerup's youth travel fund with its shipped rules (version 1), Prague 10, and an
    association with two members."""
    import datetime as dt

    from grants.extensions import db
    from grants.partners.models import PartnerCity, Relation
    from grants.people.models import Role
    from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
    from tests.factories import make_organisation, make_user, make_youth_fund

    fund = make_youth_fund(
        publish_trips=True,
        publish_names=True,  # even so: never names of young people
    )
    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text()
    add_rule_set(source, fund=fund)
    prague = PartnerCity(
        name="Prag 10", country="CZ", relation=Relation.TWIN_CITY, valid_from=dt.date(2014, 8, 25)
    )
    db.session.add(prague)
    frida = make_user(Role.EMPLOYEE, name="Frida Frost", email="frida@example.dk")
    karl = make_user(Role.EMPLOYEE, name="Karl Kvist", email="karl@example.dk")
    organisation = make_organisation(frida, karl, name="Ballerup Ungdomsorkester")
    db.session.commit()
    return {
        "fund": fund,
        "source": source,
        "prague": prague,
        "organisation": organisation,
        "frida": frida,
        "karl": karl,
    }
