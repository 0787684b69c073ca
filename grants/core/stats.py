"""The median and the 90th percentile of a list of figures, as PostgreSQL's
``percentile_cont`` computes them (linear between the two nearest values), so a figure is the
same whichever database worked it out.

The figures may come as a list (``percentile``) or counted, as (figure, how many) pairs
(``percentile_of_counts``): the same answer, without writing the list out."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate


def _position(fraction: float, total: int) -> tuple[int, int, float]:
    """The two places in the sorted list to interpolate between, and how far between."""
    position = fraction * (total - 1)
    low, high = math.floor(position), math.ceil(position)
    return low, high, position - low


def percentile(values: Sequence[float], fraction: float) -> float:
    """``values`` sorted or not; ``fraction`` 0.5 for the median."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    low, high, between = _position(fraction, len(ordered))
    return ordered[low] + (ordered[high] - ordered[low]) * between


def percentile_of_counts(counts: Iterable[tuple[float, int]], fraction: float) -> float:
    """``percentile`` of the list in which each value stands as many times as its count:
    (value, count) pairs in any order, a value once or more, counts of 0 left out."""
    return percentiles_of_counts(counts, (fraction,))[0]


def percentiles_of_counts(
    counts: Iterable[tuple[float, int]], fractions: Sequence[float]
) -> list[float]:
    """``percentile_of_counts`` for each of ``fractions``, the pairs sorted and summed once.

    The budgets page works out two percentiles of two measures for each fund: comprehensions
    and C functions (``sorted``, ``accumulate``, ``bisect``), not a generator over the
    pairs per step, which cost a Python call for each pair."""
    ordered = sorted([(value, count) for value, count in counts if count > 0])
    if not ordered:
        raise ValueError("no values")
    # The value at a place of the sorted list: the first whose running count passes it.
    ends = list(accumulate([count for _value, count in ordered]))
    found = []
    for fraction in fractions:
        low, high, between = _position(fraction, ends[-1])
        at_low = ordered[bisect_right(ends, low)][0]
        at_high = ordered[bisect_right(ends, high)][0]
        found.append(at_low + (at_high - at_low) * between)
    return found


@dataclass(frozen=True)
class Spread:
    """How many, the median and the 90th percentile (in days, for the times of cases)."""

    count: int
    median: float
    p90: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread | None:
        if not values:
            return None
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))

    @classmethod
    def of_counts(cls, counts: Iterable[tuple[float, int]]) -> Spread | None:
        """The spread of values counted as (value, count) pairs; None if they count none."""
        counted = [(value, count) for value, count in counts if count > 0]
        if not counted:
            return None
        median, p90 = percentiles_of_counts(counted, (0.5, 0.9))
        return cls(sum([count for _value, count in counted]), median, p90)
