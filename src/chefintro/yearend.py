"""The year's end: who completed the programme, and a summary for the status report.

Completion is the cohort's attendance rule as :mod:`chefintro.attendance` applies it (the
minimum share of programme days, excused counting as attended where the cohort says so):
an adept has completed once they attended the required number of days. Mentors are
listed as mentors and never judged. The summary is a Swedish paragraph and a small table
the coordinator can paste into a status report; its survey figures keep the group-size
rule of :mod:`chefintro.surveys`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from chefintro import settings
from chefintro.attendance import CANNOT_COMPLETE, attendance_report
from chefintro.enums import AttendanceStatus, PairingState, ParticipantStatus, Role
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Pairing,
    Participant,
    Person,
    ProgrammeSession,
)
from chefintro.registry import who_json
from chefintro.text import swedish_date, swedish_key
from chefintro.texts import decimal, percent

COMPLETED = "completed"
NOT_COMPLETED = "not_completed"
IN_PROGRESS = "in_progress"
WITHDRAWN = "withdrawn"
MENTOR = "mentor"
#: Every completion status (each has a word in chefintro.texts).
COMPLETION_STATUSES = (COMPLETED, NOT_COMPLETED, IN_PROGRESS, WITHDRAWN, MENTOR)


# --- completion -------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    name: str
    email: str
    agency: str
    role: str
    status: str
    attended: int | None
    held: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            **who_json(self),
            "status": self.status,
            "attended": self.attended,
            "held": self.held,
        }


@dataclass(frozen=True)
class CompletionReport:
    cohort: str
    as_of: datetime
    sessions_total: int
    sessions_held: int
    required: int
    min_attendance: float
    excused_counts: bool
    adepts: list[CompletionRow]
    mentors: list[CompletionRow]

    def count(self, status: str) -> int:
        return sum(1 for row in self.adepts if row.status == status)

    @property
    def judged(self) -> int:
        """Adepts who did not withdraw."""
        return len(self.adepts) - self.count(WITHDRAWN)

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "as_of": self.as_of.isoformat(),
            "sessions_total": self.sessions_total,
            "sessions_held": self.sessions_held,
            "required": self.required,
            "min_attendance": self.min_attendance,
            "excused_counts": self.excused_counts,
            "counts": {
                status: self.count(status)
                for status in (COMPLETED, NOT_COMPLETED, IN_PROGRESS, WITHDRAWN)
            },
            "adepts": [row.to_json() for row in self.adepts],
            "mentors": [row.to_json() for row in self.mentors],
        }


def completion_report(
    *, db: Session, cohort: Cohort, now: datetime | None = None
) -> CompletionReport:
    """Return each adept's completion by the cohort's attendance rule, and the mentors.

    Completed: attended at least the required number of programme days. Not completed:
    every day is held, or the rest cannot make up for it. In progress: days remain that
    could still make it. Withdrawn adepts are marked as such and not judged.
    """
    report = attendance_report(db=db, cohort=cohort, now=now)
    adepts: list[CompletionRow] = []
    mentors: list[CompletionRow] = []
    for row in report.rows:
        standing = row.standing
        if row.role == Role.MENTOR:
            mentors.append(
                CompletionRow(
                    row.name,
                    row.email,
                    row.agency,
                    row.role,
                    MENTOR,
                    standing.attended,
                    standing.held,
                )
            )
            continue
        if standing.total and standing.attended >= standing.required:
            status = COMPLETED
        elif standing.total and (
            standing.status == CANNOT_COMPLETE or standing.held == standing.total
        ):
            status = NOT_COMPLETED
        else:
            status = IN_PROGRESS
        adepts.append(
            CompletionRow(
                row.name, row.email, row.agency, row.role, status, standing.attended, standing.held
            )
        )
    for part, person, agency in db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status == ParticipantStatus.WITHDRAWN)
    ).all():
        target = adepts if part.role == Role.ADEPT else mentors
        target.append(
            CompletionRow(
                person.name, person.email, agency.code, str(part.role), WITHDRAWN, None, None
            )
        )
    order = {COMPLETED: 0, IN_PROGRESS: 1, NOT_COMPLETED: 2, WITHDRAWN: 3, MENTOR: 0}
    for rows in (adepts, mentors):
        rows.sort(key=lambda r: (order[r.status], swedish_key(r.name), r.email.casefold()))
    return CompletionReport(
        cohort=cohort.name,
        as_of=report.as_of,
        sessions_total=report.sessions_total,
        sessions_held=report.sessions_held,
        required=report.required,
        min_attendance=report.min_attendance,
        excused_counts=report.excused_counts,
        adepts=adepts,
        mentors=mentors,
    )


def days_present(
    *, db: Session, cohort: Cohort, participant_ids: Sequence[int]
) -> dict[int, list[tuple[date, str]]]:
    """Return participant id → the programme days they were present at (date, title)."""
    result: dict[int, list[tuple[date, str]]] = {pid: [] for pid in participant_ids}
    rows = db.exec(
        select(Attendance.participant_id, ProgrammeSession.starts_at, ProgrammeSession.title)
        .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(col(Attendance.participant_id).in_(list(participant_ids)))
        .where(Attendance.status == AttendanceStatus.PRESENT)
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    for pid, starts_at, title in rows:
        result[pid].append((starts_at.date(), title))
    return result


# --- the summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyLine:
    question: str
    change: float | None
    count: int | None
    hidden: bool


@dataclass(frozen=True)
class Summary:
    programme: str
    cohort: str
    starts_on: date
    ends_on: date
    adepts: int
    mentors: int
    agencies: int
    pairs: int
    withdrawn: int
    #: The adepts' attendance: what the programme asks of them (mentors are not required).
    attendance_rate: float | None
    completed: int
    judged: int
    in_progress: int
    min_group: int
    survey_from: str | None
    survey_to: str | None
    survey_lines: list[SurveyLine]
    #: The mentors' attendance where it was recorded (None: never recorded).
    mentor_attendance_rate: float | None = None
    #: Per agency: adepts it has sent up to this cohort, and how many later mentored.
    managers_given: list[tuple[str, int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "cohort": self.cohort,
            "adepts": self.adepts,
            "mentors": self.mentors,
            "agencies": self.agencies,
            "pairs": self.pairs,
            "withdrawn": self.withdrawn,
            "attendance_rate": self.attendance_rate,
            "mentor_attendance_rate": self.mentor_attendance_rate,
            "completed": self.completed,
            "adepts_judged": self.judged,
            "managers_given": [
                {"agency": code, "adepts": adepts, "later_mentors": mentors}
                for code, adepts, mentors in self.managers_given
            ],
            "survey": [
                {"question": s.question, "change": s.change, "count": s.count, "hidden": s.hidden}
                for s in self.survey_lines
            ],
        }


def summary(*, db: Session, cohort: Cohort, now: datetime | None = None) -> Summary:
    """Gather the year's figures: people, agencies, pairs, attendance, completion, surveys."""
    from chefintro import surveys
    from chefintro.network.pipeline import managers_given

    completion = completion_report(db=db, cohort=cohort, now=now)
    report = attendance_report(db=db, cohort=cohort, now=now)
    # The headline is the adepts' attendance, the programme's requirement; mentors are not
    # required and rarely recorded, so theirs is apart, over the days it was recorded.
    adept_rows = [r for r in report.rows if r.role == Role.ADEPT]
    held = sum(r.standing.held for r in adept_rows)
    attended = sum(r.standing.attended for r in adept_rows)
    mentor_rows = [r for r in report.rows if r.role == Role.MENTOR]
    recorded = sum(r.present + r.excused + r.absent for r in mentor_rows)
    mentors_present = sum(r.present for r in mentor_rows)
    roles = db.exec(
        select(Participant.role, func.count(col(Participant.id)))
        .where(Participant.cohort_id == cohort.id)
        .group_by(col(Participant.role))
    ).all()
    by_role = {str(role): int(count) for role, count in roles}
    agencies = db.exec(
        select(func.count(func.distinct(Participant.agency_id))).where(
            Participant.cohort_id == cohort.id
        )
    ).one()
    withdrawn = db.exec(
        select(func.count(col(Participant.id)))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status == ParticipantStatus.WITHDRAWN)
    ).one()
    pairs = db.exec(
        select(func.count(col(Pairing.id)))
        .where(Pairing.cohort_id == cohort.id)
        .where(col(Pairing.state).in_([PairingState.ACTIVE, PairingState.ENDED]))
    ).one()
    lines: list[SurveyLine] = []
    headline = surveys.headline(db=db, cohort=cohort)
    if headline is not None:
        for question in headline.questions:
            change = question.groups[0].change if question.groups else None
            if change is None:
                continue
            lines.append(SurveyLine(question.text, change.mean, change.count, change.hidden))
    return Summary(
        programme=settings.get_setting_text(db=db, key=settings.PROGRAMME_NAME),
        cohort=cohort.name,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        adepts=by_role.get(Role.ADEPT.value, 0),
        mentors=by_role.get(Role.MENTOR.value, 0),
        agencies=int(agencies or 0),
        pairs=int(pairs or 0),
        withdrawn=int(withdrawn or 0),
        attendance_rate=attended / held if held else None,
        mentor_attendance_rate=mentors_present / recorded if recorded else None,
        completed=completion.count(COMPLETED),
        judged=completion.judged,
        in_progress=completion.count(IN_PROGRESS),
        min_group=surveys.min_group(db=db),
        survey_from=headline.change_from if headline else None,
        survey_to=headline.change_to if headline else None,
        survey_lines=lines,
        managers_given=managers_given(db=db, up_to=cohort),
    )


