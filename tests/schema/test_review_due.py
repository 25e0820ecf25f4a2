"""Review work: organisations whose review is due before a day, overdue first."""

import pytest

PAGE = """query($filter: OrganisationFilter, $order: OrganisationOrder, $after: String) {
  organisations(filter: $filter, orderBy: $order, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id membership { status nextReviewDue } } } }"""


async def _every(run, filter=None, order="NAME_ASC") -> tuple[int, list[dict]]:
    nodes, after = [], None
    while True:
        page = (await run(PAGE, filter=filter, order=order, after=after))["organisations"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], nodes
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("day", ["2025-01-01", "2026-11-01", "2027-06-30"])
async def test_review_due_before_finds_exactly_the_reviews_due_strictly_before(run_demo, day):
    _, everyone = await _every(run_demo)
    expected = {o["id"] for o in everyone if o["membership"]["nextReviewDue"] and o["membership"]["nextReviewDue"] < day}
    assert expected
    total, due = await _every(run_demo, filter={"reviewDueBefore": day})
    assert total == len(due) and {o["id"] for o in due} == expected
    assert {o["membership"]["status"] for o in due} <= {"ACTIVE", "LAPSED"}


async def test_review_due_order_puts_the_most_overdue_first_and_never_due_last(run_demo):
    total, ordered = await _every(run_demo, order="REVIEW_DUE_ASC")
    assert total == len(ordered) == len({o["id"] for o in ordered})
    due = [o["membership"]["nextReviewDue"] for o in ordered]
    with_due = [d for d in due if d is not None]
    assert with_due and due[: len(with_due)] == sorted(with_due)  # nulls only at the end
    assert all(d is None for d in due[len(with_due):]) and len(with_due) < len(due)


async def test_review_due_order_combines_with_the_filter_and_pages_with_keyset_cursors(run_demo):
    filter = {"reviewDueBefore": "2026-11-01", "continents": ["EUROPE"]}
    total, ordered = await _every(run_demo, filter=filter, order="REVIEW_DUE_ASC")
    assert total == len(ordered) > 0
    due = [o["membership"]["nextReviewDue"] for o in ordered]
    assert due == sorted(due) and due[-1] < "2026-11-01"
    first = (await run_demo(PAGE, filter=filter, order="REVIEW_DUE_ASC", after=None))["organisations"]
    cursor = first["pageInfo"]["endCursor"]
    errors = await run_demo.errors(PAGE, filter=filter, order="NAME_ASC", after=cursor)
    assert errors[0].extensions["argument"] == "after"  # a cursor only works for its order
