"""Who is asking: a role, and the person they act for when known."""

from dataclasses import dataclass

from datastore.records.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role = Role.ANONYMOUS
    person_id: str | None = None
    # How they proved it, for logs: "api-key:<id>", "oidc:<sub>", or None.
    credential: str | None = None
    # An API key issued with --any-document: runs any document in trusted-documents-only mode.
    any_document: bool = False
    # Who signed in, as the issuer named them (a sign-in or a token): for their own header only.
    label: str | None = None


ANONYMOUS = Viewer()


async def managed_organisations(ctx, viewer: Viewer) -> list:
    """Organisations the viewer is Primary or Administrator of, by name."""
    from resolvers.privacy import MANAGING_ROLES
    from resolvers.relations import current_contacts

    if viewer.person_id is None or viewer.role is Role.ANONYMOUS:
        return []
    me = await ctx.loaders.person.load(viewer.person_id)
    held = current_contacts(me, await ctx.loaders.contacts_of_person.load(viewer.person_id))
    ids = sorted({c.organisation_id for c in held if c.role in MANAGING_ROLES})
    return sorted((o for o in await ctx.loaders.organisation.load_many(ids) if o), key=lambda o: o.name)


async def chaired_groups(ctx, viewer: Viewer) -> list:
    """Groups the viewer currently chairs or co-chairs, by name."""
    from resolvers.groups import CHAIR_ROLES

    if viewer.person_id is None or viewer.role is Role.ANONYMOUS:
        return []
    tenures = await ctx.loaders.roster_of_person.load(viewer.person_id)
    ids = sorted({e.group_id for e in tenures if e.role in CHAIR_ROLES and e.active_on(ctx.today)})
    return sorted((g for g in await ctx.loaders.group.load_many(ids) if g), key=lambda g: g.name)
