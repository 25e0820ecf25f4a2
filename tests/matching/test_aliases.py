"""Organisation.aliases and acronyms: staff edit them through updateOrganisation
(audited), others may not, and the matcher reads them at once."""

import pytest

from tests.matching_helpers import chosen, match

pytestmark = pytest.mark.database  # run on every engine (make test)

UPDATE = """mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
  organisation { id version aliases acronyms } userErrors { field message code } } }"""
READ = '{ organisation(id: "org_helsinki") { version aliases acronyms } }'
HISTORY = '{ organisation(id: "org_helsinki") { history(first: 5) { nodes { action fields { field after } } } } }'


async def graphql(client, headers, query, **variables) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_staff_set_aliases_and_acronyms_and_matching_uses_them_at_once(client, keys):
    assert chosen(await match(client, keys["anonymous"], "HUS, Helsinki, Finland")) is None
    version = (await graphql(client, keys["staff"], READ))["organisation"]["version"]
    patch = {"aliases": ["Helsingin yliopistollinen keskussairaala"], "acronyms": ["HUS"]}
    done = await graphql(client, keys["staff"], UPDATE,
                         input={"id": "org_helsinki", "expectedVersion": version, "patch": patch, "reason": "ROR"})
    assert done["updateOrganisation"]["userErrors"] == []
    assert done["updateOrganisation"]["organisation"]["aliases"] == patch["aliases"]
    assert chosen(await match(client, keys["anonymous"], "HUS, Helsinki, Finland")) == ("org_helsinki", "ACRONYM")
    assert chosen(await match(client, keys["anonymous"], "Helsingin yliopistollinen keskussairaala")) == (
        "org_helsinki", "EXACT")
    history = (await graphql(client, keys["staff"], HISTORY))["organisation"]["history"]["nodes"]
    assert {f["field"] for f in history[0]["fields"]} >= {"aliases", "acronyms"}


async def test_others_may_not_set_them(client, keys):
    version = (await graphql(client, keys["staff"], READ))["organisation"]["version"]
    refused = await graphql(client, keys["member"], UPDATE,
                            input={"id": "org_helsinki", "expectedVersion": version, "patch": {"acronyms": ["X"]}})
    assert refused["updateOrganisation"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await graphql(client, keys["staff"], READ))["organisation"]["version"] == version


async def test_an_acronym_that_is_not_one_is_invalid(client, keys):
    version = (await graphql(client, keys["staff"], READ))["organisation"]["version"]
    refused = await graphql(client, keys["staff"], UPDATE,
                            input={"id": "org_helsinki", "expectedVersion": version, "patch": {"acronyms": ["<b>"]}})
    error = refused["updateOrganisation"]["userErrors"][0]
    assert error["code"] == "INVALID" and error["field"][:3] == ["input", "patch", "acronyms"]
