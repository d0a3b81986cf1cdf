"""Reads a roster workbook into validated, row-numbered rows; it never touches the store.

:func:`read_roster` checks the file (:mod:`chefintro.roster.read.safety`), parses it with
python-calamine (a Rust reader whose XML parser expands no entities, and which is many
times faster than openpyxl), and returns a :class:`RosterData`: one list of typed rows per
roster sheet, every problem found (sheet, row, column, what is wrong and what is allowed)
and warnings about things it ignored. It reports everything at once and raises only for
files it cannot read at all; whether to import is the loader's decision (never import
when ``problems`` is non-empty).

Rules, sheet by sheet, are in :mod:`chefintro.roster.columns`. In short: any sheet may be
absent; a workbook without a roster sheet name whose sheet has Deltagare headers (Excel's
"Blad1") is read as Deltagare, and a workbook with no roster sheet at all is refused; the
header row is the row among the first ten that names the most columns (title rows above it
are skipped); headers and words are matched in any case and spacing, Swedish or English,
with aliases; extra columns and unknown sheets are ignored with a warning; blank rows are
skipped; text is trimmed and NFC-normalised; a blank optional cell
reads as ``None``. A row whose required cell is missing or invalid is left out of its list
(the problem says why); an invalid optional cell reads as ``None`` and is reported.
Dates and times are naive wall-clock values in :data:`~chefintro.clock.TIMEZONE`.

Formats: .xlsx and .ods (python-calamine, after :mod:`chefintro.roster.read.safety` has
checked the bytes) and .csv (Python's csv module; one sheet, read as Deltagare or the
sheet its headers fit). A sheet may hold at most :data:`MAX_ROWS` rows; a larger one is
refused at once.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from chefintro.errors import InvalidInputError, Problem, UnreadableInputError
from chefintro.roster.columns import (
    IMPORT_ORDER,
    SHEETS,
    SheetDef,
    SheetKey,
    find_sheet,
)
from chefintro.roster.read.cells import column_letters
from chefintro.roster.read.hidden import HiddenPolicy
from chefintro.roster.read.rows import RosterData
from chefintro.roster.read.safety import (
    OLE_MAGIC,
    CheckedWorkbook,
    check_workbook,
    read_file,
)
from chefintro.roster.read.sheets import HEADER_SEARCH_ROWS, SheetReader, find_header, header_fields
from chefintro.words import noun

#: Most rows a roster sheet may have: far more than any programme holds (a few hundred
#: people a year), and small enough that a broken file is refused at once.
MAX_ROWS = 100_000

#: The roster sheets an unnamed sheet is tried as, in this order.
_GUESSES = (SheetKey.PARTICIPANTS, SheetKey.PAIRS, SheetKey.ATTENDANCE, SheetKey.SESSIONS)


def read_roster(path: str | os.PathLike[str], *, hidden: HiddenPolicy | None = None) -> RosterData:
    """Read a roster workbook or CSV file; raise only when the file cannot be read at all.

    Raises UnreadableInputError (66) for missing, unsupported, damaged or oversized files
    and InvalidInputError (65) for XML entity declarations, impossible numbers, sheets
    over :data:`MAX_ROWS` rows and workbooks without any roster sheet; problems in the
    data itself are collected in ``RosterData.problems``.

    Hidden and filtered-out rows and hidden roster columns are listed in
    ``RosterData.hidden``; with ``hidden=HiddenPolicy.SKIP`` they are left out, otherwise
    read (the import refuses them unless the policy says include).
    """
    source = Path(path)
    if source.suffix.casefold() in (".csv", ".txt"):
        return _read_csv(source)
    checked = check_workbook(path)
    data = RosterData(path=checked.path, hidden_policy=hidden)
    if checked.exported_at:
        try:
            data.exported_at = datetime.fromisoformat(checked.exported_at)
        except ValueError:
            data.exported_at = None
    with _quiet_stderr():
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
        except BaseException as error:  # a Rust panic is a BaseException; see _unreadable
            raise _unreadable(checked.path, error) from None
        try:
            _read_workbook(workbook, checked, data)
        except BaseException as error:
            raise _unreadable(checked.path, error) from None
        finally:
            workbook.close()
    return data


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Keep what the Rust reader writes to file descriptor 2 (a panic's text) from the user.

    A panic is still raised as an exception and reported as one clean line; its text goes
    to a private temporary file that is discarded, or to stderr with CHEFINTRO_DEBUG=1.
    """
    if os.environ.get("CHEFINTRO_DEBUG"):
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with tempfile.TemporaryFile() as sink:
            sys.stderr.flush()
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _unreadable(path: Path, error: BaseException) -> BaseException:
    """Turn a parser failure into exit 66; let our own errors and interrupts through.

    python-calamine raises CalamineError subclasses, and a Rust panic surfaces as
    pyo3's PanicException, which derives from BaseException.
    """
    from python_calamine import CalamineError

    if isinstance(error, CalamineError) or type(error).__name__ == "PanicException":
        return UnreadableInputError(
            f"{path} is damaged or not a workbook we can read; save it again from "
            "Excel as Excel Workbook (.xlsx)."
        )
    if isinstance(error, (ValueError, TypeError, UnicodeError, OverflowError)):
        return UnreadableInputError(f"{path} cannot be read ({error}); save it again from Excel.")
    return error


