"""Surveys: start, mid, end and follow-up questionnaires of a cohort, and their report.

A survey has questions (1–7 statements and free text); the built-in Swedish set for new
managers is the same for every phase, so start and end can be compared. Answers come back
from the form workbook or a Microsoft Forms export (:mod:`chefintro.roster.survey_form`),
all or nothing. Reports show aggregates only: any group with fewer answers than the
``survey.min_group`` setting is hidden, and so is the next smallest group when the hidden
ones together could otherwise be worked out from the total. Free text is listed without
names, in alphabetical order, and only for groups that are shown.
"""

from __future__ import annotations

import random
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlmodel import Session, col, delete, func, select

from chefintro import audit, settings
from chefintro.enums import CohortStatus, ParticipantStatus, QuestionKind, Role, SurveyPhase
from chefintro.errors import (
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    Problem,
    RuleError,
    UnreadableInputError,
    UsageError,
)
from chefintro.ids import id_of
from chefintro.models import Agency, Answer, Cohort, Participant, Person, Question, Survey
from chefintro.text import (
    clean_field,
    clean_text,
    control_problem,
    email_key,
    question_key,
    swedish_key,
)

MAX_QUESTIONS = 40
MAX_QUESTION_LENGTH = 500
PHASE_ORDER = {phase: index for index, phase in enumerate(SurveyPhase)}
PHASE_WORDS = {
    "start": SurveyPhase.START,
    "början": SurveyPhase.START,
    "mid": SurveyPhase.MID,
    "mitt": SurveyPhase.MID,
    "halvtid": SurveyPhase.MID,
    "end": SurveyPhase.END,
    "slut": SurveyPhase.END,
    "followup": SurveyPhase.FOLLOWUP,
    "follow-up": SurveyPhase.FOLLOWUP,
    "uppföljning": SurveyPhase.FOLLOWUP,
}
KIND_WORDS = {
    "scale": QuestionKind.SCALE,
    "skala": QuestionKind.SCALE,
    "text": QuestionKind.TEXT,
    "fritext": QuestionKind.TEXT,
}


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    kind: QuestionKind = QuestionKind.SCALE


#: The built-in questions for new managers; the same for every phase, so they compare.
BUILTIN_QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec("Jag känner mig trygg i min roll som chef."),
    QuestionSpec("Jag vet vad som förväntas av mig som chef i staten."),
    QuestionSpec("Jag har god kunskap om hur den statliga förvaltningen fungerar."),
    QuestionSpec("Jag har ett nätverk av chefskolleger utanför min egen myndighet."),
    QuestionSpec("Jag vet var jag kan få stöd när jag möter svåra situationer som chef."),
    QuestionSpec("Jag tar mig regelbundet tid att reflektera över mitt eget ledarskap."),
    QuestionSpec("Vad är din största utmaning som chef just nu?", QuestionKind.TEXT),
    QuestionSpec("Övriga synpunkter på programmet", QuestionKind.TEXT),
)


def parse_phase(value: str) -> SurveyPhase:
    """Return the phase for a Swedish or English word, or raise UsageError."""
    phase = PHASE_WORDS.get((clean_text(value) or "").casefold())
    if phase is None:
        raise UsageError(f"{value!r} is not a phase; use start, mid, end or followup.")
    return phase


# --- questions files --------------------------------------------------------------------


