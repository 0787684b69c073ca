"""Money and dates the way a Dane reads them: "1.234,50 kr.", "24. november 2026"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale, get_timezone

from grants.core.money import kroner


def _locale() -> str:
    try:
        return str(get_locale() or "da")
    except RuntimeError:  # outside a request or app context
        return "da"


def money(value: Decimal | int | float | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    locale = locale or _locale()
    number = format_decimal(kroner(value), format="#,##0.00", locale=locale)
    return f"{number} kr."


def number(value: int | None, locale: str | None = None) -> str:
    """A whole number with the locale's grouping: "1.000" (Danish), "1,000" (English)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0", locale=locale or _locale())


def long_date(value: dt.date | str | None, locale: str | None = None) -> str:
    if not value:
        return ""
    if isinstance(value, str):  # a date kept in JSON, e.g. a calculation's rule-set date
        value = dt.date.fromisoformat(value[:10])
    return format_date(
        value,
        format="d. MMMM y" if (locale or _locale()) == "da" else "d MMMM y",
        locale=locale or _locale(),
    )


def short_date(value: dt.date | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y")


def date_time(value: dt.datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        tz = get_timezone()
    except RuntimeError:
        tz = None
    return format_datetime(
        value,
        format="d. MMM y HH:mm" if (locale or _locale()) == "da" else "d MMM y, HH:mm",
        tzinfo=tz,
        locale=locale or _locale(),
    )


def register(app) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(date_time, "date_time")
    app.add_template_global(country_name, "country_name")


def country_name(code: str, locale: str | None = None) -> str:
    from babel import Locale

    if not code:
        return ""
    return Locale.parse(locale or _locale()).territories.get(code.upper(), code)
