"""Adding and exporting rule sets. These add and flush; the request (or the command) commits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from grants.core import clock
from grants.core.locks import Busy, bound_lock_wait, busy_refused
from grants.extensions import db
from grants.funds.models import Fund
from grants.subsidies import rulefile
from grants.subsidies.models import RuleSet, newest_version
from grants.subsidies.rulefile import RuleError, RuleFileError

STANDARD_RULE_SETS = Path(__file__).parent / "rulesets"


def _versions_busy() -> Busy:
    return Busy(
        _("Puljens regler eller indstillinger gemmes af en anden lige nu. Prøv igen om lidt.")
    )


def add_rule_set(source: str, *, fund: Fund | None = None, user=None) -> RuleSet:
    """Validate a rule file and add it as the fund's next version.

    The fund is the one the file names (``fund = "..."``) or ``fund``; if both are given they
    must agree. Raises RuleFileError (naming the line or field) and adds nothing if the file
    cannot be used."""
    rules = rulefile.parse(source)
    fund = _fund_for(rules, fund, source)
    # Serialise the versions of one fund: the second of two concurrent saves waits here and
    # then takes the next number (PostgreSQL; SQLite serialises writers anyway).
    with busy_refused(_versions_busy):
        bound_lock_wait()
        db.session.execute(select(Fund.id).where(Fund.id == fund.id).with_for_update())
    version = (
        db.session.scalar(select(func.max(RuleSet.version)).where(RuleSet.fund_id == fund.id)) or 0
    ) + 1
    rule_set = RuleSet(
        fund=fund,
        version=version,
        valid_from=dt.date.fromisoformat(rules["valid_from"]),
        valid_to=dt.date.fromisoformat(rules["valid_to"]) if rules["valid_to"] else None,
        name=rules["name"],
        description=rules["description"],
        rules=rules,
        source=source,
        created_by=user,
    )
    db.session.add(rule_set)
    db.session.flush()
    return rule_set


def _fund_for(rules: dict, fund: Fund | None, source: str) -> Fund:
    code = rules["fund"]
    if fund is not None:
        if code is not None and code != fund.code:
            raise RuleFileError(
                [
                    RuleError(
                        "fund",
                        _(
                            "filen er til puljen %(file)s, ikke %(fund)s",
                            file=code,
                            fund=fund.code,
                        ),
                        rulefile.line_of(source, "fund"),
                    )
                ]
            )
        return fund
    if code is None:
        raise RuleFileError([RuleError("fund", _("angiv hvilken pulje reglerne er til"))])
    found = db.session.scalar(select(Fund).where(Fund.code == code))
    if found is None:
        raise RuleFileError(
            [
                RuleError(
                    "fund",
                    no_such_fund(code),
                    rulefile.line_of(source, "fund"),
                )
            ]
        )
    return found


FUND_PAGE = "/administration/puljer/ny"


def no_such_fund(code: str) -> str:
    """That there is no fund with the code, the codes there are, and where funds are made:
    a rule set belongs to a fund, and no rule file or ``flask rules`` command makes one."""
    codes = db.session.scalars(select(Fund.code).order_by(Fund.code)).all()
    made = where_funds_are_made()
    if codes:
        return _(
            "der er ingen pulje med koden %(code)s (puljerne er: %(codes)s); %(made)s",
            code=code,
            codes=", ".join(codes),
            made=made,
        )
    return _("der er ingen pulje med koden %(code)s; %(made)s", code=code, made=made)


def where_funds_are_made() -> str:
    return _(
        "en pulje oprettes af en administrator i appen under Administration → Puljer → Opret "
        "en pulje (%(page)s); en tom database kan også få sine puljer fra en kommuneprofil "
        "(flask profile import)",
        page=FUND_PAGE,
    )


def export_rule_set(rule_set: RuleSet, *, normalised: bool = False) -> str:
    """The rule set as a file: as it was imported (comments and all), or in the canonical
    form with every default spelled out. Importing either gives the same rules."""
    if normalised:
        return rulefile.to_toml(rule_set.rules)
    return rule_set.source


def load_standard_rule_sets(directory: Path = STANDARD_RULE_SETS) -> list[RuleSet]:
    """Load the shipped rule sets (``rulesets/*.toml``) whose rules are not already the
    fund's newest version. Returns the versions added; running it again adds none."""
    added = []
    for path in sorted(directory.glob("*.toml")):
        source = path.read_text(encoding="utf-8")
        try:
            rules = rulefile.parse(source)
            fund = _fund_for(rules, None, source)
        except RuleFileError as error:
            raise error.in_file(path.name) from None
        newest = newest_version(fund)
        if newest is not None and newest.rules == rules:
            continue
        added.append(add_rule_set(source, fund=fund))
    return added


def template_for(fund: Fund) -> str:
    """A starting point for a fund's first rule set."""
    comment = _(
        "Reglerne for %(fund)s. Formatet er beskrevet i docs/rules-format.md.", fund=fund.name
    )
    return (
        f"# {comment}\n"
        "format = 1\n"
        f"fund = {rulefile.toml_string(fund.code)}\n"
        f"name = {rulefile.toml_string(fund.name)}\n"
        f"valid_from = {clock.today().isoformat()}\n"
        "\n"
        "[rate]\n"
        "amount = 100\n"
        'per = "night"\n'
    )
