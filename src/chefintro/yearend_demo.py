"""The demo's year end: made-up attendance, a start and an end survey answered through
Forms-shaped CSV files, certificates for those who completed, and the summary.

Everything goes through the same service functions as the commands; the answers are
invented by a seeded random generator, so every run gives the same year.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from chefintro.files import private_output
from chefintro.store import Store

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.cohorts import ParticipantInfo
    from chefintro.models import Cohort

COORDINATOR = "Helena Sjödin"
START_SURVEY = "start-{cohort}"
END_SURVEY = "slut-{cohort}"
#: How many times :func:`run_year_end` reports progress.
YEAR_END_STEPS = 3

_CHALLENGES = (
    "Att hinna med både verksamheten och medarbetarna.",
    "Att leda tidigare kolleger.",
    "Att prioritera när allt känns viktigt.",
    "Svåra samtal om arbetsmiljö.",
    "Att förstå mitt mandat i linjen.",
    "Att leda på distans.",
    "Förändringsarbete i en ny organisation.",
)
_REMARKS = (
    "Mentorssamtalen har varit det mest värdefulla.",
    "Bra blandning av myndigheter.",
    "Gärna fler nätverksträffar.",
    "Föreläsningen om tillitsbaserad styrning gav mycket.",
    "Värdefullt att se hur andra myndigheter arbetar.",
)
#: Ideas taken home (the end survey's idea question, ``report ideas``).
IDEAS = (
    "Chefsfrukost varje månad för nya chefer.",
    "En mentor utanför linjen för varje ny chef.",
    "Studiebesök hos en annan myndighet varje år.",
    "Gemensam introduktion för nya chefer.",
    "Korta veckomöten i stället för långa månadsmöten.",
    "Medarbetarsamtal med en tydlig uppföljning efter ett halvår.",
    "Dela mallar för verksamhetsplanering mellan enheterna.",
    "Öppna ledningsgruppens protokoll för alla medarbetare.",
    "Reflektionsgrupper för chefer på samma nivå.",
    "Tillitsbaserad styrning i vår handläggning.",
)


@dataclass(frozen=True)
class YearEnd:
    surveys: list[str]
    forms: list[Path]
    form_workbook: Path
    certificates: list[Path]
    summary: str
    #: The day the year end is judged on (the cohort's last day): the demo's store lies
    #: ahead of today, so reports on it need ``--as-of`` this day to agree with the demo.
    as_of: date


def write_forms_csv(
    path: Path,
    questions: list[str],
    answers: list[tuple[str, str, dict[str, str]]],
    stamped: tuple[int, str] = (2027, "01"),
) -> None:
    """Write answers the way a Microsoft Forms export saved as CSV from Swedish Excel
    looks: Forms' own columns first, the questions in another order, semicolons."""
    order = questions[::-1]
    year, month = stamped
    with private_output(path) as temporary:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", *order])
            for number, (name, email, values) in enumerate(answers, start=1):
                stamp = f"{year}-{month}-{10 + number % 18:02d} 09:{number % 60:02d}:00"
                writer.writerow(
                    [number, stamp, stamp, email, name, *(values.get(q, "") for q in order)]
                )


def run_year_end(
    *, store: Store, directory: Path, progress: Callable[[str], None] | None = None
) -> YearEnd:
    """Play the cohort's year to its end in the demo store and write its files."""
    from chefintro import cohorts, settings, surveys, yearend
    from chefintro.certificates.issue import (
        log_certificates,
        plan_certificates,
        render_certificates,
    )

    note = progress or (lambda _step: None)
    note("Recording the year's attendance")
    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        rng = random.Random(_seed(cohort.name))
        settings.set_value(db=db, key=settings.PROGRAMME_COORDINATOR, value=COORDINATOR)
        adepts, leaving = _play_attendance(db, cohort, rng)

        note("Answering the start and end surveys")
        names = [
            START_SURVEY.format(cohort=cohort.name),
            END_SURVEY.format(cohort=cohort.name),
        ]
        forms = _answer_surveys(db, cohort, names, adepts, leaving, rng, directory)
        end_survey = surveys.get_survey(db=db, cohort=cohort, name=names[1])
        workbook = directory / f"enkat-{names[1]}.xlsx"
        surveys.export_form(db=db, cohort=cohort, survey=end_survey, path=workbook)
        moment = yearend.as_of_end(cohort)

    note("Writing certificates and the summary")
    out = directory / "intyg"
    out.mkdir(exist_ok=True)
    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        plan = plan_certificates(db=db, cohort=cohort, out_dir=out, now=moment)
        result = yearend.summary(db=db, cohort=cohort, now=moment)
    run = render_certificates(plan)
    with store.transaction() as db:
        log_certificates(db=db, run=run)
    return YearEnd(
        surveys=names,
        forms=forms,
        form_workbook=workbook,
        certificates=run.files,
        summary=yearend.render_summary(result),
        as_of=moment.date(),
    )


def _seed(cohort: str) -> int | str:
    """The year's seed: 2027 for cohort 2027 (the one-year demo as it always was)."""
    return int(cohort) if cohort.isdigit() else cohort


