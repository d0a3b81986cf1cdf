"""From one sheet's converted cells to typed rows: a builder per sheet, and duplicates.

Each builder takes the values of one row (field name → converted value) and either appends
the typed row to the reader's :class:`RosterData` or reports the row's problem, located by
its column (a repeated key names both rows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any, Protocol

from chefintro.intake.sessions import SessionFacts, check_session
from chefintro.roster.columns import SheetKey, match_key
from chefintro.roster.read.cells import email_cell_key, turned_name
from chefintro.roster.read.rows import (
    AgencyRow,
    AttendanceRow,
    MeetingRow,
    PairRow,
    ParticipantRow,
    ProgrammeSessionRow,
    RosterData,
)


class RowSink(Protocol):
    """What a builder needs of the sheet reader: its sheet, its data and its problems."""

    key: SheetKey
    data: RosterData
    #: (row, as written, as turned) of names written "Efternamn, Förnamn".
    turned: list[tuple[int, str, str]]

    def problem(self, row: int | None, column: str | None, message: str) -> None: ...

    def bad(self, number: int, field_name: str, message: str) -> None: ...


class SheetState:
    """Natural keys seen so far on one sheet, for duplicate detection."""

    def __init__(self) -> None:
        self.keys: dict[object, int] = {}

    def first(self, key: object, number: int) -> int | None:
        """Return the row that already had ``key``, or remember it for ``number``."""
        earlier = self.keys.get(key)
        if earlier is None:
            self.keys[key] = number
        return earlier


def _duplicate(reader: RowSink, number: int, earlier: int, column: str, what: str) -> None:
    reader.problem(
        number,
        reader.data.column_label(reader.key, column),
        f"rows {earlier} and {number} both have {what}; keep one of them.",
    )


def _build_agency(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    earlier = state.first(v["code"], number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "code", f"agency code {v['code']!r}")
        return
    reader.data.agencies.append(AgencyRow(number, v["code"], v["name"], v.get("contact")))


def _build_participant(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    email = v["email"]
    key = email_cell_key(email)
    turned = turned_name(v["name"])
    if turned is not None:
        reader.turned.append((number, v["name"], turned))
        v["name"] = turned
    earlier = state.first(key, number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "email", f"the e-mail address {email!r}")
        return
    reader.data.participants.append(ParticipantRow(number, **v))


def _build_session(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    starts_at: datetime = v["starts_at"]
    ends = v["ends_at"]
    ends_at = datetime.combine(starts_at.date(), ends) if isinstance(ends, time) else ends
    # The session intake's own rules on the times alone (the loader knows the cohort).
    refused = [
        f for f in check_session(SessionFacts(v["title"], starts_at, ends_at)) if f.is_problem
    ]
    for finding in refused:
        reader.problem(
            number, reader.data.column_label(reader.key, finding.column or "ends_at"), finding.text
        )
    if refused:
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
    reader.data.sessions.append(ProgrammeSessionRow(number, **v))


def _build_pair(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    adept, mentor = v["adept"], v["mentor"]
    if email_cell_key(adept) == email_cell_key(mentor):
        reader.problem(
            number,
            reader.data.column_label(reader.key, "mentor"),
            f"{adept!r} is both adept and mentor; a pair needs two people.",
        )
        return
    earlier = state.first(email_cell_key(adept), number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "adept", f"the adept {adept!r}")
        return
    reader.data.pairs.append(
        PairRow(number, adept, mentor, v.get("locked") or False, v.get("pair_id"))
    )


def _build_attendance(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    email = v["email"]
    earlier = state.first(email_cell_key(email), number)
    if earlier is not None:
        _duplicate(reader, number, earlier, "email", f"the e-mail address {email!r}")
        return
    reader.data.attendance.append(AttendanceRow(number, email, v.get("marks", ())))


def _build_meeting(reader: RowSink, state: SheetState, number: int, v: dict[str, Any]) -> None:
    adept, mentor = v["adept"], v.get("mentor")
    adept_key = email_cell_key(adept)
    mentor_key = email_cell_key(mentor) if mentor else None
    if mentor is not None and adept_key == mentor_key:
        reader.problem(
            number,
            reader.data.column_label(reader.key, "mentor"),
            f"{adept!r} is both adept and mentor; a pair needs two people.",
        )
        return
    key = (adept_key, mentor_key, v["held_on"])
    earlier = state.first(key, number)
    if earlier is not None:
        _duplicate(
            reader, number, earlier, "held_on", f"the meeting of {adept!r} on {v['held_on']}"
        )
        return
    reader.data.meetings.append(MeetingRow(number, **v))


BUILDERS: dict[SheetKey, Callable[[RowSink, SheetState, int, dict[str, Any]], None]] = {
    SheetKey.AGENCIES: _build_agency,
    SheetKey.PARTICIPANTS: _build_participant,
    SheetKey.SESSIONS: _build_session,
    SheetKey.PAIRS: _build_pair,
    SheetKey.ATTENDANCE: _build_attendance,
    SheetKey.MEETINGS: _build_meeting,
}