def _expected() -> str:
    return ", ".join(f"{SHEETS[key].sv} ({SHEETS[key].en})" for key in IMPORT_ORDER)


def _read_workbook(workbook: Any, checked: CheckedWorkbook, data: RosterData) -> None:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    formulas = checked.formulas
    unnamed: list[str] = []
    found: list[tuple[SheetDef, str, bool]] = []
    names: list[str] = []
    for meta in workbook.sheets_metadata:
        name: str = meta.name
        names.append(name)
        is_sheet = meta.typ == SheetTypeEnum.WorkSheet
        sheet_def = find_sheet(name)
        if sheet_def is None:
            if is_sheet:
                unnamed.append(name)
            continue
        if not sheet_def.importable:
            continue  # written by export or template for people; nothing to import
        if not is_sheet:
            data.warnings.append(f"sheet {name!r} is not a worksheet (a chart?) and was ignored.")
            continue
        found.append((sheet_def, name, meta.visible != SheetVisibleEnum.Visible))
    # With no roster sheet named, the first unnamed sheet that fits one is read as it; with
    # some named but not Deltagare, an unnamed sheet with Deltagare's columns (HR's "Blad1"
    # beside a Myndigheter sheet) is read as Deltagare: the named sheets must not hide the
    # people. Only Deltagare, whose four required columns do not fit a stray sheet by chance.
    named = {sheet_def.key for sheet_def, _, _ in found}
    keys = _GUESSES if not found else (SheetKey.PARTICIPANTS,)
    guess = None if SheetKey.PARTICIPANTS in named else _guess_sheet(workbook, unnamed, keys)
    if not found and guess is None:
        shown = ", ".join(repr(n) for n in names) or "none"
        raise InvalidInputError(
            f"{data.path} has no roster sheet: it holds the {noun(len(names), 'sheet')} {shown}, "
            "and none is "
            f"named {_expected()}, nor has the columns of Deltagare (Namn, E-post, "
            "Myndighet, Roll) in its first rows; nothing was imported."
        )
    if guess is not None:
        found.append(guess)
        data.warnings.append(
            f"sheet {guess[1]!r} is not named as a roster sheet; its headers fit "
            f"{guess[0].sv} ({guess[0].en}), so it was read as that."
        )
    ignored = [name for name in unnamed if guess is None or name != guess[1]]
    for sheet_def, name, hidden in found:
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
        if hidden:
            data.warnings.append(f"sheet {name!r} is hidden in the workbook; it was read anyway.")
        sheet = workbook.get_sheet_by_name(name)
        _check_height(data.path, name, sheet.height)
        _warn_merged(sheet, name, data)
        start = sheet.start
        first_column = start[1] if start is not None else 0
        formula_cells = {(cell.row, cell.column): cell.formula for cell in formulas.get(name, ())}
        reader = SheetReader(
            sheet_def,
            name,
            first_column,
            formula_cells,
            data,
            checked.links.get(name),
            checked.hidden.get(name),
        )
        reader.read(sheet.iter_rows())
    for name in ignored:
        data.warnings.append(
            f"sheet {name!r} is not a roster sheet and was ignored (roster sheets: "
            + ", ".join(SHEETS[key].sv for key in IMPORT_ORDER)
            + ")."
        )


