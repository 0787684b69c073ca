"""The rows of the lists of cases: the work queue's and the search's table
(templates/macros/cases.html ``case_table``) and the applicant's own applications
(templates/applications/mine.html).

Made here, not cell by cell in the template: a row of seven cells cost the template some 240
Python calls (an escape for each cell and each cell's column name, a call through Jinja's
context for each label, a formatting filter for each date and amount), a fifth of the page.
Here a row is one format of values escaped once; what is the same on every row (the column
names, the state labels, the address of the case page) is made once a table. The rows are
plain rows of the columns the list reads (``applicant_name``, ``fund_name``), not cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement

from grants.cases.states import State, departure_passed_unanswered, state_label
from grants.core import clock
from grants.core.formatting import date_time, money, short_date

# Columns a package above adds to the rows of the work queue and the search, by their name:
# each a function that makes the column over ``Application`` (a correlated subquery, read
# with the rows), registered with ``list_column`` when the app is built. ``reply_by``
# (grants.messages): the day the applicant side's answer to an open request for information
# is due, which the rows show under the state, tagged overdue once it has passed.
LIST_COLUMNS: dict[str, Callable[[], ColumnElement[Any]]] = {}


def list_column(
    name: str,
) -> Callable[[Callable[[], ColumnElement[Any]]], Callable[[], ColumnElement[Any]]]:
    """Register the decorated function as the maker of the lists' column ``name``."""

    def register(make: Callable[[], ColumnElement[Any]]) -> Callable[[], ColumnElement[Any]]:
        LIST_COLUMNS[name] = make
        return make

    return register


def list_columns() -> tuple[ColumnElement[Any], ...]:
    """The registered columns, each labelled by its name (made anew: keep the result)."""
    return tuple(make().label(name) for name, make in sorted(LIST_COLUMNS.items()))


# A deadline that has passed, said in words as a status tag (not by its colour alone): the
# task list's deadlines (grants.desk.task_table) and the lists' answers to requests.
OVERDUE_TAG = ' <span class="badge badge-error">{}</span>'


def dated(text: str, day: dt.date, today: dt.date, locale: Any, overdue: str) -> str:
    """``text`` (a message with ``%(date)s``) with ``day``, escaped, and ``overdue`` (an
    ``OVERDUE_TAG``, escaped) when the day has passed."""
    shown = escape(text % {"date": short_date(day, locale)})
    return f"{shown}{overdue}" if day < today else str(shown)


# The lines as the templates wrote them (the same HTML; the values escaped, the column names
# are the template's own, already escaped).
CASE_ROW = """<tr>
<td class="case-number" data-title="{number_title}">{number}</td>
<td data-title="{title_title}"><a href="{href}">{title}</a></td>
<td data-title="{applicant_title}">{applicant}</td>
<td data-title="{fund_title}">{fund}</td>
<td data-title="{submitted_title}">{submitted}</td>
<td class="amount" data-title="{amount_title}">{amount}</td>
<td class="case-state" data-title="{state_title}">{state}</td>
</tr>"""

OWN_ROW = """<tr>
<td class="case-number" data-title="{number_title}">{number}</td>
<td data-title="{title_title}"><a href="{href}">{title}</a></td>
<td data-title="{fund_title}">{fund}</td>
<td data-title="{departure_title}">{departure}</td>
<td class="amount" data-title="{amount_title}">{amount}</td>
<td class="case-state" data-title="{state_title}">{state}</td>
</tr>"""


class _Labels(dict):
    """A state's label, escaped, looked up once a table for each state the rows have."""

    def __init__(self, for_applicant: bool = False) -> None:
        super().__init__()
        self.for_applicant = for_applicant

    def __missing__(self, state: str) -> Markup:
        label = self[state] = escape(state_label(state, for_applicant=self.for_applicant))
        return label


def _untitled(title: str | None) -> Markup:
    return escape(title) if title else escape(_("Uden titel"))


def _column_names(titles: Mapping[str, str], **names: str) -> dict[str, Markup]:
    """The cells' column names (data-title) by their place in the row's format, from the
    template's ``titles`` (by their Danish names)."""
    return {place: escape(titles[name]) for place, name in names.items()}


