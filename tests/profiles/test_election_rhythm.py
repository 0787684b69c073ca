"""A profile carries its municipality's election rhythm; the Danish one if it says none."""

from __future__ import annotations

import pytest

from grants.budgets.elections import election_period
from grants.extensions import db
from grants.profiles.operations import ProfileError, export_profile, import_profile


def profile(**municipality) -> dict:
    return {"format": 1, "municipality": {"name": "Prøve Kommune", **municipality}}


def test_the_danish_rhythm_unless_the_profile_says_otherwise(app):
    import_profile(profile())
    db.session.commit()
    assert str(election_period(2026)) == "2026-2029"
    assert str(election_period(2025)) == "2022-2025"


def test_a_profiles_own_rhythm_is_used_and_exported(app):
    import_profile(profile(election_first_year=2020, election_period_years=6))
    db.session.commit()
    assert str(election_period(2026)) == "2026-2031"
    assert str(election_period(2025)) == "2020-2025"
    exported = export_profile()["municipality"]
    assert (exported["election_first_year"], exported["election_period_years"]) == (2020, 6)


def test_duesseldorf_ships_its_five_year_periods(app):
    from grants.profiles.operations import read, shipped

    import_profile(read(shipped()["duesseldorf"]))
    db.session.commit()
    assert str(election_period(2026)) == "2026-2030"
    assert str(election_period(2025)) == "2021-2025"


@pytest.mark.parametrize(
    "values",
    [
        {"election_period_years": 0},
        {"election_first_year": "tyve"},
        {"election_period_years": True},
    ],
)
def test_a_rhythm_that_cannot_be_used_is_refused(app, values):
    with pytest.raises(ProfileError, match="election_"):
        import_profile(profile(**values))
    db.session.rollback()
