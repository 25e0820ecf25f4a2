"""Checking that an erasure is complete: the whole database, every collection, searched."""

from collections.abc import Iterable

from datastore import erasure
from datastore.client import Database


async def erased_values_found(db: Database, values: Iterable[str]) -> list[str]:
    """Where any of `values` (an erased person's full name, given and family names, e-mail,
    ORCID) still stands in the database, as "<value> in <collection>/<_id>": every document
    of every collection, as raw BSON read as text, searched for each value as whole
    case-folded tokens ("Ana" is found in "asked ANA", not in "Banana"). Empty when complete."""
    return await erasure.found_anywhere(db, values)
