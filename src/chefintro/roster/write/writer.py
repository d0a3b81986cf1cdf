"""Writes styled roster workbooks (export, template, overview charts) from plain data.

The services fill a :class:`WorkbookSpec` (sheets of headers and rows of Python values) and
:func:`write_workbook` turns it into an .xlsx people can work in: bold, frozen header row,
filter, column widths, drop-down lists, real dates with a date format. It streams with
openpyxl's write-only mode, so a 20,000-row export costs about what writing the bare cells
costs.

Every text cell is written as a string, never as a formula, and text a spreadsheet could
take for a formula gets a leading apostrophe (:func:`chefintro.roster.columns.escape_text`),
which the reader removes again. Booleans are written ``ja``/``nej`` and the domain enums as
their Swedish words, as the reader expects them. Time-zone-aware date-times are written as
wall-clock time in :data:`~chefintro.clock.TIMEZONE`.

The file is written to a temporary file in the destination folder and moved into place
with ``os.replace``, so a failed export never leaves half a workbook behind. Like every
file holding personal data the tool writes, it is readable by its owner only (mode 0600).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from chefintro.files import private_output
from chefintro.roster.columns import (
    COLUMN_HELP,
    DATE_FORMAT,
    DATETIME_FORMAT,
    FLAG_LABELS,
    IMPORT_ORDER,
    KIND_LABELS,
    ROLE_LABELS,
    SESSION_COLUMN_WIDTH,
    SHEET_HELP,
    SHEETS,
    STATUS_LABELS,
    SheetKey,
    ValueKind,
    attendance_header,
)
from chefintro.roster.write.overview import write_overview
from chefintro.roster.write.sheet import ChoiceLists, write_table_sheet
from chefintro.roster.write.specs import (
    INPUT_ROWS,
    ColumnSpec,
    OverviewSheet,
    SheetSpec,
    WorkbookSpec,
)
from chefintro.roster.write.tables import chart_alt_text

# --- public entry points ----------------------------------------------------------------------


def write_workbook(path: str | os.PathLike[str], book: WorkbookSpec) -> None:
    """Write ``book`` to ``path`` atomically; OutputError (exit 73) if it cannot be written."""
    from openpyxl import Workbook

    if not book.sheets:
        raise ValueError("a workbook needs at least one sheet")
    # The temporary file comes first: if it cannot be made, no write-only sheet exists yet.
    with private_output(Path(path)) as temporary, _scratch_beside(temporary):
        workbook = Workbook(write_only=True)
        try:
            lists = ChoiceLists()
            for sheet in book.sheets:
                if isinstance(sheet, OverviewSheet):
                    write_overview(workbook, sheet, book.page_header)
                else:
                    write_table_sheet(workbook, sheet, lists, book.page_header)
            lists.write(workbook)
            _properties(workbook, book)
            with chart_alt_text():
                workbook.save(temporary)
        finally:
            _discard(workbook)


def _properties(workbook: Any, book: WorkbookSpec) -> None:
    """Title the workbook, and record when an export was made (read back on import)."""
    from openpyxl.packaging.custom import StringProperty

    from chefintro.roster.read.workbook_parts import EXPORTED_AT_PROPERTY

    workbook.properties.title = book.page_header
    workbook.properties.creator = "chefintro"
    if book.exported_at is not None:
        stamp = book.exported_at.replace(microsecond=0)
        workbook.properties.created = stamp.replace(tzinfo=None)
        workbook.custom_doc_props.append(
            StringProperty(name=EXPORTED_AT_PROPERTY, value=stamp.isoformat())
        )


@contextmanager
def _scratch_beside(temporary: Path) -> Iterator[Path]:
    """Keep openpyxl's write-only scratch files in a private folder beside the target.

    A write-only sheet streams its rows (names, e-mail addresses) to a plain-text scratch
    file, by default in the system's temp folder, where a killed export would leave it
    for anyone to read. Here they go into a 0700 folder next to the temporary workbook,
    which is removed when the workbook is done, whatever happens.
    """
    import tempfile

    from openpyxl.worksheet import _writer

    folder = Path(tempfile.mkdtemp(prefix=f"{temporary.name}.", dir=temporary.parent))

    def create_private_file(suffix: str = "") -> str:
        fd, name = tempfile.mkstemp(prefix="sheet.", suffix=suffix, dir=folder)
        os.close(fd)
        _writer.ALL_TEMP_FILES.append(name)
        return name

    original = _writer.create_temporary_file
    _writer.create_temporary_file = create_private_file
    try:
        yield folder
    finally:
        _writer.create_temporary_file = original
        for name in list(_writer.ALL_TEMP_FILES):
            if Path(name).parent == folder:
                _writer.ALL_TEMP_FILES.remove(name)
        shutil.rmtree(folder, ignore_errors=True)


def _discard(workbook: Any) -> None:
    """Close the write-only sheets a failed build left open and remove their scratch files.

    Left to the garbage collector, their row streams write to already closed files and
    Python prints "Exception ignored in: <generator …>" noise on stderr. After a save the
    sheets are closed and their scratch files gone, so this does nothing.
    """
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    for worksheet in workbook.worksheets:
        if worksheet.closed:
            continue
        rows, writer = getattr(worksheet, "_rows", None), getattr(worksheet, "_writer", None)
        if rows is not None:
            with suppress(Exception):
                rows.close()
        if writer is not None:
            with suppress(Exception):
                writer.close()
            out = writer.out
            if isinstance(out, str) and out in ALL_TEMP_FILES:
                ALL_TEMP_FILES.remove(out)
                with suppress(OSError):
                    os.remove(out)


def write_template(
    path: str | os.PathLike[str],
    agencies: Sequence[tuple[str, str]],
    *,
    sessions: Sequence[tuple[str, datetime]] = (),
) -> None:
    """Write a blank roster: instructions and every import sheet, with drop-down lists.

    ``agencies`` are the registered (code, name) pairs: their codes fill the Myndighet and
    Värd drop-downs and the instructions list them. ``sessions`` (title, start), if given,
    become the session columns of the Närvaro sheet.
    """
    codes = [code for code, _ in agencies]
    headers = [attendance_header(title, start) for title, start in sessions]
    sheets: list[SheetSpec | OverviewSheet] = [instructions_sheet(agencies)]
    sheets += [
        standard_sheet(key, (), agency_codes=codes, session_headers=headers, input_rows=1000)
        for key in IMPORT_ORDER
    ]
    write_workbook(path, WorkbookSpec(sheets))


def standard_sheet(
    key: SheetKey,
    rows: Iterable[Sequence[Any]] = (),
    *,
    agency_codes: Sequence[str] = (),
    session_headers: Sequence[str] = (),
    include_names: bool = False,
    input_rows: int = INPUT_ROWS,
) -> SheetSpec:
    """Return the spec of a roster sheet with its Swedish headers, widths and drop-downs.

    ``rows`` hold values in the sheet's column order (:func:`row_values` makes them from
    reader rows). For Närvaro, rows are ``(email, status, …)`` — or ``(email, name,
    status, …)`` with ``include_names`` — with one status (or None) per session header.
    """
    sheet = SHEETS[key]
    columns: list[ColumnSpec] = []
    for column in sheet.columns:
        if column.kind is ValueKind.INFO and not include_names:
            continue
        choices: Sequence[str] = ()
        number_format = None
        if column.kind is ValueKind.ROLE:
            choices = list(ROLE_LABELS.values())
        elif column.kind is ValueKind.KIND:
            choices = list(KIND_LABELS.values())
        elif column.kind is ValueKind.FLAG:
            choices = list(FLAG_LABELS.values())
        elif column.kind is ValueKind.AGENCY and key is not SheetKey.GROUPS:
            choices = agency_codes
        elif column.kind is ValueKind.DATE:
            number_format = DATE_FORMAT
        elif column.kind in (ValueKind.DATETIME, ValueKind.END_TIME):
            number_format = DATETIME_FORMAT
        columns.append(
            ColumnSpec(
                column.sv,
                column.width,
                choices,
                number_format,
                # A long name wraps in its cell rather than being cut by the next column.
                wrap=column.field == "name",
                hidden=column.hidden,
            )
        )
    if key is SheetKey.ATTENDANCE:
        statuses = list(STATUS_LABELS.values())
        columns += [
            ColumnSpec(h, SESSION_COLUMN_WIDTH, statuses, wrap_header=True) for h in session_headers
        ]
    return SheetSpec(sheet.sv, columns, rows, input_rows=input_rows)


_GENERAL_HELP = (
    "Fyll i de blad som behövs; blad som saknas eller är tomma hoppas över vid inläsningen.",
    "Ändra inte rubrikraden. Rubriker får skrivas på svenska eller engelska; extra kolumner "
    "ignoreras.",
    "Skriv värden, inte formler. Datum skrivs ÅÅÅÅ-MM-DD och tider ÅÅÅÅ-MM-DD TT:MM.",
    "Tomma rader hoppas över. Samma myndighet, person eller träff får bara stå en gång per blad.",
    "Text som börjar med = + - eller @ får en apostrof (') först så att den aldrig kan köras "
    "som formel; apostrofen tas bort vid inläsningen.",
    "Inläsningen är allt eller inget: finns ett fel läses ingenting in, och alla fel "
    "redovisas med blad, rad och kolumn.",
)


def instructions_sheet(agencies: Sequence[tuple[str, str]] = ()) -> SheetSpec:
    """Return the Swedish Instruktioner sheet: general rules, each sheet and column, agencies."""
    rows: list[tuple[str, str, str]] = [("Allmänt", "", text) for text in _GENERAL_HELP]
    for key in IMPORT_ORDER:
        sheet = SHEETS[key]
        rows.append((sheet.sv, "", SHEET_HELP[key]))
        rows += [
            (sheet.sv, column.sv, COLUMN_HELP[(key, column.field)]) for column in sheet.columns
        ]
    rows += [("Myndighetskoder", code, name) for code, name in agencies]
    sheet = SHEETS[SheetKey.INSTRUCTIONS]
    columns = [
        ColumnSpec(column.sv, column.width, wrap=column.field == "help") for column in sheet.columns
    ]
    return SheetSpec(sheet.sv, columns, rows, autofilter=False, input_rows=0)
