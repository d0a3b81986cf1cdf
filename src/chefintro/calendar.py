"""The programme calendar: sessions, attendance and the iCalendar (RFC 5545) export.

Times are Europe/Stockholm wall-clock times, stored naive. A time in the spring-forward
gap (02:00–03:00 on the last Sunday of March) does not exist and is refused; a time in
the repeated autumn hour (02:00–03:00 on the last Sunday of October) is taken as its
first occurrence, still summer time (UTC+2).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from chefintro import __version__
from chefintro.cohorts import find_participant, require_open
from chefintro.enums import AttendanceStatus, ParticipantStatus, SessionKind
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.files import write_bytes
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Participant,
    Person,
    ProgrammeSession,
    utcnow,
)
from chefintro.registry import find_person, get_agency
from chefintro.text import clean_text, swedish_key

TIMEZONE = "Europe/Stockholm"

# Swedish names of the kinds of programme day, for the calendar participants import.
KIND_LABELS_SV = {
    SessionKind.KICKOFF: "Kick-off",
    SessionKind.TRAINING: "Utbildningsdag",
    SessionKind.LECTURE: "Inspirationsföreläsning",
    SessionKind.NETWORK: "Nätverksträff",
    SessionKind.CLOSING: "Avslutning",
}


# --- Stockholm wall-clock time ----------------------------------------------------------


def stockholm() -> ZoneInfo:
    return ZoneInfo(TIMEZONE)


def local_time(value: datetime) -> datetime:
    """Return ``value`` as a naive Stockholm wall-clock time that exists, or raise UsageError.

    An aware value is converted to Stockholm time. A naive value in the spring-forward gap
    is refused; one in the repeated autumn hour means its first occurrence (UTC+2).
    """
    zone = stockholm()
    if value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0, fold=0)
    value = value.replace(microsecond=0, fold=0)
    round_trip = value.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != value:
        raise UsageError(
            f"{value:%Y-%m-%d %H:%M} does not exist in Sweden: the clocks go from 02:00 "
            "straight to 03:00 that night. Give a time outside 02:00–03:00."
        )
    return value


def to_utc(value: datetime) -> datetime:
    """Return the aware UTC instant of a naive Stockholm wall-clock time."""
    return value.replace(tzinfo=stockholm(), fold=0).astimezone(UTC)


def now_local() -> datetime:
    """Return the current Stockholm wall-clock time, naive."""
    return datetime.now(stockholm()).replace(tzinfo=None, microsecond=0)


# --- sessions ---------------------------------------------------------------------------


@dataclass
class SessionData:
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
class SessionInfo:
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


def _title(value: str | None) -> str:
    title = clean_text(value)
    if not title:
        raise UsageError("A session needs a title.")
    return title


def _end(start: datetime, end: datetime | time) -> datetime:
    if isinstance(end, datetime):
        value = local_time(end)
    else:
        value = local_time(datetime.combine(start.date(), end))
    if value <= start:
        raise UsageError(
            f"A session must end after it starts ({start:%Y-%m-%d %H:%M} → {value:%Y-%m-%d %H:%M})."
        )
    return value


def _host_id(session: Session, host: str | None) -> int | None:
    if clean_text(host) is None:
        return None
    return get_agency(session=session, code=host or "").id


def _check_unique(
    session: Session, cohort: Cohort, title: str, starts_at: datetime, own_id: int | None
) -> None:
    other = session.exec(
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


def add_session(*, session: Session, cohort: Cohort, data: SessionData) -> ProgrammeSession:
    """Add a programme session to a cohort; its calendar UID is made here, once."""
    require_open(cohort)
    title = _title(data.title)
    if data.starts_at is None or data.ends_at is None:
        raise UsageError("A session needs a start and an end.")
    starts_at = local_time(data.starts_at)
    ends_at = _end(starts_at, data.ends_at)
    _check_unique(session, cohort, title, starts_at, None)
    row = ProgrammeSession(
        cohort_id=cohort.id,  # type: ignore[arg-type]
        title=title,
        kind=data.kind or SessionKind.TRAINING,
        starts_at=starts_at,
        ends_at=ends_at,
        location=clean_text(data.location),
        host_agency_id=_host_id(session, data.host),
        uid=f"{uuid.uuid4()}@chefintro",
        sequence=0,
        updated_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def date_warning(*, cohort: Cohort, row: ProgrammeSession) -> str | None:
    """Return a warning when a session lies (partly) outside its cohort's start–end dates.

    Such a session is accepted, e.g. a planning meeting before the kick-off, but is most
    often a mistyped year.
    """
    first, last = row.starts_at.date(), row.ends_at.date()
    if cohort.starts_on <= first and last <= cohort.ends_on:
        return None
    when = f"{first}" if first == last else f"{first} – {last}"
    return (
        f"Session {row.id} ({row.title}, {when}) is outside cohort {cohort.name} "
        f"({cohort.starts_on} – {cohort.ends_on})."
    )


def get_programme_session(*, session: Session, cohort: Cohort, session_id: int) -> ProgrammeSession:
    """Return session ``session_id`` of ``cohort``, or raise NotFoundError."""
    row = session.get(ProgrammeSession, session_id)
    if row is None or row.cohort_id != cohort.id:
        raise NotFoundError(
            f"No session {session_id} in cohort {cohort.name}; 'chefintro session list' "
            "shows the sessions and their ids."
        )
    return row


def list_sessions(
    *, session: Session, cohort: Cohort, now: datetime | None = None
) -> list[SessionInfo]:
    """Return a cohort's sessions in time order, with their attendance counts."""
    moment = now or now_local()
    rows = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    hosts = {a.id: a for a in session.exec(select(Agency)).all()}
    counts: Counter[tuple[int, str]] = Counter()
    for session_id, status in session.exec(
        select(Attendance.session_id, Attendance.status)
        .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
        .where(ProgrammeSession.cohort_id == cohort.id)
    ).all():
        counts[(session_id, str(status))] += 1
    result = []
    for row in rows:
        host = hosts.get(row.host_agency_id) if row.host_agency_id is not None else None
        sid = row.id or 0
        result.append(
            SessionInfo(
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
    *, session: Session, cohort: Cohort, session_id: int, changes: SessionData
) -> ProgrammeSession:
    """Change a session; any real change bumps its SEQUENCE and time stamp, never its UID.

    Moving the start without giving an end keeps the session's length.
    """
    require_open(cohort)
    row = get_programme_session(session=session, cohort=cohort, session_id=session_id)
    title = _title(changes.title) if changes.title is not None else row.title
    starts_at = local_time(changes.starts_at) if changes.starts_at is not None else row.starts_at
    if changes.ends_at is not None:
        ends_at = _end(starts_at, changes.ends_at)
    else:
        ends_at = _end(starts_at, row.ends_at + (starts_at - row.starts_at))
    kind = changes.kind if changes.kind is not None else row.kind
    location = clean_text(changes.location) if changes.location is not None else row.location
    host_id = _host_id(session, changes.host) if changes.host is not None else row.host_agency_id
    _check_unique(session, cohort, title, starts_at, row.id)
    before = (row.title, row.starts_at, row.ends_at, str(row.kind), row.location)
    after = (title, starts_at, ends_at, str(kind), location)
    if before == after and host_id == row.host_agency_id:
        return row
    row.title, row.starts_at, row.ends_at = title, starts_at, ends_at
    row.kind, row.location, row.host_agency_id = kind, location, host_id
    row.sequence += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def upsert_session(*, session: Session, cohort: Cohort, data: SessionData) -> str:
    """Add a session, or bring the one with the same title and start up to date.

    The natural key of a session is (title, start). Return "added", "updated" or
    "unchanged", so roster imports and yearly plans can be run again safely.
    """
    title = _title(data.title)
    if data.starts_at is None:
        raise UsageError("A session needs a start.")
    starts_at = local_time(data.starts_at)
    found = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(ProgrammeSession.title == title)
        .where(ProgrammeSession.starts_at == starts_at)
    ).first()
    if found is None:
        add_session(session=session, cohort=cohort, data=data)
        return "added"
    changes = SessionData(
        title=title,
        starts_at=starts_at,
        ends_at=data.ends_at,
        kind=data.kind,
        location=data.location if data.location is not None else "",
        host=data.host if data.host is not None else "",
    )
    before = found.sequence
    edited = edit_session(
        session=session, cohort=cohort, session_id=int(found.id or 0), changes=changes
    )
    return "updated" if edited.sequence != before else "unchanged"