def read_questions(path: Path) -> list[QuestionSpec]:
    """Read a TOML questions file: ``[[question]]`` tables with ``text`` and ``kind``.

    ``kind`` is ``scale`` (a 1–7 statement, the default) or ``text``. Every problem is
    reported at once (exit 65); a missing or unreadable file is exit 66.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableInputError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInputError(f"{path} cannot be read: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path} is not valid TOML: {exc}.") from None
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem(message, sheet=path.name, column=where))

    for key in raw:
        if key != "question":
            bad(key, "unknown key; a questions file holds [[question]] tables only")
    entries = raw.get("question", [])
    if not isinstance(entries, list) or not entries:
        bad("question", 'no questions; add [[question]] tables with text = "…"')
        entries = []
    questions: list[QuestionSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"question {number}"
        if not isinstance(entry, dict):
            bad(where, "must be a table with text and kind")
            continue
        for key in entry:
            if key not in ("text", "kind"):
                bad(where, f"unknown key {key!r}; allowed: text, kind")
        text = clean_text(entry.get("text")) if isinstance(entry.get("text"), str) else None
        if not text:
            bad(where, 'needs text = "…"')
            continue
        if (problem := control_problem(str(entry.get("text")))) is not None:
            bad(where, problem)
            continue
        if len(text) > MAX_QUESTION_LENGTH:
            bad(where, f"the text is {len(text)} characters; at most {MAX_QUESTION_LENGTH}")
            continue
        kind_word = entry.get("kind", "scale")
        kind = KIND_WORDS.get(str(kind_word).strip().casefold())
        if kind is None:
            bad(where, f"kind {kind_word!r} is not scale or text")
            continue
        key = question_key(text)
        if key in seen:
            bad(where, f"the same question as question {seen[key]}")
            continue
        seen[key] = number
        questions.append(QuestionSpec(text, kind))
    if len(questions) > MAX_QUESTIONS:
        bad("question", f"{len(questions)} questions; at most {MAX_QUESTIONS}")
    if problems:
        raise InvalidInputError(f"{path} has {len(problems)} problem(s).", problems)
    return questions


# --- surveys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyInfo:
    name: str
    phase: str
    questions: int
    scale_questions: int
    respondents: int
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phase": self.phase,
            "questions": self.questions,
            "scale_questions": self.scale_questions,
            "respondents": self.respondents,
            "created_at": self.created_at,
        }


def _require_not_anonymised(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(
            f"Cohort {cohort.name} is anonymised; its survey answers are kept only unlinked."
        )


def add_survey(
    *,
    db: Session,
    cohort: Cohort,
    name: str,
    phase: SurveyPhase,
    questions: Sequence[QuestionSpec] | None = None,
) -> Survey:
    """Create a survey of the cohort with the given (or the built-in) questions."""
    _require_not_anonymised(cohort)
    cleaned = clean_field(name, what="The survey name")
    if not cleaned or len(cleaned) > 100:
        raise UsageError("A survey needs a name of at most 100 characters.")
    if find_survey(db=db, cohort=cohort, name=cleaned) is not None:
        raise DuplicateError(f"Cohort {cohort.name} already has a survey named {cleaned!r}.")
    survey = Survey(cohort_id=id_of(cohort), name=cleaned, phase=phase)
    db.add(survey)
    db.flush()
    for position, spec in enumerate(questions or BUILTIN_QUESTIONS, start=1):
        db.add(Question(survey_id=id_of(survey), position=position, text=spec.text, kind=spec.kind))
    db.flush()
    return survey


def find_survey(*, db: Session, cohort: Cohort, name: str) -> Survey | None:
    wanted = (clean_text(name) or "").casefold()
    for survey in db.exec(select(Survey).where(Survey.cohort_id == cohort.id)).all():
        if survey.name.casefold() == wanted:
            return survey
    return None


def get_survey(*, db: Session, cohort: Cohort, name: str) -> Survey:
    survey = find_survey(db=db, cohort=cohort, name=name)
    if survey is None:
        names = [s.name for s in _surveys(db, cohort)]
        known = f" Its surveys: {', '.join(names)}." if names else ""
        raise NotFoundError(f"Cohort {cohort.name} has no survey named {name!r}.{known}")
    return survey


def _surveys(db: Session, cohort: Cohort) -> list[Survey]:
    rows = db.exec(select(Survey).where(Survey.cohort_id == cohort.id)).all()
    return sorted(rows, key=lambda s: (PHASE_ORDER[SurveyPhase(s.phase)], s.created_at, id_of(s)))


def questions_of(*, db: Session, survey: Survey) -> list[Question]:
    return list(
        db.exec(
            select(Question).where(Question.survey_id == survey.id).order_by(col(Question.position))
        ).all()
    )


def list_surveys(*, db: Session, cohort: Cohort) -> list[SurveyInfo]:
    """Return the cohort's surveys in phase order with question and respondent counts."""
    result = []
    for survey in _surveys(db, cohort):
        questions = questions_of(db=db, survey=survey)
        respondents = db.exec(
            select(func.count(func.distinct(Answer.participant_id))).where(
                Answer.survey_id == survey.id
            )
        ).one()
        unlinked = db.exec(
            select(func.count(func.distinct(Answer.question_id)), func.count(col(Answer.id)))
            .where(Answer.survey_id == survey.id)
            .where(col(Answer.participant_id).is_(None))
        ).one()
        # Unlinked answers (an anonymised cohort) no longer tell who answered; estimate by
        # the most answered question.
        extra = 0
        if unlinked[1]:
            extra = max(
                db.exec(
                    select(func.count(col(Answer.id)))
                    .where(Answer.survey_id == survey.id)
                    .where(col(Answer.participant_id).is_(None))
                    .group_by(col(Answer.question_id))
                ).all()
            )
        result.append(
            SurveyInfo(
                name=survey.name,
                phase=str(survey.phase),
                questions=len(questions),
                scale_questions=sum(1 for q in questions if q.kind == QuestionKind.SCALE),
                respondents=int(respondents or 0) + extra,
                created_at=survey.created_at.replace(microsecond=0).isoformat(),
            )
        )
    return result


