"""The task list's table (desk/tasks.html): its rows and its sorting links, written once a
request in Python.

In the template each row cost ~500 Python calls (~10,000 a page of 20): every ``{{ }}`` is
an attribute look-up, an escape and a yield through three generators, and every ``_()``,
``ngettext()``, ``state_label()`` or ``waited_days()`` a call through Jinja's context (~45
calls for a text). Here a row is its cells formatted with the request's catalogue, locale
and moment read once, each value escaped, and the row's HTML put together from them (~60
calls). The sorting links were a macro each, shown twice (above the table for phones and in
its headings) with a ``url_for`` each time (~3,000 calls); here each is written once.

What a row shows is what the template showed: the texts are the same messages, escaped like
any other value (the template's ``_()`` left the translation itself unescaped; no message
of ours holds markup: tests/core/test_fuzz_forms.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from grants.applications.case_lists import OVERDUE_TAG, dated
from grants.applications.views import case_address_prefix
from grants.cases.states import State, departure_passed, state_label
from grants.core import clock
from grants.core.formatting import _locale, money, short_date
from grants.core.templating import request_translations
from grants.workflow.labels import action_label

# The states whose deadline is the report's (``tasks.deadline_column``): "report by", else
# "decision before departure".
_REPORT_DEADLINE_STATES = frozenset({State.GRANTED, State.PARTLY_GRANTED, State.REPORT_RETURNED})

# A row of the table; the values are escaped before they are put in. Each cell names its
# column (data-title: the heading a phone shows beside the value, the rows being cards).
_ROW = (
    "<tr>\n"
    '<td class="case-number" data-title="{t_case}">{case_number}</td>\n'
    '<td data-title="{t_title}"><a href="{href}">{title}</a>'
    '<br><span class="weight-normal">{applicant}</span></td>\n'
    '<td class="case-state" data-title="{t_next}">{next_steps}</td>\n'
    '<td data-title="{t_fund}">{fund}</td>\n'
    '<td data-title="{t_waited}">{waited}</td>\n'
    '<td data-title="{t_deadline}">{deadline}{reminded}</td>\n'
    '<td class="amount" data-title="{t_amount}">{amount}</td>\n'
    "</tr>"
)
_SMALL = '<br><span class="weight-normal">{}</span>'
_PASSED_TAG = '<span class="badge badge-error departure-passed">{}</span><br>'


def rows_html(rows: Sequence[Any], steps: Mapping[int, list[str]]) -> list[Markup]:
    """Each row of the task list (``tasks.TASK_COLUMNS`` and the deadline and last reminder)
    as the table's ``<tr>``, with the steps it waits for (``tasks.next_steps``) or, if none,
    its state."""
    translations = request_translations()
    _ = translations.ugettext
    ngettext = translations.ungettext
    locale = _locale()
    now = clock.now()
    titles = {
        "t_case": escape(_("Sagsnr.")),
        "t_title": escape(_("Titel")),
        "t_next": escape(_("Næste skridt")),
        "t_fund": escape(_("Pulje")),
        "t_waited": escape(_("Har ventet")),
        "t_deadline": escape(_("Frist")),
        "t_amount": escape(_("Ansøgt")),
    }
    href = escape(case_address_prefix())  # and the case's number (an int)
    today = clock.today()
    texts = _DeadlineTexts(_, locale)
    labels: dict[str, str] = {}  # a step's name, once a request
    # What the case waits for beside the route's steps (grants.messages): the applicant
    # side's answer to a request for information, a caseworker's reading of a message of theirs.
    answer = escape(_("Svar på anmodningen om oplysninger"))
    unread = _SMALL.format(escape(_("Ulæst besked fra ansøgeren")))
    # Undecided when the trip began: said in words (a status tag), first in the cell.
    passed = _PASSED_TAG.format(escape(_("Afrejse passeret")))
    written = []
    for row in rows:
        actions = steps.get(row.id)
        if actions:
            for action in actions:
                if action not in labels:
                    labels[action] = action_label(action)
            next_steps = escape(", ".join(labels[action] for action in actions))
        elif row.side == "applicant" and row.reply_by:
            next_steps = answer
        else:
            next_steps = escape(state_label(row.state))
        if row.side == "staff" and row.unread_reply:
            next_steps = f"{next_steps}{unread}"
        # The deadline of an undecided case is its departure (``tasks.deadline_column``).
        if departure_passed(row.state, row.deadline, today):
            next_steps = f"{passed}{next_steps}"
        since = row.state_since
        if since is None:
            waited = "–"
        else:
            days = max((now - (since if since.tzinfo else since.replace(tzinfo=dt.UTC))).days, 0)
            count = escape(ngettext("%(num)d dag", "%(num)d dage", days) % {"num": days})
            since_text = escape(_("siden %(date)s") % {"date": short_date(since, locale)})
            # (An f-string: a Markup plus a str would escape the str.)
            waited = f"{count}{_SMALL.format(since_text)}"
        deadline = _deadline(row, today, texts)
        reminded = ""
        if row.reminded:
            reminded = _SMALL.format(
                escape(_("Rykker sendt %(date)s") % {"date": short_date(row.reminded, locale)})
            )
        written.append(
            Markup(  # nosec B704  # every value escaped above; the rest is this module's
                _ROW.format(
                    **titles,
                    case_number=escape(row.case_number or "–"),
                    href=f"{href}{row.id:d}",
                    title=escape(row.title or _("Uden titel")),
                    applicant=escape(row.applicant_name),
                    next_steps=next_steps,
                    fund=escape(row.fund_name),
                    waited=waited,
                    deadline=deadline,
                    reminded=reminded,
                    amount=escape(money(row.amount_applied, locale)),
                )
            )
        )
    return written


class _DeadlineTexts:
    """The deadline cell's texts in the request's language, each made once a request."""

    def __init__(self, gettext: Callable[[str], str], locale: Any) -> None:
        self.locale = locale
        self.report = gettext("Rapport senest %(date)s")
        self.decision = gettext("Afgørelse før afrejse %(date)s")
        self.reply = gettext("Svar senest %(date)s")
        self.applicants_reply = gettext("Ansøgerens svar senest %(date)s")
        # A deadline that has passed: said in words (a status tag), not by colour alone.
        self.overdue = OVERDUE_TAG.format(escape(gettext("Overskredet")))

    def line(self, text: str, day: dt.date, today: dt.date) -> str:
        """``text`` with ``day``, and the overdue tag when the day has passed."""
        return dated(text, day, today, self.locale, self.overdue)


def _deadline(row: Any, today: dt.date, texts: _DeadlineTexts) -> str:
    """The deadline cell: the applicant side's own deadline on their cases (the answer to an
    open request for information, else the report's while it is due; ``tasks.
    own_deadline_column``), else the case's (the report's, or the decision's before the
    departure) and, under it, when the applicant's answer to a request is due. A date past
    is tagged overdue in words. Escaped; the rest is this module's."""
    if row.side == "applicant":
        if row.reply_by:
            return texts.line(texts.reply, row.reply_by, today)
        if row.state in _REPORT_DEADLINE_STATES and row.report_due:
            return texts.line(texts.report, row.report_due, today)
        return "–"
    if not row.deadline:
        cell = "–"
    elif row.state in _REPORT_DEADLINE_STATES:
        cell = texts.line(texts.report, row.deadline, today)
    else:
        cell = texts.line(texts.decision, row.deadline, today)
    if row.reply_by:
        cell += _SMALL.format(texts.line(texts.applicants_reply, row.reply_by, today))
    return cell


