"""Programme sessions (the cohort's programme days): add, list, edit, upsert and remove.

Times are naive Europe/Stockholm wall-clock times (see :mod:`chefintro.clock`); each
session keeps the calendar UID made when it was added and a SEQUENCE bumped by every
real change.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, col, select

from chefintro.changes import Kind, mark_change
from chefintro.clock import TIMEZONE, local_time, now_local
from chefintro.cohorts import require_open
from chefintro.enums import AttendanceStatus, SessionKind
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.intake import raise_first
from chefintro.intake.sessions import SessionFacts, check_session
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    ProgrammeSession,
    utcnow,
)
from chefintro.registry import get_agency
from chefintro.text import clean_field, clean_text
from chefintro.words import plural


@dataclass
class ProgrammeSessionData:
    """A session's fields as a user gives them; None means 'not given'.

    ``ends_at`` may be a bare time, meaning that time on the start's day. On edit, an
    empty ``location`` or ``host`` clears it.
    """

    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | time | None = None
    kind: SessionKind | None = None
    location: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class ProgrammeSessionInfo:
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    host: str | None
    host_name: str | None
    uid: str
    sequence: int
    held: bool
    present: int
    excused: int
    absent: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "timezone": TIMEZONE,
            "location": self.location,
            "host": self.host,
            "host_name": self.host_name,
            "uid": self.uid,
            "sequence": self.sequence,
            "held": self.held,
            "present": self.present,
            "excused": self.excused,
            "absent": self.absent,
        }


def _checked(cohort: Cohort, title: str, starts_at: datetime, ends_at: datetime) -> None:
    """Raise the session intake's first problem for these times (its warnings are
    :func:`date_warning`'s)."""
    raise_first(check_session(_facts(cohort, title, starts_at, ends_at)))


def _facts(cohort: Cohort, title: str, starts_at: datetime, ends_at: datetime) -> SessionFacts:
    return SessionFacts(title, starts_at, ends_at, cohort.name, cohort.starts_on, cohort.ends_on)


def _title(value: str | None) -> str:
    title = clean_field(value, what="The title")
    if not title:
        raise UsageError("A session needs a title.")
    return title


def _end(start: datetime, end: datetime | time) -> datetime:
    """The end as a local time: a bare time is that time on the start's day."""
    if isinstance(end, datetime):
        return local_time(end)
    return local_time(datetime.combine(start.date(), end))


def _host_id(db: Session, host: str | None) -> int | None:
    if clean_text(host) is None:
        return None
    return get_agency(db=db, code=host or "").id


def _check_unique(
    db: Session, cohort: Cohort, title: str, starts_at: datetime, own_id: int | None
) -> None:
    other = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(ProgrammeSession.title == title)
        .where(ProgrammeSession.starts_at == starts_at)
    ).first()
    if other is not None and other.id != own_id:
        raise DuplicateError(
            f"Cohort {cohort.name} already has {title!r} at {starts_at:%Y-%m-%d %H:%M} "
            f"(session {other.id})."
        )


def add_session(*, db: Session, cohort: Cohort, data: ProgrammeSessionData) -> ProgrammeSession:
    """Add a programme session to a cohort; its calendar UID is made here, once."""
    require_open(cohort)
    title = _title(data.title)
    if data.starts_at is None or data.ends_at is None:
        raise UsageError("A session needs a start and an end.")
    starts_at = local_time(data.starts_at)
    ends_at = _end(starts_at, data.ends_at)
    _checked(cohort, title, starts_at, ends_at)
    cancelled = _cancelled_at(db, cohort, title, starts_at)
    if cancelled is not None:
        # The same day added again after it was cancelled: calendars get it back, updated.
        cancelled.cancelled = False
        db.add(cancelled)
        db.flush()
        return edit_session(
            db=db,
            cohort=cohort,
            session_id=id_of(cancelled),
            changes=ProgrammeSessionData(
                ends_at=ends_at,
                kind=data.kind or SessionKind.TRAINING,
                location=data.location or "",
                host=data.host or "",
            ),
            force_change=True,
        )
    _check_unique(db, cohort, title, starts_at, None)
    row = ProgrammeSession(
        cohort_id=id_of(cohort),
        title=title,
        kind=data.kind or SessionKind.TRAINING,
        starts_at=starts_at,
        ends_at=ends_at,
        location=clean_field(data.location, what="The location"),
        host_agency_id=_host_id(db, data.host),
        uid=f"{uuid.uuid4()}@chefintro",
        sequence=0,
        updated_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return row


def _cancelled_at(
    db: Session, cohort: Cohort, title: str, starts_at: datetime
) -> ProgrammeSession | None:
    return db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(ProgrammeSession.title == title)
        .where(ProgrammeSession.starts_at == starts_at)
        .where(col(ProgrammeSession.cancelled).is_(True))
    ).first()