# --- the form workbook ------------------------------------------------------------------


def _form_questions(questions: Sequence[Question]) -> list[Any]:
    from chefintro.roster.survey_form import FormQuestion

    return [FormQuestion(q.text, q.kind == QuestionKind.SCALE) for q in questions]


def export_form(*, db: Session, cohort: Cohort, survey: Survey, path: Path) -> int:
    """Write the survey's form workbook: one row per participant who has not withdrawn.

    Answers already imported are filled in, so exporting and importing again changes
    nothing. Returns the number of participants; the export is logged (a count only).
    """
    from chefintro.roster.survey_form import write_form

    questions = questions_of(db=db, survey=survey)
    people = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status != ParticipantStatus.WITHDRAWN)
    ).all()
    people = sorted(people, key=lambda r: (r[0].role != Role.ADEPT, swedish_key(r[1].name)))
    stored: dict[tuple[int, int], int | str | None] = {
        (int(a.participant_id or 0), a.question_id): a.value if a.value is not None else a.text
        for a in db.exec(select(Answer).where(Answer.survey_id == survey.id)).all()
    }
    rows = [
        (
            person.name,
            person.email,
            agency.code,
            str(part.role),
            *(stored.get((id_of(part), id_of(q))) for q in questions),
        )
        for part, person, agency in people
    ]
    write_form(
        path,
        title=f"{survey.name} ({survey.phase}), omgång {cohort.name}",
        questions=_form_questions(questions),
        rows=rows,
    )
    audit.log(
        db=db,
        action="survey export",
        detail=f"survey {survey.name} of cohort {cohort.name}: form for {len(rows)} participant(s)",
    )
    return len(rows)


# --- importing answers ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    respondents: int
    added: int
    changed: int
    unchanged: int
    missing_questions: list[str]
    ignored_columns: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "respondents": self.respondents,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "missing_questions": self.missing_questions,
            "ignored_columns": self.ignored_columns,
        }


def import_answers(*, db: Session, cohort: Cohort, survey: Survey, path: Path) -> ImportSummary:
    """Import answers from the form workbook or a Forms export (.xlsx/.csv), all or nothing.

    Columns are matched to questions by normalised text, people by the e-mail column.
    Values outside 1–7, unknown e-mails, people not in the cohort and a person answering
    twice are problems with sheet, row and column (InvalidInputError, exit 65; nothing is
    stored). A stored answer is updated when the file has another value; a blank cell never
    removes one, so importing the same file again changes nothing.
    """
    from chefintro.roster.survey_form import read_answers

    _require_not_anonymised(cohort)
    questions = questions_of(db=db, survey=survey)
    by_key = {question_key(q.text): q for q in questions}
    data = read_answers(path, _form_questions(questions))
    problems = list(data.problems)
    members = {
        person.email_key: part
        for part, person in db.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(Participant.cohort_id == cohort.id)
        ).all()
    }
    known = set(
        db.exec(
            select(Person.email_key).where(
                col(Person.email_key).in_([email_key(r.email) for r in data.rows])
            )
        ).all()
    )
    accepted = []
    for row in data.rows:
        key = email_key(row.email)
        part = members.get(key)
        if part is None:
            message = (
                f"{row.email} is not a participant in cohort {cohort.name}"
                if key in known
                else f"{row.email} is not a registered person (unknown e-mail)"
            )
            problems.append(Problem(message, sheet=row.sheet, row=row.row, column=row.email_column))
            continue
        accepted.append((row, part))
    if problems:
        raise InvalidInputError(
            f"{path.name}: {len(problems)} problem(s); nothing was imported.", problems
        )
    stored = {
        (int(a.participant_id or 0), a.question_id): a
        for a in db.exec(select(Answer).where(Answer.survey_id == survey.id)).all()
    }
    added = changed = unchanged = 0
    for row, part in accepted:
        for key, value in row.values.items():
            question = by_key[key]
            number = value if isinstance(value, int) else None
            text = value if isinstance(value, str) else None
            existing = stored.get((id_of(part), id_of(question)))
            if existing is None:
                db.add(
                    Answer(
                        survey_id=id_of(survey),
                        question_id=id_of(question),
                        participant_id=part.id,
                        value=number,
                        text=text,
                    )
                )
                added += 1
            elif (existing.value, existing.text) != (number, text):
                existing.value, existing.text = number, text
                db.add(existing)
                changed += 1
            else:
                unchanged += 1
    db.flush()
    summary = ImportSummary(
        respondents=len(accepted),
        added=added,
        changed=changed,
        unchanged=unchanged,
        missing_questions=data.missing,
        ignored_columns=data.ignored,
    )
    if added or changed:
        audit.log(
            db=db,
            action="survey import",
            detail=f"survey {survey.name} of cohort {cohort.name}: {len(accepted)} "
            f"respondent(s), {added} answer(s) added, {changed} changed",
        )
    return summary


