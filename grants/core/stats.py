"""The median and the 90th percentile of a list of figures, as PostgreSQL's
``percentile_cont`` computes them (linear between the two nearest values), so a figure is the
same whichever database worked it out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """``values`` sorted or not; ``fraction`` 0.5 for the median."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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
