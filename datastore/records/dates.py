"""Dates are stored as ISO 'YYYY-MM-DD' strings: they sort and compare as text.

Instants (`updated_at`) are stored as dates, and beside them as a text key
that sorts and compares the same way, for keyset pages.
"""

import calendar
from datetime import UTC, date, datetime, timedelta


def to_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def from_text(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def add_months(value: date, months: int) -> date:
    """Calendar months later, clamped to the month's end (29 Feb + 12 -> 28 Feb)."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def instant_key(value: datetime | None, *, round_up: bool = False) -> str:
    """'2026-11-01T09:30:00.000Z': fixed-width UTC text that sorts as the
    instants do; '' when there is none (it sorts first). Naive values are UTC.

    To the millisecond, as BSON stores instants: a stored instant's key is the
    same before and after the round trip. `round_up` for a bound given with
    finer digits, so "at or after 09:00:00.0005" does not take in 09:00:00.000.
    """
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if round_up and aware.microsecond % 1000:
        try:
            aware += timedelta(microseconds=1000 - aware.microsecond % 1000)
        except OverflowError:
            return "~"
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:  # within hours of year 1 or 9999: before or after every key
        return "" if aware.year == 1 else "~"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
