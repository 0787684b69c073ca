"""Money and dates the way a Dane reads them: "1.234,50 kr.", "24. november 2026".

One convention for dates, in both languages, from these helpers only:
- ``short_date`` ("24. apr. 2027" / "24 Apr 2027", the month abbreviated) in the cells of
  tables and lists, where many dates stand in a column: the same reading as the long form,
  never digits a reader must decode ("24.04.2027" is 24 April to a Dane, not to everyone);
- ``long_date`` ("24. april 2027" / "24 April 2027") in text, headings and the facts of a
  detail page, and in messages and letters;
- ``date_time`` ("24. apr. 2027 13:05") for the moment something happened (journals, logs).
Templates and messages never format a date themselves (no strftime)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask import Flask
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone

from grants.core import clock
from grants.core.money import kroner

# Babel parses its pattern and looks up the locale's symbols on every call: ~70 µs a money
# amount or a date, a millisecond or more on a list page. The formats here are fixed, so
# the locale's symbols and month names are read once and the rest is Python's own
# formatting; tests/core/test_formatting.py checks the output equals Babel's.


@lru_cache(maxsize=16)
def _number_symbols(locale: str) -> tuple[str, str, str]:
    return get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)


_QUANTA = {0: Decimal(1), 2: Decimal("0.01")}


@lru_cache(maxsize=16)
def _separators(locale: str) -> dict[int, str] | None:
    """The table that turns Python's "," and "." into the locale's, None if they are its."""
    group, decimal, _minus = _number_symbols(locale)
    if group == "," and decimal == ".":
        return None
    return {ord(","): group, ord("."): decimal}


def grouped(value: Decimal | int, decimals: int, locale: str) -> str:
    """``value`` with thousands grouped by 3 and ``decimals`` decimals, in the locale's
    symbols (Babel's "#,##0.00" / "#,##0").

    Half of the last place rounds up, away from zero (0.125 → "0,13", -0.125 → "-0,13"),
    as ``grants.core.money.kroner`` rounds money; Babel would round half to even. What
    rounds to zero is written without a sign: a reader never sees "-0,00 kr."."""
    if not isinstance(value, int):
        quantum = _QUANTA[decimals] if decimals in _QUANTA else Decimal(1).scaleb(-decimals)
        value = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{abs(value):,.{decimals}f}"
    separators = _separators(locale)  # kept per locale: not two ord() calls an amount
    if separators is not None:
        text = text.translate(separators)
    return _number_symbols(locale)[2] + text if value < 0 else text


@lru_cache(maxsize=16)
def _month_abbreviations(locale: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", context="format", locale=locale))


@lru_cache(maxsize=16)
def _month_names(locale: str) -> dict[int, str]:
    return dict(get_month_names("wide", context="format", locale=locale))


def _babel_context() -> Any:
    """Flask-Babel's per-request context, from the app context's ``g`` read directly (the
    ``g`` proxy costs more than the rest of an amount's formatting)."""
    app_context = _cv_app.get(None)
    return app_context.g.__dict__.get("_flask_babel") if app_context is not None else None


def _locale() -> str:
    """The request's locale as text ("da", "en"), found once per request.

    Flask-Babel's ``get_locale`` finds its per-request context through ``g`` on every call
    (~10 µs), and ``str()`` of a Babel locale builds the identifier anew: 60-170 times a
    page for its amounts and dates. The text is kept beside Flask-Babel's own locale in the
    same context, with the locale it was made from, so ``force_locale`` (an e-mail in the
    recipient's language) and ``refresh`` are followed: they replace that locale."""
    context = _babel_context()
    try:  # attributes read directly: getattr() is a call of its own, for every amount
        kept = context.grants_locale
        if kept[0] is context.babel_locale:
            return kept[1]
    except AttributeError:
        pass
    try:
        locale = get_locale()
    except RuntimeError:  # outside a request or app context
        return "da"
    text = str(locale or "da")
    context = _babel_context()
    if context is not None and locale is not None:
        context.grants_locale = (locale, text)
    return text


def _timezone() -> dt.tzinfo | None:
    """The request's time zone, Flask-Babel's as kept in its per-request context."""
    context = _babel_context()
    tzinfo = getattr(context, "babel_tzinfo", None)
    if tzinfo is not None:
        return tzinfo
    try:
        return get_timezone()
    except RuntimeError:
        return None


def money(value: Decimal | int | float | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    # A Decimal is rounded by ``grouped`` as ``kroner`` would round it; anything else
    # becomes kroner first (a float through its text, as ``kroner`` reads it).
    amount = value if isinstance(value, Decimal) else kroner(value)
    return f"{grouped(amount, 2, locale or _locale())} kr."


def number(value: int | None, locale: str | None = None) -> str:
    """A whole number with the locale's grouping: "1.000" (Danish), "1,000" (English)."""
    if value is None:
        return ""
    return grouped(value, 0, locale or _locale())


def _local(moment: dt.datetime) -> dt.datetime:
    """A stored moment where the reader is: the request's time zone (the municipality's,
    BABEL_DEFAULT_TIMEZONE), Copenhagen outside a request. SQLite gives the stored UTC time
    back without its zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(_timezone() or clock.LOCAL)


def _day(value: dt.date) -> dt.date:
    """The day a date shows: a moment's day where the reader is, not in UTC (a report
    deleted at 00:08 in Copenhagen was said to be deleted the day before)."""
    return _local(value).date() if isinstance(value, dt.datetime) else value


def long_date(value: dt.date | str | None, locale: str | None = None) -> str:
    if not value:
        return ""
    if isinstance(value, str):  # a date kept in JSON, e.g. a calculation's rule-set date
        value = dt.date.fromisoformat(value[:10])
    value = _day(value)
    locale = locale or _locale()
    if locale not in ("da", "en"):
        return format_date(value, format="d MMMM y", locale=locale)
    # Babel's "d. MMMM y" (Danish) and "d MMMM y" (English), without parsing the pattern.
    month = _month_names(locale)[value.month]
    if locale == "da":
        return f"{value.day}. {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def short_date(value: dt.date | None, locale: str | None = None) -> str:
    """A date in a table's cell: "24. apr. 2027" (Danish), "24 Apr 2027" (English)."""
    if value is None:
        return ""
    value = _day(value)
    locale = locale or _locale()
    month = _month_abbreviations(locale)[value.month]
    return (
        f"{value.day}. {month} {value.year}"
        if locale == "da"
        else f"{value.day} {month} {value.year}"
    )


def date_time(value: dt.datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    local = _local(value)
    locale = locale or _locale()
    month = _month_abbreviations(locale)[local.month]
    # Babel's "d. MMM y HH:mm" (Danish) and "d MMM y, HH:mm" (otherwise).
    if locale == "da":
        return f"{local.day}. {month} {local.year} {local:%H:%M}"
    return f"{local.day} {month} {local.year}, {local:%H:%M}"


def listed(items: list[str], locale: str | None = None) -> str:
    """Names as a sentence lists them: "Frederik Friis, Ulla Ulriksen og Sine Sekretær"
    (Danish), "…, Ulla Ulriksen and Sine Sekretær" (English)."""
    from babel.lists import format_list

    return format_list(list(items), locale=locale or _locale()) if items else ""


def register(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(date_time, "date_time")
    app.add_template_global(country_name, "country_name")


@lru_cache(maxsize=16)
def _territories(locale: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(locale).territories)


def country_name(code: str, locale: str | None = None) -> str:
    if not code:
        return ""
    return _territories(locale or _locale()).get(code.upper(), code)
