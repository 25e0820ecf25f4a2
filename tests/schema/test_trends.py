"""membershipTrend and individualMembershipTrend against the histories counted directly.

The expected figures come from a deliberately plain count here: for every
period, walk every history, compare dates and statuses one by one.
"""

from datetime import date

import pytest

TREND = """query($interval: TrendInterval!, $from: Date, $to: Date, $filter: OrganisationFilter) {
  membershipTrend(interval: $interval, from: $from, to: $to, filter: $filter) {
    period start end joined reinstated left leftBy { key label count } activeAtEnd } }"""
INDIVIDUAL = """query($interval: TrendInterval!, $from: Date, $to: Date) {
  individualMembershipTrend(interval: $interval, from: $from, to: $to) {
    period start end joined reinstated left leftBy { key count } activeAtEnd } }"""


def _expected_point(histories: list[list[dict]], start: str, end: str) -> dict:
    joined = reinstated = active = 0
    left: dict[str, int] = {}
    for history in histories:
        for i in range(1, len(history)):
            before, after, day = history[i - 1]["status"], history[i]["status"], history[i]["on"]
            if not (start <= day <= end):
                continue
            if before == "APPLICANT" and after == "ACTIVE":
                joined += 1
            elif before == "LAPSED" and after == "ACTIVE":
                reinstated += 1
            elif before in ("ACTIVE", "LAPSED") and after in ("CANCELLED", "REMOVED"):
                left[after] = left.get(after, 0) + 1
            elif before == "ACTIVE" and after == "LAPSED":
                left["LAPSED"] = left.get("LAPSED", 0) + 1
        status = None
        for change in history:
            if change["on"] <= end:
                status = change["status"]
        if status == "ACTIVE":
            active += 1
    return {"joined": joined, "reinstated": reinstated, "left": sum(left.values()), "leftBy": left, "activeAtEnd": active}


def _check(points: list[dict], histories: list[list[dict]]) -> None:
    for point in points:
        expected = _expected_point(histories, point["start"], point["end"])
        got = {**{k: point[k] for k in ("joined", "reinstated", "left", "activeAtEnd")},
               "leftBy": {b["key"]: b["count"] for b in point["leftBy"]}}
        assert got == expected, point["period"]


async def _organisation_histories(db, query: dict) -> list[list[dict]]:
    return [d["history"] async for d in db.organisations.find(query, projection={"history": 1})]


@pytest.mark.parametrize(
    ("interval", "start", "end", "periods"),
    [("YEAR", "2013-01-01", "2026-11-01", 14), ("QUARTER", "2014-02-15", "2026-12-31", 52),
     ("MONTH", "2013-01-01", "2026-10-31", 166)],
)
async def test_every_period_matches_the_histories_counted_directly(run_demo, demo_db, interval, start, end, periods):
    points = (await run_demo(TREND, interval=interval, **{"from": start, "to": end}))["membershipTrend"]
    assert len(points) == periods
    assert points[0]["start"] == start and points[-1]["end"] == end
    for previous, following in zip(points, points[1:]):
        assert date.fromisoformat(previous["end"]).toordinal() + 1 == date.fromisoformat(following["start"]).toordinal()
    histories = await _organisation_histories(demo_db, {})
    _check(points, histories)
    assert sum(p["joined"] for p in points) > 400 and sum(p["reinstated"] for p in points) > 5
    assert {k for p in points for k in (b["key"] for b in p["leftBy"])} == {"LAPSED", "CANCELLED", "REMOVED"}


async def test_a_filtered_trend_counts_only_the_matching_organisations(run_demo, demo_db):
    filter = {"continents": ["EUROPE"], "kinds": ["ACADEMIC", "CORPORATION"]}
    points = (await run_demo(TREND, interval="YEAR", filter=filter, to="2026-11-01"))["membershipTrend"]
    histories = await _organisation_histories(demo_db, {"continent": "EUROPE", "kind": {"$in": ["ACADEMIC", "CORPORATION"]}})
    assert points[0]["start"] == min(h[0]["on"] for h in histories)  # from: the first change on record
    _check(points, histories)
    assert points[-1]["activeAtEnd"] == await demo_db.organisations.count_documents(
        {"continent": "EUROPE", "kind": {"$in": ["ACADEMIC", "CORPORATION"]}, "status": "ACTIVE"})


async def test_declined_applications_never_join_nor_leave(run_demo, demo_db):
    histories = await _organisation_histories(demo_db, {"status": "DECLINED"})
    assert histories
    points = (await run_demo(TREND, interval="YEAR", filter={"statuses": ["DECLINED"]}, to="2026-11-01"))["membershipTrend"]
    assert all(p["joined"] == p["left"] == p["activeAtEnd"] == 0 for p in points)


@pytest.mark.parametrize("interval", ["YEAR", "QUARTER"])
async def test_individual_trend_matches_the_histories_counted_directly(run_demo, demo_db, interval):
    points = (await run_demo(INDIVIDUAL, interval=interval, to="2026-11-01"))["individualMembershipTrend"]
    cursor = demo_db.people.find({"individual_membership": {"$ne": None}}, projection={"individual_membership": 1})
    histories = [d["individual_membership"]["history"] async for d in cursor]
    _check(points, histories)
    assert sum(p["joined"] for p in points) > 500
    assert points[-1]["activeAtEnd"] == await demo_db.people.count_documents({"individual_membership.status": "ACTIVE"})


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [({"interval": "MONTH", "from": "2000-01-01", "to": "2020-01-31"}, "from"),  # 241 months
     ({"interval": "YEAR", "from": "2020-01-01", "to": "2019-12-31"}, "to")],
)
async def test_bad_ranges_are_refused_naming_the_argument(run_demo, arguments, argument):
    for query in (TREND, INDIVIDUAL):
        errors = await run_demo.errors(query, **arguments)
        assert errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_240_periods_are_allowed(run_demo):
    points = (await run_demo(TREND, interval="MONTH", **{"from": "2000-01-01", "to": "2019-12-31"}))["membershipTrend"]
    assert len(points) == 240 and points[-1]["period"] == "2019-12"