def remove_session(
    *, session: Session, cohort: Cohort, session_id: int, force: bool = False
) -> int:
    """Remove a session; with recorded attendance only when ``force``. Return rows removed."""
    require_open(cohort)
    row = get_programme_session(session=session, cohort=cohort, session_id=session_id)
    records = session.exec(select(Attendance).where(Attendance.session_id == row.id)).all()
    if records and not force:
        raise RuleError(
            f"Session {row.id} ({row.title}) has attendance recorded for {len(records)} "
            "participant(s). Use --force to remove it together with that attendance."
        )
    for record in records:
        session.delete(record)
    session.flush()
    session.delete(row)
    session.flush()
    return len(records)


# --- attendance -------------------------------------------------------------------------


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
    session: Session,
    cohort: Cohort,
    session_id: int,
    emails: list[str],
    status: AttendanceStatus,
) -> AttendanceResult:
    """Record one status for several participants at a session, all or nothing.

    Anyone not registered or not in the cohort (NotFoundError), or withdrawn (RuleError),
    makes the whole call fail before anything is written.
    """
    require_open(cohort)
    row = get_programme_session(session=session, cohort=cohort, session_id=session_id)
    if not [e for e in emails if e.strip()]:
        raise UsageError("Give at least one participant's e-mail address.")
    missing: list[str] = []
    withdrawn: list[str] = []
    chosen: dict[int, Participant] = {}
    for email in emails:
        if not email.strip():
            continue
        person = find_person(session=session, email=email)
        if person is None:
            missing.append(f"{email.strip()} is not registered")
            continue
        part = find_participant(session=session, cohort=cohort, person=person)
        if part is None:
            missing.append(f"{person.name} ({person.email}) is not in cohort {cohort.name}")
        elif part.status == ParticipantStatus.WITHDRAWN:
            withdrawn.append(f"{person.name} ({person.email}) has withdrawn")
        else:
            chosen[part.id or 0] = part
    if missing or withdrawn:
        message = "Nothing was recorded: " + "; ".join(missing + withdrawn) + "."
        raise NotFoundError(message) if missing else RuleError(message)
    existing = {
        a.participant_id: a
        for a in session.exec(
            select(Attendance)
            .where(Attendance.session_id == row.id)
            .where(col(Attendance.participant_id).in_(list(chosen)))
        ).all()
    }
    created = changed = unchanged = 0
    for participant_id in sorted(chosen):
        record = existing.get(participant_id)
        if record is None:
            session.add(
                Attendance(session_id=row.id, participant_id=participant_id, status=status)  # type: ignore[arg-type]
            )
            created += 1
        elif record.status != status:
            record.status = status
            session.add(record)
            changed += 1
        else:
            unchanged += 1
    session.flush()
    warning = None
    if status != AttendanceStatus.EXCUSED and row.starts_at > now_local():
        warning = (
            f"{row.title} has not taken place yet (starts {row.starts_at:%Y-%m-%d %H:%M}); "
            "the attendance report counts it once it has."
        )
    return AttendanceResult(
        title=row.title,
        status=str(status),
        created=created,
        changed=changed,
        unchanged=unchanged,
        warning=warning,
    )


