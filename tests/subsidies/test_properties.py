"""Properties of the engine and the file format over generated rule sets and trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grants.subsidies import rulefile
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip

money = st.decimals(min_value=0, max_value=50000, places=2).map(str)
maybe_money = st.none() | money
PRAGUE = City("Prag 10", "CZ", "twin_city", dt.date(2000, 1, 1))  # a partner for good
FORMER = City("Gammel By", "DE", "partnership", dt.date(2000, 1, 1), dt.date(2026, 7, 3))


@st.composite
def rule_sets(draw, rate: bool = False) -> dict:
    """Valid rule sets of every shape the format allows (validated like an imported file)."""
    kinds = draw(st.lists(st.sampled_from(rulefile.KINDS), min_size=1, unique=True))
    document: dict = {
        "format": 1,
        "name": "Regler",
        "valid_from": "2020-01-01",
        "kinds": kinds,
        "persons": {
            "age_limit": draw(st.none() | st.integers(1, 99)),
            "disabled_any_age": draw(st.booleans()),
            "leaders": draw(st.sampled_from(rulefile.LEADER_RULES)),
            "leaders_per": draw(st.integers(1, 20)),
            "leaders_rounding": draw(st.sampled_from(rulefile.ROUNDINGS)),
        },
        "caps": {
            "per_application": draw(maybe_money),
            "per_event": draw(maybe_money),
            "per_organisation_per_year": draw(maybe_money),
        },
        "limits": {
            "max_nights": draw(st.none() | st.integers(0, 30)),
            "max_days": draw(st.none() | st.integers(1, 30)),
            "beyond_max": draw(st.sampled_from(rulefile.BEYOND_MAX)),
            "grants_per_organisation_per_year": draw(st.none() | st.integers(1, 5)),
            "days_before_travel": draw(st.none() | st.integers(0, 90)),
        },
        "conditions": {
            "partner_city": draw(st.booleans()),
            "based_in_municipality": draw(st.booleans()),
            "direct_contact": draw(st.booleans()),
        },
    }
    if rate or draw(st.booleans()):
        document["rate"] = {"amount": draw(money), "per": draw(st.sampled_from(rulefile.UNITS))}
    if draw(st.booleans()):
        document["fixed"] = {"per_application": draw(money), "per_partner_city": draw(money)}
    if "hosting" in kinds and draw(st.booleans()):
        document["host_grant"] = {
            "amount": draw(money),
            "min_group_size": draw(st.integers(1, 30)),
            "min_days": draw(st.integers(1, 10)),
        }
    if draw(st.booleans()) or not any(k in document for k in ("rate", "fixed", "host_grant")):
        document["cost_share"] = {
            "percent": str(draw(st.decimals(min_value="0.01", max_value=100, places=2))),
            "of": draw(st.lists(st.sampled_from(rulefile.CATEGORIES), min_size=1, unique=True)),
            "cap": draw(maybe_money),
        }
    return rulefile.validate(document)


@st.composite
def trips(draw, rules: dict | None = None) -> Trip:
    departure = draw(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
    kinds = rules["kinds"] if rules else rulefile.KINDS
    return Trip(
        kind=draw(st.sampled_from(kinds)),
        departure=departure,
        return_=departure + dt.timedelta(days=draw(st.integers(0, 40))),
        participants_under_limit=draw(st.integers(0, 60)),
        participants_over_limit=draw(st.integers(0, 10)),
        leaders=draw(st.integers(0, 10)),
        disabled_participants=draw(st.integers(0, 5)),
        partner_cities=tuple(draw(st.lists(st.just(PRAGUE), max_size=2))),
        costs={c: Decimal(draw(money)) for c in rulefile.CATEGORIES},
        organisation=OrganisationFacts(
            based_in_municipality=draw(st.booleans()),
            grants_this_year=draw(st.integers(0, 3)),
            granted_amount_this_year=Decimal(draw(money)),
        ),
        applied_on=departure - dt.timedelta(days=draw(st.integers(0, 120))),
        direct_contact=draw(st.sampled_from(["", "Fælles workshop."])),
        host_group_size=draw(st.integers(0, 40)),
        granted_for_event=Decimal(draw(money)),
    )


@st.composite
def rules_and_trip(draw, rate: bool = False):
    rules = draw(rule_sets(rate=rate))
    return rules, draw(trips(rules))


@settings(max_examples=300, deadline=None)
@given(rules_and_trip())
def test_an_amount_is_never_negative_and_the_lines_add_up(case):
    rules, trip = case
    calculation = compute(rules, trip)

    assert calculation.total >= 0
    assert calculation.total == sum((line.amount for line in calculation.lines), Decimal(0))
    assert calculation.total == calculation.total.quantize(Decimal("0.01"))
    assert all(line.amount >= 0 for line in calculation.lines if not line.code.startswith("cap_"))


@settings(max_examples=300, deadline=None)
@given(rules_and_trip())
def test_an_amount_is_never_above_a_cap(case):
    rules, trip = case
    calculation = compute(rules, trip)
    caps = rules["caps"]

    if caps["per_application"] is not None:
        assert calculation.total <= Decimal(caps["per_application"])
    if caps["per_event"] is not None:
        assert calculation.total <= max(Decimal(caps["per_event"]) - trip.granted_for_event, 0)
    if caps["per_organisation_per_year"] is not None:
        room = Decimal(caps["per_organisation_per_year"])
        assert calculation.total <= max(room - trip.organisation.granted_amount_this_year, 0)
    share = rules["cost_share"]
    if share and share["cap"] is not None:
        [line] = [line for line in calculation.lines if line.code == "cost_share"] or [None]
        assert line is None or line.amount <= Decimal(share["cap"])


@settings(max_examples=300, deadline=None)
@given(rules_and_trip(rate=True), st.integers(1, 20))
def test_an_amount_never_falls_when_the_nights_rise(case, more):
    rules, trip = case
    longer = Trip(**{**trip.__dict__, "return_": trip.return_ + dt.timedelta(days=more)})

    assert compute(rules, longer).total >= compute(rules, trip).total


@settings(max_examples=300, deadline=None)
@given(
    rules_and_trip(rate=True),
    st.sampled_from(["participants_under_limit", "leaders", "disabled_participants"]),
    st.integers(1, 20),
)
def test_an_amount_never_falls_when_more_persons_count(case, who, more):
    rules, trip = case
    bigger = Trip(**{**trip.__dict__, who: getattr(trip, who) + more})

    before, after = compute(rules, trip), compute(rules, bigger)
    assert after.counted_persons >= before.counted_persons
    assert after.total >= before.total


@settings(max_examples=200, deadline=None)
@given(rule_sets())
def test_normalised_rules_round_trip_through_the_toml_writer(rules):
    assert rulefile.parse(rulefile.to_toml(rules)) == rules


text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60).filter(
        lambda s: s.strip()
    ),
    text,
)
def test_any_name_and_description_round_trip(name, description):
    rules = rulefile.validate(
        {
            "format": 1,
            "name": name,
            "description": description,
            "valid_from": "2026-01-01",
            "rate": {"amount": "100", "per": "night"},
        }
    )

    assert rulefile.parse(rulefile.to_toml(rules)) == rules
    assert rules["description"] == description


def test_the_partner_period_can_make_an_amount_fall_but_only_through_a_problem():
    # Not a property of the rate: a longer trip may outlast the partnership. The rules then
    # do not allow the grant, and say so.
    rules = rulefile.validate(
        {
            "format": 1,
            "name": "Regler",
            "valid_from": "2020-01-01",
            "rate": {"amount": "100", "per": "night"},
            "conditions": {"partner_city": True},
        }
    )
    short = Trip(
        departure=dt.date(2026, 7, 1),
        return_=dt.date(2026, 7, 3),
        participants_under_limit=5,
        partner_cities=(FORMER,),
    )
    longer = Trip(**{**short.__dict__, "return_": dt.date(2026, 7, 4)})

    assert compute(rules, short).eligible
    assert not compute(rules, longer).eligible
