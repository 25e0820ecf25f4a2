"""The committed SDL is the code's, so every API change shows up in review."""

from memberdir.settings import PROJECT_ROOT
from memberdir.execution import build_schema

COMMITTED = PROJECT_ROOT / "schema" / "directory.graphql"


def test_committed_sdl_is_what_the_code_prints():
    printed = build_schema().as_str() + "\n"  # as `memberdir schema` prints it
    assert COMMITTED.read_text() == printed, (
        "schema/directory.graphql differs from the code's SDL; regenerate it with "
        "`.venv/bin/memberdir schema > schema/directory.graphql` and commit it"
    )


def test_directives_mark_what_is_shared_internal_and_private():
    sdl = COMMITTED.read_text()
    assert "type Country @shareable" in sdl and "type PageInfo @shareable" in sdl
    # Readable by those who may set it (the person, staff), so mutation inputs can name it.
    assert "enum ContactVisibility {" in sdl
    for field in ("email: String", "orcid: String", "roles(first: Int = 20): [RoleContact!]!",
                  "contactVisibility: ContactVisibility"):
        assert f'{field} @tag(name: "private")' in sdl
    assert 'contacts(roles: [ContactRole!] = null, first: Int = 20): [RoleContact!]! @tag(name: "private")' in sdl
