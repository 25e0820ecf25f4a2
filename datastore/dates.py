"""Dates are stored as ISO 'YYYY-MM-DD' strings: they sort and compare as text."""

import calendar
from datetime import date


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
