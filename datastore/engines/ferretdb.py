"""The FerretDB strategy: FerretDB 1.24 on SQLite, the second engine of the tests.

Reads go as on MongoDB (datastore/engines/mongodb.py); it ignores index hints.
What differs is in its writes:
- It does not make a conditional single-document update atomic: concurrent
  `replace_one({_id, version}, ...)` calls can both match, and concurrent `$inc`
  loses most increments. Colliding inserts on a unique key do have exactly one
  winner, so the write path claims each version with such an insert before it
  applies anything (datastore/writes.py): on this engine the claim chain, not
  the fenced replace, orders writers. The fenced replace is still sent, the
  same command, so a writer paused past its lease is turned away by it.
- An update that breaks a unique index is answered with InternalError and
  SQLite's words, not DuplicateKeyError.
- A bulk load keeping the indexes was measured quicker: restore at scale 3
  took 20 s keeping them and 26 s building after.

What the domain modules keep to, because of this engine (they say "some
engines"): its SQLite backend pushes down only a lone `_id` equality (every
other read scans its collection, so related reads go in chunks); it stalls on
an update command of more than about a hundred statements (replacements go
in batches of 50); it stores no nested arrays; it drops the connection when
one createIndexes command names several indexes that already exist; its
regexes are RE2's, not PCRE's; it loses the other fields of a compound
`_id` after an `$unwind`, and groups on membership histories at about twice
the cost of reading the documents (bench/dashboard.py); it can lose one of
two concurrent updates of a document (so generation tokens are documents of
their own, never counters).
"""

from dataclasses import dataclass

from pymongo.errors import OperationFailure

from datastore.engines.mongodb import MongoDB


@dataclass(frozen=True)
class FerretDB(MongoDB):
    """How FerretDB 1.24 is written; it is read as MongoDB is."""

    indexes_after_load: bool = False

    def unique_key_taken(self, failed: OperationFailure) -> bool:
        return super().unique_key_taken(failed) or "UNIQUE constraint failed" in str(failed)
