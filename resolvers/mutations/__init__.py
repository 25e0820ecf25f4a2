"""Mutations' logic: one module per domain, each change through datastore.writes."""
