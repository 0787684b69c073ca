"""Municipal election periods (valgperioder): money carries over within one."""

from __future__ import annotations

from dataclasses import dataclass

from grants.core.models import Municipality


@dataclass(frozen=True)
class ElectionPeriod:
    """A municipal election period (valgperiode), first and last year included."""

    first: int
    last: int

    def __contains__(self, year: int) -> bool:
        return self.first <= year <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def election_period(year: int, rhythm: tuple[int, int] | None = None) -> ElectionPeriod:
    """The election period ``year`` belongs to, by the municipality's election rhythm
    (``Municipality.election_first_year`` and ``election_period_years``; Danish: four-year
    periods from 2022). ``rhythm`` (first year, length) saves the lookup in a loop."""
    start, length = rhythm or Municipality.election_rhythm()
    first = start + (year - start) // length * length
    return ElectionPeriod(first, first + length - 1)
