"""Pages of a list that may grow without bound (the work queue, a person's applications, the
published trips).

A page reads one row more than it shows, so it knows whether there is a next page without
counting. The total is counted only up to ten pages past the start of the page shown
(``COUNT_PAGES``): an exact COUNT costs as much as the list is long (9,000 cases waiting for
a caseworker at 100,000 applications), while "showing 1-20 of more than 200" costs the same
at any size, tells a person as much and gives the pager its ten pages. Below the cap the
total is exact. The open-data feeds, which show no total, are not counted at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import CompoundSelect, Integer, Select, bindparam, func, select

from grants.extensions import db

# Counted up to this many pages past the start of the page shown.
COUNT_PAGES = 10
# A page number beyond reason is clamped, not an overflow in the database.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    # Exact when not `capped`; otherwise the cap: there are at least this many.
    total: int
    capped: bool
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int:
        """The pages known: all of them below the cap, at least this many above it."""
        known = max(math.ceil(self.total / self.per_page), 1)
        return max(known, self.page + (1 if self.has_next else 0))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    def iter_pages(self, edge: int = 2, around: int = 2) -> Iterator[int | None]:
        """Page numbers to link, with None where numbers are left out."""
        last = self.pages
        shown_before = None
        for number in range(1, last + 1):
            if (
                number <= edge
                or abs(number - self.page) <= around
                or (number > last - edge and not self.capped)
            ):
                if shown_before is not None and number - shown_before > 1:
                    yield None
                yield number
                shown_before = number
        if self.capped and shown_before is not None and shown_before < last:
            yield None


# A page number no list reaches, marking where a page's address has its number.
_PAGE_MARK = 987_654_321


def page_links(page: Page, endpoint: str, args: dict) -> dict[int, str]:
    """The addresses of the pages the pager links (macros/pagination.html), by number.

    One ``url_for`` a pager, not one a link: the address is built once with a mark for the
    number (the first query argument, as ``url_for(endpoint, page=n, **args)`` writes it),
    and each page's number is put in its place."""
    marked = url_for(endpoint, page=_PAGE_MARK, **args)
    before, _mark, after = marked.partition(f"page={_PAGE_MARK}")
    numbers = [number for number in page.iter_pages() if number]
    if page.has_prev:
        numbers.append(page.prev_num)
    if page.has_next:
        numbers.append(page.next_num)
    return {number: f"{before}page={number}{after}" for number in numbers}


def requested_page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


# A page's limits as parameters, not numbers written into the statement: the statement is
# the same for every page and size, so it can be made once and kept (``Listing``).
PAGE_LIMIT = bindparam("page_limit", type_=Integer)
PAGE_OFFSET = bindparam("page_offset", type_=Integer)
COUNT_LIMIT = bindparam("count_limit", type_=Integer)
# The column of the rows that carries the count (``listing(total_with_rows=True)``).
TOTAL = "counted_total"


@dataclass(frozen=True)
class Listing:
    """A list's statements for its pages (``listing`` makes them, ``paginate`` runs them):
    the rows with their limit and offset as parameters, and the count, up to a limit given
    as a parameter too (None: not counted). The same statements serve every page, so a list
    whose statement does not change from request to request keeps its ``Listing`` and
    SQLAlchemy neither builds it nor works out its cache key again."""

    rows: Select
    count: Select | None
    # The count also asked as a column of the rows (``TOTAL``); ``count`` is then asked only
    # on a page past the end, which has no row to carry it.
    total_with_rows: bool = False


def listing(
    query: Select,
    count_select: Select | CompoundSelect | None = None,
    *,
    count: bool = True,
    total_with_rows: bool = False,
) -> Listing:
    """The statements of a list of `query` (ordered by the caller) for ``paginate``.

    `count_select` selects one column of the rows to count (e.g. ``select(Application.id)``
    with the list's conditions but without what is only needed for display; or a union of
    such selects); without it, the list's own query is counted. `count=False`: not counted;
    the total is then what has been seen. `total_with_rows`: the count asked in the same
    statement as the rows, as a column of its own (``TOTAL``) beside the rows' (read them
    with ``scalars=False``): one statement less a page (its making, its round trip)."""
    counted = None
    if count:
        to_count = (count_select if count_select is not None else query).order_by(None)
        counted = select(func.count()).select_from(to_count.limit(COUNT_LIMIT).subquery())
        if total_with_rows:
            query = query.add_columns(counted.scalar_subquery().label(TOTAL))
    return Listing(
        rows=query.limit(PAGE_LIMIT).offset(PAGE_OFFSET),
        count=counted,
        total_with_rows=counted is not None and total_with_rows,
    )


def paginate(
    statements: Listing,
    *,
    page: int | None = None,
    per_page: int,
    count_cap: int | None = None,
    scalars: bool = True,
    parameters: Mapping[str, Any] | None = None,
) -> Page:
    """One page of a list (``listing``), read one row past the page.

    `parameters`: the values of the list's own parameters. The total is counted up to
    `count_cap` (default: ``COUNT_PAGES`` pages past this page's start), even when
    everything fits on this page, so that a page runs the same statements at any size (the
    benchmark checks it). `scalars`: the items are the first column's objects; else the
    rows."""
    page = page or requested_page()
    offset = (page - 1) * per_page
    values = {**parameters} if parameters else {}
    values["page_limit"] = per_page + 1
    values["page_offset"] = offset
    cap = offset + per_page * COUNT_PAGES if count_cap is None else count_cap
    if statements.count is not None:
        values["count_limit"] = cap + 1
    result = db.session.execute(statements.rows, values)
    rows = list(result.scalars() if scalars else result)
    has_next = len(rows) > per_page
    items = rows[:per_page]
    if statements.count is None:
        return Page(
            items=items,
            page=page,
            per_page=per_page,
            total=offset + len(items),
            capped=has_next,
            has_next=has_next,
        )
    if statements.total_with_rows and rows:
        total = getattr(rows[0], TOTAL)
    else:
        total = db.session.scalar(statements.count, values) or 0
    return Page(
        items=items,
        page=page,
        per_page=per_page,
        total=min(total, cap),
        capped=total > cap,
        has_next=has_next,
    )
