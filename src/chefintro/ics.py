"""The iCalendar (RFC 5545) export of a cohort's programme sessions; the only icalendar user."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from chefintro import __version__
from chefintro.clock import TIMEZONE, stockholm
from chefintro.enums import SessionKind
from chefintro.errors import OutputError
from chefintro.files import write_bytes
from chefintro.models import (
    Agency,
    Cohort,
)
from chefintro.sessions import cohort_sessions
from chefintro.texts import word

# Swedish names of the kinds of programme day, for the calendar participants import and
# the reminders: the words of the roster workbook (chefintro.texts), "Uppstart" ….
KIND_LABELS_SV = {kind: word("kind", kind, "sv").capitalize() for kind in SessionKind}


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
            # Later years' onsets (RDATE, when the calendar spans years) move the same way,
            # or a calendar client would see the first year's change an hour apart from
            # the others.
            rdates = observance.get("RDATE")
            for rdate in rdates if isinstance(rdates, list) else [rdates]:
                for value in getattr(rdate, "dts", []):
                    value.dt = value.dt - gained


def write_ics(*, db: Session, cohort: Cohort, path: Path) -> int:
    """Write the cohort's sessions as an iCalendar file, atomically; return the count.

    Cancelled sessions are written with STATUS:CANCELLED (and are not counted).

    Each event keeps its UID for ever and carries the SEQUENCE of its last change, so a
    calendar that imports the file again updates events instead of duplicating them.
    DTSTAMP is the (UTC) time of the event's last change, which makes the file the
    same byte for byte until something changes.
    """
    data, count = ics_bytes(db=db, cohort=cohort)
    write_bytes(Path(path), data)
    return count


def ics_bytes(*, db: Session, cohort: Cohort, session_id: int | None = None) -> tuple[bytes, int]:
    """Return the cohort's sessions (or only ``session_id``) as iCalendar bytes, and the count.

    Cancelled sessions are included with STATUS:CANCELLED and not counted.

    The one iCalendar writer: ``session ics`` and the reminders' attachments both use it,
    so an event has the same UID and SEQUENCE wherever it comes from.
    """
    from icalendar import Calendar, Event, Timezone

    rows = cohort_sessions(db=db, cohort=cohort, include_cancelled=True)
    if session_id is not None:
        rows = [r for r in rows if r.id == session_id]
    hosts = {a.id: a for a in db.exec(select(Agency)).all()}
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
    try:
        timezone = Timezone.from_tzid(
            TIMEZONE,
            first_date=date(min(days).year, 1, 1),
            last_date=date(min(max(days).year + 1, date.max.year), 1, 1),
        )
    except (ValueError, OverflowError) as exc:
        raise OutputError(
            f"Cannot write the calendar of cohort {cohort.name}: its dates "
            f"({min(days)} – {max(days)}) cannot be written as a calendar ({exc})."
        ) from None
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
        # A cancelled day stays in the file, so that calendars that have it remove it.
        event.add("status", "CANCELLED" if row.cancelled else "CONFIRMED")
        calendar.add_component(event)
    try:
        content = calendar.to_ical()
    except (ValueError, OverflowError) as exc:
        raise OutputError(
            f"Cannot write the calendar of cohort {cohort.name}: a session's time cannot be "
            f"written as a calendar ({exc})."
        ) from None
    return content, sum(1 for r in rows if not r.cancelled)
