"""Builders for the subsidy tests: Ballerup's youth funds with their shipped rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.organisations.models import Membership, Organisation
from grants.partners.models import PartnerCity, Relation
from grants.people.models import Role, User
from grants.subsidies import rulefile
from grants.subsidies.facts import City, Trip
from grants.subsidies.operations import STANDARD_RULE_SETS, load_standard_rule_sets
from tests import factories

STRATEGY_APPROVED = dt.date(2014, 8, 25)


def ballerup_rules(name: str) -> dict:
    """The normalised rules of a shipped file: ungdomsrejser, vaertskab or wuxi."""
    return rulefile.parse(ballerup_source(name))


def ballerup_source(name: str) -> str:
    return (STANDARD_RULE_SETS / f"ballerup-{name}.toml").read_text(encoding="utf-8")


def make_organisation(*members: User, postcode: str = "2750", name: str = "") -> Organisation:
    organisation = Organisation(
        name=name or "Ballerup Ungdomsorkester",
        kind="association",
        address="Hold-An Vej 7",
        postcode=postcode,
        city="Ballerup",
        email="orkester@example.dk",
    )
    for member in members:
        organisation.members.append(Membership(user=member))
    db.session.add(organisation)
    db.session.flush()
    return organisation


@dataclass
class YouthWorld:
    admin: User
    caseworker: User
    applicant: User
    outsider: User
    organisation: Organisation
    elsewhere: Organisation  # not based in the municipality
    youth_fund: Fund
    hosting_fund: Fund
    wuxi_fund: Fund
    prague: PartnerCity
    wuxi: PartnerCity
    former: PartnerCity  # stopped being a partner at the end of 2025


def youth_world() -> YouthWorld:
    factories.make_municipality(postcodes="2740 2750 2760")
    admin = factories.make_user(Role.ADMIN, name="Anders Andersen")
    caseworker = factories.make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Skov")
    applicant = factories.make_user(name="Frida Frost")
    outsider = factories.make_user(name="Ole Udenfor")
    organisation = make_organisation(applicant)
    elsewhere = make_organisation(applicant, postcode="8000", name="Aarhus Ungdomskor")
    funds = [
        factories.make_fund(
            code=code,
            name=name,
            kind=kind,
            route="screening_decision",
            budget=150000,
        )
        for code, name, kind in (
            ("ungdomsrejser", "Ungdomsrejser", kinds.YOUTH_TRIP.code),
            ("vaertskab", "Værtskab", kinds.HOSTING.code),
            ("wuxi-udveksling", "Elevudveksling med Wuxi", kinds.PUPIL_EXCHANGE.code),
        )
    ]
    prague = PartnerCity(
        name="Prag 10", country="CZ", relation=Relation.TWIN_CITY, valid_from=STRATEGY_APPROVED
    )
    wuxi = PartnerCity(
        name="Wuxi", country="CN", relation=Relation.PARTNERSHIP, valid_from=STRATEGY_APPROVED
    )
    former = PartnerCity(
        name="Gammel By",
        country="DE",
        relation=Relation.PARTNERSHIP,
        valid_from=STRATEGY_APPROVED,
        valid_to=dt.date(2025, 12, 31),
    )
    db.session.add_all([prague, wuxi, former])
    load_standard_rule_sets()
    db.session.commit()
    return YouthWorld(
        admin,
        caseworker,
        applicant,
        outsider,
        organisation,
        elsewhere,
        *funds,
        prague,
        wuxi,
        former,
    )


def count_rule_sets() -> int:
    from sqlalchemy import func, select

    from grants.subsidies.models import RuleSet

    return db.session.scalar(select(func.count(RuleSet.id)))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- rule sets and trips for the engine's tests (no database) ------------------------------------

TRIP_DEPARTURE = dt.date(2026, 7, 1)


def rule_set(format_: int, **sections) -> dict:
    """A rule set of ``format_`` (1 or 2) with these sections, validated as a rule file is."""
    document = {"format": format_, "name": "Regler", "valid_from": "2020-01-01", **sections}
    return rulefile.validate(document)


def trip_to(partner: City, nights: int = 5, **overrides) -> Trip:
    """A trip of 10 young people and 2 leaders to ``partner``, leaving 1 July 2026."""
    values = dict(
        departure=TRIP_DEPARTURE,
        return_=TRIP_DEPARTURE + dt.timedelta(days=nights),
        participants_under_limit=10,
        leaders=2,
        partner_cities=(partner,),
    )
    values.update(overrides)
    return Trip(**values)
