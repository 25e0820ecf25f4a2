"""Writing a table as CSV, NDJSON or XLSX, a chunk of rows at a time.

Safe to open: a spreadsheet runs a cell beginning with = + - @ (or a tab or
carriage return, which some strip first) as a formula, so CSV cells that do
are prefixed with a single quote; XLSX cells are written as strings, never
formulas; JSON is never run. CSV is UTF-8 with a byte-order mark, which is how
Excel knows to keep "Zoë" and "Łódź" intact.
"""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path

import anyio
import xlsxwriter

from resolvers.exports.tables import Cell, Table


class Format(str, Enum):
    CSV = "csv"
    XLSX = "xlsx"
    NDJSON = "ndjson"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.NDJSON: "application/x-ndjson",
}
BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def neutralised(text: str) -> str:
    """The text, made inert for a spreadsheet: "=HYPERLINK(...)" -> "'=HYPERLINK(...)"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Yes" if cell else "No"
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, tuple):
        return neutralised(LIST_SEPARATOR.join(cell))
    return neutralised(cell)


async def csv_chunks(table: Table) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow([column.header for column in table.columns])
    async for rows in table.chunks:
        writer.writerows([_text(cell) for cell in row] for row in rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # the heading of an empty export
        yield buffer.getvalue().encode()


def _json(cell: Cell) -> object:
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, tuple):
        return list(cell)
    return cell


async def ndjson_chunks(table: Table) -> AsyncIterator[bytes]:
    keys = [column.key for column in table.columns]
    async for rows in table.chunks:
        lines = (json.dumps(dict(zip(keys, map(_json, row))), ensure_ascii=False) for row in rows)
        yield "".join(line + "\n" for line in lines).encode()


async def write_xlsx(table: Table, path: Path) -> None:
    """Write the workbook to `path` in XlsxWriter's constant-memory mode: each
    row goes to a temporary file as it is written, so memory stays flat."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(path.parent),
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(table.title)
    heading = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, max(12, min(40, len(column.header) + 4)))
        sheet.write_string(0, index, column.header, heading)
    sheet.freeze_panes(1, 0)
    line = 1
    async for rows in table.chunks:
        for row in rows:
            for index, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, bool):
                    sheet.write_boolean(line, index, cell)
                elif isinstance(cell, int):
                    sheet.write_number(line, index, cell)
                elif isinstance(cell, date):
                    sheet.write_datetime(line, index, datetime.combine(cell, time()), day)
                elif isinstance(cell, tuple):
                    sheet.write_string(line, index, LIST_SEPARATOR.join(cell))
                else:
                    sheet.write_string(line, index, cell)
            line += 1
    # Zipping the sheet's temporary file into the workbook is blocking work.
    await anyio.to_thread.run_sync(workbook.close)
