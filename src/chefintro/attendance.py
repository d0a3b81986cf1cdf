"""Attendance at programme sessions: recording it, a participant's standing and the report."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro.bulk import insert_many
from chefintro.clock import now_local
from chefintro.cohorts import find_participant, members_query, require_open
from chefintro.enums import AttendanceStatus, ParticipantStatus, Role
from chefintro.errors import NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Participant,
    Person,
    ProgrammeSession,
)
from chefintro.registry import get_person, who_json
from chefintro.sessions import get_programme_session
from chefintro.text import swedish_key


@dataclass(frozen=True)
class AttendanceResult:
    title: str
    status: str
    created: int
    changed: int
    unchanged: int
    warning: str | None = None


def record_attendance(
    *,
    db: Session,
    cohort: Cohort,
    session_id: int,
    emails: list[str],
    status: AttendanceStatus | None,
) -> AttendanceResult:
    """Record one status for several participants at a session, all or nothing.

    A status of None clears their marks (``changed`` counts the marks removed).

    Anyone not registered or not in the cohort (NotFoundError), or withdrawn (RuleError),
    makes the whole call fail before anything is written.
    """
    require_open(cohort)
    row = get_programme_session(db=db, cohort=cohort, session_id=session_id)
    if not [e for e in emails if e.strip()]:
        raise UsageError("Give at least one participant's e-mail address.")
    chosen = _chosen_participants(db, cohort, emails)
    existing = {
        a.participant_id: a
        for a in db.exec(
            select(Attendance)
            .where(Attendance.session_id == row.id)
            .where(col(Attendance.participant_id).in_(list(chosen)))
        ).all()
    }
    created = changed = unchanged = 0
    for participant_id in sorted(chosen):
        record = existing.get(participant_id)
        if status is None:
            if record is None:
                unchanged += 1
            else:
                db.delete(record)
                changed += 1
        elif record is None:
            db.add(
                Attendance(session_id=row.id, participant_id=participant_id, status=status)  # type: ignore[arg-type]
            )
            created += 1
        elif record.status != status:
            record.status = status
            db.add(record)
            changed += 1
        else:
            unchanged += 1
    db.flush()
    warning = None
    if status not in (None, AttendanceStatus.EXCUSED) and row.starts_at > now_local():
        warning = (
            f"{row.title} has not taken place yet (starts {row.starts_at:%Y-%m-%d %H:%M}); "
            "the attendance report counts it once it has."
        )
    return AttendanceResult(
        title=row.title,
        status="cleared" if status is None else str(status),
        created=created,
        changed=changed,
        unchanged=unchanged,
        warning=warning,
    )


def _chosen_participants(db: Session, cohort: Cohort, emails: list[str]) -> dict[int, Participant]:
    """The cohort's participants the addresses name, by id; blank addresses are skipped.

    Every unknown, outside or withdrawn person is named in one error, so that nothing is
    recorded unless everyone may be.
    """
    missing: list[str] = []
    withdrawn: list[str] = []
    chosen: dict[int, Participant] = {}
    for email in emails:
        if not email.strip():
            continue
        try:
            person = get_person(db=db, email=email)
        except NotFoundError as exc:
            unknown = f"{email.strip()} is not registered"
            missing.append(unknown if "@" in email else exc.message.rstrip("."))
            continue
        part = find_participant(db=db, cohort=cohort, person=person)
        refusal = _refusal(person.name, person.email, part.status if part else None, cohort)
        if refusal is None and part is not None:
            chosen[id_of(part)] = part
        elif isinstance(refusal, NotFoundError):
            missing.append(refusal.message)
        elif refusal is not None:
            withdrawn.append(refusal.message)
    if missing or withdrawn:
        message = "Nothing was recorded: " + "; ".join(missing + withdrawn) + "."
        raise NotFoundError(message) if missing else RuleError(message)
    return chosen


def _refusal(
    name: str, email: str, status: str | None, cohort: Cohort
) -> NotFoundError | RuleError | None:
    """Why a person's attendance may not be recorded (not in the cohort, withdrawn), or None."""
    if status is None:
        return NotFoundError(f"{name} ({email}) is not in cohort {cohort.name}")
    if status == ParticipantStatus.WITHDRAWN:
        return RuleError(f"{name} ({email}) has withdrawn")
    return None


@dataclass(frozen=True, slots=True)
class Member:
    """What recording a mark needs to know of a cohort's participant."""

    participant_id: int
    name: str
    email: str
    status: str