def _check_height(path: Path, name: str, height: int) -> None:
    if height > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise InvalidInputError(
            f"{path}: sheet {name!r} has {height:,} rows; a roster sheet may have at most "
            f"{MAX_ROWS:,}. Split the file or delete the rows that are not people; nothing "
            "was imported."
        )


def _guess_sheet(
    workbook: Any, candidates: list[str], keys: tuple[SheetKey, ...]
) -> tuple[SheetDef, str, bool] | None:
    """Return the first unnamed sheet whose header rows fit one of ``keys``' sheets, in order."""
    for key in keys:
        sheet_def = SHEETS[key]
        for name in candidates:
            sheet = workbook.get_sheet_by_name(name)
            if _fits(sheet_def, _head(sheet.iter_rows())):
                return sheet_def, name, False
    return None


def _head(rows: Iterator[list[Any]]) -> list[list[Any]]:
    head: list[list[Any]] = []
    for values in rows:
        head.append(values)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    return head


def _fits(sheet_def: SheetDef, head: list[list[Any]]) -> bool:
    """Tell whether one of the first rows names every required column of ``sheet_def``."""
    found = find_header(sheet_def.key, iter(head))
    if found is None:
        return False
    fields = header_fields(sheet_def.key, found[1])
    return all(c.field in fields for c in sheet_def.columns if c.required)


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


# --- CSV --------------------------------------------------------------------------------


def _read_csv(source: Path) -> RosterData:
    """Read a CSV file as one roster sheet (the one its headers fit; Deltagare by default).

    Semicolon (Swedish Excel's "CSV (semikolonavgränsad)") or comma separated; UTF-8 with
    or without a byte-order mark, else Windows-1252 (Excel's "CSV" on Swedish Windows).
    """
    raw = read_file(source)
    if raw.startswith(OLE_MAGIC) or raw.startswith(b"PK\x03\x04"):
        raise UnreadableInputError(
            f"{source} is a workbook, not a CSV file; give it the extension .xlsx or .ods."
        )
    if b"\x00" in raw:
        raise UnreadableInputError(
            f"{source} is not a text file (it holds NUL bytes; UTF-16 is not read); save it "
            "from Excel as CSV UTF-8."
        )
    text = _decode(raw)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise InvalidInputError(
            f"{source} has {len(lines):,} lines; a roster may have at most {MAX_ROWS:,} rows. "
            "Split the file; nothing was imported."
        )
    delimiter = _delimiter(lines[:HEADER_SEARCH_ROWS])
    try:
        rows = [
            [cell if cell is not None else "" for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise UnreadableInputError(f"{source} is not a readable CSV file ({error}).") from None
    width = max((len(row) for row in rows), default=0)
    if width > 1000:
        raise UnreadableInputError(f"{source} has rows of {width:,} fields; not a roster.")
    rows = [row + [""] * (width - len(row)) for row in rows]
    data = RosterData(path=source)
    head = rows[:HEADER_SEARCH_ROWS]
    chosen = next(
        (SHEETS[key] for key in _GUESSES if _fits(SHEETS[key], head)), SHEETS[SheetKey.PARTICIPANTS]
    )
    name = source.name
    data.sheets[chosen.key] = name
    if chosen.key is not SheetKey.PARTICIPANTS:
        data.warnings.append(f"{name} was read as the {chosen.sv} ({chosen.en}) sheet.")
    SheetReader(chosen, name, 0, {}, data).read(iter(rows))
    return data


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(lines: list[str]) -> str:
    """Semicolon or comma (or tab): whichever splits the header-like lines most evenly."""
    best, best_score = ";", -1
    for candidate in (";", ",", "\t"):
        counts = [line.count(candidate) for line in lines if line.strip()]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best
