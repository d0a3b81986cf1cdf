"""The roster's typed rows: what the reader yields and the loader takes, one class per sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from chefintro.enums import AttendanceStatus, Role, SessionKind
from chefintro.errors import Problem
from chefintro.roster.columns import (
    SHEETS,
    SheetKey,
)
from chefintro.roster.read.hidden import HiddenLine, HiddenPolicy


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """A Myndigheter row. ``code`` is upper-cased; a blank Kontakt cell is None."""

    row: int
    code: str
    name: str
    contact: str | None = None


class ParticipantRow(NamedTuple):
    """A Deltagare row. ``agency`` is the code or name as written; the loader resolves it.

    A named tuple rather than a frozen dataclass like the other rows: it is as immutable,
    and a large roster builds tens of thousands of them, which a frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field) makes three times as costly
    (issue 16).
    """

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
    #: Consent to be listed in the directory; None (a blank or no column) keeps the answer.
    consent: bool | None = None
    #: A mentor's wishes (issue 34): towns, wished adepts, adepts not to mentor.
    wished_locations: tuple[str, ...] = ()
    wished_adepts: tuple[str, ...] = ()
    not_adepts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgrammeSessionRow:
    """A Träffar row. ``host`` is an agency code or name as written."""

    row: int
    title: str
    starts_at: datetime
    ends_at: datetime
    kind: SessionKind | None = None
    location: str | None = None
    host: str | None = None
    #: The stored session's number, from an exported workbook's hidden column.
    session_id: int | None = None


@dataclass(frozen=True, slots=True)
class PairRow:
    """A Par row: adept and mentor e-mail addresses."""

    row: int
    adept: str
    mentor: str
    locked: bool = False
    #: The stored pair's number, from an exported workbook's hidden column.
    pair_id: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """A Möten row: the adept's e-mail, the mentor's (None: the adept's live pair), the day."""

    row: int
    adept: str
    held_on: date
    mentor: str | None = None
    minutes: int | None = None


@dataclass(frozen=True, slots=True)
class ProgrammeSessionColumn:
    """A session column on the Närvaro sheet (1-based sheet column), its header parsed."""

    column: int
    header: str
    title: str
    starts_on: date | None = None
    start_time: time | None = None


@dataclass(frozen=True, slots=True)
class AttendanceMark:
    """One filled Närvaro cell; blank cells give no mark (attendance left unchanged)."""

    session: ProgrammeSessionColumn
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
    sessions: list[ProgrammeSessionRow] = field(default_factory=list)
    pairs: list[PairRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    attendance_sessions: list[ProgrammeSessionColumn] = field(default_factory=list)
    meetings: list[MeetingRow] = field(default_factory=list)
    #: The roster sheets found, by key, with their names as written in the file.
    sheets: dict[SheetKey, str] = field(default_factory=dict)
    #: For each sheet found, each recognised column's header as written in the file.
    headers: dict[SheetKey, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: True when the reader stopped collecting problems at its bound.
    truncated: bool = False
    #: When the workbook was exported by chefintro (from its properties), if it was.
    exported_at: datetime | None = None
    #: Hidden and filtered-out rows and hidden columns that hold roster data.
    hidden: list[HiddenLine] = field(default_factory=list)
    #: What the import does with them: None (refuse, list them in a dry run), skip, include.
    hidden_policy: HiddenPolicy | None = None
    #: Rows whose name was written "Efternamn, Förnamn" and turned round, per sheet.
    turned_names: list[int] = field(default_factory=list)

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

    def where(self, key: SheetKey, row: int) -> str:
        """Name a row as a warning does: the sheet as the file names it, and the row."""
        return f"{self.sheets.get(key, SHEETS[key].sv)} row {row}"

    def problem(
        self, key: SheetKey, row: int | None, field_name: str | None, message: str
    ) -> Problem:
        """Return a Problem located like the reader's own, for the loader's findings."""
        sheet = self.sheets.get(key, SHEETS[key].sv)
        column = self.column_label(key, field_name) if field_name is not None else None
        return Problem(message, sheet=sheet, row=row, column=column)


def row_values(
    row: AgencyRow | ParticipantRow | ProgrammeSessionRow | PairRow | MeetingRow,
) -> tuple[Any, ...]:
    """Return a row's values in its sheet's column order (what ``writer.standard_sheet`` takes)."""
    key = _ROW_SHEETS[type(row)]
    return tuple(
        getattr(row, column.field) for column in SHEETS[key].columns if hasattr(row, column.field)
    )


_ROW_SHEETS: dict[type, SheetKey] = {
    AgencyRow: SheetKey.AGENCIES,
    ParticipantRow: SheetKey.PARTICIPANTS,
    ProgrammeSessionRow: SheetKey.SESSIONS,
    PairRow: SheetKey.PAIRS,
    MeetingRow: SheetKey.MEETINGS,
}
