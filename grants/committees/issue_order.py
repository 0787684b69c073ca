"""What the issue job will find left on the budget when each decision's turn comes: for the
confirmation before a meeting's decisions go out, which checks them together, not each
alone against today's balance.

The job (``grants.committees.issuing``) takes the items in the agenda's order
(``operations.items_to_issue``: position, then id). Run by one worker (``parts == 1``: the
default runners, and RQ with one part) that order is exact: each item moves the money of its
fund and budget year, a grant that does not fit is refused and moves nothing, and the next
item finds what the one before left.

Shared among ``parts`` RQ workers (``grants.jobs.runner``), part ``p`` takes items
``p, p + parts, …`` in that order, and the parts run side by side in an order no one knows.
An item is then reckoned with the worst that may go before it: every item before it in its
own part (as it must), and every grant of the other parts (as it may); money that another
part gives back (a reconsidered grant lowered) is not counted on, as it may come after. So
every grant that may not fit is shown; one shown may still go out if the others come later.

A report approved (``approve_report``) can only give money back (the settlement's release);
it is not counted on, so a grant after it is never shown as fitting when it may not.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal

from grants.core.money import ZERO

# What one item moves: (its fund and budget year, the change), or None if it moves nothing
# (a refusal, a postponement, a report; or a decision refused already on its own).
Draw = tuple[Hashable, Decimal] | None


def rooms(draws: Sequence[Draw], available: dict, parts: int = 1) -> list[Decimal | None]:
    """For each item (in the job's order) what will, at worst, be available on its fund and
    year when its turn comes (None for an item that moves nothing). ``available`` is what
    each fund and year has now. An item with a change larger than its room would be refused
    by the job for want of money."""
    if parts <= 1:
        return _in_turn(draws, available)
    found: list[Decimal | None] = []
    for index, draw in enumerate(draws):
        if draw is None:
            found.append(None)
            continue
        key = draw[0]
        before = ZERO
        for other, earlier in enumerate(draws):
            if other == index or earlier is None or earlier[0] != key:
                continue
            same_part = other % parts == index % parts
            if same_part and other < index:
                before += earlier[1]
            elif not same_part:
                before += max(earlier[1], ZERO)
        found.append(available[key] - before)
    return found


def _in_turn(draws: Sequence[Draw], available: dict) -> list[Decimal | None]:
    left = dict(available)
    found: list[Decimal | None] = []
    for draw in draws:
        if draw is None:
            found.append(None)
            continue
        key, change = draw
        found.append(left[key])
        if change <= left[key]:  # refused for want of money, it moves nothing
            left[key] -= change
    return found
