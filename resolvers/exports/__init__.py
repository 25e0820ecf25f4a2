"""Exports for spreadsheets: rosters, role contacts, organisations, people and
statistics as CSV, XLSX and NDJSON, with GraphQL's privacy rule per cell.

parameters: checking what was asked; tables: columns and rows; labels: human
words; contact_details: privacy, batched; formats: the writers. The HTTP edge
(memberdir/edge/exports.py) and the CLI (`memberdir export`) both use these.
"""

from resolvers.exports.formats import Format, csv_chunks, ndjson_chunks, write_xlsx
from resolvers.exports.tables import EXPORTS, NotFound, Table

__all__ = ["EXPORTS", "Format", "NotFound", "Table", "csv_chunks", "ndjson_chunks", "write_xlsx"]
