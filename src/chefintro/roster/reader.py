"""Reads a roster workbook into validated, row-numbered rows; it never touches the store.

:func:`read_roster` checks the file (:mod:`chefintro.roster.safety`), parses it with
python-calamine (a Rust reader whose XML parser expands no entities, and which is many
times faster than openpyxl), and returns a :class:`RosterData`: one list of typed rows per
roster sheet, every problem found (sheet, row, column, what is wrong and what is allowed)
and warnings about things it ignored. It reports everything at once and raises only for
files it cannot read at all; whether to import is the loader's decision (never import
when ``problems`` is non-empty).

Rules, sheet by sheet, are in :mod:`chefintro.roster.columns`. In short: any sheet may be
absent; the header row is the first non-empty row; headers and words are matched in any
case and spacing, Swedish or English; extra columns and unknown sheets are ignored with a
warning; blank rows are skipped; text is trimmed and NFC-normalised; a blank optional cell
reads as ``None``. A row whose required cell is missing or invalid is left out of its list
(the problem says why); an invalid optional cell reads as ``None`` and is reported.
Dates and times are naive wall-clock values in :data:`~chefintro.clock.TIMEZONE`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from chefintro.errors import Problem, UnreadableInputError
from chefintro.roster.cells import column_letters
from chefintro.roster.columns import (
    IMPORT_ORDER,
    SHEETS,
    find_sheet,
)
from chefintro.roster.rows import RosterData
from chefintro.roster.safety import FormulaCell, check_workbook
from chefintro.roster.sheets import SheetReader


def read_roster(path: str | os.PathLike[str]) -> RosterData:
    """Read a roster workbook; raise only when the file cannot be read at all.

    Raises UnreadableInputError (66) for missing, non-xlsx, damaged or oversized files and
    InvalidInputError (65) for XML entity declarations; problems in the data itself are
    collected in ``RosterData.problems``.
    """
    from python_calamine import CalamineWorkbook

    checked = check_workbook(path)
    data = RosterData(path=checked.path)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
    except BaseException as error:  # a Rust panic is a BaseException; see _unreadable
        raise _unreadable(checked.path, error) from None
    try:
        _read_workbook(workbook, checked.formulas, data)
    except BaseException as error:
        raise _unreadable(checked.path, error) from None
    finally:
        workbook.close()
    return data


def _unreadable(path: Path, error: BaseException) -> BaseException:
    """Turn a parser failure into exit 66; let our own errors and interrupts through.

    python-calamine raises CalamineError subclasses, and a Rust panic surfaces as
    pyo3's PanicException, which derives from BaseException.
    """
    from python_calamine import CalamineError

    if isinstance(error, CalamineError) or type(error).__name__ == "PanicException":
        return UnreadableInputError(
            f"{path} is damaged or not a workbook we can read ({error}); save it again from "
            "Excel as Excel Workbook (.xlsx)."
        )
    if isinstance(error, (ValueError, TypeError, UnicodeError, OverflowError)):
        return UnreadableInputError(f"{path} cannot be read ({error}); save it again from Excel.")
    return error


def _read_workbook(
    workbook: Any, formulas: dict[str, tuple[FormulaCell, ...]], data: RosterData
) -> None:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    for meta in workbook.sheets_metadata:
        name: str = meta.name
        sheet_def = find_sheet(name)
        if sheet_def is None:
            data.warnings.append(
                f"sheet {name!r} is not a roster sheet and was ignored (roster sheets: "
                + ", ".join(SHEETS[key].sv for key in IMPORT_ORDER)
                + ")."
            )
            continue
        if not sheet_def.importable:
            continue  # written by export or template for people; nothing to import
        if meta.typ != SheetTypeEnum.WorkSheet:
            data.warnings.append(f"sheet {name!r} is not a worksheet (a chart?) and was ignored.")
            continue
        if sheet_def.key in data.sheets:
            data.problems.append(
                Problem(
                    f"sheets {data.sheets[sheet_def.key]!r} and {name!r} are both the "
                    f"{sheet_def.sv} ({sheet_def.en}) sheet; keep one.",
                    sheet=name,
                )
            )
            continue
        data.sheets[sheet_def.key] = name
        if meta.visible != SheetVisibleEnum.Visible:
            data.warnings.append(f"sheet {name!r} is hidden in the workbook; it was read anyway.")
        sheet = workbook.get_sheet_by_name(name)
        _warn_merged(sheet, name, data)
        start = sheet.start
        first_column = start[1] if start is not None else 0
        formula_cells = {(cell.row, cell.column): cell.formula for cell in formulas.get(name, ())}
        reader = SheetReader(sheet_def, name, first_column, formula_cells, data)
        reader.read(sheet.iter_rows())


def _warn_merged(sheet: Any, name: str, data: RosterData) -> None:
    ranges = sheet.merged_cell_ranges or []
    if not ranges:
        return
    shown = ", ".join(
        f"{column_letters(a[1] + 1)}{a[0] + 1}:{column_letters(b[1] + 1)}{b[0] + 1}"
        for a, b in ranges[:3]
    )
    more = f" and {len(ranges) - 3} more" if len(ranges) > 3 else ""
    data.warnings.append(
        f"sheet {name!r} has merged cells ({shown}{more}); only the first cell of a merged "
        "range holds its value, the others read as blank."
    )