# --- privacy ----------------------------------------------------------------------------


def delete_answers(*, db: Session, participant_ids: Sequence[int]) -> int:
    """Remove every survey answer of these participants; return how many there were."""
    if not participant_ids:
        return 0
    count = db.exec(
        select(func.count(col(Answer.id))).where(col(Answer.participant_id).in_(participant_ids))
    ).one()
    db.exec(delete(Answer).where(col(Answer.participant_id).in_(participant_ids)))
    return int(count or 0)


def unlink_answers(*, db: Session, cohort: Cohort) -> int:
    """Keep a cohort's answers only as unlinked rows: agency and role, no participant.

    The rows are written anew in a shuffled order, so neither a participant id nor the
    order of the rows tells which answers came from one person. Returns the row count.
    """
    rows = db.exec(
        select(Answer, Participant, Agency)
        .join(Survey, col(Survey.id) == col(Answer.survey_id))
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(Survey.cohort_id == cohort.id)
    ).all()
    if not rows:
        return 0
    kept = [
        Answer(
            survey_id=answer.survey_id,
            question_id=answer.question_id,
            participant_id=None,
            value=answer.value,
            text=answer.text,
            agency=agency.code,
            role=str(part.role),
        )
        for answer, part, agency in rows
    ]
    for answer, _, _ in rows:
        db.delete(answer)
    db.flush()
    random.SystemRandom().shuffle(kept)
    db.add_all(kept)
    db.flush()
    return len(kept)


def answers_of(*, db: Session, participant_id: int) -> list[dict[str, Any]]:
    """Return one participant's answers (for the export of all data on a person)."""
    rows = db.exec(
        select(Answer, Question, Survey)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .join(Survey, col(Survey.id) == col(Answer.survey_id))
        .where(Answer.participant_id == participant_id)
        .order_by(col(Survey.id), col(Question.position))
    ).all()
    return [
        {
            "survey": survey.name,
            "question": question.text,
            "answer": answer.value if answer.value is not None else answer.text,
        }
        for answer, question, survey in rows
    ]


# --- the report -------------------------------------------------------------------------


HIDDEN_TEXT = "färre än {n} svar"


@dataclass(frozen=True)
class Cell:
    """A count and mean (or mean change); hidden when the group is too small to show."""

    count: int | None
    mean: float | None
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "mean": None if self.mean is None else round(self.mean, 2),
            "hidden": self.hidden,
        }


@dataclass
class GroupResult:
    group: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    change: Cell | None = None
    # Free text per survey; None where the group is hidden.
    texts: dict[str, list[str] | None] = field(default_factory=dict)

    def to_json(self, kind: QuestionKind) -> dict[str, Any]:
        data: dict[str, Any] = {"group": self.group}
        if kind == QuestionKind.SCALE:
            data["surveys"] = {name: cell.to_json() for name, cell in self.cells.items()}
            data["change"] = None if self.change is None else self.change.to_json()
        else:
            data["surveys"] = {
                name: {
                    "count": None if texts is None else len(texts),
                    "answers": texts,
                    "hidden": texts is None,
                }
                for name, texts in self.texts.items()
            }
        return data


