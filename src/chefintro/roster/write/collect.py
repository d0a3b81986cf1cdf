"""Store → workbook specs: the full roster export and one workbook per agency for its HR.

With load.py, the only roster module that reads the store; writer.py turns the specs into
styled .xlsx files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from chefintro import audit, cohorts, followup, groups, pairing, registry
from chefintro.enums import AttendanceStatus, ParticipantStatus, Role, SessionKind
from chefintro.mentor_wishes import not_to_mentor
from chefintro.models import Agency, Attendance, Cohort, Participant, Person, ProgrammeSession
from chefintro.roster.columns import SHOWN_ONLY, SheetKey, attendance_header
from chefintro.roster.write.specs import (
    BarChartSpec,
    ColumnSpec,
    OverviewSheet,
    SheetSpec,
    TableSpec,
    WorkbookSpec,
)
from chefintro.roster.write.writer import standard_sheet
from chefintro.sessions import ProgrammeSessionInfo, list_sessions
from chefintro.text import email_key
from chefintro.words import plural

#: The agency workbook's Par sheet: the roster's columns with the people's names, agencies
#: and the pair's state beside them (columns.SHOWN_ONLY), and the hidden pair number.
_OWN_PAIR_COLUMNS = (
    ("Adept", 30),
    *SHOWN_ONLY[SheetKey.PAIRS][:2],
    ("Mentor", 30),
    *SHOWN_ONLY[SheetKey.PAIRS][2:4],
    ("Låst", 8),
    SHOWN_ONLY[SheetKey.PAIRS][4],
    ("Parnummer", 8),
)


def _consents(db: Session, cohort: Cohort) -> dict[str, bool]:
    """Each participant's recorded consent to be listed, by e-mail (casefolded)."""
    from sqlalchemy import select as sa_select
    from sqlmodel import col

    from chefintro.models import ListingConsent

    rows = db.execute(
        sa_select(col(Person.email), col(ListingConsent.listed))
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(ListingConsent, col(ListingConsent.participant_id) == col(Participant.id))
        .where(col(Participant.cohort_id) == cohort.id)
    ).all()
    return {str(email).casefold(): bool(listed) for email, listed in rows}


def _participant_rows(
    rows: Sequence[cohorts.ParticipantInfo],
    consents: dict[str, bool],
    excluded: dict[str, list[str]],
) -> list[tuple[Any, ...]]:
    return [
        (
            r.name,
            r.email,
            r.agency,
            Role(r.role),
            r.unit,
            r.title,
            r.field,
            r.location,
            r.manager_since,
            r.capacity if r.role == "mentor" else None,
            r.wished_field,
            "; ".join(r.preferred_mentors) or None,
            consents.get(r.email.casefold()),
            "; ".join(r.wished_locations) or None,
            "; ".join(r.wished_adepts) or None,
            "; ".join(excluded.get(email_key(r.email), [])) or None,
        )
        for r in rows
    ]


def _session_rows(sessions: Sequence[ProgrammeSessionInfo]) -> list[tuple[Any, ...]]:
    # Enums, not their values: the writer shows them as the Swedish words of the drop-downs.
    # The last, hidden column is the session's stable number, so a renamed or moved session
    # is recognised when the workbook comes back.
    return [
        (s.title, SessionKind(s.kind), s.starts_at, s.ends_at, s.location, s.host, s.id)
        for s in sessions
    ]


_STATUS_WORDS = {
    ParticipantStatus.ACTIVE: "aktiv",
    ParticipantStatus.WITHDRAWN: "avbrutit",
    ParticipantStatus.COMPLETED: "genomfört",
}