def _number(value: float, *, signed: bool = False) -> str:
    return decimal(value, "sv", signed=signed)


def _percent(value: float) -> str:
    return percent(value, "sv")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary_paragraph(result: Summary) -> str:
    """Return the summary as Swedish prose."""
    parts = [
        f"Omgång {result.cohort} av {result.programme} ({swedish_date(result.starts_on)} – "
        f"{swedish_date(result.ends_on)}) hade {_plural(result.adepts, 'adept', 'adepter')} "
        f"och {_plural(result.mentors, 'mentor', 'mentorer')} från "
        f"{_plural(result.agencies, 'myndighet', 'myndigheter')}."
    ]
    parts.append(
        f"{_plural(result.pairs, 'par', 'par').capitalize()} med adept och mentor från olika "
        "myndigheter matchades."
    )
    if result.withdrawn:
        parts.append(f"{_plural(result.withdrawn, 'deltagare', 'deltagare')} avbröt.")
    if result.attendance_rate is not None:
        text = f"Adepternas närvaro på programdagarna var {_percent(result.attendance_rate)}"
        if result.mentor_attendance_rate is not None:
            text += (
                f"; mentorernas, de dagar den registrerades, "
                f"{_percent(result.mentor_attendance_rate)}"
            )
        parts.append(text + ".")
    if result.judged:
        share = _percent(result.completed / result.judged)
        text = (
            f"{result.completed} av {result.judged} adepter ({share}) uppfyllde närvarokravet "
            "och har slutfört programmet"
        )
        if result.in_progress:
            text += f"; för {result.in_progress} återstår programdagar"
        parts.append(text + ".")
    shown = [s for s in result.survey_lines if not s.hidden and s.change is not None]
    if shown:
        best = max(shown, key=lambda s: (s.change or 0.0, -len(s.question)))
        parts.append(
            f"I enkäterna ({result.survey_from} och {result.survey_to}) ändrades "
            f"självskattningen mest för påståendet ”{best.question.rstrip('.')}”: "
            f"{_number(best.change or 0.0, signed=True)} steg på skalan 1–7 i genomsnitt "
            f"bland de {best.count} som svarade båda gångerna."
        )
    elif result.survey_lines:
        parts.append(
            f"Enkäternas förändringar redovisas inte: färre än {result.min_group} personer "
            "svarade både i början och i slutet."
        )
    return " ".join(parts)


