"""The context a record's own fields are resolved in: the caller's, or, under
Person.visibleAs, the narrower one of the preview (resolvers.privacy.preview_viewer).

Every private field of Person asks `context_of(root, info)` instead of reading
`info.context`, so a preview shows what its kind of caller sees, never more.
"""

from typing import Any

from strawberry import Info


def context_of(root: Any, info: Info) -> Any:
    return getattr(root, "seen_by", None) or info.context
