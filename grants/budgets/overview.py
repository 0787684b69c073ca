"""The rows of the budgets overview's two tables (templates/budgets/index.html): each fund's
figures of the year, and its times to decision and to settlement.

Made here, not cell by cell in the template (as grants.applications.case_lists makes the
lists of cases): a fund's row of nine cells, each a link and an amount, cost the template
some 300 Python calls (an escape for each link, amount and column name, the money filter
finding the request's locale for each amount, a call through Jinja's context for each
translation), two thirds of the page. Here a row is one format of its values; what is the
same on every row (the column names, the locale, the catalogue) is found once a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape

from grants.core.formatting import money
from grants.core.stats import Spread

# The lines as the template wrote them (the same HTML). The values are escaped, or are
# amounts and day counts this module formats from numbers; the column names are the
# template's own, escaped.
FUND_ROW = """<tr>
<th scope="row"><a href="{href}">{name}</a>{closed}</th>
<td class="amount" data-title="{budget_title}"><a href="{href}?figure=budget">{budget}</a></td>
<td class="amount" data-title="{carried_in_title}"><a href="{href}?figure=carried_in">{carried_in}</a></td>
<td class="amount" data-title="{carried_out_title}"><a href="{href}?figure=carried_out">{carried_out}</a></td>
<td class="amount" data-title="{lapsed_title}"><a href="{href}?figure=lapsed">{lapsed}</a></td>
<td class="align-text-right" data-title="{committed_title}"><a href="{href}?figure=committed">{committed}</a>{awaiting_refund}</td>
<td class="amount" data-title="{spent_title}"><a href="{href}?figure=spent">{spent}</a></td>
<td class="amount" data-title="{available_title}"><a href="{href}?figure=available"><strong>{available}</strong></a></td>
<td class="align-text-right" data-title="{waiting_title}"><a href="{href}?figure=waiting">{waiting}</a>{waiting_count}</td>
</tr>"""  # noqa: E501

TIME_ROW = """<tr>
<th scope="row">{name}</th>
<td class="amount" data-title="{decided_title}">{decided}</td>
<td class="amount" data-title="{decision_median_title}">{decision_median}</td>
<td class="amount" data-title="{decision_p90_title}">{decision_p90}</td>
<td class="amount" data-title="{settled_title}">{settled}</td>
<td class="amount" data-title="{settlement_median_title}">{settlement_median}</td>
<td class="amount" data-title="{settlement_p90_title}">{settlement_p90}</td>
</tr>"""

# A fund's row's second lines, its texts escaped where they are put in.
AWAITING_REFUND = '<br><a class="budget-count" href="{href}?figure=awaiting_refund">{text}</a>'
WAITING_COUNT = '<br><span class="budget-count">{text}</span>'

MONTH_ROW = """
        <tr>
          <th scope="row">{name}</th>
          <td class="amount" data-title="{budget_title}">{budget}</td>
          <td class="amount" data-title="{committed_title}">{committed}</td>
          <td class="amount" data-title="{spent_title}">{spent}</td>
          <td class="amount" data-title="{available_title}">{available}</td>
        </tr>
      """

NONE_MEASURED = "–"


def _column_names(titles: Mapping[str, str], **names: str) -> dict[str, Markup]:
    """The cells' column names (data-title) by their place in the row's format, from the
    template's ``titles`` (by their Danish names)."""
    return {place: escape(titles[name]) for place, name in names.items()}


