"""A fixed set of queries whose answers a restored directory must give exactly
as the dumped one did, for anonymous, member and staff callers.

    before = await answers(db)            # in process, through the schema
    ... dump, restore into another database ...
    assert await answers(restored) == before

`answers` also takes an `Execute` (e.g. `over_http(client, headers)`) to ask a
running server. Errors are part of an answer (a field refused to a caller must
stay refused), as their messages and paths.
"""

import io
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from datastore import derived
from datastore.client import Database
from datastore.dump import API_KEYS_OPTION, dump
from datastore.indexes import ensure_indexes
from datastore.restore import check_header, read_header, restore
from datastore.vocabulary import Role
from resolvers.context import Context
from resolvers.viewer import ANONYMOUS, Viewer

# (caller, query, variables) -> {"data": ..., "errors": [...]}
Execute = Callable[[str, str, dict], Awaitable[dict]]

CALLERS: dict[str, Viewer] = {
    "anonymous": ANONYMOUS,
    "member": Viewer(role=Role.MEMBER, credential="test:member"),
    "staff": Viewer(role=Role.STAFF, credential="test:staff"),
}

_PAGE = "pageInfo { hasNextPage endCursor }"
_PERSON_BRIEF = "id name email"
_HISTORY = "history(first: 50) { totalCount nodes { id at actorRole action fields { field before after redacted } reason } }"

ORGANISATIONS = f"""query ($after: String) {{
  organisations(first: 100, after: $after) {{ {_PAGE} nodes {{
    id slug name kind sectors designations country {{ code }} continent city website rorId version updatedAt
    membership {{ status joinedOn lastReviewedOn nextReviewDue removalNoticeOn history {{ status on reason }} }}
    contacts(first: 50) {{ id role person {{ {_PERSON_BRIEF} }} workingGroup {{ id }} }}
    people(first: 100) {{ totalCount nodes {{ id }} }}
    workingGroups(first: 50) {{ id }}
    {_HISTORY}
  }} }} }}"""

PEOPLE = f"""query ($after: String) {{
  people(first: 100, after: $after) {{ {_PAGE} nodes {{
    id name givenName familyName email orcid country {{ code }} contactVisibility version updatedAt
    hiddenContactDetails affiliation {{ id }}
    individualMembership {{ status since history {{ status on reason }} }}
    roles(first: 50) {{ id role organisation {{ id }} workingGroup {{ id }} }}
    communications(first: 50) {{ id slug }}
    groups(first: 50) {{ id role since until active group {{ id }} }}
    {_HISTORY}
  }} }} }}"""

GROUPS = f"""{{
  workingGroups(first: 100) {{
    id slug name kind description active version updatedAt parent {{ id }} children(first: 50) {{ id }}
    chairs(first: 20) {{ id }}
    roster(first: 100) {{ totalCount nodes {{ id role since until active version updatedAt person {{ {_PERSON_BRIEF} }} }} }}
    past: roster(first: 100, activeOn: "2020-06-30") {{ totalCount nodes {{ id role since until }} }}
    organisations(first: 200) {{ id }}
    {_HISTORY}
  }} }}"""

_TREND_POINT = "period start end joined reinstated left activeAtEnd leftBy { key label count }"
TRENDS = f"""{{
  membershipTrend(interval: MONTH, from: "2024-01-01", to: "2024-12-31") {{ {_TREND_POINT} }}
  byYear: membershipTrend(interval: YEAR, from: "2020-01-01") {{ {_TREND_POINT} }}
  individualMembershipTrend(interval: YEAR, from: "2020-01-01") {{ {_TREND_POINT} }}
}}"""

AUDIT_LOG = """query ($after: String) {
  auditLog(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } nodes {
    id at actorKeyId actorRole recordType recordId action fields { field before after redacted } reason actorPerson { id }
  } } }"""

CHANGES = """query ($after: String) {
  changes(first: 100, after: $after) { resumeCursor pageInfo { hasNextPage endCursor } edges { cursor }
    nodes { recordType recordId action version at } } }"""


@cache
def _schema():
    from memberdir.execution import build_schema

    return build_schema()


def in_process(db: Database, callers: dict[str, Viewer] = CALLERS) -> Execute:
    schema = _schema()

    async def execute(caller: str, query: str, variables: dict) -> dict:
        context = Context.for_request(db, viewer=callers[caller])
        context.feed_settle_seconds = 0  # every applied change is in the feed
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [{"message": e.message, "path": e.path} for e in result.errors or []]
        return {"data": result.data, "errors": errors}

    return execute


def over_http(client: AsyncClient, headers: dict[str, dict[str, str]]) -> Execute:
    """Ask a server: `headers` gives each caller's (the anonymous caller's: {})."""

    async def execute(caller: str, query: str, variables: dict) -> dict:
        reply = (await client.post("/graphql", json={"query": query, "variables": variables},
                                   headers=headers[caller])).json()
        errors = [{"message": e.get("message"), "path": e.get("path")} for e in reply.get("errors") or []]
        return {"data": reply.get("data"), "errors": errors}

    return execute


async def _pages(execute: Execute, caller: str, query: str, field: str) -> list[dict]:
    """Every page of a paginated query, as answered (a refused page ends the walk)."""
    pages, after = [], None
    while True:
        page = await execute(caller, query, {"after": after})
        pages.append(page)
        connection = (page["data"] or {}).get(field)
        if page["errors"] or not connection or not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]


async def answers(target: Database | Execute, callers: tuple[str, ...] = tuple(CALLERS)) -> dict[str, Any]:
    """Every fixed query's answer, for each caller."""
    execute = in_process(target) if isinstance(target, Database) else target
    found: dict[str, Any] = {}
    for caller in callers:
        found[caller] = {
            "organisations": await _pages(execute, caller, ORGANISATIONS, "organisations"),
            "people": await _pages(execute, caller, PEOPLE, "people"),
            "groups": await execute(caller, GROUPS, {}),
            "trends": await execute(caller, TRENDS, {}),
            "auditLog": await _pages(execute, caller, AUDIT_LOG, "auditLog"),
            "changes": await _pages(execute, caller, CHANGES, "changes"),
        }
    return found


@asynccontextmanager
async def restored_copy(db: Database, name: str) -> AsyncIterator[Database]:
    """`db` dumped (API keys included) and restored into the empty database `name`
    on the same server, prepared as `memberdir restore` finds one; dropped after."""
    out = io.StringIO()
    await dump(db, out, include=[API_KEYS_OPTION])
    copy = Database(db.client, name)  # shares db's client: closed with it, never here
    await copy.drop()
    await ensure_indexes(copy)
    await derived.refresh(copy)
    with tempfile.TemporaryDirectory(prefix="memberdir-dump-") as folder:
        path = Path(folder) / "dump.ndjson"
        path.write_text(out.getvalue(), encoding="utf-8")
        header = read_header(path)
        assert header is not None
        check_header(path, header)
        await restore(copy, path, header)
    try:
        yield copy
    finally:
        await copy.drop()