@dataclass
class QuestionResult:
    text: str
    kind: QuestionKind
    groups: list[GroupResult]

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.text,
            "kind": str(self.kind),
            "groups": [g.to_json(self.kind) for g in self.groups],
        }


@dataclass(frozen=True)
class SurveyRef:
    name: str
    phase: str
    respondents: int


@dataclass
class SurveyReport:
    cohort: str
    by: str | None
    min_group: int
    surveys: list[SurveyRef]
    change_from: str | None
    change_to: str | None
    questions: list[QuestionResult]

    @property
    def hidden_text(self) -> str:
        return HIDDEN_TEXT.format(n=self.min_group)

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "by": self.by,
            "min_group": self.min_group,
            "surveys": [
                {"name": s.name, "phase": s.phase, "respondents": s.respondents}
                for s in self.surveys
            ],
            "change": (
                {"from": self.change_from, "to": self.change_to} if self.change_from else None
            ),
            "questions": [q.to_json() for q in self.questions],
        }


def min_group(*, db: Session) -> int:
    return settings.get_int(db=db, key=settings.SURVEY_MIN_GROUP)


def visible_groups(counts: dict[str | None, int], minimum: int) -> set[str | None]:
    """Return the groups that may be shown: at least ``minimum`` answers each, and never
    a split where the hidden groups together hold between 1 and ``minimum - 1`` answers
    (they could be worked out from the total), so then the next smallest is hidden too."""
    shown = {g for g, n in counts.items() if n >= minimum}
    hidden_total = sum(n for g, n in counts.items() if g not in shown)
    while shown and 0 < hidden_total < minimum and len(counts) > 1:
        smallest = min(shown, key=lambda g: (counts[g], swedish_key(g or "")))
        shown.discard(smallest)
        hidden_total += counts[smallest]
    return shown


def change_pair(surveys: Sequence[Survey]) -> tuple[Survey, Survey] | None:
    """Return the surveys a change is measured between: the first start survey and the last
    end survey when both are there, else the first and the last; None for one survey."""
    if len(surveys) < 2:
        return None
    starts = [s for s in surveys if s.phase == SurveyPhase.START]
    ends = [s for s in surveys if s.phase == SurveyPhase.END]
    if starts and ends:
        return starts[0], ends[-1]
    return surveys[0], surveys[-1]


@dataclass(frozen=True)
class _Row:
    survey_id: int
    key: str
    participant: int | None
    value: int | None
    text: str | None
    group: str | None


def _answer_rows(
    db: Session, surveys: Sequence[Survey], by: str | None
) -> tuple[list[_Row], dict[str, tuple[str, QuestionKind]]]:
    ids = [id_of(s) for s in surveys]
    group_column: Any
    if by == "agency":
        group_column = func.coalesce(col(Agency.code), col(Answer.agency))
    elif by == "role":
        group_column = func.coalesce(col(Participant.role), col(Answer.role))
    else:
        group_column = sqlalchemy.null()
    query = (
        sqlalchemy.select(
            col(Answer.survey_id),
            col(Question.text),
            col(Question.kind),
            col(Answer.participant_id),
            col(Answer.value),
            col(Answer.text),
            group_column,
        )
        .join(Question, col(Question.id) == col(Answer.question_id))
        .outerjoin(Participant, col(Participant.id) == col(Answer.participant_id))
        .outerjoin(Person, col(Person.id) == col(Participant.person_id))
        .outerjoin(Agency, col(Agency.id) == col(Person.agency_id))
        .where(col(Answer.survey_id).in_(ids))
    )
    rows: list[_Row] = []
    texts: dict[str, tuple[str, QuestionKind]] = {}
    for survey_id, text, kind, participant, value, answer_text, group in db.execute(query).all():
        key = question_key(text)
        texts.setdefault(key, (text, QuestionKind(kind)))
        rows.append(_Row(int(survey_id), key, participant, value, answer_text, group))
    return rows, texts


