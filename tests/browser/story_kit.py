"""What the stories (test_stories_*.py) share: the app signed in through the
test OpenID Connect provider, a staff key to make each story's own data
through the API, and the browser that runs stories/<name>.mjs.

Each story makes its own people, organisations and groups (names carry a
random tag), so stories never depend on each other or on their order.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

CREATE_PERSON = """mutation StoryCreatePerson($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id version } userErrors { field message code } } }"""
CREATE_ORGANISATION = """mutation StoryCreateOrganisation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { organisation { id slug version } userErrors { field message code } } }"""
ASSIGN = """mutation StoryAssign($input: AssignRoleContactInput!) {
  assignRoleContact(input: $input) { organisation { id version } userErrors { field message code } } }"""
DECIDE = """mutation StoryDecide($input: DecideMembershipInput!) {
  decideMembership(input: $input) { organisation { id version membership { status } } userErrors { field message code } } }"""
CREATE_GROUP = """mutation StoryCreateGroup($input: CreateWorkingGroupInput!) {
  createWorkingGroup(input: $input) { workingGroup { id slug version } userErrors { field message code } } }"""
VERSION = "query StoryVersion($id: ID!) { node(id: $id) { ... on Person { version } ... on Organisation { version } } }"


@dataclass(frozen=True)
class Member:
    """A person in the directory and the provider's user who signs in as them."""

    id: str
    email: str
    password: str
    name: str

    def user(self) -> dict[str, str]:
        return {"email": self.email, "password": self.password}


class StoryKit:
    def __init__(self, browser: Any, base: str, provider: Any, staff_key: str):
        self.browser, self.base, self.provider, self.staff_key = browser, base, provider, staff_key

    def tag(self) -> str:
        return secrets.token_hex(3)

    def api(self, query: str, variables: dict | None = None, key: str | None = "staff") -> dict:
        """The API's whole answer; `key` "staff" (the default), None (anonymous) or a key."""
        key = self.staff_key if key == "staff" else key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        answer = httpx.post(f"{self.base}/graphql", json={"query": query, "variables": variables or {}},
                            headers=headers, timeout=60)
        return answer.json()

    def ok(self, query: str, input: dict) -> dict:
        """Runs a staff mutation that must succeed; its payload."""
        answer = self.api(query, {"input": input})
        assert "errors" not in answer, answer
        [payload] = answer["data"].values()
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload

    def version(self, record_id: str) -> int:
        return self.api(VERSION, {"id": record_id})["data"]["node"]["version"]

    def member(self, given: str = "Ana", family: str | None = None, role: str = "MEMBER", **fields: Any) -> Member:
        """A person (made by staff) and a provider user with the same verified address."""
        tag = self.tag()
        family = family or f"Story-{tag}"
        email = f"{given.lower()}.{tag}@example.org"
        made = self.ok(CREATE_PERSON, {"givenName": given, "familyName": family, "email": email, **fields})
        user = self.provider.add_user(email, role=role, name=f"{given} {family}")
        return Member(made["person"]["id"], email, user.password, f"{given} {family}")

    def organisation(self, primary: Member | None = None, name: str | None = None, **fields: Any) -> dict:
        """An organisation (by staff); with `primary`, it is affiliated and made Primary."""
        tag = self.tag()
        made = self.ok(CREATE_ORGANISATION, {"slug": f"story-org-{tag}", "name": name or f"Story Organisation {tag}",
                                            "kind": "ACADEMIC", "country": "GB", **fields})["organisation"]
        if primary:
            self.affiliate(primary, made["id"])
            made = made | self.ok(ASSIGN, {"organisationId": made["id"], "expectedVersion": made["version"],
                                           "role": "PRIMARY", "personId": primary.id})["organisation"]
        return made

    def affiliate(self, member: Member, organisation_id: str) -> None:
        self.ok("""mutation StoryAffiliate($input: UpdatePersonInput!) {
          updatePerson(input: $input) { person { id } userErrors { field message code } } }""",
                {"id": member.id, "expectedVersion": self.version(member.id), "patch": {"affiliation": organisation_id}})

    def group(self, name: str | None = None, kind: str = "WORKING_GROUP") -> dict:
        tag = self.tag()
        return self.ok(CREATE_GROUP, {"slug": f"story-group-{tag}", "name": name or f"Story Group {tag}",
                                      "kind": kind})["workingGroup"]

    def run(self, story: str, /, **job: Any) -> dict:
        """Runs stories/<name>.mjs against the app; what it returned."""
        return self.browser.story(story, base=self.base, **job)
