"""What makes a written workbook accessible and printable: defined Excel tables over the
data (a screen reader announces a table's headers with each cell), a print scale people
can read, and charts with alternative text.

- :func:`add_table` defines an Excel table (``Table``) over a header row and its rows,
  with its own filter buttons; a sheet with a table needs no sheet filter (and must not
  have one over the same cells). Headers a table cannot carry unchanged (empty, repeated,
  escaped against formulas, with control characters) leave the sheet without one.
- :func:`pages_wide` is the number of A4 pages a sheet is printed across so that its text
  prints at :data:`MIN_PRINT_SCALE` or larger, never shrunk to 6 pt on one page.
- :func:`chart_alt_text` gives a chart a title and description (alternative text) that
  openpyxl writes into the drawing (it has no setting of its own for them).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from chefintro.roster.write.cells import safe_text

#: The smallest print scale: 11 pt text prints at 8 pt or larger.
MIN_PRINT_SCALE = 0.75
#: A4 width less the 0.5" side margins, in points, portrait and landscape.
_PRINTABLE = {"portrait": 595.3 - 72, "landscape": 841.9 - 72}
_TABLE_NAME = re.compile(r"[^A-Za-z0-9_]+")


def column_points(width: float) -> float:
    """The printed width of a column ``width`` characters wide (Calibri 11), in points."""
    return (width * 7 + 5) * 0.75


def pages_wide(widths: Sequence[float], orientation: str) -> int:
    """How many pages across a sheet with these column widths (characters) is printed,
    so that it prints at MIN_PRINT_SCALE or larger; the first column repeats on each."""
    total = sum(column_points(w) for w in widths)
    printable = _PRINTABLE[orientation]
    if total * MIN_PRINT_SCALE <= printable:
        return 1
    first = column_points(widths[0]) * MIN_PRINT_SCALE if widths else 0.0
    return -(-int(total * MIN_PRINT_SCALE - first) // int(printable - first))


def print_scale(widths: Sequence[float], orientation: str, pages: int) -> float:
    """The scale a sheet prints at when fitted to ``pages`` pages wide (at most 100 %)."""
    total = sum(column_points(w) for w in widths)
    if pages <= 1:
        return min(1.0, _PRINTABLE[orientation] / total) if total else 1.0
    first = column_points(widths[0]) if widths else 0.0
    # Each page after the first repeats the first column.
    return min(1.0, (pages * _PRINTABLE[orientation]) / (total + (pages - 1) * first))


def table_headers_ok(headers: Sequence[str]) -> bool:
    """Whether these headers can name an Excel table's columns exactly as they show."""
    seen: set[str] = set()
    for header in headers:
        key = header.casefold()
        if not header.strip() or key in seen or not header.isprintable():
            return False
        if safe_text(header) != header:  # escaped: the cell would not show the name
            return False
        seen.add(key)
    return True


def add_table(
    workbook: Any,
    worksheet: Any,
    headers: Sequence[str],
    *,
    first_row: int,
    last_row: int,
    filter_buttons: bool = True,
) -> bool:
    """Define an Excel table over ``headers`` (at ``first_row``, from column A) and the rows
    down to ``last_row`` (at least one, which may be empty). False when the headers cannot
    name a table (:func:`table_headers_ok`); the sheet is then left as it was."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    if not headers or not table_headers_ok(headers):
        return False
    ref = f"A{first_row}:{get_column_letter(len(headers))}{max(last_row, first_row + 1)}"
    table = Table(
        id=_next_table_id(workbook),
        displayName=_table_name(workbook, worksheet.title),
        ref=ref,
        tableColumns=[TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)],
        autoFilter=AutoFilter(ref=ref) if filter_buttons else None,
        tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=True),
    )
    with warnings.catch_warnings():
        # openpyxl warns that write-only sheets need their table columns given: they are.
        warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
        worksheet.add_table(table)
    return True


def _all_tables(workbook: Any) -> list[Any]:
    return [t for sheet in workbook.worksheets for t in sheet.tables.values()]


def _next_table_id(workbook: Any) -> int:
    return len(_all_tables(workbook)) + 1


def _table_name(workbook: Any, sheet: str) -> str:
    """A table name Excel takes (letters, digits, _; not a cell address), unique in the
    workbook: Tabell_Deltagare, Tabell_Narvaro, Tabell_Oversikt_2 …"""
    import unicodedata

    plain = unicodedata.normalize("NFKD", sheet).encode("ascii", "ignore").decode()
    base = "Tabell_" + (_TABLE_NAME.sub("_", plain).strip("_") or "blad")
    used = {t.displayName.casefold() for t in _all_tables(workbook)}
    name, number = base, 2
    while name.casefold() in used:
        name, number = f"{base}_{number}", number + 1
    return name


# --- charts' alternative text ------------------------------------------------------------

_ALT_TEXT = "_chefintro_alt_text"


def set_alt_text(chart: Any, title: str, description: str) -> None:
    """Give ``chart`` a title and description for screen readers (written on save)."""
    setattr(chart, _ALT_TEXT, (title, description))


@contextmanager
def chart_alt_text() -> Iterator[None]:
    """While a workbook is saved, write each chart's alternative text into its drawing.

    openpyxl makes a chart's frame in the drawing without a description (``descr``) or
    title; this wraps the one method that makes it, for the length of the save only.
    """
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

    original = SpreadsheetDrawing._chart_frame

    def frame_with_alt_text(self: Any, idx: int) -> Any:
        frame = original(self, idx)
        objects = [*self.charts, *self.images]
        alt = getattr(objects[idx - 1], _ALT_TEXT, None) if idx <= len(objects) else None
        if alt is not None:
            properties = frame.nvGraphicFramePr.cNvPr
            properties.title, properties.descr = alt
        return frame

    SpreadsheetDrawing._chart_frame = frame_with_alt_text
    try:
        yield
    finally:
        SpreadsheetDrawing._chart_frame = original
