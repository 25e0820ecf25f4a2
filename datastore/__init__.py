"""MongoDB access for the directory: collections, indexes, queries, import and seed.

Nothing here knows about GraphQL. Functions take a `Database` and return plain
records (frozen dataclasses, datastore.records), one module per domain.
"""
