"""The time, in one place, so the app can run at another date and tests can move it.

Everything asks ``now()`` or ``today()`` here, never ``datetime.now()``/``date.today()``.

In development and tests the clock can be set with ``CLOCK_TODAY`` (config, or the
environment variable ``GRANTS_TODAY``): a day (``2028-12-31``) or a local moment
(``2028-12-31T23:55``). The app then starts at that moment and time runs on from there, so
the demo and anyone trying a year's end can move through the years (restart with another
day). Production refuses to start with it set (``grants._refuse_unsafe_production``).

The tests move the clock with the ``move_clock`` fixture (tests/conftest.py), which replaces
``now`` here; ``today`` reads ``now``, so it moves with it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from flask import Flask

LOCAL = ZoneInfo("Europe/Copenhagen")

# How far the app's clock is from the real one (zero unless CLOCK_TODAY is set).
_offset = dt.timedelta(0)


class ClockSettingError(ValueError):
    pass


def real_now() -> dt.datetime:
    """The machine's time, whatever the app's clock says."""
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    return real_now() + _offset


def today() -> dt.date:
    return local_day(now())


def local_day(moment: dt.datetime) -> dt.date:
    """The day a stored moment fell on in Copenhagen (SQLite gives UTC back without a zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL).date()


def parse_setting(value: str) -> dt.datetime | None:
    """``CLOCK_TODAY`` as a moment in Copenhagen: a day means 07:00 that day (the start
    of a working day); empty means the real clock."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if "T" in value or " " in value:
            moment = dt.datetime.fromisoformat(value)
        else:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(7, 0))
    except ValueError:
        raise ClockSettingError(
            f"CLOCK_TODAY={value!r} is not a day (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment


def set_to(moment: dt.datetime | None) -> None:
    """Run the clock from ``moment`` on (None: the real clock)."""
    global _offset
    _offset = dt.timedelta(0) if moment is None else moment - real_now()


def is_moved() -> bool:
    return _offset != dt.timedelta(0)


def configure(app: Flask) -> None:
    """Set the clock from the app's ``CLOCK_TODAY``. Refused in production."""
    moment = parse_setting(str(app.config.get("CLOCK_TODAY") or ""))
    if moment is not None and app.config.get("PRODUCTION"):
        raise RuntimeError("CLOCK_TODAY (GRANTS_TODAY) is for development and tests only.")
    set_to(moment)