def members_by_key(*, db: Session, cohort: Cohort) -> dict[str, Member]:
    """The cohort's participants by e-mail key, in one query of the columns marks need.

    Read through the connection (Core rows, not the ORM's: a year of 50,000 people), after
    a flush, so that what the session holds is read too.
    """
    db.flush()
    rows: Sequence[Any] = (  # the ids are stored, not the models' optional ones
        db.connection()
        .execute(
            sa_select(
                col(Person.email_key),
                col(Participant.id),
                col(Person.name),
                col(Person.email),
                col(Participant.status),
            )
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
        )
        .all()
    )
    return {key: Member(pid, name, email, str(status)) for key, pid, name, email, status in rows}


def mark_refusal(member: Member, cohort: Cohort) -> NotFoundError | RuleError | None:
    """The error :func:`record_attendance` raises for this one participant, or None."""
    refusal = _refusal(member.name, member.email, member.status, cohort)
    if refusal is None:
        return None
    return type(refusal)(f"Nothing was recorded: {refusal.message}.")


def record_marks(
    *, db: Session, cohort: Cohort, marks: dict[tuple[int, int], AttendanceStatus]
) -> tuple[int, int, int]:
    """Store many (session id, participant id) → status marks at once; return the counts
    created, changed and unchanged.

    What a bulk import does after asking :func:`mark_refusal` of each participant: the
    sessions are the cohort's (not cancelled) and the participants may be marked. One
    query reads the stored marks, one executemany inserts the new ones (a column at a time,
    :func:`chefintro.bulk.insert_many`) and one updates the changed.
    """
    require_open(cohort)
    sessions = sorted({session_id for session_id, _ in marks})
    table = Attendance.__table__  # type: ignore[attr-defined]
    stored: dict[tuple[int, int], str] = {}
    for start in range(0, len(sessions), 500):
        for session_id, participant_id, status in db.execute(
            sa_select(table.c.session_id, table.c.participant_id, table.c.status).where(
                table.c.session_id.in_(sessions[start : start + 500])
            )
        ).all():
            stored[(session_id, participant_id)] = status
    added: list[tuple[int, int]] = []
    added_status: list[str] = []
    changed: list[dict[str, object]] = []
    for key, status in marks.items():
        value = str(status)  # a StrEnum's text is its value (.value costs twice as much)
        old = stored.get(key)
        if old is None:
            added.append(key)
            added_status.append(value)
        elif old != value:
            changed.append({"s": key[0], "p": key[1], "status": value})
    if added:
        sessions_added, participants_added = zip(*added, strict=True)
        insert_many(
            db,
            Attendance,
            {
                "session_id": sessions_added,
                "participant_id": participants_added,
                "status": added_status,
            },
        )
    if changed:
        db.execute(
            table.update()
            .where(table.c.session_id == bindparam("s"))
            .where(table.c.participant_id == bindparam("p"))
            .values(status=bindparam("status")),
            changed,
        )
    return len(added), len(changed), len(marks) - len(added) - len(changed)


OK = "ok"
AT_RISK = "at_risk"
CANNOT_COMPLETE = "cannot_complete"
#: Mentors are not held to the completion rule: only adepts complete the programme.
NOT_REQUIRED = "not_required"
#: Every standing a participant can have (each has a word in chefintro.texts).
STANDINGS = (OK, AT_RISK, CANNOT_COMPLETE, NOT_REQUIRED)


@dataclass(frozen=True)
class Standing:
    """Where one participant stands against the cohort's minimum attendance."""

    attended: int
    held: int
    total: int
    required: int
    rate: float | None
    status: str


def _share(value: float) -> Fraction:
    # 0.8 is stored as a binary float; as a fraction it must be exactly 4/5, or
    # 0.7 × 10 sessions would ask for 8 instead of 7.
    return Fraction(value).limit_denominator(10_000)


def required_sessions(*, total: int, min_attendance: float) -> int:
    """Return how many of ``total`` sessions a participant must attend to complete."""
    return math.ceil(_share(min_attendance) * total)


