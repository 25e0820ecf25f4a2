"""Who is asking: a role, and the person they act for when known."""

from dataclasses import dataclass

from datastore.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role = Role.ANONYMOUS
    person_id: str | None = None
    # How they proved it, for logs: "api-key:<id>", "oidc:<sub>", or None.
    credential: str | None = None


ANONYMOUS = Viewer()
