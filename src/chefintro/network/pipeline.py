"""The programme's supply of managers: former adepts who can mentor next year, former
mentors still active, the follow-up surveys 12 and 24 months after a year, and the
managers each agency has had from the programme.

Eligibility is :func:`chefintro.rules.eligibility` for the mentor role at the next
cohort's start, with the store's settings: the rule ``participant add`` warns by. People
are named only with consent to be listed; someone whose latest follow-up answer says they
are no longer a manager is left out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chefintro import rules, settings
from chefintro.enums import CohortStatus, ParticipantStatus, Role, SurveyPhase
from chefintro.models import (
    Agency,
    Answer,
    Cohort,
    Participant,
    Person,
    Question,
    Survey,
)
from chefintro.network.consent import listed_people
from chefintro.surveys.questions import STILL_MANAGER_QUESTION
from chefintro.text import question_key, swedish_key

#: Months after a year's end at which the follow-up surveys are due.
FOLLOW_UP_MONTHS = (12, 24)
_NO = {"nej", "no", "n", "0", "false", "falskt"}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Manager:
    name: str
    email: str
    agency: str
    years: str  # "2026 adept, 2027 mentor"
    months: int | None  # months as a manager at the next start
    #: (cohort, role) in cohort order, for tables that word the roles in their language.
    roles: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "agency": self.agency,
            "years": self.years,
            "months_as_manager": self.months,
        }


@dataclass(frozen=True)
class FollowUp:
    cohort: str
    months: int
    due_on: date
    survey: str | None
    respondents: int
    still_managers: int | None  # None: fewer than survey.min_group answered

    def status(self, today: date) -> str:
        if self.survey is not None:
            return "done"
        return "overdue" if today >= self.due_on else "upcoming"

    def to_json(self, today: date) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "months": self.months,
            "due_on": self.due_on.isoformat(),
            "status": self.status(today),
            "survey": self.survey,
            "respondents": self.respondents,
            "still_managers": self.still_managers,
        }


@dataclass
class Pipeline:
    next_start: date
    mentor_months: int
    today: date
    eligible: list[Manager] = field(default_factory=list)
    mentors: list[Manager] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "next_start": self.next_start.isoformat(),
            "mentor_months": self.mentor_months,
            "eligible_adepts": [m.to_json() for m in self.eligible],
            "active_mentors": [m.to_json() for m in self.mentors],
            "follow_ups": [f.to_json(self.today) for f in self.follow_ups],
        }


def next_start(db: Session, cohort: Cohort) -> date:
    """The start of the cohort after ``cohort``, else a year after its start."""
    later = db.execute(
        sa_select(col(Cohort.starts_on))
        .where(col(Cohort.starts_on) > cohort.starts_on)
        .order_by(col(Cohort.starts_on))
    ).first()
    return later[0] if later is not None else add_months(cohort.starts_on, 12)


def _still_manager_answers(db: Session) -> dict[int, tuple[date, bool]]:
    """Each person's latest answer to 'still a manager?' (by the survey's cohort end)."""
    wanted = question_key(STILL_MANAGER_QUESTION.text)
    rows = db.execute(
        sa_select(
            col(Participant.person_id), col(Question.text), col(Answer.text), col(Cohort.ends_on)
        )
        .join(Question, col(Question.id) == col(Answer.question_id))
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .join(Survey, col(Survey.id) == col(Answer.survey_id))
        .join(Cohort, col(Cohort.id) == col(Survey.cohort_id))
        .where(col(Survey.phase) == SurveyPhase.FOLLOWUP)
    ).all()
    found: dict[int, tuple[date, bool]] = {}
    for person_id, question, text, ends_on in rows:
        if question_key(question) != wanted or not text:
            continue
        answer = (ends_on, text.strip().casefold() not in _NO)
        if person_id not in found or found[person_id][0] <= ends_on:
            found[int(person_id)] = answer
    return found


def _people(db: Session, before: date) -> dict[int, tuple[Person, str, list[tuple[str, str]]]]:
    """Who took part (not withdrawn) in a cohort starting before ``before``."""
    rows = db.execute(
        sa_select(Person, col(Agency.code), col(Cohort.name), col(Participant.role))
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(col(Cohort.status) != CohortStatus.ANONYMISED)
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
        .where(col(Cohort.starts_on) < before)
        .order_by(col(Cohort.starts_on))
    ).all()
    people: dict[int, tuple[Person, str, list[tuple[str, str]]]] = {}
    for person, code, cohort_name, role in rows:
        people.setdefault(person.id, (person, str(code), []))[2].append(
            (str(cohort_name), str(role))
        )
    return people


def pipeline(*, db: Session, cohort: Cohort, start: date | None, today: date) -> Pipeline:
    """The pipeline as seen from ``cohort``: who can mentor at the next start, and more."""
    begins = start or next_start(db, cohort)
    limits = (
        settings.get_int(db=db, key=settings.ADEPT_MONTHS),
        settings.get_int(db=db, key=settings.MENTOR_MONTHS),
    )
    result = Pipeline(begins, limits[1], today)
    listed = listed_people(db)
    stopped = {pid for pid, (_, still) in _still_manager_answers(db).items() if not still}
    for person_id, (person, code, roles) in _people(db, begins).items():
        if person_id not in listed or person_id in stopped:
            continue
        status, months, _ = rules.eligibility(
            manager_since=person.manager_since,
            role=Role.MENTOR,
            starts_on=begins,
            adept_months=limits[0],
            mentor_months=limits[1],
        )
        years = ", ".join(f"{c} {r}" for c, r in roles)
        entry = Manager(person.name, person.email, code, years, months, tuple(roles))
        if any(r == Role.MENTOR for _, r in roles):
            result.mentors.append(entry)
        elif status == rules.ELIGIBLE:
            result.eligible.append(entry)
    for found in (result.eligible, result.mentors):
        found.sort(key=lambda m: (swedish_key(m.name), m.email.casefold()))
    result.follow_ups = follow_ups(db=db)
    return result


def follow_ups(*, db: Session) -> list[FollowUp]:
    """Each cohort's follow-ups at 12 and 24 months: due day, survey, answers."""
    minimum = settings.get_int(db=db, key=settings.SURVEY_MIN_GROUP)
    wanted = question_key(STILL_MANAGER_QUESTION.text)
    result: list[FollowUp] = []
    cohorts = db.execute(sa_select(Cohort).order_by(col(Cohort.starts_on))).scalars().all()
    for cohort in cohorts:
        surveys = (
            db.execute(
                sa_select(Survey)
                .where(col(Survey.cohort_id) == cohort.id)
                .where(col(Survey.phase) == SurveyPhase.FOLLOWUP)
            )
            .scalars()
            .all()
        )
        for months in FOLLOW_UP_MONTHS:
            survey = next((s for s in surveys if str(months) in s.name), None)
            answers: list[str] = []
            if survey is not None:
                rows = db.execute(
                    sa_select(col(Question.text), col(Answer.text))
                    .join(Question, col(Question.id) == col(Answer.question_id))
                    .where(col(Answer.survey_id) == survey.id)
                ).all()
                answers = [a for q, a in rows if question_key(q) == wanted and a and a.strip()]
            shown = len(answers) >= minimum
            result.append(
                FollowUp(
                    cohort.name,
                    months,
                    add_months(cohort.ends_on, months),
                    survey.name if survey is not None else None,
                    len(answers),
                    sum(a.strip().casefold() not in _NO for a in answers) if shown else None,
                )
            )
    return result


