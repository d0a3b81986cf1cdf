"""Self-reported meetings: a check-in form's answers (a Microsoft Forms export) become the
pairs' meetings, agreements and notes — all or nothing.

Each row is one person's check-in: the day of the pair's last meeting, its length, whether
they have agreed how they work together (ja/nej) and a free text. The person is found by
the e-mail column; their pair is the one live on that day (an adept's through the same
:class:`~chefintro.followup.meetings.MeetingPairs` as the Möten sheet; a mentor's only when
they had one adept that day). The meeting goes through the meeting intake
(:mod:`chefintro.intake.meetings`) exactly as ``pair meet``: not in the future, within the
year, not after the pair ended. The agreement is recorded with the meeting's day; the free
text is kept for the pair's own report (``pair history``) and shown nowhere else. Any
problem refuses the whole file with its sheet, row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from chefintro import audit, clock
from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.enums import PairingState, Role
from chefintro.errors import ChefintroError, InvalidInputError, Problem
from chefintro.followup.agreement import SOURCE_CHECKIN, agreement_text, record_agreement
from chefintro.followup.meetings import MeetingPairs, record_meeting
from chefintro.followup.pairs import HeldPair
from chefintro.ids import id_of
from chefintro.intake.meetings import MeetingFacts, check_meeting
from chefintro.models import Cohort, PairNote, Survey
from chefintro.rules import MAX_MEETING_MINUTES
from chefintro.surveys.catalogue import questions_of
from chefintro.text import email_key
from chefintro.words import plural

YES = frozenset({"ja", "yes", "j", "y", "true", "1"})
NO = frozenset({"nej", "no", "n", "false", "0"})
MAX_NOTE = 2000
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


@dataclass(frozen=True)
class CheckIn:
    """One accepted row: the pair, the day, and what it reported."""

    pairing: HeldPair
    day: date
    minutes: int | None
    agreed: bool | None
    note: str | None


@dataclass
class CheckinSummary:
    rows: int = 0
    meetings_added: int = 0
    meetings_changed: int = 0
    agreements_changed: int = 0
    notes: int = 0
    warnings: list[str] = field(default_factory=list)
    #: What changed, pair by pair (names: for the screen only).
    changes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "meetings_added": self.meetings_added,
            "meetings_changed": self.meetings_changed,
            "agreements_changed": self.agreements_changed,
            "notes": self.notes,
            "warnings": self.warnings,
            "changes": self.changes,
        }


def parse_day(text: str) -> date:
    """Read a day as Forms and people write it: 2027-03-01 (with a time), 1/3/2027, 1.3.2027."""
    cleaned = text.strip()
    match = _DATE_TIME.match(cleaned)
    try:
        if match:
            return date.fromisoformat(match.group(1))
        match = _DAY_MONTH_YEAR.match(cleaned)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        pass
    raise ValueError(f"{cleaned!r} is not a date; write it as YYYY-MM-DD")


def parse_minutes(text: str) -> int:
    cleaned = text.strip().casefold().removesuffix("min").removesuffix("minuter").strip()
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        number = -1.0
    if not number.is_integer() or not 1 <= number <= MAX_MEETING_MINUTES:
        raise ValueError(
            f"{text.strip()!r} is not a length in minutes; a meeting lasts 1 to "
            f"{MAX_MEETING_MINUTES} minutes"
        )
    return int(number)


def parse_agreed(text: str) -> bool:
    word = text.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(f"{text.strip()!r} is neither ja nor nej")


class _Rows:
    """Turns the file's rows into check-ins, collecting every problem."""

    def __init__(self, db: Session, cohort: Cohort, today: date) -> None:
        self.cohort = cohort
        self.today = today
        self.pairs = MeetingPairs(db=db, cohort=cohort)
        self.mentor_pairs: dict[int, list[HeldPair]] = {}
        for pairs in self.pairs.pairs.values():
            for pairing in pairs:
                self.mentor_pairs.setdefault(pairing.mentor_id, []).append(pairing)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.accepted: list[CheckIn] = []

    def _pairing(self, email: str, day: date) -> HeldPair:
        found = self.pairs.by_key.get(email_key(email))
        if found is None or found.role == Role.ADEPT:
            return self.pairs.pairing_for(adept=email, mentor=None, day=day)
        person = found
        held = sorted(
            (p for p in self.mentor_pairs.get(person.id, []) if p.state != PairingState.PROPOSED),
            key=lambda p: (p.started_on or date.min, id_of(p)),
        )
        live = [
            p
            for p in held
            if (p.started_on is None or p.started_on <= day)
            and (p.ended_on is None or day <= p.ended_on)
        ]
        if len(live) == 1:
            return live[0]
        if len(held) == 1 and not live:
            return held[0]  # before it began or after it ended: the meeting intake says so
        why = "several adepts" if live else "no adept"
        raise InvalidInputError(
            f"{person.name} ({person.email}) is a mentor with {why} on {day}; ask the adept "
            "to fill in the check-in"
        )

    def row(self, sheet: str, number: int, email: str, cells: dict[int, tuple[str, str]]) -> None:
        """Read one row; ``cells`` holds question position → (text, column label)."""

        def problem(position: int | None, message: str) -> None:
            column = cells[position][1] if position in cells else None
            self.problems.append(Problem(message, sheet=sheet, row=number, column=column))

        values: dict[int, Any] = {}
        for position, parse in ((1, parse_day), (2, parse_minutes), (3, parse_agreed)):
            if position in cells:
                try:
                    values[position] = parse(cells[position][0])
                except ValueError as error:
                    problem(position, str(error))
                    return
        day = values.get(1)
        if day is None:
            problem(None, "the check-in has no date of the last meeting")
            return
        try:
            pairing = self._pairing(email, day)
        except ChefintroError as error:
            problem(None, error.message.rstrip("."))
            return
        facts = MeetingFacts(
            day,
            values.get(2),
            self.today,
            self.cohort.name,
            self.cohort.starts_on,
            self.cohort.ends_on,
            pairing.started_on,
            pairing.ended_on,
        )
        for finding in check_meeting(facts):
            if finding.is_problem:
                problem(1, finding.text.rstrip("."))
                return
            self.warnings.append(f"{sheet} row {number}: {finding.text}")
        note = cells[4][0].strip()[:MAX_NOTE] if 4 in cells else None
        self.accepted.append(CheckIn(pairing, day, values.get(2), values.get(3), note or None))


