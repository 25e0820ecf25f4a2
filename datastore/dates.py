"""Dates are stored as ISO 'YYYY-MM-DD' strings: they sort and compare as text.

Instants (`updated_at`) are stored as dates, and beside them as a text key
that sorts and compares the same way, for keyset pages.
"""

import calendar
from datetime import UTC, date, datetime


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


def instant_key(value: datetime | None) -> str:
    """'2026-11-01T09:30:00.000000Z': fixed-width UTC text that sorts as the
    instants do; '' when there is none (it sorts first). Naive values are UTC."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except OverflowError:  # within hours of year 1 or 9999: before or after every key
        return "" if aware.year == 1 else "~"
