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
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from itertools import chain, islice
from pathlib import Path
from typing import Any

from chefintro.clock import wall_clock
from chefintro.files import private_output
from chefintro.roster.columns import (
    COLUMN_HELP,
    DATE_FORMAT,
    DATETIME_FORMAT,
    FLAG_LABELS,
    FORMULA_TRIGGERS,
    IMPORT_ORDER,
    KIND_LABELS,
    LISTS,
    ROLE_LABELS,
    SESSION_COLUMN_WIDTH,
    SHEET_HELP,
    SHEETS,
    STATUS_LABELS,
    SheetKey,
    ValueKind,
    attendance_header,
    display_value,
    escape_text,
)

#: How many rows below the data the drop-down lists reach, so new rows get them too.
INPUT_ROWS = 500

_TIME_FORMAT = "hh:mm"
_SAMPLE_ROWS = 200  # rows looked at to size columns whose width is not given
_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0
_INLINE_LIST_LIMIT = 250  # Excel refuses inline list validations past 255 characters
# Excel escapes characters XML cannot hold as _xHHHH_ and readers decode it, so literal
# text of that shape must have its underscore escaped to survive (openpyxl does not).
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# XML 1.0 cannot hold these at all; openpyxl refuses the whole workbook if one slips in.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ColumnSpec:
    """One column: header, width in characters (None: sized from the data), drop-down
    choices (empty: none), and a number format for date/time cells (None: by value type)."""

    header: str
    width: float | None = None
    choices: Sequence[str] = ()
    number_format: str | None = None
    wrap: bool = False
    #: A column people need not see (the stable numbers an export writes for its return).
    hidden: bool = False
    #: Wrap the header text (long session headers on Närvaro).
    wrap_header: bool = False


