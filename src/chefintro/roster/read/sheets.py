"""Reads one roster sheet: maps its header, converts each row's cells and builds typed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, zip_longest
from operator import itemgetter
from typing import Any

from chefintro.errors import Problem
from chefintro.roster.columns import (
    NAME_PARTS,
    Column,
    SheetDef,
    SheetKey,
    ValueKind,
    find_column,
    header_key,
    match_key,
    parse_attendance_header,
    shown_only,
    unescape_text,
)
from chefintro.roster.read.builders import BUILDERS, SheetState
from chefintro.roster.read.cells import (
    CONVERTERS,
    BadCell,
    column_letters,
    info_cell,
    quoted,
    raw_text,
    status_cell,
)
from chefintro.roster.read.hidden import HiddenLine, HiddenMarks, HiddenPolicy
from chefintro.roster.read.rows import (
    AttendanceMark,
    ProgrammeSessionColumn,
    RosterData,
)
from chefintro.text import clean_text
from chefintro.words import listing, noun


@dataclass(frozen=True)
class _Field:
    """One recognised column of a sheet as laid out in this file."""

    name: str
    index: int  # position in calamine's row list
    convert: Callable[[object], Any]
    required: bool


#: Most problems collected from one file; past this the reader stops looking, so a
#: broken file of 100,000 rows cannot flood memory and the screen.
MAX_PROBLEMS = 25_000

#: How one field's cell is read: its name, column, converter, whether it is required, and
#: the memo of values already converted (None for columns whose values never repeat).
_CellStep = tuple[str, int, Callable[[object], Any], bool, dict[Any, Any] | None]
#: How many rows from the top are searched for the header row (title rows stand above it).
HEADER_SEARCH_ROWS = 10
#: Converted values remembered per column (a column of unique values, such as names,
#: stops being remembered at this many).
_MEMO_SIZE = 1000
#: Converters whose cells are unique in a roster (addresses): never remembered, but on
#: Möten, where each pair meets many times (and a mentor may have several adepts).
_UNIQUE = (CONVERTERS[ValueKind.EMAIL], CONVERTERS[ValueKind.EMAIL_LIST])
#: Converted values remembered per column of Möten: every adept and mentor of a large
#: year (their addresses are kept by the rows anyway).
_MEETINGS_MEMO_SIZE = 200_000
_UNSEEN = object()
#: Not yet read (None is a cell that gives no mark).
_UNSEEN_MARK: Any = object()
_NO_FIELDS: set[str] = set()  # never added to: formula_cells returns a new set
#: The field index of Namn when it is joined from Förnamn and Efternamn.
_JOINED = -1
_PEOPLE = SheetKey.PARTICIPANTS


def recognised_headers(key: SheetKey, values: list[Any]) -> int:
    """Count the cells of a row that are headers of sheet ``key`` (Förnamn/Efternamn too)."""
    count = 0
    for raw in values:
        if raw == "" or not isinstance(raw, str):
            continue
        label = clean_text(unescape_text(raw)) or ""
        if find_column(key, label) is not None or (
            key is _PEOPLE and header_key(label) in NAME_PARTS
        ):
            count += 1
    return count


def header_fields(key: SheetKey, values: list[Any]) -> set[str]:
    """Return the fields a header row names; Förnamn and Efternamn together name ``name``."""
    fields: set[str] = set()
    parts: set[str] = set()
    for raw in values:
        if raw == "" or not isinstance(raw, str):
            continue
        label = clean_text(unescape_text(raw)) or ""
        column = find_column(key, label)
        if column is not None:
            fields.add(column.field)
        elif key is _PEOPLE and header_key(label) in NAME_PARTS:
            parts.add(NAME_PARTS[header_key(label)])
    if len(parts) == 2:
        fields.add("name")
    return fields


def find_header(
    key: SheetKey, rows: Iterator[list[Any]]
) -> tuple[int, list[Any], Iterator[list[Any]], int] | None:
    """Find the header row among the first rows: the one naming the most columns.

    Return (1-based row number, its cells, the rows after it, how many non-empty rows
    above it were skipped), or None for an empty sheet. When no row names a column, the
    first non-empty row is taken, so the problem says which columns it lacks.
    """
    seen: list[list[Any]] = []
    for values in rows:
        seen.append(values)
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    best: int | None = None
    best_count = 0
    first: int | None = None
    for position, values in enumerate(seen):
        if values.count("") == len(values):
            continue
        if first is None:
            first = position
        count = recognised_headers(key, values)
        if count > best_count:
            best, best_count = position, count
    chosen = best if best is not None else first
    if chosen is None:
        return None if len(seen) < HEADER_SEARCH_ROWS else _first_nonempty(seen, rows)
    skipped = sum(1 for values in seen[:chosen] if values.count("") != len(values))
    return chosen + 1, seen[chosen], chain(seen[chosen + 1 :], rows), skipped


def _first_nonempty(
    seen: list[list[Any]], rows: Iterator[list[Any]]
) -> tuple[int, list[Any], Iterator[list[Any]], int] | None:
    number = len(seen)
    for values in rows:
        number += 1
        if values.count("") != len(values):
            return number, values, rows, 0
    return None


class SheetReader:
    """Reads one roster sheet into ``data``: header, rows, problems, duplicates."""

    def __init__(
        self,
        sheet_def: SheetDef,
        name: str,
        first_column: int,
        formulas: dict[tuple[int, int], str],
        data: RosterData,
        links: dict[tuple[int, int], str] | None = None,
        hidden: HiddenMarks | None = None,
    ) -> None:
        self.sheet_def = sheet_def
        self.key = sheet_def.key
        self.name = name
        self.first_column = first_column
        self.formulas = formulas
        self.data = data
        self.links = links or {}
        #: Positions of Förnamn and Efternamn when they stand in for Namn.
        self.name_parts: tuple[int, ...] = ()
        #: (row, as written, as turned) of names written "Efternamn, Förnamn".
        self.turned: list[tuple[int, str, str]] = []
        self.hidden = hidden or HiddenMarks()
        self.skip_hidden = data.hidden_policy is HiddenPolicy.SKIP
        #: Each Närvaro (column, cell) read so far: its mark, or None for no mark.
        self.mark_memo: dict[Any, AttendanceMark | None] = {}
        #: Converted values remembered per column (Möten's addresses repeat: many more).
        self.memo_size = _MEETINGS_MEMO_SIZE if self.key is SheetKey.MEETINGS else _MEMO_SIZE

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.data.problems.append(Problem(message, sheet=self.name, row=row, column=column))

    def read(self, rows: Iterator[list[Any]]) -> None:
        found = find_header(self.key, rows)
        if found is None:
            return  # an empty sheet: nothing to import, nothing wrong
        header_row, header, rest, skipped = found
        if skipped:
            above = (
                "the row above them was" if skipped == 1 else f"the {skipped} rows above them were"
            )
            self.data.warnings.append(
                f"sheet {self.name!r}: the headers are on row {header_row}; {above} "
                "skipped as a title."
            )
        below = next(rest, None)
        last_header_row = header_row
        level = self.second_level(header_row, below) if below is not None else False
        if level is None:
            return  # refused, with what to do
        if level and below is not None:
            header = [
                low if low != "" else high for high, low in zip_longest(header, below, fillvalue="")
            ]
            last_header_row = header_row + 1
            shown = ", ".join(raw_text(cell) for cell in below if cell != "")
            self.data.warnings.append(
                f"sheet {self.name!r}: the headers stand on two rows ({header_row} and "
                f"{last_header_row}); the lower row's headers ({shown}) were read under the "
                "upper row's."
            )
        elif below is not None:
            rest = chain((below,), rest)
        fields, sessions = self.map_header(header_row, header)
        if fields is None:
            return
        if self.key is SheetKey.ATTENDANCE:
            self.data.attendance_sessions = sessions
        self.read_rows(last_header_row, rest, fields, sessions)
        if self.turned:
            self.warn_turned()

    def second_level(self, header_row: int, below: list[Any]) -> bool | None:
        """Tell whether the row under the header is a second header level (Namn merged over
        Förnamn and Efternamn): only header words and no address in it; each word takes
        the place of the one above it (a merged cell's others are blank).

        A row that is half header words and half something else is refused (None, with a
        problem saying what to do): it is neither a header nor a person, and reading it
        either way would be a guess.
        """
        filled = [(i, cell) for i, cell in enumerate(below) if cell != ""]
        if not filled or any(isinstance(cell, str) and "@" in cell for _, cell in filled):
            return False
        words = [(i, cell) for i, cell in filled if recognised_headers(self.key, [cell])]
        if not words:
            return False
        if len(words) < len(filled):
            if 2 * len(words) >= len(filled):
                self.problem(
                    header_row + 1,
                    None,
                    "this row looks like a second header row (it holds "
                    + ", ".join(repr(raw_text(c)) for _, c in words)
                    + "); make one header row with one header per column (e.g. Förnamn, "
                    "Efternamn, E-post, Myndighet, Roll) and delete the other.",
                )
                return None
            return False
        return True

    def warn_turned(self) -> None:
        rows = [str(row) for row, _, _ in self.turned]
        count = len(rows)
        _, written, turned = self.turned[0]
        self.data.warnings.append(
            f"sheet {self.name!r}: the {noun(count, 'name')} in {noun(count, 'row')} "
            f"{listing(rows, limit=20)} {noun(count, 'was', 'were')} written 'Efternamn, "
            f"Förnamn' and turned round ({written!r} → {turned!r}); check them in the dry run."
        )

    def map_header(
        self, header_row: int, header: list[Any]
    ) -> tuple[list[_Field] | None, list[ProgrammeSessionColumn]]:
        found: dict[str, _Field] = {}
        labels: dict[str, str] = {}
        ignored: list[str] = []
        sessions: list[ProgrammeSessionColumn] = []
        session_keys: dict[str, str] = {}
        parts: dict[str, tuple[int, str]] = {}
        for index, raw in enumerate(header):
            if raw == "":
                continue
            label = clean_text(unescape_text(raw_text(raw))) or ""
            if not label:
                continue
            if self.hidden.columns and self.hidden_column(index, label) and self.skip_hidden:
                continue
            column = find_column(self.key, label)
            if (
                column is not None
                and self.key is SheetKey.ATTENDANCE
                and parse_attendance_header(label).starts_on is not None
            ):
                column = None  # "Namn (2027-03-01 09:00)" is a session titled Namn
            if column is None:
                part = NAME_PARTS.get(header_key(label)) if self.key is _PEOPLE else None
                if part is not None and part not in parts:
                    parts[part] = (index, label)
                elif self.key is SheetKey.ATTENDANCE:
                    sessions.append(self.session_column(header_row, index, label, session_keys))
                elif not shown_only(self.key, label):  # our own columns come back quietly
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
        if parts:
            if "name" not in found and len(parts) == 2:
                (first, first_label), (last, last_label) = parts["first"], parts["last"]
                self.name_parts = (first, last)
                found["name"] = _Field("name", _JOINED, CONVERTERS[ValueKind.TEXT], True)
                labels["name"] = f"{first_label} + {last_label}"
            else:
                ignored.extend(f"{label} ({self.letter(index)})" for index, label in parts.values())
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
            alternative = " (or Förnamn and Efternamn)" if column.field == "name" else ""
            self.problem(
                header_row,
                column.sv,
                f"the sheet has no column {column.sv} ({column.en}){alternative}; it is "
                f"required. Headers are read from row {header_row}.",
            )
        if missing:
            return None, sessions
        ordered = [found[c.field] for c in self.sheet_def.columns if c.field in found]
        return [f for f in ordered if f.convert is not info_cell], sessions

    def hidden_column(self, index: int, label: str) -> bool:
        """Tell whether a column is hidden and holds roster data; list it if so.

        Our own exports' hidden number columns (Träffnummer, Parnummer) and the columns
        shown for people only are not roster data a person hid.
        """
        if self.first_column + index + 1 not in self.hidden.columns:
            return False
        column = find_column(self.key, label)
        if column is not None and (column.hidden or column.kind is ValueKind.INFO):
            return False
        is_part = self.key is _PEOPLE and header_key(label) in NAME_PARTS
        if column is None and not is_part and self.key is not SheetKey.ATTENDANCE:
            return False  # not read anyway: ignored with the other unknown columns
        where = f"{self.letter(index)} ({label})"
        self.data.hidden.append(HiddenLine(self.name, "hidden", column=where))
        return True

    def hidden_row(self, number: int, row: list[Any], indexes: list[int]) -> bool:
        """List a hidden or filtered-out row that holds data; True when it is to be skipped."""
        first = next((raw_text(row[i]) for i in indexes if row[i] != ""), None)
        if self.name_parts and self.key is _PEOPLE:
            first = " ".join(raw_text(row[i]) for i in self.name_parts if row[i] != "") or first
        how = self.hidden.rows[number]
        self.data.hidden.append(HiddenLine(self.name, how, row=number, subject=first))
        return self.skip_hidden

    def make_field(self, column: Column, index: int) -> _Field:
        return _Field(column.field, index, CONVERTERS[column.kind], column.required)

    def session_column(
        self, header_row: int, index: int, label: str, seen: dict[str, str]
    ) -> ProgrammeSessionColumn:
        key = match_key(label)
        if key in seen:
            self.problem(
                header_row,
                label,
                f"two session columns are headed {label!r}; give each session one column.",
            )
        seen[key] = label
        parsed = parse_attendance_header(label)
        return ProgrammeSessionColumn(
            self.first_column + index + 1, label, parsed.title, parsed.starts_on, parsed.start_time
        )

    def letter(self, index: int) -> str:
        return column_letters(self.first_column + index + 1)

    def read_rows(
        self,
        header_row: int,
        rows: Iterator[list[Any]],
        fields: list[_Field],
        sessions: list[ProgrammeSessionColumn],
    ) -> None:
        # The loop below runs once per cell, so it keeps to local names and plain tuples.
        indexes, plan = self._cell_plan(fields, sessions)
        pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda row: (row[indexes[0]],))
        width = len(indexes)
        formula_rows = {row for row, _ in self.formulas}
        build = BUILDERS[self.key]
        state = SheetState()
        problems = self.data.problems
        links = self.links
        email_fields = {f.name for f in fields if f.convert is CONVERTERS[ValueKind.EMAIL]}
        joined = self.name_parts
        hidden_rows = self.hidden.rows
        for number, row in enumerate(rows, start=header_row + 1):
            if len(problems) >= MAX_PROBLEMS:
                self.data.truncated = True
                return
            if pick(row).count("") == width:
                continue  # blank row (cells outside roster columns do not count)
            if hidden_rows and number in hidden_rows and self.hidden_row(number, row, indexes):
                continue
            values: dict[str, Any] = {}
            complete = True
            reported = len(problems)
            missing: list[str] = []
            formula_fields: set[str] = _NO_FIELDS
            if number in formula_rows:
                formula_fields, complete = self.formula_cells(number, fields)
            for field_name, index, convert, required, memo in plan:
                if formula_fields and field_name in formula_fields:
                    continue
                if index == _JOINED:
                    raw: Any = " ".join(raw_text(row[i]) for i in joined if row[i] != "")
                else:
                    raw = row[index]
                if raw == "":
                    if required:
                        missing.append(field_name)
                    continue
                if links and field_name in email_fields:
                    raw = self.linked_address(number, index, raw)
                key = None
                if memo is not None:
                    # A text is its own key (no tuple is ever equal to a str).
                    key = raw if raw.__class__ is str else (raw.__class__, raw)
                    value = memo.get(key, _UNSEEN)
                else:
                    value = _UNSEEN
                if value is _UNSEEN:
                    try:
                        value = convert(raw)
                    except BadCell as bad:
                        self.bad(number, field_name, str(bad))
                        complete = complete and not required
                        continue
                    if memo is not None and len(memo) < self.memo_size:
                        memo[key] = value
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

    def _cell_plan(
        self, fields: list[_Field], sessions: list[ProgrammeSessionColumn]
    ) -> tuple[list[int], list[_CellStep]]:
        """The columns a row is read from, and for each field how its cell is converted.

        Per column, the values already converted (by type and value: 1, 1.0 and True
        differ): a roster repeats its agencies, roles, units, places and dates thousands of
        times, and the rows then share one value object each. Only conversions that succeed
        are kept; a bad cell is converted, and reported, every time.
        """
        indexes = [f.index for f in fields if f.index != _JOINED] + list(self.name_parts)
        indexes += [s.column - self.first_column - 1 for s in sessions]
        repeated = self.key is SheetKey.MEETINGS
        plan: list[_CellStep] = [
            (
                f.name,
                f.index,
                f.convert,
                f.required,
                None if f.convert in _UNIQUE and not repeated else {},
            )
            for f in fields
        ]
        return indexes, plan

    def linked_address(self, number: int, index: int, raw: Any) -> Any:
        """Use a mailto: link's address when the cell shows something else (a name)."""
        target = self.links.get((number, self.first_column + index + 1))
        if target is None or not target[:7].lower() == "mailto:":
            return raw
        if isinstance(raw, str) and "@" in raw:
            return raw  # the address people see is the one they meant
        return target.split("?", 1)[0]

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
            shown = f" ({quoted(formula)})" if len(formula) > 1 else ""
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
        self, number: int, row: list[Any], sessions: list[ProgrammeSessionColumn]
    ) -> tuple[AttendanceMark, ...]:
        marks: list[AttendanceMark] = []
        # A Närvaro sheet holds a few words in a few columns: each (column, cell) is read
        # once and its mark shared (a bad cell is read, and reported, every time).
        memo = self.mark_memo
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
            key = (column, raw if raw.__class__ is str else (raw.__class__, raw))
            mark = memo.get(key, _UNSEEN_MARK)
            if mark is _UNSEEN_MARK:
                try:
                    status = status_cell(raw)
                except BadCell as bad:
                    self.problem(number, session.header, str(bad))
                    continue
                mark = None if status is None else AttendanceMark(session, status)
                if len(memo) < _MEMO_SIZE:
                    memo[key] = mark
            if mark is not None:
                marks.append(mark)
        return tuple(marks)