def _note(db: Session, check: CheckIn) -> bool:
    """Keep a check-in's free text with the pair and day; return whether it is new."""
    assert check.note is not None
    row = db.exec(
        select(PairNote)
        .where(PairNote.pairing_id == check.pairing.id)
        .where(PairNote.held_on == check.day)
    ).first()
    if row is None:
        db.add(PairNote(pairing_id=id_of(check.pairing), held_on=check.day, text=check.note))
        db.flush()
        return True
    if check.note in row.text:
        return False
    row.text = f"{row.text}\n{check.note}"[:MAX_NOTE]
    db.add(row)
    db.flush()
    return True


def _store(db: Session, pairs: MeetingPairs, accepted: list[CheckIn]) -> CheckinSummary:
    summary = CheckinSummary(rows=len(accepted))
    names = {member.id: member.name for member in pairs.by_key.values()}
    for check in accepted:
        said = []
        change = record_meeting(
            db=db, pairing=check.pairing, day=check.day, minutes=check.minutes, known=pairs.meetings
        )
        length = f" ({check.minutes} min)" if check.minutes else ""
        if change.outcome == "added":
            summary.meetings_added += 1
            said.append(f"meeting {check.day} added{length}")
        elif change.outcome == "updated":
            summary.meetings_changed += 1
            before = change.minutes_before
            said.append(
                f"meeting {check.day}: minutes {before if before is not None else 'blank'} "
                f"→ {check.minutes}"
            )
        if check.agreed is not None:
            before_agreement, after = record_agreement(
                db=db,
                pairing=check.pairing,
                agreed=check.agreed,
                day=check.day,
                source=SOURCE_CHECKIN,
            )
            if before_agreement != after:
                summary.agreements_changed += 1
                said.append(
                    f"agreement {agreement_text(before_agreement)} → {agreement_text(after)}"
                )
        if check.note and _note(db, check):
            summary.notes += 1
            said.append("a note kept")
        if said:
            who = f"{names[check.pairing.adept_id]} – {names[check.pairing.mentor_id]}"
            summary.changes.append(f"{who}: {'; '.join(said)}")
    pairs.meetings.write()
    db.flush()
    return summary


def import_checkins(
    *, db: Session, cohort: Cohort, survey: Survey, path: Path, today: date | None = None
) -> CheckinSummary:
    """Import a check-in form's answers as meetings (all or nothing); see the module."""
    from chefintro.roster.survey_form import FormQuestion, read_answers
    from chefintro.text import question_key

    require_open(cohort)
    mark_change(db, kind=Kind.BULK, what="check-ins imported as meetings")
    questions = questions_of(db=db, survey=survey)
    position_of = {question_key(q.text): q.position for q in questions}
    data = read_answers(path, [FormQuestion(q.text, scale=False) for q in questions])
    rows = _Rows(db, cohort, today or clock.today())
    rows.problems.extend(data.problems)
    for answer in data.rows:
        cells = {
            position_of[key]: (str(value), answer.columns[key])
            for key, value in answer.values.items()
        }
        rows.row(answer.sheet, answer.row, answer.email, cells)
    if rows.problems:
        raise InvalidInputError(
            f"{path.name}: {plural(len(rows.problems), 'problem')}; nothing was imported.",
            rows.problems,
        )
    summary = _store(db, rows.pairs, rows.accepted)
    summary.warnings = rows.warnings
    audit.log(
        db=db,
        action="checkin import",
        detail=f"check-in {survey.name} of cohort {cohort.name}: "
        f"{plural(summary.rows, 'row')}, {plural(summary.meetings_added, 'meeting')} added",
    )
    return summary
