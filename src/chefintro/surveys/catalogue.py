"""A cohort's surveys: adding one with its questions, finding one by name, listing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from chefintro.enums import CohortStatus, QuestionKind, SurveyPhase
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import Answer, Cohort, Question, Survey
from chefintro.surveys.questions import PHASE_ORDER, QuestionSpec, builtin_questions
from chefintro.text import clean_field, clean_text


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


def require_not_anonymised(cohort: Cohort) -> None:
    """Raise RuleError for an anonymised cohort: its answers are kept only unlinked."""
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
    require_not_anonymised(cohort)
    cleaned = clean_field(name, what="The survey name")
    if not cleaned or len(cleaned) > 100:
        raise UsageError("A survey needs a name of at most 100 characters.")
    if find_survey(db=db, cohort=cohort, name=cleaned) is not None:
        raise DuplicateError(f"Cohort {cohort.name} already has a survey named {cleaned!r}.")
    survey = Survey(cohort_id=id_of(cohort), name=cleaned, phase=phase)
    db.add(survey)
    db.flush()
    for position, spec in enumerate(questions or builtin_questions(phase), start=1):
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
        names = [s.name for s in surveys_of(db=db, cohort=cohort)]
        known = f" Its surveys: {', '.join(names)}." if names else ""
        raise NotFoundError(f"Cohort {cohort.name} has no survey named {name!r}.{known}")
    return survey


def surveys_of(*, db: Session, cohort: Cohort) -> list[Survey]:
    """Return the cohort's surveys in phase order (then as they were added)."""
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
    for survey in surveys_of(db=db, cohort=cohort):
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
