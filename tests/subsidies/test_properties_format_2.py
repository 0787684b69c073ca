"""Properties of format 2 over generated rule sets and trips: the lines add up, caps never
raise an amount, counting caps never raise it, the writer round-trips, and every format 1 rule
set written in format 2 (docs/rules-format.md, "From format 1 to format 2") gives the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grants.subsidies import rulefile
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from tests.subsidies.test_properties import rule_sets as format_1_rule_sets
from tests.subsidies.test_properties import trips

money = st.decimals(min_value=0, max_value=50000, places=2).map(str)
maybe_money = st.none() | money
CITIES = (
    City("Prag 10", "CZ", "twin_city", dt.date(2000, 1, 1)),
    City("Wuxi", "CN", "partnership", dt.date(2000, 1, 1)),
    City("Lyon", "FR", "other", dt.date(2000, 1, 1)),
)


@st.composite
def rates(draw, persons: dict, kinds: list[str]) -> dict:
    basis = draw(st.sampled_from(rulefile.BASES))
    rate: dict = {"amount": draw(money), "basis": basis}
    if draw(st.booleans()):
        rate["relations"] = draw(
            st.lists(st.sampled_from(rulefile.RATE_RELATIONS), min_size=1, unique=True)
        )
    if draw(st.booleans()):
        rate["applies_to"] = draw(st.lists(st.sampled_from(kinds), min_size=1, unique=True))
    if basis in rulefile.PERSON_BASES and draw(st.booleans()):
        allowed = ["young", "guest"]
        if persons["age_limit"] is not None:
            allowed.append("adult")
        if persons["leaders"] != "none":
            allowed.append("leader")
        if persons["disabled_any_age"]:
            allowed.append("disabled")
        rate["categories"] = draw(st.lists(st.sampled_from(allowed), min_size=1, unique=True))
    most = draw(st.none() | st.integers(1, 20))
    if most is not None:
        key = {"person_night": "max_nights", "person_day": "max_days", "partner_city": "max_cities"}
        if basis in key:
            rate[key[basis]] = most
    return rate


@st.composite
def rule_sets(draw) -> dict:
    kinds = draw(st.lists(st.sampled_from(rulefile.KINDS), min_size=1, unique=True))
    persons = {
        "age_limit": draw(st.none() | st.integers(1, 99)),
        "age_limit_inclusive": draw(st.booleans()),
        "age_on": draw(st.sampled_from(rulefile.AGE_ON)),
        "disabled_any_age": draw(st.booleans()),
        "leaders": draw(st.sampled_from(rulefile.LEADER_RULES)),
        "leaders_per": draw(st.integers(1, 20)),
        "leaders_rounding": draw(st.sampled_from(rulefile.ROUNDINGS)),
    }
    document: dict = {
        "format": 2,
        "name": "Regler",
        "valid_from": "2020-01-01",
        "kinds": kinds,
        "persons": persons,
        "rates": draw(st.lists(rates(persons, kinds), max_size=4)),
        "caps": [
            {
                "applies_to": draw(st.lists(st.sampled_from(kinds), min_size=1, unique=True)),
                "per_application": draw(money),
                "per_event": draw(maybe_money),
                "per_organisation_per_year": draw(maybe_money),
            }
            for _ in range(draw(st.integers(0, 3)))
        ],
        "limits": {
            "max_nights": draw(st.none() | st.integers(0, 30)),
            "beyond_max": draw(st.sampled_from(rulefile.BEYOND_MAX)),
            "grants_per_organisation_per_year": draw(st.none() | st.integers(1, 5)),
            draw(
                st.sampled_from(
                    ["days_before_travel", "weeks_before_travel", "months_before_travel"]
                )
            ): draw(st.none() | st.integers(0, 12)),
        },
        "conditions": {"partner_city": draw(st.booleans())},
    }
    document["limits"] = {k: v for k, v in document["limits"].items() if v is not None}
    if draw(st.booleans()) or not document["rates"]:
        document["cost_share"] = {
            "percent": str(draw(st.decimals(min_value="0.01", max_value=100, places=2))),
            "of": draw(st.lists(st.sampled_from(rulefile.CATEGORIES), min_size=1, unique=True)),
            "cap": draw(maybe_money),
            "persons": draw(st.sampled_from(rulefile.COST_SHARE_PERSONS)),
        }
    return rulefile.validate(document)


@st.composite
def cases(draw):
    rules = draw(rule_sets())
    trip = draw(trips(rules))
    cities = tuple(draw(st.lists(st.sampled_from(CITIES), max_size=3, unique=True)))
    grants = trip.organisation.grants_this_year if trip.organisation else 0
    organisation = OrganisationFacts(
        True, grants, Decimal(draw(money)), {"trip": grants, "hosting": draw(st.integers(0, 2))}
    )
    return rules, Trip(
        **{
            **trip.__dict__,
            "partner_cities": cities,
            "organisation": organisation,
            "guests": draw(st.none() | st.integers(0, 40)),
        }
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_lines_always_add_up_to_the_total_and_it_is_never_negative(case):
    rules, trip = case
    calculation = compute(rules, trip)

    assert calculation.total >= 0
    assert sum((line.amount for line in calculation.lines), Decimal(0)) == calculation.total


@settings(max_examples=300, deadline=None)
@given(cases())
def test_a_cap_never_raises_an_amount(case):
    rules, trip = case
    uncapped = {**rules, "caps": []}

    assert compute(rules, trip).total <= compute(uncapped, trip).total
    for cap in rules["caps"]:
        if trip.kind in cap["applies_to"]:
            assert compute(rules, trip).total <= Decimal(cap["per_application"])


@settings(max_examples=300, deadline=None)
@given(cases())
def test_a_cap_on_what_is_counted_never_raises_an_amount(case):
    rules, trip = case
    uncounted = {
        **rules,
        "rates": [
            {**rate, "max_nights": None, "max_days": None, "max_cities": None}
            for rate in rules["rates"]
        ],
    }

    assert compute(rules, trip).total <= compute(uncounted, trip).total


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_counted_persons_share_is_never_more_than_the_whole_share(case):
    rules, trip = case
    share = rules.get("cost_share")
    if not share:
        return
    whole = {**rules, "cost_share": {**share, "persons": "all"}}
    counted = {**rules, "cost_share": {**share, "persons": "counted"}}

    assert compute(counted, trip).total <= compute(whole, trip).total


@settings(max_examples=200, deadline=None)
@given(rule_sets())
def test_format_2_rules_round_trip_through_the_toml_writer(rules):
    assert rulefile.parse(rulefile.to_toml(rules)) == rules


def in_format_2(rules: dict) -> dict:
    """A format 1 rule set written in format 2, by the table in docs/rules-format.md."""
    document = {
        key: rules[key] for key in ("name", "description", "valid_from", "valid_to", "kinds")
    }
    document["format"] = 2
    document["persons"] = rules["persons"]
    document["rates"] = []
    if rules["rate"]:
        document["rates"].append(
            {
                "amount": rules["rate"]["amount"],
                "basis": "person_" + rules["rate"]["per"],
                "applies_to": rules["rate"]["applies_to"],
            }
        )
    fixed = rules["fixed"]
    for key, basis in (("per_application", "event"), ("per_partner_city", "partner_city")):
        if fixed and fixed[key] is not None:
            document["rates"].append(
                {"amount": fixed[key], "basis": basis, "applies_to": fixed["applies_to"]}
            )
    if rules["host_grant"]:
        document["host_grant"] = rules["host_grant"]
    if rules["cost_share"]:
        document["cost_share"] = {**rules["cost_share"], "persons": "all"}
    caps = rules["caps"]
    document["caps"] = [caps] if any(value is not None for value in caps.values()) else []
    document["limits"] = rules["limits"]
    document["conditions"] = rules["conditions"]
    return rulefile.validate(rulefile._as_document(document))


@settings(max_examples=300, deadline=None)
@given(format_1_rule_sets(), st.data())
def test_every_format_1_rule_set_gives_the_same_written_in_format_2(rules, data):
    trip = data.draw(trips(rules))
    two = in_format_2(rules)

    one_result, two_result = compute(rules, trip), compute(two, trip)

    assert [(line.code, line.amount) for line in two_result.lines] == [
        (line.code, line.amount) for line in one_result.lines
    ]
    assert [p.code for p in two_result.problems] == [p.code for p in one_result.problems]
    assert two_result.counted_persons == one_result.counted_persons