@dataclass(frozen=True)
class SheetSpec:
    """A table sheet: a header row of ``columns`` and then ``rows`` (any iterable, streamed)."""

    name: str
    columns: Sequence[ColumnSpec]
    rows: Iterable[Sequence[Any]] = ()
    freeze_header: bool = True
    autofilter: bool = True
    input_rows: int = INPUT_ROWS
    hidden: bool = False
    # A header row this many points high, its text wrapped (for long headers such as
    # survey questions); None: one plain line.
    header_height: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """A small titled table on an overview sheet; first column = categories, rest = numbers."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class BarChartSpec:
    """A bar chart of one table of the overview sheet (``table`` indexes its tables)."""

    table: int
    title: str
    y_title: str | None = None
    x_title: str | None = None
    horizontal: bool = False


@dataclass(frozen=True)
class OverviewSheet:
    """A sheet of small tables stacked top to bottom, with bar charts beside them."""

    name: str
    tables: Sequence[TableSpec]
    charts: Sequence[BarChartSpec] = ()


@dataclass(frozen=True)
class WorkbookSpec:
    """The sheets of a workbook, in order, and what its printed pages say at the top."""

    sheets: Sequence[SheetSpec | OverviewSheet]
    #: Printed at the top of every page: programme, cohort and agency.
    page_header: str = "Chefsintroduktion"
    #: When the export was made; written into the workbook's properties so that a
    #: returned workbook says how old it is. None for the blank template.
    exported_at: datetime | None = None


#: The font of every cell, header and body alike: one that Excel has and LibreOffice
#: replaces by a metric-compatible one (Carlito) or a sans-serif, never by a serif.
FONT_NAME = "Calibri"
FONT_SIZE = 11
#: Sheets wider than this (sum of column widths in characters) print landscape.
_PORTRAIT_WIDTH = 95


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
            lists = _ChoiceLists()
            for sheet in book.sheets:
                if isinstance(sheet, OverviewSheet):
                    _write_overview(workbook, sheet, book.page_header)
                else:
                    _write_sheet(workbook, sheet, lists, book.page_header)
            lists.write(workbook)
            _properties(workbook, book)
            workbook.save(temporary)
        finally:
            _discard(workbook)


def _properties(workbook: Any, book: WorkbookSpec) -> None:
    """Title the workbook, and record when an export was made (read back on import)."""
    from openpyxl.packaging.custom import StringProperty

    from chefintro.roster.workbook_parts import EXPORTED_AT_PROPERTY

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
            ColumnSpec(column.sv, column.width, choices, number_format, hidden=column.hidden)
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


# --- cells ------------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """Return ``text`` as written to a cell: XML-safe, formula-escaped, Excel-escape-safe."""
    # Illegal characters go first: removing one must not expose a leading "=".
    if not text.isprintable() and _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == "'"):
        text = escape_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(lambda match: "_x005F" + match.group(0), text)
    return text


class _Cells:
    """Turns Python values into what openpyxl's write-only ``append`` takes."""

    def __init__(self, worksheet: Any, columns: Sequence[ColumnSpec]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        self.worksheet = worksheet
        self.cell_type = WriteOnlyCell
        self.formats = [column.number_format for column in columns]
        self.wrap = [column.wrap for column in columns]
        self.alignment = Alignment(wrap_text=True, vertical="top")
        self.any_wrap = any(self.wrap)

    def row(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for index, value in enumerate(values):
            kind = type(value)
            if kind is str:
                append(safe_text(value) if value else None)
            elif value is None or kind is int or kind is float:
                append(value)
            else:
                append(self.other(index, value))
        if self.any_wrap:
            for index, wrap in enumerate(self.wrap):
                if wrap and index < len(out) and isinstance(out[index], str):
                    cell = self.cell_type(self.worksheet, value=out[index])
                    cell.alignment = self.alignment
                    out[index] = cell
        return out

    def other(self, index: int, value: Any) -> Any:
        if isinstance(value, (bool, Enum)):
            shown = display_value(value)
            if isinstance(shown, Enum):
                shown = shown.value
            return safe_text(str(shown))
        if isinstance(value, (datetime, date, time)):
            return self.dated(index, value)
        if isinstance(value, (list, tuple)):
            return safe_text("; ".join(str(item) for item in value)) or None
        if isinstance(value, str):
            return safe_text(str(value))
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return safe_text(str(value))

    def dated(self, index: int, value: datetime | date | time) -> Any:
        number_format = self.formats[index] if index < len(self.formats) else None
        if isinstance(value, datetime):
            value = wall_clock(value)
            number_format = number_format or DATETIME_FORMAT
        elif isinstance(value, date):
            number_format = number_format or DATE_FORMAT
        else:
            number_format = number_format or _TIME_FORMAT
        cell = self.cell_type(self.worksheet, value=value)
        cell.number_format = number_format
        return cell


def _width_of(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, (list, tuple)):
        return sum(len(str(item)) + 2 for item in value)
    text = str(display_value(value))
    return max((len(line) for line in text.splitlines()), default=0)


# --- sheets -----------------------------------------------------------------------------------


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def page_setup(worksheet: Any, *, title: str, sheet: str, width: float, header_row: bool) -> None:
    """Make a sheet print finished: A4, landscape when wide, one page wide, headers repeated,
    the programme, cohort and agency at the top and page numbers at the bottom."""
    worksheet.page_setup.paperSize = 9  # A4
    worksheet.page_setup.orientation = "landscape" if width > _PORTRAIT_WIDTH else "portrait"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        worksheet.print_title_rows = "1:1"
    worksheet.print_options.gridLines = header_row
    worksheet.page_margins.left = worksheet.page_margins.right = 0.5
    worksheet.page_margins.top = worksheet.page_margins.bottom = 0.75
    worksheet.page_margins.header = worksheet.page_margins.footer = 0.3
    _header_footer(worksheet.oddHeader.left, title)
    _header_footer(worksheet.oddHeader.right, sheet)
    _header_footer(worksheet.oddFooter.center, "Sida &P av &N")
    _header_footer(worksheet.oddFooter.right, "&D")


def _header_footer(part: Any, text: str) -> None:
    # "&" starts a code in a header or footer; keep a literal one literal, codes we add work.
    part.text = text if text.startswith("Sida") or text == "&D" else text.replace("&", "&&")
    part.font = FONT_NAME
    part.size = 9


#: Points per line of 11 pt text.
_LINE_HEIGHT = 15


def _lines(value: Any, width: float) -> int:
    """Estimate how many lines ``value`` wraps to in a column ``width`` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(int(width * 1.1) - 2, 8)  # proportional text fits a little more
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def _write_sheet(workbook: Any, spec: SheetSpec, lists: _ChoiceLists, title: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    worksheet = workbook.create_sheet(spec.name)
    if spec.hidden:
        worksheet.sheet_state = "hidden"
    rows: Iterator[Sequence[Any]] = iter(spec.rows)
    sample = list(islice(rows, _SAMPLE_ROWS))
    shown_width = 0.0
    # Column widths and frozen panes are written before the first row in write-only mode.
    for index, column in enumerate(spec.columns, start=1):
        width = column.width
        if width is None:
            longest = max(
                (_width_of(row[index - 1]) for row in sample if len(row) >= index), default=0
            )
            width = min(max(float(longest + 2), len(column.header) + 4.0, _MIN_WIDTH), _MAX_WIDTH)
        dimension = worksheet.column_dimensions[_letter(index)]
        dimension.width = width
        if column.hidden:
            dimension.hidden = True
        else:
            shown_width += width
    if not spec.hidden:
        page_setup(worksheet, title=title, sheet=spec.name, width=shown_width, header_row=True)
    if spec.freeze_header:
        worksheet.freeze_panes = "A2"
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrapped = Alignment(wrap_text=True, vertical="top")
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(worksheet, value=safe_text(column.header))
        cell.font = bold
        cell.fill = fill
        if column.wrap_header or spec.header_height is not None:
            cell.alignment = wrapped
        header.append(cell)
    if spec.header_height is not None:
        worksheet.row_dimensions[1].height = spec.header_height
    elif any(column.wrap_header for column in spec.columns):
        longest_header = max(len(column.header) for column in spec.columns)
        lines = min(4, -(-longest_header // int(SESSION_COLUMN_WIDTH - 2)))
        worksheet.row_dimensions[1].height = 15 * max(lines, 1) + 3
    worksheet.append(header)
    cells = _Cells(worksheet, spec.columns)
    wrapped_widths = [
        (index, column.width or _MAX_WIDTH)
        for index, column in enumerate(spec.columns)
        if column.wrap
    ]
    count = 0
    for row in chain(sample, rows):
        if wrapped_widths:
            lines = max(_lines(row[i] if i < len(row) else None, w) for i, w in wrapped_widths)
            if lines > 1:
                # Wrapped text needs a row as tall as its lines, or rows print over each other.
                worksheet.row_dimensions[count + 2].height = _LINE_HEIGHT * lines + 2
        worksheet.append(cells.row(row))
        count += 1
    last_row = count + 1
    last_column = _letter(max(len(spec.columns), 1))
    if spec.columns and count:
        worksheet.print_area = f"A1:{last_column}{last_row}"
    if spec.autofilter and spec.columns:
        worksheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    _add_drop_downs(worksheet, spec, last_row + spec.input_rows, lists)


def _add_drop_downs(worksheet: Any, spec: SheetSpec, last_row: int, lists: _ChoiceLists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    by_choices: dict[tuple[str, ...], list[str]] = {}
    for index, column in enumerate(spec.columns, start=1):
        if column.choices:
            by_choices.setdefault(tuple(column.choices), []).append(_letter(index))
    for choices, letters in by_choices.items():
        validation = DataValidation(
            type="list",
            formula1=lists.formula(choices),
            allow_blank=True,
            showErrorMessage=True,
            # A warning, not a stop: the reader also takes English words and agency names.
            errorStyle="warning",
            errorTitle="Värdet finns inte i listan",
            error="Välj helst ett värde ur listan. Värden som inte känns igen rapporteras "
            "vid inläsningen.",
        )
        for letter in letters:
            validation.add(f"{letter}2:{letter}{max(last_row, 2)}")
        # WriteOnlyWorksheet has no add_data_validation(); the list is written at close.
        worksheet.data_validations.append(validation)


class _ChoiceLists:
    """Drop-down lists: inline when short, else on a hidden Listor sheet (Excel's 255 limit)."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], int] = {}

    def formula(self, choices: tuple[str, ...]) -> str:
        shown = [safe_text(choice) for choice in choices]
        inline = ",".join(shown)
        commas = any("," in choice for choice in shown)
        if len(inline) <= _INLINE_LIST_LIMIT and '"' not in inline and not commas:
            return f'"{inline}"'
        index = self.columns.setdefault(choices, len(self.columns) + 1)
        letter = _letter(index)
        return f"{LISTS.sv}!${letter}$1:${letter}${max(len(choices), 1)}"

    def write(self, workbook: Any) -> None:
        if not self.columns:
            return
        worksheet = workbook.create_sheet(LISTS.sv)
        worksheet.sheet_state = "hidden"
        ordered = sorted(self.columns.items(), key=lambda item: item[1])
        height = max(len(choices) for choices, _ in ordered)
        for row in range(height):
            worksheet.append(
                [safe_text(choices[row]) if row < len(choices) else None for choices, _ in ordered]
            )


def _write_overview(workbook: Any, spec: OverviewSheet, title: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    worksheet = workbook.create_sheet(spec.name)
    widest = max((len(table.headers) for table in spec.tables), default=1)
    first_width = max(
        [len(table.title) // 2 for table in spec.tables]
        + [_width_of(row[0]) for table in spec.tables for row in table.rows if row]
        + [len(table.headers[0]) for table in spec.tables if table.headers]
        + [12],
    )
    worksheet.column_dimensions["A"].width = min(first_width + 2, _MAX_WIDTH)
    for index in range(2, widest + 1):
        worksheet.column_dimensions[_letter(index)].width = 16
    page_setup(
        worksheet,
        title=title,
        sheet=spec.name,
        width=min(first_width + 2, _MAX_WIDTH) + 16 * (widest - 1),
        header_row=False,
    )
    title_font = Font(name=FONT_NAME, bold=True, size=13)
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    cells = _Cells(worksheet, [])
    placed: list[tuple[int, int, int]] = []  # header row, last row, columns per table
    row = 1
    for table in spec.tables:
        heading = WriteOnlyCell(worksheet, value=safe_text(table.title))
        heading.font = title_font
        worksheet.append([heading])
        header = []
        for text in table.headers:
            cell = WriteOnlyCell(worksheet, value=safe_text(text))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for values in table.rows:
            worksheet.append(cells.row(values))
        placed.append((row + 1, row + 1 + len(table.rows), len(table.headers)))
        worksheet.append([])
        row += len(table.rows) + 3
    # Charts go below the tables, one under the other, each on rows of its own: a page
    # break then falls between charts or tables, never through one (the page is one
    # page wide, and each chart is shorter than a page).
    from openpyxl.worksheet.pagebreak import Break

    next_row = row + 1
    page_used = 0.0  # centimetres of the current page the charts take
    if spec.charts:
        worksheet.row_breaks.append(Break(id=row))  # the charts start on a page of their own
    for chart_spec in spec.charts:
        header_row, last_row, width = placed[chart_spec.table]
        table = spec.tables[chart_spec.table]
        categories = max(last_row - header_row, 1)
        chart = BarChart()
        chart.type = "bar" if chart_spec.horizontal else "col"
        chart.title = chart_spec.title
        chart.y_axis.title = chart_spec.y_title
        chart.x_axis.title = chart_spec.x_title
        # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel then hides them.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        _whole_number_axis(chart, table)
        _readable_labels(chart)
        chart.legend.position = "b"
        chart.width = 17
        # Horizontal bars grow with the categories so that every label has its line.
        chart.height = min(max(7.5, 1.2 + 0.7 * categories), 18) if chart_spec.horizontal else 8
        data = Reference(
            worksheet, min_col=2, max_col=max(width, 2), min_row=header_row, max_row=last_row
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(
            Reference(worksheet, min_col=1, min_row=header_row + 1, max_row=last_row)
        )
        if page_used and page_used + chart.height > _CHARTS_PER_PAGE_CM:
            worksheet.row_breaks.append(Break(id=next_row - 1))
            page_used = 0.0
        worksheet.add_chart(chart, f"A{next_row}")
        page_used += chart.height + 1
        next_row += int(chart.height / 0.53) + 2  # a row is about 0.53 cm high


#: Height of chart a portrait A4 page holds below the header (cm), with room to spare.
_CHARTS_PER_PAGE_CM = 24.0


def _whole_number_axis(chart: Any, table: TableSpec) -> None:
    """Counts are whole numbers: start at 0, step by a whole number, show no decimals."""
    largest = max((v for r in table.rows for v in r[1:] if isinstance(v, int | float)), default=0)
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = max(1, -(-int(largest) // 8))
    chart.y_axis.number_format = "0"


def _readable_labels(chart: Any) -> None:
    """Category labels in 9 pt, horizontal, so long names do not overlap or shrink away."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RichTextProperties,
    )

    for axis in (chart.x_axis, chart.y_axis):
        axis.txPr = RichText(
            bodyPr=RichTextProperties(rot=0, vert="horz"),
            p=[
                Paragraph(
                    pPr=ParagraphProperties(defRPr=CharacterProperties(sz=900)),
                    endParaRPr=CharacterProperties(sz=900),
                )
            ],
        )