OK = "ok"
AT_RISK = "at_risk"
CANNOT_COMPLETE = "cannot_complete"


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
class AttendanceRow:
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
            "name": self.name,
            "email": self.email,
            "agency": self.agency,
            "role": self.role,
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
    rows: list[AttendanceRow]

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
    *, session: Session, cohort: Cohort, now: datetime | None = None
) -> AttendanceReport:
    """Return every non-withdrawn participant's attendance against the cohort's minimum.

    Only sessions that have started by ``now`` (Stockholm time) count as held; a held
    session without a record counts as not attended. Excused counts as attended when the
    cohort says so.
    """
    moment = now or now_local()
    sessions = session.exec(
        select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort.id)
    ).all()
    held_ids = {s.id for s in sessions if s.starts_at <= moment}
    people = session.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status != ParticipantStatus.WITHDRAWN)
    ).all()
    counts: Counter[tuple[int, str]] = Counter()
    if held_ids:
        for participant_id, status in session.exec(
            select(Attendance.participant_id, Attendance.status).where(
                col(Attendance.session_id).in_(held_ids)
            )
        ).all():
            counts[(participant_id, str(status))] += 1
    rows = []
    for part, person, agency in people:
        pid = part.id or 0
        present = counts[(pid, AttendanceStatus.PRESENT.value)]
        excused = counts[(pid, AttendanceStatus.EXCUSED.value)]
        absent = counts[(pid, AttendanceStatus.ABSENT.value)]
        attended = present + (excused if cohort.excused_counts else 0)
        standing = attendance_standing(
            attended=attended,
            held=len(held_ids),
            total=len(sessions),
            min_attendance=cohort.min_attendance,
        )
        rows.append(
            AttendanceRow(
                name=person.name,
                email=person.email,
                agency=agency.code,
                role=str(part.role),
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


# --- iCalendar export -------------------------------------------------------------------


def _onsets_in_time_before(timezone: Any) -> None:
    """Give each observance's DTSTART in the local time in effect before it (RFC 5545 3.6.5).

    icalendar writes the spring change as 03:00, the wall-clock time after it; the RFC
    (and Outlook's own files) give 02:00, the time before it, in TZOFFSETFROM.
    """
    for observance in timezone.subcomponents:
        offset_from = observance.get("TZOFFSETFROM")
        offset_to = observance.get("TZOFFSETTO")
        start = observance.get("DTSTART")
        if offset_from is None or offset_to is None or start is None:
            continue
        gained = offset_to.td - offset_from.td
        if gained.total_seconds() > 0:  # clocks go forward: after = before + gained
            observance["DTSTART"].dt = start.dt - gained


def write_ics(*, session: Session, cohort: Cohort, path: Path) -> int:
    """Write the cohort's sessions as an iCalendar file, atomically; return the count.

    Each event keeps its UID for ever and carries the SEQUENCE of its last change, so a
    calendar that imports the file again updates events instead of duplicating them.
    DTSTAMP is the (UTC) time of the event's last change, which makes the file the
    same byte for byte until something changes.
    """
    data, count = ics_bytes(session=session, cohort=cohort)
    write_bytes(Path(path), data)
    return count


def ics_bytes(
    *, session: Session, cohort: Cohort, session_id: int | None = None
) -> tuple[bytes, int]:
    """Return the cohort's sessions (or only ``session_id``) as iCalendar bytes, and the count.

    The one iCalendar writer: ``session ics`` and the reminders' attachments both use it,
    so an event has the same UID and SEQUENCE wherever it comes from.
    """
    from icalendar import Calendar, Event, Timezone

    query = select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort.id)
    if session_id is not None:
        query = query.where(ProgrammeSession.id == session_id)
    rows = session.exec(
        query.order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    hosts = {a.id: a for a in session.exec(select(Agency)).all()}
    zone = stockholm()

    calendar = Calendar()
    calendar.add("prodid", f"-//chefintro//chefintro {__version__}//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", f"Chefsintroduktion {cohort.name}")
    calendar.add("x-wr-calname", f"Chefsintroduktion {cohort.name}")
    calendar.add("x-wr-timezone", TIMEZONE)
    days = [cohort.starts_on, cohort.ends_on]
    days += [r.starts_at.date() for r in rows] + [r.ends_at.date() for r in rows]
    timezone = Timezone.from_tzid(
        TIMEZONE,
        first_date=date(min(days).year, 1, 1),
        last_date=date(max(days).year + 1, 1, 1),
    )
    _onsets_in_time_before(timezone)
    calendar.add_component(timezone)
    for row in rows:
        kind = SessionKind(row.kind)
        host = hosts.get(row.host_agency_id) if row.host_agency_id is not None else None
        description = [f"Typ: {KIND_LABELS_SV[kind]}"]
        if host is not None:
            description.append(f"Värd: {host.name} ({host.code})")
        description.append(f"Chefsintroduktionsprogrammet, omgång {cohort.name}")
        stamp = row.updated_at.replace(tzinfo=UTC)
        event = Event()
        event.add("uid", row.uid)
        event.add("sequence", row.sequence)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", row.starts_at.replace(tzinfo=zone, fold=0))
        event.add("dtend", row.ends_at.replace(tzinfo=zone, fold=0))
        event.add("summary", row.title)
        if row.location:
            event.add("location", row.location)
        event.add("description", "\n".join(description))
        event.add("categories", [KIND_LABELS_SV[kind]])
        calendar.add_component(event)
    return calendar.to_ical(), len(rows)
