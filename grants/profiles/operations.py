"""Export and import a municipality's profile.

The file holds no people and no cases: only what the administrator sets up. Importing is for
an empty database (a new installation); it checks everything first (letter texts in the
sandbox, rules with the rules engine) and adds nothing if a part cannot be used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from grants.administration.operations import first_budget, kind_questions, new_form_version
from grants.core.errors import DomainError
from grants.core.models import Municipality
from grants.core.money import AmbiguousAmount, parse_danish_amount
from grants.extensions import db
from grants.funds import accounts, kinds
from grants.funds.defaults import FUND_DEFAULTS, HANDLING_CODE_PATTERN, KLE_NUMBER_PATTERN
from grants.funds.models import CarryOver, Fund
from grants.letters import texts
from grants.partners.models import PartnerCity, Relation
from grants.questions.models import QuestionKind, current_form
from grants.subsidies.models import newest_version
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from grants.subsidies.rulefile import RuleFileError, toml_string
from grants.workflow.loader import current_route, load_standard_routes

PROFILES = Path(__file__).parent
FORMAT = 1

MUNICIPALITY_FIELDS = (*Municipality.TEXT_FIELDS, "languages")
# The election rhythm: a period's first year and its length (Danish 2022 and 4 if left out).
MUNICIPALITY_NUMBERS = ("election_first_year", "election_period_years")
FUND_FIELDS = (
    "code",
    "name",
    "description",
    "kind",
    "route",
    "delegated_limit",
    "yearly_budget",
    "carry_over",
    "report_due_days",
    "remind_days_before",
    "refund_days",
    "report_before_return",
    "publish_trips",
    "publish_names",
    "active",
    "account_string",
    "digital_post",
    "kle_number",
    "handling_code",
    "caseworker_email",
)


class ProfileError(ValueError):
    pass


def shipped() -> dict[str, Path]:
    return {path.stem: path for path in sorted(PROFILES.glob("*.toml"))}


def read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{path.name}: {error}") from None
    except RecursionError:  # "[[[[…": no JSONDecodeError, Python's own limit
        raise ProfileError(f"{path.name}: nested too deeply to read") from None


def write(data: dict[str, Any], path: Path) -> None:
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        path.write_text(to_toml(data), encoding="utf-8")


# -- export ------------------------------------------------------------------------------------


def export_profile() -> dict[str, Any]:
    m = Municipality.current()
    data: dict[str, Any] = {"format": FORMAT}
    data["municipality"] = {name: getattr(m, name) for name in MUNICIPALITY_FIELDS}
    data["municipality"].update({name: getattr(m, name) for name in MUNICIPALITY_NUMBERS})
    data["partner_cities"] = [
        {
            "name": c.name,
            "country": c.country,
            "relation": c.relation.value,
            "valid_from": c.valid_from.isoformat(),
            **({"valid_to": c.valid_to.isoformat()} if c.valid_to else {}),
            "note": c.note,
        }
        for c in db.session.scalars(select(PartnerCity).order_by(PartnerCity.id))
    ]
    data["funds"] = [_export_fund(f) for f in db.session.scalars(select(Fund).order_by(Fund.id))]
    return data


def _export_fund(fund: Fund) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": fund.code,
        "name": fund.name,
        "description": fund.description,
        "kind": fund.kind,
        "route": fund.route.code,
        "delegated_limit": str(fund.delegated_limit),
        "yearly_budget": str(fund.yearly_budget),
        "carry_over": fund.carry_over.value,
        "report_due_days": fund.report_due_days,
        "remind_days_before": fund.remind_days_before,
        "refund_days": fund.refund_days,
        "report_before_return": fund.report_before_return,
        "publish_trips": fund.publish_trips,
        "publish_names": fund.publish_names,
        "active": fund.active,
        # Where the fund's money is posted, whether its letters go by Digital Post, and how
        # its cases are filed in the ESDH (the connections themselves are the installation's
        # configuration, not the profile's: docs/integrations.md).
        "account_string": fund.account_string,
        "digital_post": fund.digital_post,
        "kle_number": fund.kle_number,
        "handling_code": fund.handling_code,
        "caseworker_email": fund.caseworker_email,
    }
    rules = newest_version(fund)
    if rules is not None:
        row["rules"] = rules.source
    row["letter_texts"] = {
        outcome: texts.text_for(fund.id, outcome)[1] for outcome in texts.OUTCOMES
    }
    # The fund's own texts in English, where it has any (else English letters use the
    # English standard texts).
    english = {
        outcome: text.body
        for outcome in texts.OUTCOMES
        if (text := texts.current_text(fund.id, outcome, "en")) is not None
    }
    if english:
        row["letter_texts_en"] = english
    version = current_form(fund.id)
    row["questions"] = [q.as_dict() for q in version.questions] if version else []
    return row


# -- import ------------------------------------------------------------------------------------


def import_profile(data: dict[str, Any], actor=None) -> Municipality:
    """Set up the municipality of ``data`` in an empty database. Raises ProfileError, and the
    caller rolls back, if the database is not empty or a part of the file cannot be used."""
    if data.get("format", FORMAT) != FORMAT:
        raise ProfileError(f"format {data.get('format')!r} is not supported (use {FORMAT})")
    if db.session.scalar(select(Municipality.id).limit(1)) is not None:
        raise ProfileError("the database already has a municipality; import into an empty one")
    load_standard_routes()
    try:
        values = data["municipality"]
        municipality = Municipality(
            **{name: str(values.get(name, "") or "") for name in MUNICIPALITY_FIELDS}
        )
        if not municipality.name:
            raise ProfileError("municipality.name is missing")
        municipality.languages = municipality.languages or "da en"
        for name in MUNICIPALITY_NUMBERS:
            if values.get(name) is not None:
                setattr(municipality, name, _whole_number(values[name], f"municipality.{name}"))
        length = municipality.election_period_years
        if length is not None and not 1 <= length <= 10:
            raise ProfileError("municipality.election_period_years: from 1 to 10 years")
        db.session.add(municipality)
        for n, city in enumerate(data.get("partner_cities", []), start=1):
            db.session.add(_partner_city(city, n))
        db.session.flush()
        for n, row in enumerate(data.get("funds", []), start=1):
            _import_fund(row, n, actor)
    except KeyError as error:
        raise ProfileError(f"missing {error}") from None
    db.session.flush()
    return municipality


def _whole_number(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProfileError(f"{where}: {value!r} is not a whole number")
    try:
        return int(value)
    except ValueError:
        raise ProfileError(f"{where}: {value!r} is not a whole number") from None


def _days(row: dict, name: str, least: int, most: int, where: str) -> int:
    """A fund's number of days, in the range its settings form allows."""
    days = _whole_number(row.get(name, FUND_DEFAULTS[name]), f"{where}.{name}")
    if not least <= days <= most:
        raise ProfileError(f"{where}.{name}: from {least} to {most} days, not {days}")
    return days


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProfileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _partner_city(city: dict, n: int) -> PartnerCity:
    where = f"partner_cities[{n}]"
    try:
        relation = Relation(city.get("relation", "twin_city"))
    except ValueError:
        raise ProfileError(f"{where}.relation: {city.get('relation')!r}") from None
    country = str(city["country"])
    if len(country) != 2 or not country.isalpha():
        raise ProfileError(f"{where}.country: use a two-letter ISO code, not {country!r}")
    return PartnerCity(
        name=str(city["name"]),
        country=country.upper(),
        relation=relation,
        valid_from=_date(city["valid_from"], f"{where}.valid_from"),
        valid_to=_date(city["valid_to"], f"{where}.valid_to") if city.get("valid_to") else None,
        note=str(city.get("note", "")),
    )


