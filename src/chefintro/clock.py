"""Europe/Stockholm wall-clock time: the one place that knows the programme's time zone.

Times are Europe/Stockholm wall-clock times, stored naive. A time in the spring-forward
gap (02:00–03:00 on the last Sunday of March) does not exist and is refused; a time in
the repeated autumn hour (02:00–03:00 on the last Sunday of October) is taken as its
first occurrence, still summer time (UTC+2).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chefintro.errors import UsageError

#: The programme's time zone; rosters and calendars hold wall-clock times in it (Excel has
#: no time zones).
TIMEZONE = "Europe/Stockholm"


def stockholm() -> ZoneInfo:
    return ZoneInfo(TIMEZONE)


def local_time(value: datetime) -> datetime:
    """Return ``value`` as a naive Stockholm wall-clock time that exists, or raise UsageError.

    An aware value is converted to Stockholm time. A naive value in the spring-forward gap
    is refused; one in the repeated autumn hour means its first occurrence (UTC+2).
    """
    zone = stockholm()
    if value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0, fold=0)
    value = value.replace(microsecond=0, fold=0)
    round_trip = value.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != value:
        raise UsageError(
            f"{value:%Y-%m-%d %H:%M} does not exist in Sweden: the clocks go from 02:00 "
            "straight to 03:00 that night. Give a time outside 02:00–03:00."
        )
    return value


def to_utc(value: datetime) -> datetime:
    """Return the aware UTC instant of a naive Stockholm wall-clock time."""
    return value.replace(tzinfo=stockholm(), fold=0).astimezone(UTC)


def now_local() -> datetime:
    """Return the current Stockholm wall-clock time, naive."""
    return datetime.now(stockholm()).replace(tzinfo=None, microsecond=0)


def wall_clock(value: datetime) -> datetime:
    """Return an aware ``value`` as a naive Stockholm wall-clock time (naive is kept)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(stockholm()).replace(tzinfo=None)


def today() -> date:
    """Return today's date in Sweden."""
    return now_local().date()


# How people write a time: 9:00, 09:00, 9.00, 09.00 (Swedish style), with or without seconds.
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")


def parse_clock(text: str) -> time | None:
    """Return the time of day in ``9:00``, ``09.00`` or ``9.00``; None when it is not one."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    except ValueError:
        return None


def parse_date_time(text: str) -> datetime | None:
    """Return the date and time in ``2027-01-26 9:00`` / ``…T09.00``; None when it is not one."""
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
