"""Writing an export table (hk/quality/export_rows.py) as a download: CSV streamed as it is read,
or XLSX written to a temporary file and then streamed in chunks. Memory stays the same whatever the
number of rows.

Spreadsheet formula injection: a cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage
return could run as a formula when the file is opened (`=HYPERLINK(...)` in a customer's comment).
`neutralise` is the one place that decides what a cell holds, for both formats: such text gets a
leading `'` and is read as text. Numbers, dates and times stay what they are (a negative number is a
number, written as a number).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.wsgi import wrap_file

from hk.domain.periods import Span
from hk.quality.export_rows import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters no spreadsheet cell may hold (XML 1.0 forbids them; openpyxl refuses them).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_ROWS_PER_CHUNK = 200
CHUNK_BYTES = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {datetime: "yyyy-mm-dd hh:mm", date: "yyyy-mm-dd", Decimal: "0.00"}
XLSX_WIDTH = 18


def neutralise(value):
    """A cell's value as a spreadsheet may safely hold it, in CSV and XLSX alike.

    Text loses control characters, then text beginning with = + - @ tab or CR gets a leading ' so
    that it is shown as written, never run as a formula. Anything else (numbers, dates, None) is
    returned as it is.
    """
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def filename(table: Table, span: Span, extension: str) -> tuple[str, str]:
    """The file's name with its period's first and last day, in ASCII (for old browsers) and in the
    person's language: ratings-2026-11-01_2026-11-30.csv, 评价-2026-11-01_2026-11-30.csv."""
    days = f"{span.start.isoformat()}_{span.last_day.isoformat()}"
    return f"{table.name}-{days}.{extension}", f"{table.title}-{days}.{extension}"


def attachment(ascii_name: str, name: str) -> str:
    """A Content-Disposition for a download, with the RFC 5987 name (UTF-8) beside the ASCII one."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- CSV -------------------------------------------------------------------------------------


def csv_text(value) -> str:
    """One CSV field: neutralised text, numbers as written, local times to the minute, None empty."""
    value = neutralise(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_chunks(headers: list[str], rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads Chinese), CRLF lines, a few hundred rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_text(h) for h in headers])
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_text(v) for v in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(table: Table, span: Span) -> Response:
    """The table as a CSV download, written while the rows are read (the query runs in the stream)."""
    response = Response(stream_with_context(csv_chunks(table.headers, table.rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(*filename(table, span, "csv"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_cell(sheet, value):
    """A value as openpyxl writes it: text neutralised, dates, times and money with a format."""
    value = neutralise(value)
    number_format = XLSX_FORMATS.get(type(value))
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def write_xlsx(file, title: str, headers: list[str], rows: Iterable[tuple]) -> None:
    """One sheet, headings in bold, written row by row (openpyxl's write-only mode keeps no rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # hk's own words: a sheet's title is never a formula
    for column in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = XLSX_WIDTH
    heading = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = Font(bold=True)
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    workbook.save(file)


def xlsx_response(table: Table, span: Span) -> Response:
    """The table as an XLSX download: written whole to a temporary file (a zip is finished only at its
    end), then sent in chunks; the file is gone when the response is closed."""
    file = tempfile.TemporaryFile(prefix="hk-export-", suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        write_xlsx(file, table.title, table.headers, table.rows)
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    response = Response(
        wrap_file(request.environ, file, buffer_size=CHUNK_BYTES), mimetype=XLSX_TYPE, direct_passthrough=True
    )
    response.content_length = size
    response.headers["Content-Disposition"] = attachment(*filename(table, span, "xlsx"))
    response.headers["Cache-Control"] = "private, no-store"
    return response