def summary_table(result: Summary) -> list[tuple[str, str]]:
    """Return the summary's figures as (label, value) rows, in Swedish."""
    rows = [
        ("Adepter", str(result.adepts)),
        ("Mentorer", str(result.mentors)),
        ("Myndigheter", str(result.agencies)),
        ("Par", str(result.pairs)),
        ("Avbrutit", str(result.withdrawn)),
        (
            "Närvaro, adepter",
            _percent(result.attendance_rate) if result.attendance_rate is not None else "–",
        ),
        *(
            [("Närvaro, mentorer (där registrerad)", _percent(result.mentor_attendance_rate))]
            if result.mentor_attendance_rate is not None
            else []
        ),
        ("Slutfört", f"{result.completed} av {result.judged} adepter"),
    ]
    hidden = f"färre än {result.min_group} svar"
    for line in result.survey_lines:
        value = (
            hidden
            if line.hidden or line.change is None
            else f"{_number(line.change, signed=True)} (n = {line.count})"
        )
        rows.append((f"Förändring: {line.question.rstrip('.')}", value))
    for code, adepts, mentors in result.managers_given:
        later = f", varav {mentors} senare mentor{'er' if mentors != 1 else ''}" if mentors else ""
        rows.append(
            (f"Chefer från programmet, {code}", f"{_plural(adepts, 'adept', 'adepter')}{later}")
        )
    return rows


def render_summary(result: Summary, *, markdown: bool = False) -> str:
    """Return the paragraph and table as plain text, or as Markdown."""
    paragraph = summary_paragraph(result)
    rows = summary_table(result)
    if markdown:
        lines = [f"## {result.programme}, omgång {result.cohort}", "", paragraph, ""]
        lines += ["| Uppgift | Värde |", "| --- | ---: |"]
        lines += [f"| {label.replace('|', '/')} | {value} |" for label, value in rows]
        return "\n".join(lines) + "\n"
    width = max(len(label) for label, _ in rows)
    lines = [textwrap.fill(paragraph, width=88), ""]
    lines += [f"{label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(lines) + "\n"


def as_of_end(cohort: Cohort) -> datetime:
    """Return the last minute of the cohort's final day (for reports run as at year end)."""
    return datetime.combine(cohort.ends_on, datetime.max.time()).replace(microsecond=0)