def date_warning(*, cohort: Cohort, row: ProgrammeSession) -> str | None:
    """The session intake's warning for a stored day (outside its cohort's own dates), or None.

    Such a day is accepted, e.g. a planning meeting before the kick-off, but is most often
    a mistyped year.
    """
    facts = _facts(cohort, row.title, row.starts_at, row.ends_at)
    found = [finding.text for finding in check_session(facts) if not finding.is_problem]
    return " ".join(found) or None


def get_programme_session(*, db: Session, cohort: Cohort, session_id: int) -> ProgrammeSession:
    """Return session ``session_id`` of ``cohort``, or raise NotFoundError."""
    row = db.get(ProgrammeSession, session_id)
    if row is None or row.cohort_id != cohort.id:
        raise NotFoundError(
            f"No session {session_id} in cohort {cohort.name}; 'chefintro session list' "
            "shows the sessions and their ids."
        )
    if row.cancelled:
        raise NotFoundError(
            f"Session {session_id} ({row.title}) of cohort {cohort.name} was cancelled; "
            "'chefintro session list' shows the sessions and their ids."
        )
    return row


def attendance_count(*, db: Session, cohort: Cohort, session_id: int) -> int:
    """Return how many attendance records a session has."""
    row = get_programme_session(db=db, cohort=cohort, session_id=session_id)
    return len(db.exec(select(Attendance.id).where(Attendance.session_id == row.id)).all())


def cohort_sessions(
    *, db: Session, cohort: Cohort, include_cancelled: bool = False
) -> list[ProgrammeSession]:
    """Return a cohort's sessions in time order (start, then id); cancelled ones only when
    asked (the calendar keeps them, to tell calendar clients)."""
    query = select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort.id)
    if not include_cancelled:
        query = query.where(col(ProgrammeSession.cancelled).is_(False))
    return list(
        db.exec(query.order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))).all()
    )


def list_sessions(
    *, db: Session, cohort: Cohort, now: datetime | None = None
) -> list[ProgrammeSessionInfo]:
    """Return a cohort's sessions in time order, with their attendance counts."""
    moment = now or now_local()
    rows = cohort_sessions(db=db, cohort=cohort)
    hosts = {a.id: a for a in db.exec(select(Agency)).all()}
    counts: Counter[tuple[int, str]] = Counter()
    for session_id, status in db.exec(
        select(Attendance.session_id, Attendance.status)
        .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
        .where(ProgrammeSession.cohort_id == cohort.id)
    ).all():
        counts[(session_id, str(status))] += 1
    result = []
    for row in rows:
        host = hosts.get(row.host_agency_id) if row.host_agency_id is not None else None
        sid = id_of(row)
        result.append(
            ProgrammeSessionInfo(
                id=sid,
                title=row.title,
                kind=str(row.kind),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                location=row.location,
                host=host.code if host else None,
                host_name=host.name if host else None,
                uid=row.uid,
                sequence=row.sequence,
                held=row.starts_at <= moment,
                present=counts[(sid, AttendanceStatus.PRESENT.value)],
                excused=counts[(sid, AttendanceStatus.EXCUSED.value)],
                absent=counts[(sid, AttendanceStatus.ABSENT.value)],
            )
        )
    return result