# The columns the list sorts by, in the order of the links above the table (for phones).
SORTABLE = ("case", "fund", "waited", "deadline", "amount")


@dataclass(frozen=True)
class SortColumn:
    link: Markup  # sorts by the column (the other way, if sorted by it), and says so
    aria_sort: str  # "ascending" or "descending" for the column sorted by, else ""


def sort_columns(sort: str, order: str, link_args: Mapping[str, str]) -> dict[str, SortColumn]:
    """Each sortable column's link and state, by its key (``SORTABLE``): the heading's link
    sorts by the column, ascending unless it is sorted by ascending already; the default
    order (longest waiting first) has the shortest address."""
    _ = request_translations().ugettext
    labels = {
        "case": _("Sagsnr."),
        "fund": _("Pulje"),
        "waited": _("Har ventet"),
        "deadline": _("Frist"),
        "amount": _("Ansøgt"),
    }
    says = {"asc": escape(_("sortér stigende")), "desc": escape(_("sortér faldende"))}
    arrow = '<span aria-hidden="true"> {}</span>'.format("▲" if order == "asc" else "▼")
    columns = {}
    for key in SORTABLE:
        current = sort == key
        next_order = "desc" if current and order == "asc" else "asc"
        args = dict(link_args, sort=key, order=next_order)
        if key == "waited" and next_order == "asc":
            del args["sort"], args["order"]
        link = (
            f'<a href="{escape(url_for("desk.mine", **args))}" class="sort-link">'
            f'{escape(labels[key])}<span class="sr-only">, {says[next_order]}</span>'
            f"{arrow if current else ''}</a>"
        )
        columns[key] = SortColumn(
            link=Markup(link),  # nosec B704  # the address and texts escaped, the rest ours
            aria_sort=("ascending" if order == "asc" else "descending") if current else "",
        )
    return columns
