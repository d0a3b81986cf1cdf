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
Dates and times are naive wall-clock values in :data:`~chefintro.roster.columns.LOCAL_TIMEZONE`.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from chefintro.enums import AttendanceStatus, Role, SessionKind
from chefintro.errors import InvalidInputError, Problem, UnreadableInputError
from chefintro.roster.columns import (
    FLAG_HINT,
    FLAG_WORDS,
    IMPORT_ORDER,
    KIND_HINT,
    KIND_WORDS,
    MAX_CAPACITY,
    MAX_TEXT_LENGTH,
    ROLE_HINT,
    ROLE_WORDS,
    SHEETS,
    STATUS_HINT,
    STATUS_WORDS,
    Column,
    SheetDef,
    SheetKey,
    ValueKind,
    find_column,
    find_sheet,
    match_key,
    parse_attendance_header,
    unescape_text,
)
from chefintro.roster.safety import FormulaCell, check_workbook
from chefintro.text import clean_text, email_key, is_plausible_email

# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """A Myndigheter row. ``code`` is upper-cased."""

    row: int
    code: str
    name: str
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """A Deltagare row. ``agency`` is the code or name as written; the loader resolves it."""

    row: int
    name: str
    email: str
    agency: str
    role: Role
    unit: str | None = None
    title: str | None = None
    field: str | None = None
    location: str | None = None
    manager_since: date | None = None
    capacity: int | None = None
    wished_field: str | None = None
    preferred_mentors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A Träffar row. ``host`` is an agency code or name as written."""

    row: int
    title: str
    starts_at: datetime
    ends_at: datetime
    kind: SessionKind | None = None
    location: str | None = None
    host: str | None = None


@dataclass(frozen=True, slots=True)
class PairRow:
    """A Par row: adept and mentor e-mail addresses."""

    row: int
    adept: str
    mentor: str
    locked: bool = False


@dataclass(frozen=True, slots=True)
class SessionColumn:
    """A session column on the Närvaro sheet (1-based sheet column), its header parsed."""

    column: int
    header: str
    title: str
    starts_on: date | None = None
    start_time: time | None = None


@dataclass(frozen=True, slots=True)
class AttendanceMark:
    """One filled Närvaro cell; blank cells give no mark (attendance left unchanged)."""

    session: SessionColumn
    status: AttendanceStatus


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    """A Närvaro row: a participant's e-mail and the marks given on it."""

    row: int
    email: str
    marks: tuple[AttendanceMark, ...] = ()


