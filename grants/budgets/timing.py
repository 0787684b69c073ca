"""The secretariat's measure on the budgets dashboard and in its export: per fund and year,
the days from submission to decision and from report to settlement (median and 90th
percentile).

The budgets know no reports: the package that measures the times registers its function
with ``measured_by`` (grants.reports.timing); without one the dashboard shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from grants.core.stats import Spread

# (fund ids or None for all, year or None for all) -> {(fund id, year): {measure: Spread}}
Measures = dict[tuple[int, int], dict[str, Spread]]
SOURCES: list[Callable[[Sequence[int] | None, int | None], Measures]] = []
# The measures, in the order shown.
DECISION = "decision"
SETTLEMENT = "settlement"


def measured_by(
    function: Callable[[Sequence[int] | None, int | None], Measures],
) -> Callable[[Sequence[int] | None, int | None], Measures]:
    if function not in SOURCES:
        SOURCES.append(function)
    return function


def times(fund_ids: Sequence[int] | None, year: int | None) -> Measures:
    found: Measures = {}
    for source in SOURCES:
        for key, spreads in source(fund_ids, year).items():
            found.setdefault(key, {}).update(spreads)
    return found
