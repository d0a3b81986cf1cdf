"""A table sheet of the roster writer: column widths, a frozen bold header, a filter, the
rows, drop-down lists (inline or on a hidden Listor sheet) and a finished print setup."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from chefintro.clock import today
from chefintro.roster.columns import LISTS, SESSION_COLUMN_WIDTH
from chefintro.roster.write.cells import FONT_NAME, FONT_SIZE, CellValues, safe_text, width_of
from chefintro.roster.write.tables import add_table, pages_wide

if TYPE_CHECKING:
    from chefintro.roster.write.specs import SheetSpec

_SAMPLE_ROWS = 200  # rows looked at to size columns whose width is not given
_MIN_WIDTH = 8.0
#: The widest a column is sized from its data, in characters.
MAX_WIDTH = 60.0
_INLINE_LIST_LIMIT = 250  # Excel refuses inline list validations past 255 characters
#: The widest a column of a given width grows to fit its longest value (an e-mail address).
_WIDEST_GROWN = 42.0
#: Sheets wider than this (sum of column widths in characters) print landscape.
_PORTRAIT_WIDTH = 95


def column_letter(index: int) -> str:
    """Return the letter of the 1-based column ``index`` (A, B, … AA)."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def page_setup(
    worksheet: Any, *, title: str, sheet: str, widths: Sequence[float], header_row: bool
) -> None:
    """Make a sheet print finished: A4, landscape when wide, as many pages wide as keep the
    text readable (the first column repeated on each), headers repeated, the programme,
    cohort and agency at the top and page numbers at the bottom."""
    orientation = "landscape" if sum(widths) > _PORTRAIT_WIDTH else "portrait"
    across = pages_wide(widths, orientation)
    worksheet.page_setup.paperSize = 9  # A4
    worksheet.page_setup.orientation = orientation
    worksheet.page_setup.fitToWidth = across
    worksheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        worksheet.print_title_rows = "1:1"
    if across > 1:
        worksheet.print_title_cols = "A:A"  # whose row it is, on every page across
    worksheet.print_options.gridLines = header_row
    worksheet.page_margins.left = worksheet.page_margins.right = 0.5
    worksheet.page_margins.top = worksheet.page_margins.bottom = 0.75
    worksheet.page_margins.header = worksheet.page_margins.footer = 0.3
    _header_footer(worksheet.oddHeader.left, title)
    _header_footer(worksheet.oddHeader.right, sheet)
    _header_footer(worksheet.oddFooter.center, "Sida &P av &N")
    # The day it was written, as Swedes write a date: "&D" would print the day of printing
    # in the printing program's locale (12/07/2026 in an English LibreOffice).
    _header_footer(worksheet.oddFooter.right, f"Skapad {today().isoformat()}")


def _header_footer(part: Any, text: str) -> None:
    # "&" starts a code in a header or footer; keep a literal one literal, codes we add work.
    part.text = text if text.startswith("Sida") else text.replace("&", "&&")
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


def write_table_sheet(workbook: Any, spec: SheetSpec, lists: ChoiceLists, title: str) -> None:
    """Add a table sheet: widths, frozen bold header, filter, rows, drop-downs, print setup."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    worksheet = workbook.create_sheet(spec.name)
    if spec.hidden:
        worksheet.sheet_state = "hidden"
    rows: Iterator[Sequence[Any]] = iter(spec.rows)
    sample = list(islice(rows, _SAMPLE_ROWS))
    shown_widths: list[float] = []
    # Column widths and frozen panes are written before the first row in write-only mode.
    for index, column in enumerate(spec.columns, start=1):
        width = column.width
        longest = max((width_of(row[index - 1]) for row in sample if len(row) >= index), default=0)
        if width is None:
            width = min(max(float(longest + 2), len(column.header) + 4.0, _MIN_WIDTH), MAX_WIDTH)
        elif not column.wrap and not column.choices and longest + 2 > width:
            # A long e-mail address would be cut by the next column: widen, within reason.
            width = max(width, min(float(longest + 2), _WIDEST_GROWN))
        dimension = worksheet.column_dimensions[column_letter(index)]
        dimension.width = width
        if column.hidden:
            dimension.hidden = True
        else:
            shown_widths.append(width)
    if not spec.hidden:
        page_setup(worksheet, title=title, sheet=spec.name, widths=shown_widths, header_row=True)
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
    cells = CellValues(worksheet, spec.columns)
    wrapped_widths = [
        (index, column.width or MAX_WIDTH)
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
    last_column = column_letter(max(len(spec.columns), 1))
    if spec.columns and count:
        worksheet.print_area = f"A1:{last_column}{last_row}"
    _table_or_filter(workbook, worksheet, spec, last_row)
    _add_drop_downs(worksheet, spec, last_row + spec.input_rows, lists)


def _table_or_filter(workbook: Any, worksheet: Any, spec: SheetSpec, last_row: int) -> None:
    """Define the sheet's data as an Excel table (with its own filter buttons) where the
    headers allow one; else give the sheet a plain filter, as before tables."""
    headers = [column.header for column in spec.columns]
    tabled = not spec.hidden and add_table(
        workbook, worksheet, headers, first_row=1, last_row=last_row, filter_buttons=spec.autofilter
    )
    if spec.autofilter and spec.columns and not tabled:
        worksheet.auto_filter.ref = f"A1:{column_letter(len(spec.columns))}{last_row}"


def _add_drop_downs(worksheet: Any, spec: SheetSpec, last_row: int, lists: ChoiceLists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    by_choices: dict[tuple[str, ...], list[str]] = {}
    for index, column in enumerate(spec.columns, start=1):
        if column.choices:
            by_choices.setdefault(tuple(column.choices), []).append(column_letter(index))
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


class ChoiceLists:
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
        letter = column_letter(index)
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