def _play_attendance(
    db: Session, cohort: Cohort, rng: random.Random
) -> tuple[list[ParticipantInfo], ParticipantInfo]:
    """Mark every programme day; return the active adepts and the one who leaves.

    One adept leaves in the spring, two are often absent, the rest come to most programme
    days; the seeded ``rng`` makes every run the same year.
    """
    from chefintro import attendance, cohorts, sessions
    from chefintro.enums import AttendanceStatus, Role

    people = cohorts.list_participants(db=db, cohort=cohort)
    adepts = [p for p in people if p.role == Role.ADEPT and p.status == "active"]
    leaving = adepts[len(adepts) // 2]
    cohorts.withdraw_participant(db=db, cohort=cohort, email=leaving.email)
    present = [p for p in people if p.email != leaving.email and p.status == "active"]
    weak = {p.email for p in rng.sample([a for a in adepts if a != leaving], 2)}
    for day in sessions.list_sessions(db=db, cohort=cohort):
        marks: dict[AttendanceStatus, list[str]] = {s: [] for s in AttendanceStatus}
        for person in present:
            roll = rng.random()
            if person.email in weak and roll < 0.5:
                marks[AttendanceStatus.ABSENT].append(person.email)
            elif roll < 0.9:
                marks[AttendanceStatus.PRESENT].append(person.email)
            elif roll < 0.95:
                marks[AttendanceStatus.EXCUSED].append(person.email)
            else:
                marks[AttendanceStatus.ABSENT].append(person.email)
        for status, emails in marks.items():
            if emails:
                attendance.record_attendance(
                    db=db,
                    cohort=cohort,
                    session_id=day.id,
                    emails=emails,
                    status=status,
                )
    return adepts, leaving


def _answer_surveys(
    db: Session,
    cohort: Cohort,
    names: list[str],
    adepts: list[ParticipantInfo],
    leaving: ParticipantInfo,
    rng: random.Random,
    directory: Path,
) -> list[Path]:
    """Answer the start and end surveys as Forms CSV files and import them; return the files.

    Each adept has a level that grows by the end, most for the network question; some do
    not answer, and the adept who left does not answer the end survey.
    """
    from chefintro import surveys
    from chefintro.enums import QuestionKind, SurveyPhase
    from chefintro.surveys.questions import IDEA_QUESTION

    forms: list[Path] = []
    questions = [q.text for q in surveys.BUILTIN_QUESTIONS]
    ideas = _IdeaAnswers(cohort.name, db, cohort)
    scale = [q.text for q in surveys.BUILTIN_QUESTIONS if q.kind == QuestionKind.SCALE]
    free = [q.text for q in surveys.BUILTIN_QUESTIONS if q.kind == QuestionKind.TEXT]
    levels = {a.email: rng.gauss(3.4, 0.8) for a in adepts}
    growth = {q: 0.5 + 0.2 * i for i, q in enumerate(scale)}
    growth[scale[3]] = 2.2  # the network outside one's own agency grows the most
    for index, (name, phase) in enumerate(
        zip(names, (SurveyPhase.START, SurveyPhase.END), strict=True)
    ):
        survey = surveys.add_survey(db=db, cohort=cohort, name=name, phase=phase)
        answers = []
        for adept in adepts:
            if adept.email == leaving.email and index == 1:
                continue
            if rng.random() < 0.12:
                continue  # did not answer
            values: dict[str, str] = {}
            for question in scale:
                level = levels[adept.email] + index * growth[question] + rng.gauss(0, 0.6)
                values[question] = str(min(7, max(1, round(level))))
            if rng.random() < 0.7:
                values[free[0]] = rng.choice(_CHALLENGES)
            if index == 1 and rng.random() < 0.5:
                values[free[1]] = rng.choice(_REMARKS)
            answers.append((adept.name, adept.email, values))
        if index == 1:
            answers = ideas.add_to(answers)
        path = directory / f"forms-{name}.csv"
        asked = [*questions, IDEA_QUESTION.text] if index == 1 else questions
        write_forms_csv(path, asked, answers, (cohort.starts_on.year, "01"))
        surveys.import_answers(db=db, cohort=cohort, survey=survey, path=path)
        forms.append(path)
    return forms


class _IdeaAnswers:
    """The end survey's idea question, drawn apart from the year's other answers (so the
    rest of the year is the same draw as before the question): most adepts who answer
    write an idea, and the mentors answer that one question too."""

    def __init__(self, cohort_name: str, db: Session, cohort: Cohort) -> None:
        from chefintro import cohorts
        from chefintro.enums import Role

        self.rng = random.Random(f"ideas-{cohort_name}")
        self.mentors = [
            p
            for p in cohorts.list_participants(db=db, cohort=cohort, role=Role.MENTOR)
            if p.status == "active"
        ]

    def add_to(
        self, answers: list[tuple[str, str, dict[str, str]]]
    ) -> list[tuple[str, str, dict[str, str]]]:
        from chefintro.surveys.questions import IDEA_QUESTION

        key = IDEA_QUESTION.text
        for _name, _email, values in answers:
            if self.rng.random() < 0.8:
                values[key] = self.rng.choice(IDEAS)
        for mentor in self.mentors:
            if self.rng.random() < 0.7:
                answers.append((mentor.name, mentor.email, {key: self.rng.choice(IDEAS)}))
        return answers
