"""`flask rules`: import, export and list the funds' subsidy rule sets."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from grants.extensions import db
from grants.funds.models import Fund
from grants.subsidies import operations
from grants.subsidies.models import RuleSet
from grants.subsidies.rulefile import RuleFileError

rules = AppGroup("rules", help="Subsidy rule sets: import, export, list (docs/rules-format.md).")


def register(app: Flask) -> None:
    app.cli.add_command(rules)


def _fund(code: str) -> Fund:
    fund = db.session.scalar(select(Fund).where(Fund.code == code))
    if fund is None:
        raise click.ClickException(
            f"No fund with the code {code!r}: {operations.where_funds_are_made()}."
        )
    return fund


def _refuse(error: RuleFileError) -> None:
    db.session.rollback()
    click.echo("Refused; nothing was loaded:", err=True)
    for item in error.errors:
        click.echo(f"  {item}", err=True)
    sys.exit(1)


@rules.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fund", "fund_code", help="The fund's code, if the file does not name it.")
def import_command(file: Path, fund_code: str | None) -> None:
    """Validate FILE and add it as the fund's next rule set version."""
    try:
        source = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name}: not UTF-8 text.") from None
    try:
        rule_set = operations.add_rule_set(source, fund=_fund(fund_code) if fund_code else None)
    except RuleFileError as error:
        _refuse(error.in_file(file.name))
        return
    db.session.commit()
    click.echo(
        f"Loaded {rule_set.fund.code} version {rule_set.version}: {rule_set.name} "
        f"(valid from {rule_set.valid_from.isoformat()}"
        + (f" to {rule_set.valid_to.isoformat()}" if rule_set.valid_to else "")
        + ")."
    )


@rules.command("export")
@click.argument("fund_code")
@click.option("--version", "version", type=int, help="The version (default: the newest).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@click.option(
    "--normalised", is_flag=True, help="Every key spelled out, instead of the file as imported."
)
def export_command(
    fund_code: str, version: int | None, output: Path | None, normalised: bool
) -> None:
    """Write a fund's rule set as a TOML file (to standard output by default)."""
    fund = _fund(fund_code)
    query = select(RuleSet).where(RuleSet.fund_id == fund.id)
    if version is not None:
        query = query.where(RuleSet.version == version)
    rule_set = db.session.scalar(query.order_by(RuleSet.version.desc()).limit(1))
    if rule_set is None:
        raise click.ClickException(
            f"{fund.code} has no rule set"
            + (f" version {version}." if version is not None else " yet.")
        )
    text = operations.export_rule_set(rule_set, normalised=normalised)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {fund.code} version {rule_set.version} to {output}.", err=True)
    else:
        click.echo(text, nl=False)


@rules.command("list")
def list_command() -> None:
    """Every fund's rule set versions, newest first."""
    rule_sets = db.session.scalars(
        select(RuleSet).join(Fund).order_by(Fund.code, RuleSet.version.desc())
    ).all()
    if not rule_sets:
        click.echo("No rule sets.")
    for rule_set in rule_sets:
        valid = (
            rule_set.valid_from.isoformat()
            + " – "
            + (rule_set.valid_to.isoformat() if rule_set.valid_to else "")
        )
        click.echo(f"{rule_set.fund.code:28} v{rule_set.version:<4} {valid:25} {rule_set.name}")


@rules.command("load-standard")
def load_standard_command() -> None:
    """Load the rule sets shipped in grants/subsidies/rulesets/ that are not loaded yet."""
    try:
        added = operations.load_standard_rule_sets()
    except RuleFileError as error:
        _refuse(error)
        return
    db.session.commit()
    if not added:
        click.echo("The shipped rule sets are loaded already; nothing changed.")
    for rule_set in added:
        click.echo(f"Loaded {rule_set.fund.code} version {rule_set.version}: {rule_set.name}.")