def survey_report(
    *,
    db: Session,
    cohort: Cohort,
    names: Sequence[str] = (),
    by: str | None = None,
) -> SurveyReport:
    """Return per question the answers' count and mean per survey, and the change between
    start and end for people who answered both, optionally split by agency or role."""
    if by not in (None, "agency", "role"):
        raise UsageError(f"--by takes agency or role, not {by!r}.")
    if names:
        chosen = [get_survey(db=db, cohort=cohort, name=n) for n in names]
        order = {s.id: i for i, s in enumerate(_surveys(db, cohort))}
        surveys = sorted({s.id: s for s in chosen}.values(), key=lambda s: order[s.id])
    else:
        surveys = _surveys(db, cohort)
    if not surveys:
        raise NotFoundError(
            f"Cohort {cohort.name} has no surveys yet; add one with "
            "'chefintro survey add NAME --phase start'."
        )
    minimum = min_group(db=db)
    rows, _ = _answer_rows(db, surveys, by)
    names_by_id = {id_of(s): s.name for s in surveys}
    # The questions in the order they were asked, first survey first.
    ordered: dict[str, tuple[str, QuestionKind]] = {}
    for survey in surveys:
        for question in questions_of(db=db, survey=survey):
            ordered.setdefault(question_key(question.text), (question.text, question.kind))
    pair = change_pair(surveys)
    # Who answered each survey, per group: it decides whether a group's free text is shown.
    respondents: dict[int, dict[str | None, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for index, row in enumerate(rows):
        who = row.participant if row.participant is not None else ("unlinked", index)
        respondents[row.survey_id][row.group].add(who)
    refs = [
        SurveyRef(
            name=s.name,
            phase=str(s.phase),
            respondents=_respondent_total(rows, id_of(s)),
        )
        for s in surveys
    ]
    groups_all = sorted({r.group for r in rows}, key=lambda g: swedish_key(g or ""))
    results: list[QuestionResult] = []
    for key, (text, kind) in ordered.items():
        mine = [r for r in rows if r.key == key]
        group_results = (
            {g: GroupResult(group=g) for g in groups_all} if by else {None: GroupResult(None)}
        )
        for survey in surveys:
            sid = id_of(survey)
            name = names_by_id[sid]
            these = [r for r in mine if r.survey_id == sid]
            if kind == QuestionKind.SCALE:
                values: dict[str | None, list[int]] = defaultdict(list)
                for r in these:
                    if r.value is not None:
                        values[r.group].append(r.value)
                counts = {g: len(values.get(g, [])) for g in group_results}
                shown = visible_groups(counts, minimum)
                for g, result in group_results.items():
                    found = values.get(g, [])
                    result.cells[name] = (
                        Cell(len(found), sum(found) / len(found) if found else None)
                        if g in shown
                        else Cell(None, None, hidden=True)
                    )
            else:
                counts = {g: len(respondents[sid].get(g, ())) for g in group_results}
                shown = visible_groups(counts, minimum)
                for g, result in group_results.items():
                    listed = sorted(
                        (r.text for r in these if r.group == g and r.text), key=swedish_key
                    )
                    result.texts[name] = listed if g in shown else None
        if kind == QuestionKind.SCALE and pair is not None:
            before = {
                r.participant: r.value
                for r in mine
                if r.survey_id == pair[0].id and r.participant is not None and r.value is not None
            }
            diffs: dict[str | None, list[int]] = defaultdict(list)
            for r in mine:
                if r.survey_id == pair[1].id and r.participant in before and r.value is not None:
                    diffs[r.group].append(r.value - int(before[r.participant] or 0))
            counts = {g: len(diffs.get(g, [])) for g in group_results}
            shown = visible_groups(counts, minimum)
            for g, result in group_results.items():
                found = diffs.get(g, [])
                result.change = (
                    Cell(len(found), sum(found) / len(found) if found else None)
                    if g in shown
                    else Cell(None, None, hidden=True)
                )
        results.append(QuestionResult(text=text, kind=kind, groups=list(group_results.values())))
    return SurveyReport(
        cohort=cohort.name,
        by=by,
        min_group=minimum,
        surveys=refs,
        change_from=pair[0].name if pair else None,
        change_to=pair[1].name if pair else None,
        questions=results,
    )


def _respondent_total(rows: Sequence[_Row], survey_id: int) -> int:
    linked = {r.participant for r in rows if r.survey_id == survey_id and r.participant}
    unlinked: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.survey_id == survey_id and r.participant is None:
            unlinked[r.key] += 1
    return len(linked) + max(unlinked.values(), default=0)


def headline(*, db: Session, cohort: Cohort) -> SurveyReport | None:
    """Return the start-to-end report of the whole cohort (no split), or None without two
    surveys; the year-end summary quotes its changes."""
    surveys = _surveys(db, cohort)
    pair = change_pair(surveys)
    if pair is None:
        return None
    return survey_report(db=db, cohort=cohort, names=[pair[0].name, pair[1].name])