def fund_rows(
    rows: Iterable[tuple[Any, str, Any, Any, Any]], titles: Mapping[str, str], locale: str
) -> Markup:
    """The funds' rows: (fund, the address of its year, its Balance, its Waiting, its
    closing or None) each; every figure a link to the entries behind it (the fund's year
    with ?figure=…, a name: nothing to encode)."""
    names = _column_names(
        titles,
        budget_title="Budget",
        carried_in_title="Heraf overført fra sidste år",
        carried_out_title="Overført til næste år",
        lapsed_title="Bortfaldet",
        committed_title="Disponeret",
        spent_title="Forbrug",
        available_title="Til rådighed",
        waiting_title="Ansøgt, ikke afgjort",
    )
    closed = Markup(' <span class="badge badge-info">{}</span>').format(_("Lukket"))
    # The catalogue found once a table, not by Flask-Babel for each row's two texts (as
    # its gettext and ngettext do: the text translated, then the values put in).
    translations = get_translations()
    awaiting_text = translations.ugettext("Afventer tilbagebetaling: %(amount)s")
    lines = []
    for fund, fund_year, figures, queue, closing in rows:
        href = escape(fund_year)
        awaiting_refund = ""
        if figures.awaiting_refund:
            # The text escaped, as Markup.format escaped it.
            awaiting_refund = AWAITING_REFUND.format(
                href=href,
                text=escape(awaiting_text % {"amount": money(figures.awaiting_refund, locale)}),
            )
        waiting_count = ""
        if queue.count:
            waiting_count = WAITING_COUNT.format(
                text=escape(_applications(queue.count, translations))
            )
        lines.append(
            FUND_ROW.format(
                href=href,
                name=escape(fund.name),
                closed=closed if closing else "",
                budget=money(figures.budget, locale),
                carried_in=money(figures.carried_in, locale),
                carried_out=money(figures.carried_out, locale),
                lapsed=money(figures.lapsed, locale),
                committed=money(figures.committed, locale),
                awaiting_refund=awaiting_refund,
                spent=money(figures.spent, locale),
                available=money(figures.available, locale),
                waiting=money(queue.amount, locale),
                waiting_count=waiting_count,
                **names,
            )
        )
    # The names and links escaped above; amounts are digits, separators and "kr.".
    return Markup("\n".join(lines))  # nosec B704


def _applications(count: int, translations: Any) -> str:
    return translations.ungettext("%(num)d ansøgning", "%(num)d ansøgninger", count) % {
        "num": count
    }


def time_rows(
    rows: Iterable[tuple[Any, Spread | None, Spread | None]], titles: Mapping[str, str]
) -> Markup:
    """The funds' times: (fund, its spread of days to decision, to settlement) each, None
    where none was measured; the days rounded to whole days (half to even, as Jinja's
    ``round`` filter rounded them)."""
    names = _column_names(
        titles,
        decided_title="Afgjorte sager",
        decision_median_title="Til afgørelse, median",
        decision_p90_title="Til afgørelse, 90. percentil",
        settled_title="Afregnede sager",
        settlement_median_title="Til afregning, median",
        settlement_p90_title="Til afregning, 90. percentil",
    )
    translations = get_translations()

    def days(figure: float) -> str:
        whole = round(figure)
        return translations.ungettext("%(num)d dag", "%(num)d dage", whole) % {"num": whole}

    lines = []
    for fund, decision, settlement in rows:
        lines.append(
            TIME_ROW.format(
                name=escape(fund.name),
                decided=decision.count if decision else 0,
                decision_median=days(decision.median) if decision else NONE_MEASURED,
                decision_p90=days(decision.p90) if decision else NONE_MEASURED,
                settled=settlement.count if settlement else 0,
                settlement_median=days(settlement.median) if settlement else NONE_MEASURED,
                settlement_p90=days(settlement.p90) if settlement else NONE_MEASURED,
                **names,
            )
        )
    # The names escaped above; counts and days are numbers and the catalogue's words.
    return Markup("\n".join(lines))  # nosec B704


def month_rows(
    months: Iterable[Any],
    month_names: Sequence[str],
    budget_title: str,
    committed_title: str,
    spent_title: str,
    available_title: str,
) -> Markup:
    """The year chart's table of months (templates/budgets/_year_chart.html): each month's
    budget, committed, spent and available at its end (``MonthFigures``, January first),
    the lines as the template's loop wrote them. The column names are the template's own
    translations; the amounts in the request's language, as the ``money`` filter writes
    them."""
    locale = str(get_locale() or "da")
    names = {
        "budget_title": escape(budget_title),
        "committed_title": escape(committed_title),
        "spent_title": escape(spent_title),
        "available_title": escape(available_title),
    }
    lines = [
        MONTH_ROW.format(
            name=escape(month_names[m.month - 1]),
            budget=money(m.budget, locale),
            committed=money(m.committed, locale),
            spent=money(m.spent, locale),
            available=money(m.available, locale),
            **names,
        )
        for m in months
    ]
    # The names escaped above; amounts are digits, separators and "kr.".
    return Markup("".join(lines))  # nosec B704
