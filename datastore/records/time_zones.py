"""Time zones: IANA keys, the zone a country implies, and times worded in a zone.

An organisation's notices word times in its time zone (an IANA key such as
"Europe/Berlin"). Unless staff set one, it is its country's zone when the
country has one, else UTC. The zones of each country come from tzdb's own
`zone.tab`, as the `tzdata` package ships it (one row per country and zone),
read through importlib.resources: no hand table to keep up to date, and the
same data zoneinfo reads the rules from.

"One zone" means one clock: zones of a country whose clocks agree from now on
count as one (Germany's Büsingen keeps Berlin's time, and tzdb's zonenow.tab
groups them the same way), so the country's first-listed zone is its default.
Zones that differ at any hour of the coming two years (the United States,
Spain with the Canaries) make UTC the default, and staff set the right one.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

DEFAULT = "UTC"
# How far ahead two zones must keep the same UTC offset to count as one clock, checked hourly.
_HORIZON = timedelta(days=2 * 366)
_STEP = timedelta(hours=1)


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, in zone.tab's order (the most populous first)."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _coordinates, key, *_comment = line.split("\t")
        found.setdefault(code, []).append(key)
    return {code: tuple(keys) for code, keys in found.items()}


@cache
def _keys() -> frozenset[str]:
    return frozenset(available_timezones())


def is_key(value: str) -> bool:
    """Whether `value` is an IANA time zone key the installed tzdata knows."""
    return value in _keys()


def zones_of(country_code: str) -> tuple[str, ...]:
    """The country's zones as tzdb lists them (none for a code it does not know)."""
    return _zones_by_country().get(country_code.strip().upper(), ())


def _one_clock(first: str, other: str, start: datetime) -> bool:
    a, b = ZoneInfo(first), ZoneInfo(other)
    instant = start
    while instant < start + _HORIZON:
        if instant.astimezone(a).utcoffset() != instant.astimezone(b).utcoffset():
            return False
        instant += _STEP
    return True


@cache
def default_for(country_code: str) -> str:
    """The zone an organisation of this country has unless one is set: the country's
    zone when its zones keep one clock, else UTC."""
    zones = zones_of(country_code)
    if not zones:
        return DEFAULT
    # From the start of this year (UTC): the same answer all year in every process.
    start = datetime(datetime.now(UTC).year, 1, 1, tzinfo=UTC)
    if all(_one_clock(zones[0], other, start) for other in zones[1:]):
        return zones[0]
    return DEFAULT


def local_time(instant: datetime, zone: str) -> str:
    """An instant as ISO 8601 in `zone`, with its offset: '2026-12-07T10:40:00+01:00'."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def today_in(zone: str, now: datetime | None = None) -> date:
    """The calendar day it is in `zone` at `now` (the current instant by default)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()