@dataclass
class RosterData:
    """What a roster workbook holds, plus every problem and warning found reading it."""

    path: Path
    agencies: list[AgencyRow] = field(default_factory=list)
    participants: list[ParticipantRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    pairs: list[PairRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    attendance_sessions: list[SessionColumn] = field(default_factory=list)
    #: The roster sheets found, by key, with their names as written in the file.
    sheets: dict[SheetKey, str] = field(default_factory=dict)
    #: For each sheet found, each recognised column's header as written in the file.
    headers: dict[SheetKey, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def has(self, key: SheetKey) -> bool:
        """Tell whether the workbook has the sheet (even if it has no rows)."""
        return key in self.sheets

    def column_label(self, key: SheetKey, field_name: str) -> str:
        """Return the header of a column as the file wrote it (Swedish name if absent)."""
        written = self.headers.get(key, {}).get(field_name)
        return written if written is not None else SHEETS[key].column(field_name).sv

    def problem(
        self, key: SheetKey, row: int | None, field_name: str | None, message: str
    ) -> Problem:
        """Return a Problem located like the reader's own, for the loader's findings."""
        sheet = self.sheets.get(key, SHEETS[key].sv)
        column = self.column_label(key, field_name) if field_name is not None else None
        return Problem(message, sheet=sheet, row=row, column=column)

    def raise_for_problems(self) -> None:
        """Raise InvalidInputError (exit 65) carrying every problem, if there are any."""
        if self.problems:
            count = len(self.problems)
            raise InvalidInputError(
                f"{self.path}: {count} problem{'s' if count != 1 else ''} found; "
                "nothing was imported.",
                self.problems,
            )


# --- reading ----------------------------------------------------------------------------------


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
        reader = _SheetReader(sheet_def, name, first_column, formula_cells, data)
        reader.read(sheet.iter_rows())


def _warn_merged(sheet: Any, name: str, data: RosterData) -> None:
    ranges = sheet.merged_cell_ranges or []
    if not ranges:
        return
    shown = ", ".join(
        f"{_column_letters(a[1] + 1)}{a[0] + 1}:{_column_letters(b[1] + 1)}{b[0] + 1}"
        for a, b in ranges[:3]
    )
    more = f" and {len(ranges) - 3} more" if len(ranges) > 3 else ""
    data.warnings.append(
        f"sheet {name!r} has merged cells ({shown}{more}); only the first cell of a merged "
        "range holds its value, the others read as blank."
    )


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- cell conversion --------------------------------------------------------------------------


class _Bad(Exception):
    """A cell value that cannot be used; the message says what is allowed."""


# C0/C1 controls except tab, LF and CR (which are whitespace and get collapsed), and the
# bidirectional overrides that can make a name or address display as something else.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?")
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_LIST_SEPARATORS = re.compile(r"[;,\s]+")
_ONE_MINUTE = timedelta(minutes=1)


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "…")


def _raw_text(raw: object) -> str:
    """Return the text of a cell of any type, before cleaning."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, (date, time)):
        return raw.isoformat()
    return str(raw)


def _check_control(text: str) -> None:
    found = _CONTROL.search(text)
    if found is not None:
        raise _Bad(
            f"the text contains an invisible control character (U+{ord(found.group()):04X}); "
            "retype the cell without it"
        )


def _text(raw: object) -> str | None:
    # Fast path: most cells are already clean. isprintable() is False for every control,
    # format (bidi) and separator character and for any whitespace but the ASCII space,
    # so what passes needs only the checks below to be exactly what clean_text returns.
    if (
        type(raw) is str
        and raw.isprintable()
        and raw[:1] not in ("", " ", "'")
        and raw[-1] != " "
        and "  " not in raw
        and (raw.isascii() or unicodedata.is_normalized("NFC", raw))
    ):
        if len(raw) > MAX_TEXT_LENGTH:
            raise _Bad(f"the text is {len(raw)} characters long; at most {MAX_TEXT_LENGTH}")
        return raw
    text = unescape_text(_raw_text(raw))
    _check_control(text)
    cleaned = clean_text(text)
    if cleaned is not None and len(cleaned) > MAX_TEXT_LENGTH:
        raise _Bad(f"the text is {len(cleaned)} characters long; at most {MAX_TEXT_LENGTH}")
    return cleaned


def _key(address: str) -> str:
    """Return email_key() of an already cleaned address, skipping work ASCII does not need."""
    return address.casefold() if address.isascii() else email_key(address)


def _code(raw: object) -> str | None:
    text = _text(raw)
    return text.upper() if text is not None else None


def _valid_email(text: str) -> str:
    if not is_plausible_email(text) or len(text) > 254:
        raise _Bad(f"{_shown(text)} is not an e-mail address (expected name@myndighet.se)")
    if not text.isascii() and any(unicodedata.category(char) == "Cf" for char in text):
        raise _Bad(f"{_shown(text)} contains invisible characters; retype the address")
    return text


def _email(raw: object) -> str | None:
    if not isinstance(raw, str):
        raise _Bad(
            f"{_shown(_raw_text(raw))} is not an e-mail address (expected name@myndighet.se)"
        )
    text = _text(raw)
    return _valid_email(text) if text is not None else None


def _email_list(raw: object) -> tuple[str, ...] | None:
    if not isinstance(raw, str):
        raise _Bad(f"{_shown(_raw_text(raw))} is not a list of e-mail addresses")
    text = unescape_text(raw)
    if not text.isprintable():  # line breaks are separators here, controls are not
        _check_control(text)
    addresses: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SEPARATORS.split(text):
        address = part if part.isascii() else clean_text(part)
        if not address:
            continue
        _valid_email(address)
        key = _key(address)
        if key in seen:
            raise _Bad(f"{_shown(address)} is listed twice; list each mentor once")
        seen.add(key)
        addresses.append(address)
    return tuple(addresses) or None


def _word(words: dict[str, Any], what: str, hint: str) -> Callable[[object], Any]:
    def convert(raw: object) -> Any:
        text = _text(raw)
        if text is None:
            return None
        found = words.get(text.casefold())  # _text already trimmed and NFC-normalised it
        if found is None:
            raise _Bad(f"{_shown(text)} is not a {what}; use {hint}")
        return found

    return convert


_role = _word(ROLE_WORDS, "role", ROLE_HINT)
_kind = _word(KIND_WORDS, "session type", KIND_HINT)
_status = _word(STATUS_WORDS, "attendance status", STATUS_HINT)
_flag_word = _word(FLAG_WORDS, "yes/no value", FLAG_HINT)


def _flag(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    result: bool | None = _flag_word(raw)
    return result


def _date(raw: object) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        match = _ISO_DATE.fullmatch(text)
        if match is not None:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                pass
    raise _Bad(f"{_shown(_raw_text(raw))} is not a date; write it as YYYY-MM-DD")


def _round_minute(value: datetime) -> datetime:
    # Excel stores times as fractions of a day, so 09:30 can come back as 09:29:59.9999.
    rounded = value.replace(second=0, microsecond=0)
    return rounded + _ONE_MINUTE if value - rounded >= timedelta(seconds=30) else rounded


def _datetime(raw: object) -> datetime | None:
    if isinstance(raw, datetime):
        return _round_minute(raw)
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        match = _ISO_DATETIME.fullmatch(text)
        if match is not None:
            try:
                year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
                return datetime(year, month, day, hour, minute, second)
            except ValueError:
                pass
    if isinstance(raw, date) or (isinstance(raw, str) and _DAY_ONLY.fullmatch(raw.strip())):
        # A date cell also comes back for a date-time at exactly 00:00; programme days
        # never start at midnight, so this is a forgotten time.
        raise _Bad(f"{_shown(_raw_text(raw))} has no time of day; write YYYY-MM-DD HH:MM")
    raise _Bad(f"{_shown(_raw_text(raw))} is not a date and time; write YYYY-MM-DD HH:MM")


def _end_time(raw: object) -> datetime | time | None:
    """Read an end: a full date-time, or a bare time (the session's start day is meant).

    Excel cannot tell a date from a date-time at midnight, so a date cell reads as 00:00:
    right for a session ending at midnight, and caught as "ends before it starts" when
    someone typed only the start's date.
    """
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return datetime.combine(raw, time())
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, timedelta) and timedelta(0) <= raw < timedelta(days=1):
        return _round_minute(datetime.min + raw).time()
    if isinstance(raw, str):
        text = clean_text(raw)
        match = _CLOCK.fullmatch(text) if text is not None else None
        if match is not None:
            try:
                return time(int(match.group(1)), int(match.group(2)))
            except ValueError:
                pass
    try:
        return _datetime(raw)
    except _Bad:
        raise _Bad(
            f"{_shown(_raw_text(raw))} is not an end time; write YYYY-MM-DD HH:MM, or HH:MM "
            "for the start's day"
        ) from None


def _count(raw: object) -> int | None:
    number: float | None = None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, (int, float)):
        number = raw
    elif isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        if text.isdigit():
            number = int(text)
    if number is None or not float(number).is_integer() or not 1 <= number <= MAX_CAPACITY:
        raise _Bad(f"{_shown(_raw_text(raw))} is not a whole number from 1 to {MAX_CAPACITY}")
    return int(number)


def _info(raw: object) -> None:
    return None


_CONVERTERS: dict[ValueKind, Callable[[object], Any]] = {
    ValueKind.TEXT: _text,
    ValueKind.CODE: _code,
    ValueKind.AGENCY: _text,
    ValueKind.EMAIL: _email,
    ValueKind.EMAIL_LIST: _email_list,
    ValueKind.ROLE: _role,
    ValueKind.KIND: _kind,
    ValueKind.DATE: _date,
    ValueKind.DATETIME: _datetime,
    ValueKind.END_TIME: _end_time,
    ValueKind.COUNT: _count,
    ValueKind.FLAG: _flag,
    ValueKind.INFO: _info,
}


# --- sheets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One recognised column of a sheet as laid out in this file."""

    name: str
    index: int  # position in calamine's row list
    convert: Callable[[object], Any]
    required: bool


class _SheetReader:
    """Reads one roster sheet into ``data``: header, rows, problems, duplicates."""

    def __init__(
        self,
        sheet_def: SheetDef,
        name: str,
        first_column: int,
        formulas: dict[tuple[int, int], str],
        data: RosterData,
    ) -> None:
        self.sheet_def = sheet_def
        self.key = sheet_def.key
        self.name = name
        self.first_column = first_column
        self.formulas = formulas
        self.data = data

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.data.problems.append(Problem(message, sheet=self.name, row=row, column=column))

    def read(self, rows: Iterator[list[Any]]) -> None:
        header_row = 0
        header: list[Any] | None = None
        for values in rows:
            header_row += 1
            if values.count("") != len(values):
                header = values
                break
        if header is None:
            return  # an empty sheet: nothing to import, nothing wrong
        fields, sessions = self.map_header(header_row, header)
        if fields is None:
            return
        if self.key is SheetKey.ATTENDANCE:
            self.data.attendance_sessions = sessions
        self.read_rows(header_row, rows, fields, sessions)

    def map_header(
        self, header_row: int, header: list[Any]
    ) -> tuple[list[_Field] | None, list[SessionColumn]]:
        found: dict[str, _Field] = {}
        labels: dict[str, str] = {}
        ignored: list[str] = []
        sessions: list[SessionColumn] = []
        session_keys: dict[str, str] = {}
        for index, raw in enumerate(header):
            if raw == "":
                continue
            label = clean_text(unescape_text(_raw_text(raw))) or ""
            if not label:
                continue
            column = find_column(self.key, label)
            if column is None:
                if self.key is SheetKey.ATTENDANCE:
                    sessions.append(self.session_column(header_row, index, label, session_keys))
                else:
                    ignored.append(f"{label} ({self.letter(index)})")
                continue
            if column.field in found:
                self.problem(
                    header_row,
                    label,
                    f"the column {column.sv} ({column.en}) appears twice (also as "
                    f"{labels[column.field]!r}); keep one.",
                )
                continue
            found[column.field] = self.make_field(column, index)
            labels[column.field] = label
        self.data.headers[self.key] = labels
        if ignored:
            shown = ", ".join(ignored[:8])
            if len(ignored) == 1:
                what = f"column {shown} is not a roster column and was ignored."
            else:
                more = f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""
                what = f"columns {shown}{more} are not roster columns and were ignored."
            self.data.warnings.append(f"sheet {self.name!r}: {what}")
        missing = [c for c in self.sheet_def.columns if c.required and c.field not in found]
        for column in missing:
            self.problem(
                header_row,
                column.sv,
                f"the sheet has no column {column.sv} ({column.en}); it is required. Headers "
                f"are read from row {header_row}, the first non-empty row.",
            )
        if missing:
            return None, sessions
        ordered = [found[c.field] for c in self.sheet_def.columns if c.field in found]
        return [f for f in ordered if f.convert is not _info], sessions

    def make_field(self, column: Column, index: int) -> _Field:
        return _Field(column.field, index, _CONVERTERS[column.kind], column.required)

    def session_column(
        self, header_row: int, index: int, label: str, seen: dict[str, str]
    ) -> SessionColumn:
        key = match_key(label)
        if key in seen:
            self.problem(
                header_row,
                label,
                f"two session columns are headed {label!r}; give each session one column.",
            )
        seen[key] = label
        parsed = parse_attendance_header(label)
        return SessionColumn(
            self.first_column + index + 1, label, parsed.title, parsed.starts_on, parsed.start_time
        )

    def letter(self, index: int) -> str:
        return _column_letters(self.first_column + index + 1)

    def read_rows(
        self,
        header_row: int,
        rows: Iterator[list[Any]],
        fields: list[_Field],
        sessions: list[SessionColumn],
    ) -> None:
        # The loop below runs once per cell, so it keeps to local names and plain tuples.
        indexes = [f.index for f in fields] + [s.column - self.first_column - 1 for s in sessions]
        pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda row: (row[indexes[0]],))
        width = len(indexes)
        plan = [(f.name, f.index, f.convert, f.required) for f in fields]
        formula_rows = {row for row, _ in self.formulas}
        build = _BUILDERS[self.key]
        state = _SheetState()
        problems = self.data.problems
        for number, row in enumerate(rows, start=header_row + 1):
            if pick(row).count("") == width:
                continue  # blank row (cells outside roster columns do not count)
            values: dict[str, Any] = {}
            complete = True
            reported = len(problems)
            missing: list[str] = []
            formula_fields: set[str] = set()
            if number in formula_rows:
                formula_fields, complete = self.formula_cells(number, fields)
            for field_name, index, convert, required in plan:
                if formula_fields and field_name in formula_fields:
                    continue
                raw = row[index]
                if raw == "":
                    if required:
                        missing.append(field_name)
                    continue
                try:
                    value = convert(raw)
                except _Bad as bad:
                    self.bad(number, field_name, str(bad))
                    complete = complete and not required
                    continue
                if value is None:
                    if required:
                        missing.append(field_name)
                    continue
                values[field_name] = value
            if sessions:
                marks = self.marks(number, row, sessions)
                if marks:
                    values["marks"] = marks
            if not values and len(problems) == reported:
                continue  # only whitespace in it: as blank as a row can look
            if missing:
                for field_name in missing:
                    self.missing(number, field_name)
                continue
            if complete:
                build(self, state, number, values)

    def bad(self, number: int, field_name: str, message: str) -> None:
        self.problem(number, self.data.column_label(self.key, field_name), message)

    def missing(self, number: int, field_name: str) -> None:
        label = self.data.column_label(self.key, field_name)
        self.problem(number, label, f"{label} is empty; it is required.")

    def formula_cells(self, number: int, fields: list[_Field]) -> tuple[set[str], bool]:
        """Report the formula cells of a row; return their fields and whether the row is whole."""
        found: set[str] = set()
        complete = True
        for field_ in fields:
            formula = self.formulas.get((number, self.first_column + field_.index + 1))
            if formula is None:
                continue
            shown = f" ({_shown(formula)})" if len(formula) > 1 else ""
            self.bad(
                number,
                field_.name,
                f"the cell holds a formula{shown}; rosters take plain values, so type the "
                "value itself.",
            )
            found.add(field_.name)
            complete = complete and not field_.required
        return found, complete

    def marks(
        self, number: int, row: list[Any], sessions: list[SessionColumn]
    ) -> tuple[AttendanceMark, ...]:
        marks: list[AttendanceMark] = []
        for session in sessions:
            column = session.column
            raw = row[column - self.first_column - 1]
            if raw == "":
                continue
            if self.formulas and (number, column) in self.formulas:
                self.problem(
                    number,
                    session.header,
                    "the cell holds a formula; rosters take plain values, so type the value itself",
                )
                continue
            try:
                status = _status(raw)
            except _Bad as bad:
                self.problem(number, session.header, str(bad))
                continue
            if status is not None:
                marks.append(AttendanceMark(session, status))
        return tuple(marks)


class _SheetState:
    """Natural keys seen so far on one sheet, for duplicate detection."""

    def __init__(self) -> None:
        self.keys: dict[object, int] = {}

    def first(self, key: object, number: int) -> int | None:
        """Return the row that already had ``key``, or remember it for ``number``."""
        earlier = self.keys.get(key)
        if earlier is None:
            self.keys[key] = number
        return earlier


def _duplicate(reader: _SheetReader, number: int, earlier: int, column: str, what: str) -> None:
    reader.problem(
        number,
        reader.data.column_label(reader.key, column),
        f"rows {earlier} and {number} both have {what}; keep one of them.",
    )


def _build_agency(reader: _SheetReader, state: _SheetState, number: int, v: dict[str, Any]) -> None:
    earlier = state.first(v["code"], number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "code", f"agency code {v['code']!r}")
        return
    reader.data.agencies.append(AgencyRow(number, v["code"], v["name"], v.get("contact")))


def _build_participant(
    reader: _SheetReader, state: _SheetState, number: int, v: dict[str, Any]
) -> None:
    email = v["email"]
    key = _key(email)
    wished = v.get("preferred_mentors")
    if wished and any(_key(mentor) == key for mentor in wished):
        reader.bad(
            number,
            "preferred_mentors",
            f"{email!r} lists themselves as a preferred mentor; remove that address.",
        )
        return
    earlier = state.first(key, number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "email", f"the e-mail address {email!r}")
        return
    reader.data.participants.append(ParticipantRow(number, **v))


def _build_session(
    reader: _SheetReader, state: _SheetState, number: int, v: dict[str, Any]
) -> None:
    starts_at: datetime = v["starts_at"]
    ends = v["ends_at"]
    ends_at = datetime.combine(starts_at.date(), ends) if isinstance(ends, time) else ends
    if ends_at <= starts_at:
        reader.problem(
            number,
            reader.data.column_label(reader.key, "ends_at"),
            f"the session ends ({ends_at:%Y-%m-%d %H:%M}) before it starts "
            f"({starts_at:%Y-%m-%d %H:%M}); the end must come after the start.",
        )
        return
    earlier = state.first((match_key(v["title"]), starts_at), number)
    if earlier is not None:
        _duplicate(
            reader,
            number,
            earlier,
            "title",
            f"the session {v['title']!r} at {starts_at:%Y-%m-%d %H:%M}",
        )
        return
    v["ends_at"] = ends_at
    reader.data.sessions.append(SessionRow(number, **v))


def _build_pair(reader: _SheetReader, state: _SheetState, number: int, v: dict[str, Any]) -> None:
    adept, mentor = v["adept"], v["mentor"]
    if _key(adept) == _key(mentor):
        reader.problem(
            number,
            reader.data.column_label(reader.key, "mentor"),
            f"{adept!r} is both adept and mentor; a pair needs two people.",
        )
        return
    earlier = state.first(_key(adept), number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "adept", f"the adept {adept!r}")
        return
    reader.data.pairs.append(PairRow(number, adept, mentor, v.get("locked") or False))


def _build_attendance(
    reader: _SheetReader, state: _SheetState, number: int, v: dict[str, Any]
) -> None:
    email = v["email"]
    earlier = state.first(_key(email), number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "email", f"the e-mail address {email!r}")
        return
    reader.data.attendance.append(AttendanceRow(number, email, v.get("marks", ())))


_BUILDERS: dict[SheetKey, Callable[[_SheetReader, _SheetState, int, dict[str, Any]], None]] = {
    SheetKey.AGENCIES: _build_agency,
    SheetKey.PARTICIPANTS: _build_participant,
    SheetKey.SESSIONS: _build_session,
    SheetKey.PAIRS: _build_pair,
    SheetKey.ATTENDANCE: _build_attendance,
}