def case_rows(
    applications: Iterable[Any], titles: Mapping[str, str], href_prefix: str, locale: str
) -> Markup:
    """The rows of ``case_table``: case number, title (a link to the case), applicant, fund,
    submitted, amount applied for and state. ``titles``: the columns' names (data-title), by
    their Danish names; ``href_prefix``: the case page's address less its number."""
    labels = _Labels()
    names = _column_names(
        titles,
        number_title="Sagsnr.",
        title_title="Titel",
        applicant_title="Ansøger",
        fund_title="Pulje",
        submitted_title="Indsendt",
        amount_title="Ansøgt",
        state_title="Status",
    )
    href = escape(href_prefix)
    answer = _Answer(locale)
    rows = [
        CASE_ROW.format(
            number=escape(row.case_number) if row.case_number else "–",
            href=f"{href}{row.id}",
            title=_untitled(row.title),
            applicant=escape(row.applicant_name),
            fund=escape(row.fund_name),
            submitted=escape(date_time(row.submitted_at, locale)) if row.submitted_at else "–",
            amount=escape(money(row.amount_applied, locale)),
            state=f"{labels[row.state]}{answer.line(getattr(row, 'reply_by', None))}",
            **names,
        )
        for row in applications
    ]
    # Every value is escaped above; the rest of the text is the format's own.
    return Markup("\n".join(rows))  # nosec B704


class _Answer:
    """The line under a row's state saying when the applicant side's answer to an open
    request for information is due (``reply_by``), tagged overdue once it has passed; its
    texts made once a table."""

    def __init__(self, locale: Any, own: bool = False) -> None:
        self.locale = locale
        self.today = clock.today()
        self.own = own  # the applicant side's own list: their answer, "reply by"
        self._texts: tuple[str, str] | None = None

    def line(self, day: dt.date | None) -> str:
        if not day:
            return ""
        if self._texts is None:
            self._texts = (
                _("Svar senest %(date)s") if self.own else _("Ansøgerens svar senest %(date)s"),
                OVERDUE_TAG.format(escape(_("Overskredet"))),
            )
        text, overdue = self._texts
        return (
            '<br><span class="weight-normal">'
            f"{dated(text, day, self.today, self.locale, overdue)}</span>"
        )


# Undecided when the trip began, or a draft not sent before it: said in words (a status
# tag, as on the task list and the case page), after the state.
PASSED_TAG = ' <span class="badge badge-error departure-passed">{}</span>'


# The states in which nothing is asked of the applicant any more (a request left open on a
# withdrawn case is not theirs to answer).
_NOTHING_ASKED = frozenset({State.WITHDRAWN, State.DRAFT})


def own_rows(
    applications: Iterable[Any], titles: Mapping[str, str], href_prefix: str, locale: str
) -> Markup:
    """The rows of the applicant's own applications: case number (a draft has none), title
    (a link to the case), fund, departure, amount applied for and state as the applicant is
    told it, tagged "Afrejse passeret" when the departure has passed undecided or unsent."""
    labels = _Labels(for_applicant=True)
    names = _column_names(
        titles,
        number_title="Sagsnr.",
        title_title="Titel",
        fund_title="Pulje",
        departure_title="Afrejse",
        amount_title="Ansøgt",
        state_title="Status",
    )
    href = escape(href_prefix)
    draft = None
    # Asked for information (a request standing unanswered): by when, under the state.
    answer = _Answer(locale, own=True)
    today = answer.today
    passed = None
    rows = []
    for row in applications:
        asked = getattr(row, "reply_by", None) if row.state not in _NOTHING_ASKED else None
        tag = ""
        if departure_passed_unanswered(row.state, row.departure_date, today):
            tag = passed = passed or PASSED_TAG.format(escape(_("Afrejse passeret")))
        if row.case_number:
            number = escape(row.case_number)
        else:
            number = draft = draft or escape(_("(kladde)"))
        rows.append(
            OWN_ROW.format(
                number=number,
                href=f"{href}{row.id}",
                title=_untitled(row.title),
                fund=escape(row.fund_name),
                departure=escape(short_date(row.departure_date, locale)),
                amount=escape(money(row.amount_applied, locale)),
                state=labels[row.state] + Markup(tag + answer.line(asked)),  # nosec B704
                **names,
            )
        )
    # Every value is escaped above; the rest of the text is the format's own.
    return Markup("\n".join(rows))  # nosec B704


def options(choices: Iterable[tuple[str, str]], selected: str) -> Markup:
    """A list's filter's options after its first ("all"): each ``(value, label)``, the one
    chosen ``selected``; one call a list, not two escapes and a test an option."""
    # Every value and label is escaped; the rest of the text is ours.
    return Markup(  # nosec B704
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )
