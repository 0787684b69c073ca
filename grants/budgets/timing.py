"""The secretariat's measure on the budgets dashboard and in its export: per fund and year,
the days from submission to decision and from report to settlement (median and 90th
percentile).

The budgets know no reports: the package that measures the times registers its function
with ``measured_by`` (grants.reports.timing); without one the dashboard shows none. It keeps
the times as running counts, and registers their rebuild with ``kept_by``: ``flask budgets
rebuild-totals`` makes them again with the budgets' own running totals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from grants.core.stats import Spread

# (fund ids or None for all, year or None for all) -> {(fund id, year): {measure: Spread}}
Measures = dict[tuple[int, int], dict[str, Spread]]
SOURCES: list[Callable[[Sequence[int] | None, int | None], Measures]] = []
REBUILDS: list[Callable[[], None]] = []
# The measures, in the order shown.
DECISION = "decision"
SETTLEMENT = "settlement"


def measured_by(
    function: Callable[[Sequence[int] | None, int | None], Measures],
) -> Callable[[Sequence[int] | None, int | None], Measures]:
    if function not in SOURCES:
        SOURCES.append(function)
    return function


def kept_by(rebuild: Callable[[], None]) -> Callable[[], None]:
    if rebuild not in REBUILDS:
        REBUILDS.append(rebuild)
    return rebuild


def rebuild_kept() -> None:
    """Make the running counts behind the times again from the cases."""
    for rebuild in REBUILDS:
        rebuild()


def times(fund_ids: Sequence[int] | None, year: int | None) -> Measures:
    found: Measures = {}
    for source in SOURCES:
        for key, spreads in source(fund_ids, year).items():
            found.setdefault(key, {}).update(spreads)
    return found