def edit_session(
    *,
    db: Session,
    cohort: Cohort,
    session_id: int,
    changes: ProgrammeSessionData,
    force_change: bool = False,
) -> ProgrammeSession:
    """Change a session; any real change bumps its SEQUENCE and time stamp, never its UID.

    Moving the start without giving an end keeps the session's length.
    """
    require_open(cohort)
    row = get_programme_session(db=db, cohort=cohort, session_id=session_id)
    title = _title(changes.title) if changes.title is not None else row.title
    starts_at = local_time(changes.starts_at) if changes.starts_at is not None else row.starts_at
    if changes.ends_at is not None:
        ends_at = _end(starts_at, changes.ends_at)
    else:
        ends_at = _end(starts_at, row.ends_at + (starts_at - row.starts_at))
    kind = changes.kind if changes.kind is not None else row.kind
    location = (
        clean_field(changes.location, what="The location")
        if changes.location is not None
        else row.location
    )
    host_id = _host_id(db, changes.host) if changes.host is not None else row.host_agency_id
    if (starts_at, ends_at) != (row.starts_at, row.ends_at):
        _checked(cohort, title, starts_at, ends_at)
    _check_unique(db, cohort, title, starts_at, row.id)
    before = (row.title, row.starts_at, row.ends_at, str(row.kind), row.location)
    after = (title, starts_at, ends_at, str(kind), location)
    if before == after and host_id == row.host_agency_id and not force_change:
        return row
    row.title, row.starts_at, row.ends_at = title, starts_at, ends_at
    row.kind, row.location, row.host_agency_id = kind, location, host_id
    row.sequence += 1
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return row


def upsert_session(*, db: Session, cohort: Cohort, data: ProgrammeSessionData) -> str:
    """Add a session, or bring the one with the same title and start up to date.

    The natural key of a session is (title, start). Return "added", "updated" or
    "unchanged", so roster imports and yearly plans can be run again safely.
    """
    title = _title(data.title)
    if data.starts_at is None:
        raise UsageError("A session needs a start.")
    starts_at = local_time(data.starts_at)
    found = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(ProgrammeSession.title == title)
        .where(ProgrammeSession.starts_at == starts_at)
    ).first()
    if found is None:
        add_session(db=db, cohort=cohort, data=data)
        return "added"
    if found.cancelled:
        return "unchanged"  # cancelled by the coordinator after the file was made
    changes = ProgrammeSessionData(
        title=title,
        starts_at=starts_at,
        ends_at=data.ends_at,
        kind=data.kind,
        location=data.location if data.location is not None else "",
        host=data.host if data.host is not None else "",
    )
    before = found.sequence
    edited = edit_session(db=db, cohort=cohort, session_id=id_of(found), changes=changes)
    return "updated" if edited.sequence != before else "unchanged"


def moved_days(
    *, db: Session, cohort: Cohort, planned: list[tuple[str, datetime]]
) -> dict[int, ProgrammeSession]:
    """Find the planned days (title, start) that were moved in the store after the plan.

    A day is the same day when it keeps its title: a planned day whose (title, start) is not
    stored, while a stored day of that title is named by no planned day, was moved (by
    ``session edit``, or a returned workbook). Returns planned index → the stored day; of
    several candidates the nearest in time.
    """
    stored = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(col(ProgrammeSession.cancelled).is_(False))
    ).all()
    exact = {(row.title.casefold(), row.starts_at) for row in stored}
    wanted = {(title.casefold(), local_time(start)) for title, start in planned}
    free = [row for row in stored if (row.title.casefold(), row.starts_at) not in wanted]
    moved: dict[int, ProgrammeSession] = {}
    for index, (title, start) in enumerate(planned):
        at = local_time(start)
        if (title.casefold(), at) in exact:
            continue
        same = [row for row in free if row.title.casefold() == title.casefold()]
        if same:
            day = min(same, key=lambda row: (abs(row.starts_at - at), row.starts_at))
            moved[index] = day
            free.remove(day)
    return moved


def remove_session(*, db: Session, cohort: Cohort, session_id: int, force: bool = False) -> int:
    """Cancel a session; with recorded attendance only when ``force``. Return records removed.

    The row is kept, cancelled, with a higher SEQUENCE, so that the next calendar export
    tells calendars to remove the event; its attendance records are deleted.
    """
    mark_change(db, kind=Kind.DESTRUCTIVE, what="a programme day removed")
    require_open(cohort)
    row = get_programme_session(db=db, cohort=cohort, session_id=session_id)
    records = db.exec(select(Attendance).where(Attendance.session_id == row.id)).all()
    if records and not force:
        raise RuleError(
            f"Session {row.id} ({row.title}) has attendance recorded for "
            f"{plural(len(records), 'participant')}. Use --force to remove it together with "
            "that attendance."
        )
    for record in records:
        db.delete(record)
    db.flush()
    row.cancelled = True
    row.sequence += 1
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return len(records)
