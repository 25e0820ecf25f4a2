"""Calendar periods for statistics over time: years, quarters or months."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from resolvers.errors import BadArgument

MAX_PERIODS = 240


class TrendInterval(Enum):
    """How long each period of a trend is, in calendar months."""

    YEAR = 12
    QUARTER = 3
    MONTH = 1


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date
    end: date


def _index(day: date, months: int) -> int:
    """Which period since year 0 `day` falls in."""
    return (day.year * 12 + day.month - 1) // months


def _label(index: int, interval: TrendInterval) -> str:
    first_month = index * interval.value
    year, month = divmod(first_month, 12)
    if interval is TrendInterval.YEAR:
        return f"{year}"
    if interval is TrendInterval.QUARTER:
        return f"{year}-Q{month // 3 + 1}"
    return f"{year}-{month + 1:02d}"


def _first_day(index: int, months: int) -> date:
    year, month = divmod(index * months, 12)
    return date(year, month + 1, 1)


def _last_day(index: int, months: int) -> date:
    following = index + 1
    if following * months // 12 > date.max.year:
        return date.max
    return _first_day(following, months) - timedelta(days=1)


def periods(interval: TrendInterval, start: date, end: date) -> list[Period]:
    """The calendar periods from `start` to `end`, both inclusive: the first
    begins on `start` and the last ends on `end` (so a year still under way
    ends today)."""
    if end < start:
        raise BadArgument("to", f"{end} is before from ({start})")
    months = interval.value
    first, last = _index(start, months), _index(end, months)
    if last - first + 1 > MAX_PERIODS:
        raise BadArgument("from", f"{start} to {end} is {last - first + 1} {interval.name.lower()}s; "
                                  f"at most {MAX_PERIODS} periods in one answer")
    return [
        Period(
            _label(index, interval),
            max(start, _first_day(index, months)),
            min(end, _last_day(index, months)),
        )
        for index in range(first, last + 1)
    ]
