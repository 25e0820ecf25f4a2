"""What every engine's reads share: reply sizes, the `$in` filter, and the
mark that tells the parts of one read from separate reads."""

from collections.abc import Iterator, Sequence

# Documents per reply when a query's whole result is wanted: one round trip
# instead of a first batch of 101 and then getMores (a reply still stops at 16 MiB).
WHOLE_RESULT = 100_000
# Marks the second and later parts of one read a strategy splits (a `$in` in
# batches, a page in windows), so command monitoring can tell parts of one
# read from separate reads.
MORE_OF_ONE_READ = "more of one read"
# A condition every document meets, for counting them all (see MongoDB.count).
EVERY_DOCUMENT = {"_id": {"$exists": True}}


def one_of(field: str, values: Sequence) -> dict:
    """The filter `field` in `values`; one value as plain equality, which every
    engine turns into an index lookup (some only then)."""
    return {field: values[0]} if len(values) == 1 else {field: {"$in": list(values)}}


def chunks(items: Sequence, size: int) -> Iterator[list]:
    return (list(items[start : start + size]) for start in range(0, len(items), size))
