"""The percentiles of counted values equal those of the values written out, for any values,
counts and fraction: the budgets' processing times are kept counted (grants.reports.processing)
and must say what PostgreSQL's ``percentile_cont`` over every case would."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.core.stats import Spread, percentile, percentile_of_counts

counted = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6)), max_size=30)
fractions = st.one_of(st.sampled_from([0.0, 0.5, 0.9, 1.0]), st.floats(0, 1))


def written_out(counts: list[tuple[int, int]]) -> list[int]:
    return [value for value, count in counts for _ in range(count)]


@given(counts=counted, fraction=fractions)
def test_the_percentile_of_counts_is_the_percentile_of_the_values_written_out(counts, fraction):
    values = written_out(counts)
    if not values:
        with pytest.raises(ValueError):
            percentile_of_counts(counts, fraction)
        return
    assert percentile_of_counts(counts, fraction) == percentile(values, fraction)


@given(counts=counted)
def test_the_spread_of_counts_is_the_spread_of_the_values_written_out(counts):
    assert Spread.of_counts(counts) == Spread.of(written_out(counts))


def test_a_value_counted_twice_in_two_pairs_is_counted_twice():
    assert percentile_of_counts([(3, 1), (1, 1), (3, 2)], 0.5) == 3
    assert Spread.of_counts([(2, 1), (4, 1), (10, 1)]) == Spread(3, 4, pytest.approx(8.8))
    assert Spread.of_counts([(5, 0)]) is None