def managers_given(*, db: Session, up_to: Cohort) -> list[tuple[str, int, int]]:
    """Per agency: adepts it sent to cohorts up to ``up_to`` (not withdrawn), and how many
    of them later mentored — the managers the programme has given it."""
    rows = db.execute(
        sa_select(
            col(Agency.code),
            col(Participant.person_id),
            col(Participant.role),
            col(Cohort.starts_on),
        )
        .join(Participant, col(Participant.agency_id) == col(Agency.id))
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(col(Cohort.starts_on) <= up_to.starts_on)
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
    ).all()
    adept_since: dict[int, tuple[str, date]] = {}
    mentored: dict[int, list[date]] = {}
    for code, person_id, role, starts_on in rows:
        if role == Role.ADEPT:
            adept_since[int(person_id)] = (str(code), starts_on)
        else:
            mentored.setdefault(int(person_id), []).append(starts_on)
    per_agency: dict[str, list[int]] = {}
    for person_id, (code, since) in adept_since.items():
        counts = per_agency.setdefault(code, [0, 0])
        counts[0] += 1
        counts[1] += any(day > since for day in mentored.get(person_id, []))
    return [
        (code, a, m) for code, (a, m) in sorted(per_agency.items(), key=lambda i: swedish_key(i[0]))
    ]