def _completion(
    cohort: Cohort,
    person: cohorts.ParticipantInfo,
    attendance: dict[str, int],
    held: int,
) -> str | None:
    """Say how an adept stands: completed, withdrawn, or attendance against the rule."""
    if person.role != Role.ADEPT:
        return None
    status = ParticipantStatus(person.status)
    if status is ParticipantStatus.COMPLETED:
        return "genomfört"
    if status is ParticipantStatus.WITHDRAWN:
        return "avbrutit"
    if not held:
        return "pågår (inga träffar hållna än)"
    present = attendance.get(person.email.casefold(), 0)
    needed = -(-round(cohort.min_attendance * held * 1000) // 1000)
    verdict = "når kravet" if present >= needed else "under kravet"
    return f"{verdict}: {present} av {held} träffar (krav {needed})"


def _with_status(
    db: Session,
    cohort: Cohort,
    people: Sequence[cohorts.ParticipantInfo],
    sessions: Sequence[ProgrammeSessionInfo],
) -> list[tuple[Any, ...]]:
    from chefintro.clock import now_local

    rows = _attendance(db, cohort, sessions, people)
    now = now_local().replace(tzinfo=None)
    held = [i for i, s in enumerate(sessions) if s.starts_at.replace(tzinfo=None) <= now]
    present = {
        str(row[0]).casefold(): sum(1 for i in held if row[2 + i] is AttendanceStatus.PRESENT)
        for row in rows
    }
    # An agency's workbook leaves out whom its mentors may not mentor and why (Jäv): the
    # reasons are the coordinator's, not HR's (a blank cell keeps them on import).
    bases = _participant_rows(people, _consents(db, cohort), {})
    return [
        (
            *base,
            _STATUS_WORDS.get(ParticipantStatus(p.status), p.status),
            _completion(cohort, p, present, len(held)),
        )
        for base, p in zip(bases, people, strict=True)
    ]


def _page_header(cohort: Cohort | None, agency: Agency | None = None) -> str:
    parts = ["Chefsintroduktion"]
    if cohort is not None:
        parts.append(f"kull {cohort.name}")
    if agency is not None:
        parts.append(f"{agency.name} ({agency.code})")
    return " – ".join(parts)


def _now() -> datetime:
    from chefintro.clock import now_local

    return now_local()


def _attendance(
    db: Session,
    cohort: Cohort,
    sessions: Sequence[ProgrammeSessionInfo],
    people: Sequence[cohorts.ParticipantInfo],
) -> list[tuple[Any, ...]]:
    from sqlmodel import col, select

    marks: dict[tuple[str, int], AttendanceStatus] = {}
    query = (
        select(Person.email_key, Attendance.session_id, Attendance.status)
        .join(Participant, col(Participant.id) == col(Attendance.participant_id))
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
        .where(ProgrammeSession.cohort_id == cohort.id)
    )
    for key, session_id, status in db.exec(query).all():
        marks[(key, session_id)] = AttendanceStatus(status)
    from chefintro.text import email_key

    return [
        (p.email, p.name, *(marks.get((email_key(p.email), s.id)) for s in sessions))
        for p in people
    ]


def _overview(db: Session, cohort: Cohort) -> OverviewSheet:
    from chefintro import reports

    per_agency = reports.participants_per_agency(db=db, cohort=cohort)
    per_session = reports.attendance_per_session(db=db, cohort=cohort)
    tables = [
        TableSpec(
            f"Deltagare per myndighet, {cohort.name}",
            ["Myndighet", "Adepter", "Mentorer"],
            [list(r) for r in per_agency],
        ),
        TableSpec(
            "Närvaro per träff",
            ["Träff", "Närvarande", "Anmält förhinder", "Frånvarande"],
            [list(r) for r in per_session],
        ),
    ]
    charts = [
        BarChartSpec(0, "Deltagare per myndighet", y_title="Antal"),
        BarChartSpec(1, "Närvaro per träff", y_title="Antal", horizontal=True),
    ]
    return OverviewSheet("Översikt", tables, charts)


def _groups_rows(
    db: Session, cohort: Cohort, only: set[str] | None = None
) -> list[tuple[Any, ...]]:
    rows = []
    for group in groups.list_groups(db=db, cohort=cohort):
        for member in group.members:
            if only is None or member.email in only:
                rows.append((group.name, member.email, member.name, member.agency))
    return rows


def full_export(*, db: Session, cohort: Cohort | None) -> WorkbookSpec:
    """Return the whole roster: agencies and, for a cohort, everything in it."""
    agencies = registry.all_agencies(db=db)
    codes = [a.code for a in agencies]
    sheets: list[SheetSpec | OverviewSheet] = [
        standard_sheet(SheetKey.AGENCIES, [(a.code, a.name, a.contact) for a in agencies])
    ]
    if cohort is None:
        return WorkbookSpec(sheets, _page_header(None), _now())
    people = [
        p
        for p in cohorts.list_participants(db=db, cohort=cohort)
        if p.status != ParticipantStatus.WITHDRAWN
    ]
    sessions = list_sessions(db=db, cohort=cohort)
    headers = [attendance_header(s.title, s.starts_at) for s in sessions]
    pairs = pairing.list_pairs(db=db, cohort=cohort)
    sheets += [
        standard_sheet(
            SheetKey.PARTICIPANTS,
            _participant_rows(people, _consents(db, cohort), not_to_mentor(db, cohort)),
            agency_codes=codes,
        ),
        standard_sheet(SheetKey.SESSIONS, _session_rows(sessions), agency_codes=codes),
        standard_sheet(SheetKey.PAIRS, [(p.adept, p.mentor, p.locked, p.id) for p in pairs]),
        standard_sheet(
            SheetKey.ATTENDANCE,
            _attendance(db, cohort, sessions, people),
            session_headers=headers,
            include_names=True,
        ),
        standard_sheet(SheetKey.MEETINGS, followup.meeting_rows(db=db, cohort=cohort)),
        standard_sheet(SheetKey.GROUPS, _groups_rows(db, cohort)),
        _overview(db, cohort),
    ]
    return WorkbookSpec(sheets, _page_header(cohort), _now())


def agency_export(*, db: Session, cohort: Cohort, agency: Agency) -> WorkbookSpec:
    """Return one agency's workbook: its people, their pairs, the calendar, attendance.

    Withdrawn participants stay in it with their status (HR asks where they went), and
    each adept's completion is shown.
    """
    everyone = cohorts.list_participants(db=db, cohort=cohort, agency=agency.code)
    people = [p for p in everyone if p.status != ParticipantStatus.WITHDRAWN]
    own = {p.email for p in people}
    sessions = list_sessions(db=db, cohort=cohort)
    headers = [attendance_header(s.title, s.starts_at) for s in sessions]
    pairs = [
        p
        for p in pairing.list_pairs(db=db, cohort=cohort)
        if agency.code in (p.adept_agency, p.mentor_agency)
    ]
    pair_sheet = SheetSpec(
        "Par",
        [ColumnSpec(h, w, hidden=h == "Parnummer") for h, w in _OWN_PAIR_COLUMNS],
        [
            (
                p.adept,
                p.adept_name,
                p.adept_agency,
                p.mentor,
                p.mentor_name,
                p.mentor_agency,
                p.locked,
                "aktivt" if p.state == "active" else "förslag",
                p.id,
            )
            for p in pairs
        ],
    )
    sheets: list[SheetSpec | OverviewSheet] = [
        standard_sheet(SheetKey.AGENCIES, [(agency.code, agency.name, agency.contact)]),
        standard_sheet(
            SheetKey.PARTICIPANTS,
            _with_status(db, cohort, everyone, sessions),
            agency_codes=[agency.code],
            include_names=True,
        ),
        standard_sheet(SheetKey.SESSIONS, _session_rows(sessions)),
        pair_sheet,
        standard_sheet(
            SheetKey.ATTENDANCE,
            _attendance(db, cohort, sessions, people),
            session_headers=headers,
            include_names=True,
        ),
        standard_sheet(
            SheetKey.MEETINGS,
            [m for m in followup.meeting_rows(db=db, cohort=cohort) if own & {m[0], m[1]}],
        ),
        standard_sheet(SheetKey.GROUPS, _groups_rows(db, cohort, own)),
    ]
    return WorkbookSpec(sheets, _page_header(cohort, agency), _now())


def agency_workbooks(
    *, db: Session, cohort: Cohort, directory: Path
) -> list[tuple[Path, WorkbookSpec]]:
    """Read one workbook per agency with participants in the cohort, and its file."""
    taking_part = {p.agency for p in cohorts.list_participants(db=db, cohort=cohort)}
    planned = []
    for agency in registry.all_agencies(db=db):
        if agency.code not in taking_part:
            continue
        safe = re.sub(r"[^A-Za-z0-9ÅÄÖåäö._-]+", "_", f"{agency.code}-{cohort.name}")
        planned.append(
            (directory / f"{safe}.xlsx", agency_export(db=db, cohort=cohort, agency=agency))
        )
    return planned


def write_workbooks(directory: Path, planned: list[tuple[Path, WorkbookSpec]]) -> list[Path]:
    """Write read workbooks into ``directory`` (made if missing); no store is needed."""
    from chefintro.files import output_folder
    from chefintro.roster.write.writer import write_workbook

    output_folder(directory)  # the one rule for --out: made when missing
    for path, spec in planned:
        write_workbook(path, spec)
    return [path for path, _ in planned]


def write_agency_workbooks(*, db: Session, cohort: Cohort, directory: Path) -> list[Path]:
    """Write one workbook per agency with participants in the cohort; return the paths."""
    return write_workbooks(directory, agency_workbooks(db=db, cohort=cohort, directory=directory))


def log_agency_export(*, db: Session, cohort: str, written: list[Path]) -> None:
    """Record the agency workbooks' export in the audit log, without naming anyone."""
    audit.log(
        db=db,
        action="export",
        detail=f"exported {plural(len(written), 'agency roster workbook')} of cohort {cohort}",
    )


def roster_export(
    *, db: Session, cohort_name: str | None, agency_code: str | None
) -> tuple[WorkbookSpec, str]:
    """Read the roster workbook (the chosen cohort's, or one agency's copy) and say what it
    is for the audit log; the command writes it after its transaction has ended
    (``roster.writer.write_workbook``), then logs it with :func:`log_export`."""
    if agency_code is not None:
        cohort = cohorts.current_cohort(db=db, name=cohort_name)
        agency = registry.get_agency(db=db, code=agency_code)
        spec = agency_export(db=db, cohort=cohort, agency=agency)
        return spec, f"agency {agency.code}'s roster workbook of cohort {cohort.name}"
    chosen = cohorts.current_cohort_or_none(db=db, name=cohort_name)
    spec = full_export(db=db, cohort=chosen)
    return spec, "the roster workbook" + (f" of cohort {chosen.name}" if chosen else "")


def log_export(*, db: Session, what: str) -> None:
    """Record a written export in the audit log, without naming anyone."""
    audit.log(db=db, action="export", detail=f"exported {what}")
