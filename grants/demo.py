"""Demo data for Ballerup: the municipality, its funds and budgets (DOMAIN.md), the partner
cities, and one person per role. Loaded once; loading again changes nothing."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, g
from flask.cli import AppGroup
from sqlalchemy import select

from grants import demo_cases
from grants import demo_committees as committees_demo
from grants.core.models import Municipality
from grants.extensions import db
from grants.funds.models import Fund, FundBoardMember
from grants.jobs import runner
from grants.organisations.models import Membership, Organisation, OrganisationKind
from grants.partners.models import PartnerCity
from grants.people import two_factor
from grants.people.models import Role, User
from grants.profiles.operations import import_profile, read, shipped
from grants.subsidies.operations import load_standard_rule_sets

# (e-mail, name, title, roles, password). The passwords are for the demo only.
DEMO_PEOPLE = [
    ("medarbejder@ballerup.dk", "Mette Madsen", "Pædagog", [Role.EMPLOYEE], "medarbejder"),
    ("leder@ballerup.dk", "Lars Lund", "Institutionsleder", [Role.EMPLOYEE, Role.MANAGER], "leder"),
    (
        "sagsbehandler@ballerup.dk",
        "Sara Skov",
        "Sagsbehandler",
        [Role.EMPLOYEE, Role.CASEWORKER],
        "sagsbehandler",
    ),
    (
        "bestyrelse@ballerup.dk",
        "Bent Bach",
        "Formand for studierejsefonden",
        [Role.EMPLOYEE, Role.BOARD_MEMBER],
        "bestyrelse",
    ),
    (
        "okonomi@ballerup.dk",
        "Olga Olsen",
        "Økonomimedarbejder",
        [Role.EMPLOYEE, Role.FINANCE],
        "okonomi",
    ),
    ("admin@ballerup.dk", "Anders Andersen", "Administrator", [Role.ADMIN], "admin"),
    # Sits on the committees: decides youth subsidies above the caseworker's limit and the
    # committees' own trips, and reads their budgets.
    (
        "udvalg@ballerup.dk",
        "Ulla Ulriksen",
        "Udvalgsmedlem",
        [Role.BOARD_MEMBER],
        "udvalg",
    ),
    # No staff role: acts for the demo association (an organisation member, not an employee).
    ("forening@example.dk", "Frida Frost", "Formand, Ballerup Ungdomsorkester", [], "forening"),
]
DEMO_PASSWORD_SUFFIX = "-demo-2026"  # nosec B105  # demo logins, printed in the README
# Administrators must have a second factor: the demo's has this authenticator key, printed
# with the demo logins and in the README (a demo's secret is nobody's secret: never use it
# outside the demo). Add it to an authenticator app, or compute the code with
# `python -c "import pyotp; print(pyotp.TOTP('<key>').now())"`.
DEMO_TOTP_SECRETS = {"admin@ballerup.dk": "REJSETILSKUDDEMOADMINBALLERUPXYZ"}

STANDING_COMMITTEES = [
    "Børne- og Skoleudvalget",
    "Social- og Sundhedsudvalget",
    "Beskæftigelses- og Integrationsudvalget",
    "Kultur-, Fritids- og Idrætsudvalget",
    "By-, Erhvervs- og Klimaudvalget",
]

STRATEGY_APPROVED = dt.date(2014, 8, 25)


def demo_password(stem: str) -> str:
    return stem + DEMO_PASSWORD_SUFFIX


def is_loaded() -> bool:
    return db.session.scalar(select(Municipality.id).limit(1)) is not None


def load() -> bool:
    """Load the demo data unless it is there. Returns whether it loaded anything."""
    if is_loaded():
        return False
    # The municipality, its partner cities and funds (with budgets, rules, letter texts):
    # the shipped Ballerup profile, as any municipality would be set up.
    import_profile(read(shipped()["ballerup"]))

    people = {}
    for email, name, title, roles, password in DEMO_PEOPLE:
        user = User(email=email, name=name, title=title, department="Ballerup Kommune")
        user.set_password(demo_password(password))
        for role in roles:
            user.grant_role(role)
        db.session.add(user)
        people[password] = user
    db.session.flush()
    for email, secret in DEMO_TOTP_SECRETS.items():
        two_factor.enrol(next(u for u in people.values() if u.email == email), secret)
    people["medarbejder"].manager = people["leder"]
    db.session.flush()

    funds = list(db.session.scalars(select(Fund).order_by(Fund.id)))
    funds[0].board.append(FundBoardMember(user=people["bestyrelse"]))
    # Every other fund has a board too, so no case above the delegated limit waits for ever.
    for fund in funds[1:]:
        fund.board.append(FundBoardMember(user=people["udvalg"]))
    load_standard_rule_sets()  # already loaded by the profile: adds none

    orchestra = Organisation(
        name="Ballerup Ungdomsorkester",
        kind=OrganisationKind.ASSOCIATION,
        cvr="12345678",
        address="Banegårdspladsen 1",
        postcode="2750",
        city="Ballerup",
        email="kontakt@ungdomsorkester.example.dk",
    )
    orchestra.members.append(Membership(user=people["forening"]))
    db.session.add(orchestra)

    db.session.flush()
    prague = db.session.scalar(select(PartnerCity).where(PartnerCity.name == "Prag 10"))
    demo_cases.load(people, {fund.code: fund for fund in funds}, orchestra, prague)
    committees_demo.load(people, demo_password)
    return True


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", ",": "", " ": "-"})
    return text.lower().translate(table).replace("--", "-")[:40]


def logins() -> list[tuple[str, str, str]]:
    people = [
        (email, demo_password(stem), ", ".join(r.value for r in roles) or "representative")
        for email, _n, _t, roles, stem in DEMO_PEOPLE
    ]
    # The committees' chair is made with the committees (grants.demo_committees).
    email, _name, _title, stem = committees_demo.CHAIR
    return [*people, (email, demo_password(stem), "board_member (chair of every committee)")]


# -- `flask demo` ------------------------------------------------------------------------------
demo_commands = AppGroup("demo", help="Demo data for Ballerup.")


def register(app: Flask) -> None:
    app.cli.add_command(demo_commands)


@demo_commands.command("load")
def demo_load() -> None:
    """Load the demo data once (running it again keeps what is there)."""
    loaded = load()
    db.session.commit()
    # The jobs the demo's cases made (their journalisation in the ESDH), run here and now:
    # a command has no worker to hand them to.
    for job_id in g.pop("jobs_to_start", []):
        runner.run(job_id)
    click.echo("Demo data loaded." if loaded else "Demo data already there; nothing changed.")
    click.echo("\nDemo logins (e-mail / password / roles):")
    for email, password, roles in logins():
        click.echo(f"  {email:28} {password:26} {roles}")
    for email, secret in DEMO_TOTP_SECRETS.items():
        click.echo(
            f"\n{email} must give a code from an authenticator app (demo only) with the key"
            f'\n  {secret}\nor: .venv/bin/python -c "import pyotp;'
            f" print(pyotp.TOTP('{secret}').now())\""
        )