def _money(value, where: str) -> Decimal:
    if isinstance(value, str):
        # Text is read by the one rule for amounts ("1.500" is ambiguous, so refused).
        try:
            amount = parse_danish_amount(value)
        except AmbiguousAmount as ambiguous:
            raise ProfileError(
                f"{where}: {value!r} can be read as {ambiguous.as_thousands} or "
                f"{ambiguous.as_decimals}; write it as a TOML number (1500 or 1.5)"
            ) from None
        except ValueError:
            raise ProfileError(f"{where}: {value!r} is not an amount") from None
        return _not_negative(amount, where)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ProfileError(f"{where}: {value!r} is not an amount") from None
    return _not_negative(amount, where)


def _not_negative(amount: Decimal, where: str) -> Decimal:
    if amount < 0:
        raise ProfileError(f"{where}: an amount cannot be negative")
    return amount


def _text(value, longest: int, where: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{where}: {value!r} is not text")
    if len(value.strip()) > longest:
        raise ProfileError(f"{where}: at most {longest} characters")
    return value.strip()


def _account_string(value, where: str) -> str:
    """Written into every line of the finance system's files: grants.funds.accounts."""
    text = _text(value, accounts.LONGEST, where)
    problem = accounts.problem(text)
    if problem is not None:
        raise ProfileError(
            f"{where}: {text!r} is not an account string: {accounts.IN_ENGLISH[problem]}"
        )
    return text


def _flag(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProfileError(f"{where}: {value!r} is not true or false")
    return value


def _coded(value, pattern: str, example: str, where: str, name: str) -> str:
    """A KLE number or a handling code, in the form the ESDH files by (or empty)."""
    text = _text(value, 20, f"{where}.{name}")
    if text and not re.match(pattern, text):
        raise ProfileError(f"{where}.{name}: {text!r} is not in the form {example}")
    return text


def _mailbox(value, where: str) -> str:
    """A fund's shared mailbox: one e-mail address (or empty)."""
    text = _text(value, 254, where)
    if not text:
        return ""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ProfileError(f"{where}: {text!r} is not an e-mail address") from None
    return text.lower()


def _import_fund(row: dict, n: int, actor) -> Fund:
    where = f"funds[{n}] ({row.get('code', '?')})"
    route = current_route(row.get("route", "study_trip"))
    if route is None:
        raise ProfileError(f"{where}.route: no route {row.get('route')!r}")
    try:
        kind = kinds.get(row["kind"]).code
        carry_over = CarryOver(row.get("carry_over", "none"))
    except ValueError as error:
        raise ProfileError(f"{where}: {error}") from None
    publish_trips = _flag(row.get("publish_trips", False), f"{where}.publish_trips")
    publish_names = _flag(row.get("publish_names", False), f"{where}.publish_names")
    # The same two rules as the fund's settings form: names only with the trips, and never
    # the names of children and young people (the kinds that may not show them).
    if publish_names and not publish_trips:
        raise ProfileError(f"{where}.publish_names: names are published only with the trips")
    if publish_names and not kinds.get(kind).names_may_be_public:
        raise ProfileError(f"{where}.publish_names: a {kind} fund never publishes names")
    fund = Fund(
        code=str(row["code"]),
        name=str(row["name"]),
        description=str(row.get("description", "")),
        kind=kind,
        route=route,
        delegated_limit=_money(
            row.get("delegated_limit", FUND_DEFAULTS["delegated_limit"]), f"{where}.delegated_limit"
        ),
        yearly_budget=_money(
            row.get("yearly_budget", FUND_DEFAULTS["yearly_budget"]), f"{where}.yearly_budget"
        ),
        carry_over=carry_over,
        report_due_days=_days(row, "report_due_days", 1, 365, where),
        remind_days_before=_days(row, "remind_days_before", 0, 60, where),
        refund_days=_days(row, "refund_days", 1, 365, where),
        report_before_return=_flag(
            row.get("report_before_return", False), f"{where}.report_before_return"
        ),
        publish_trips=publish_trips,
        publish_names=publish_names,
        active=_flag(row.get("active", True), f"{where}.active"),
        account_string=_account_string(row.get("account_string", ""), f"{where}.account_string"),
        caseworker_email=_mailbox(row.get("caseworker_email", ""), f"{where}.caseworker_email"),
        digital_post=_flag(row.get("digital_post", False), f"{where}.digital_post"),
        kle_number=_coded(
            row.get("kle_number", ""), KLE_NUMBER_PATTERN, "00.00.00", where, "kle_number"
        ),
        handling_code=_coded(
            row.get("handling_code", ""), HANDLING_CODE_PATTERN, "G01", where, "handling_code"
        ),
    )
    db.session.add(fund)
    db.session.flush()
    first_budget(fund, actor)
    given = row.get("letter_texts") or {}
    for outcome in texts.OUTCOMES:
        try:
            texts.add_text(fund, outcome, str(given.get(outcome) or texts.DEFAULT_TEXTS[outcome]))
        except DomainError as error:
            raise ProfileError(f"{where}.letter_texts.{outcome}: {error.message}") from None
    for outcome, body in (row.get("letter_texts_en") or {}).items():
        try:
            texts.add_text(fund, str(outcome), str(body), language="en")
        except DomainError as error:
            raise ProfileError(f"{where}.letter_texts_en.{outcome}: {error.message}") from None
    questions = row.get("questions") or []
    if questions:
        for q in questions:
            try:
                QuestionKind(q["kind"])
            except ValueError:
                raise ProfileError(f"{where}.questions: kind {q['kind']!r}") from None
        new_form_version(fund, questions, actor)
    else:
        kind_questions(fund, actor)  # the kind's own fields, if it has any
    source = row.get("rules")
    if row.get("rules_file"):
        source = (STANDARD_RULE_SETS / Path(row["rules_file"]).name).read_text(encoding="utf-8")
    if source:
        try:
            add_rule_set(source, fund=fund, user=actor)
        except RuleFileError as error:
            raise ProfileError(f"{where}.rules: {error}") from None
    return fund


# -- a small TOML writer for the profile's shape ---------------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return toml_string(str(value))


def to_toml(data: dict[str, Any]) -> str:
    lines = ["# A municipality's profile: flask profile import FILE", f"format = {data['format']}"]
    lines += ["", "[municipality]"]
    lines += [f"{k} = {_value(v)}" for k, v in data["municipality"].items()]
    for city in data.get("partner_cities", []):
        lines += ["", "[[partner_cities]]"] + [f"{k} = {_value(v)}" for k, v in city.items()]
    for fund in data.get("funds", []):
        lines += ["", "[[funds]]"]
        lines += [
            f"{k} = {_value(v)}"
            for k, v in fund.items()
            if k not in ("letter_texts", "letter_texts_en", "questions")
        ]
        for key in ("letter_texts", "letter_texts_en"):
            if fund.get(key):
                lines += ["", f"[funds.{key}]"]
                lines += [f"{k} = {_value(v)}" for k, v in fund[key].items()]
        for question in fund.get("questions", []):
            lines += ["", "[[funds.questions]]"]
            lines += [f"{k} = {_value(v)}" for k, v in question.items()]
    return "\n".join(lines) + "\n"
