"""Pages of long lists: a page knows whether another follows without counting, the total is
exact below the cap and "more than" above it, and the page links never skip the current page
or run past the last."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from grants.core.pagination import Page, listing, paginate
from grants.extensions import db
from grants.people.models import User
from tests.factories import make_user


def page_of(total_rows: int, page: int, per_page: int, cap: int) -> Page:
    """A Page as paginate() would build it for a list of `total_rows` rows."""
    shown = max(min(per_page, total_rows - (page - 1) * per_page), 0)
    return Page(
        items=list(range(shown)),
        page=page,
        per_page=per_page,
        total=min(total_rows, cap),
        capped=total_rows > cap,
        has_next=total_rows > page * per_page,
    )


@given(
    total_rows=st.integers(0, 5000),
    per_page=st.integers(1, 60),
    cap=st.integers(1, 2000),
    data=st.data(),
)
def test_page_links_are_in_order_include_the_page_and_stay_within_the_list(
    total_rows, per_page, cap, data
):
    last = max((total_rows + per_page - 1) // per_page, 1)
    number = data.draw(st.integers(1, last))
    page = page_of(total_rows, number, per_page, cap)

    links = [n for n in page.iter_pages() if n is not None]
    assert links == sorted(set(links))
    assert number in links
    assert links[0] == 1
    assert links[-1] <= last
    if page.has_next:
        assert number + 1 <= page.pages
    if not page.capped:
        assert page.pages == last
        assert links[-1] == last


def test_a_page_reads_one_row_more_and_counts_only_up_to_the_cap(app):
    for n in range(12):
        make_user(email=f"person{n}@example.dk")
    query = select(User).order_by(User.id)

    first = paginate(listing(query), page=1, per_page=5, count_cap=100)
    assert [u.email for u in first.items] == [f"person{n}@example.dk" for n in range(5)]
    assert (first.total, first.capped, first.has_next) == (12, False, True)

    last = paginate(listing(query), page=3, per_page=5, count_cap=100)
    assert len(last.items) == 2 and not last.has_next
    assert (last.first_shown, last.last_shown) == (11, 12)

    capped = paginate(listing(query), page=1, per_page=5, count_cap=10)
    assert (capped.total, capped.capped) == (10, True)

    beyond = paginate(listing(query), page=9, per_page=5, count_cap=100)
    assert beyond.items == [] and not beyond.has_next


def test_the_total_is_counted_ten_pages_past_the_page_shown(app, monkeypatch):
    from grants.core import pagination

    for n in range(12):
        make_user(email=f"person{n}@example.dk")
    query = select(User).order_by(User.id)
    monkeypatch.setattr(pagination, "COUNT_PAGES", 2)

    first = paginate(listing(query), page=1, per_page=2)
    assert (first.total, first.capped) == (4, True)  # "1-2 of more than 4"
    third = paginate(listing(query), page=3, per_page=2)
    assert (third.first_shown, third.total, third.capped) == (5, 8, True)
    sixth = paginate(listing(query), page=6, per_page=2)
    assert (sixth.total, sixth.capped, sixth.has_next) == (12, False, False)


def test_a_list_that_shows_no_total_is_not_counted(app):
    from sqlalchemy import event

    for n in range(7):
        make_user(email=f"person{n}@example.dk")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = paginate(listing(select(User).order_by(User.id), count=False), page=2, per_page=3)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements and not any("count(" in s.lower() for s in statements)
    assert (page.last_shown, page.has_next, page.has_prev) == (6, True, True)


def test_an_absurd_page_number_is_clamped(world, client, auth):
    auth.login(world.caseworker)
    assert client.get("/arbejdskoe?page=99999999999999999999").status_code == 200


def test_the_total_asked_with_the_rows_is_the_total_counted_on_its_own(app):
    """``listing(total_with_rows=True)``: the same page and total as the count asked on its own, on every
    page, under and over the cap, and past the end (no row to carry it)."""
    for n in range(12):
        make_user(email=f"person{n}@example.dk")
    query = select(User.id, User.email).order_by(User.id)
    kept = listing(query, total_with_rows=True)
    for number in range(1, 5):
        for cap in (5, 100):
            alone = paginate(listing(query), page=number, per_page=5, count_cap=cap, scalars=False)
            together = paginate(kept, page=number, per_page=5, count_cap=cap, scalars=False)
            assert [row.email for row in together.items] == [row.email for row in alone.items]
            assert (together.total, together.capped, together.has_next) == (
                alone.total,
                alone.capped,
                alone.has_next,
            )


def test_the_pager_links_are_url_for_s_own(app):
    """``page_links``: each page's address as ``url_for(endpoint, page=n, **args)`` makes it,
    the list's filters kept, odd characters in them too."""
    from flask import url_for

    from grants.core.pagination import page_links

    args = {"q": "Larsen & søn/page=2", "fund": "studierejsefonden", "state": "screening"}
    page = page_of(500, 7, 20, 400)
    with app.test_request_context():
        links = page_links(page, "workflow.queue", args)
        numbers = [n for n in page.iter_pages() if n] + [page.prev_num, page.next_num]
        assert set(links) == set(numbers)
        for number in numbers:
            assert links[number] == url_for("workflow.queue", page=number, **args)
        assert page_links(page_of(3, 1, 20, 400), "desk.search", {}) == {
            1: url_for("desk.search", page=1)
        }