def attendance_standing(*, attended: int, held: int, total: int, min_attendance: float) -> Standing:
    """Classify attendance: ``ok``, ``at_risk`` or ``cannot_complete``.

    ``held`` sessions have taken place out of ``total``; the minimum is a share of all
    sessions. At risk: the rate so far (attended / held) is below the minimum. Cannot
    complete: even attending every remaining session would not reach the minimum.
    """
    if not 0 <= attended <= held <= total:
        raise ValueError(f"need 0 <= attended <= held <= total, got {attended}, {held}, {total}")
    required = required_sessions(total=total, min_attendance=min_attendance)
    rate = attended / held if held else None
    if attended + (total - held) < required:
        status = CANNOT_COMPLETE
    elif held and Fraction(attended, held) < _share(min_attendance):
        status = AT_RISK
    else:
        status = OK
    return Standing(
        attended=attended, held=held, total=total, required=required, rate=rate, status=status
    )


@dataclass(frozen=True)
class AttendanceReportRow:
    name: str
    email: str
    agency: str
    role: str
    present: int
    excused: int
    absent: int
    unrecorded: int
    standing: Standing

    def to_json(self) -> dict[str, Any]:
        return {
            **who_json(self),
            "present": self.present,
            "excused": self.excused,
            "absent": self.absent,
            "unrecorded": self.unrecorded,
            "held": self.standing.held,
            "attended": self.standing.attended,
            "rate": None if self.standing.rate is None else round(self.standing.rate, 4),
            "required": self.standing.required,
            "status": self.standing.status,
        }


@dataclass(frozen=True)
class AttendanceReport:
    cohort: str
    as_of: datetime
    min_attendance: float
    excused_counts: bool
    sessions_total: int
    sessions_held: int
    required: int
    rows: list[AttendanceReportRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "as_of": self.as_of.isoformat(),
            "min_attendance": self.min_attendance,
            "excused_counts": self.excused_counts,
            "sessions_total": self.sessions_total,
            "sessions_held": self.sessions_held,
            "required": self.required,
            "participants": [r.to_json() for r in self.rows],
        }


def attendance_report(
    *, db: Session, cohort: Cohort, now: datetime | None = None
) -> AttendanceReport:
    """Return every non-withdrawn participant's attendance against the cohort's minimum.

    Only sessions that have started by ``now`` (Stockholm time) count as held; a held
    session without a record counts as not attended. Excused counts as attended when the
    cohort says so. Only adepts complete the programme: a mentor's standing is
    ``not_required``, whatever their attendance.
    """
    moment = now or now_local()
    sessions = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(col(ProgrammeSession.cancelled).is_(False))
    ).all()
    held_ids = {s.id for s in sessions if s.starts_at <= moment}
    # The columns the report shows, not whole rows (issue 32: 4,500 participants).
    people = db.execute(
        members_query(cohort)
        .where(Participant.status != ParticipantStatus.WITHDRAWN)
        .with_only_columns(
            col(Participant.id),
            col(Participant.role),
            col(Person.name),
            col(Person.email),
            col(Agency.code),
        )
    ).all()
    counts: Counter[tuple[int, str]] = Counter()
    if held_ids:
        for participant_id, status in db.exec(
            select(Attendance.participant_id, Attendance.status).where(
                col(Attendance.session_id).in_(held_ids)
            )
        ).all():
            counts[(participant_id, str(status))] += 1
    rows = []
    standings: dict[tuple[int, bool], Standing] = {}  # the same few counts, worked out once
    for pid, role, name, email, code in people:
        present = counts[(pid, AttendanceStatus.PRESENT.value)]
        excused = counts[(pid, AttendanceStatus.EXCUSED.value)]
        absent = counts[(pid, AttendanceStatus.ABSENT.value)]
        attended = present + (excused if cohort.excused_counts else 0)
        standing = standings.get((attended, role == Role.ADEPT))
        if standing is None:
            standing = attendance_standing(
                attended=attended,
                held=len(held_ids),
                total=len(sessions),
                min_attendance=cohort.min_attendance,
            )
            if role != Role.ADEPT:
                standing = replace(standing, status=NOT_REQUIRED)
            standings[(attended, role == Role.ADEPT)] = standing
        rows.append(
            AttendanceReportRow(
                name=name,
                email=email,
                agency=code,
                role=str(role),
                present=present,
                excused=excused,
                absent=absent,
                unrecorded=len(held_ids) - present - excused - absent,
                standing=standing,
            )
        )
    rows.sort(key=lambda r: (swedish_key(r.name), r.email.casefold()))
    return AttendanceReport(
        cohort=cohort.name,
        as_of=moment,
        min_attendance=cohort.min_attendance,
        excused_counts=cohort.excused_counts,
        sessions_total=len(sessions),
        sessions_held=len(held_ids),
        required=required_sessions(total=len(sessions), min_attendance=cohort.min_attendance),
        rows=rows,
    )
