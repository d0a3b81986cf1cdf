"""Survey answers: answers back in from a form or Forms export (all or nothing), and a
person's answers for the privacy commands (export, erase, unlink on anonymising)."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from chefintro import audit
from chefintro.changes import Kind, mark_change
from chefintro.enums import QuestionKind
from chefintro.errors import InvalidInputError, Problem
from chefintro.ids import id_of
from chefintro.models import Agency, Answer, Cohort, Participant, Person, Question, Survey
from chefintro.surveys.catalogue import questions_of, require_not_anonymised
from chefintro.text import email_key, question_key
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.roster.survey_form import AnswerRow

# --- the form's questions ---------------------------------------------------------------


def form_questions(questions: Sequence[Question]) -> list[Any]:
    """The survey's questions as the form layer sees them (text, and whether 1–7)."""
    from chefintro.roster.survey_form import FormQuestion

    return [FormQuestion(q.text, q.kind == QuestionKind.SCALE) for q in questions]


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


def _respondents(
    db: Session, cohort: Cohort, rows: list[AnswerRow], problems: list[Problem]
) -> list[tuple[AnswerRow, int]]:
    """Each row with its participant's id, by its e-mail; a row of someone not in the
    cohort is a problem."""
    members: dict[str, int] = dict(
        db.execute(
            sa_select(col(Person.email_key), col(Participant.id))
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
        ).all()
    )
    known = set(
        db.exec(
            select(Person.email_key).where(
                col(Person.email_key).in_([email_key(r.email) for r in rows])
            )
        ).all()
    )
    accepted = []
    for row in rows:
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
    return accepted


def _store_answers(
    db: Session,
    survey: Survey,
    by_key: dict[str, Question],
    accepted: list[tuple[AnswerRow, int]],
) -> tuple[int, int, int]:
    """Add new answers, change those that differ (a blank never removes one); return how
    many were added, changed and unchanged.

    The stored answers are read as columns in one query; the new ones are inserted in one
    statement and the changed ones updated in another.
    """
    table = Answer.__table__  # type: ignore[attr-defined]
    stored = {
        (participant_id, question_id): (answer_id, value, text)
        for answer_id, participant_id, question_id, value, text in db.execute(
            sa_select(
                table.c.id, table.c.participant_id, table.c.question_id, table.c.value, table.c.text
            ).where(table.c.survey_id == survey.id)
        ).all()
    }
    survey_id = id_of(survey)
    question_ids = {key: id_of(question) for key, question in by_key.items()}
    added: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    unchanged = 0
    for row, participant_id in accepted:
        for key, value in row.values.items():
            question_id = question_ids[key]
            number = value if isinstance(value, int) else None
            text = value if isinstance(value, str) else None
            existing = stored.get((participant_id, question_id))
            if existing is None:
                added.append(
                    {
                        "survey_id": survey_id,
                        "question_id": question_id,
                        "participant_id": participant_id,
                        "value": number,
                        "text": text,
                    }
                )
            elif existing[1:] != (number, text):
                changed.append({"answer_id": existing[0], "value": number, "text": text})
            else:
                unchanged += 1
    if added:
        db.execute(table.insert(), added)
    if changed:
        # The parameters name the columns set (value, text); answer_id picks the row.
        db.execute(table.update().where(table.c.id == bindparam("answer_id")), changed)
    return len(added), len(changed), unchanged


def import_answers(
    *, db: Session, cohort: Cohort, survey: Survey, path: Path | Sequence[Path]
) -> ImportSummary:
    """Import answers from form workbooks or Forms exports (.xlsx/.csv), all or nothing.

    ``path`` is one file or several (the forms of one participant or agency each).
    Columns are matched to questions by normalised text, people by the e-mail column.
    Values outside 1–7, unknown e-mails, people not in the cohort and a person answering
    twice (in one file or two) are problems with file, sheet, row and column
    (InvalidInputError, exit 65; nothing is stored). A stored answer is updated when the
    file has another value; a blank cell never removes one, so importing the same file
    again changes nothing.
    """
    mark_change(db, kind=Kind.BULK, what="survey answers imported")
    paths = [path] if isinstance(path, Path) else list(path)
    require_not_anonymised(cohort)
    questions = questions_of(db=db, survey=survey)
    by_key = {question_key(q.text): q for q in questions}
    rows, problems, missing, ignored = _read_files(paths, form_questions(questions))
    accepted = _respondents(db, cohort, rows, problems)
    if problems:
        named = paths[0].name if len(paths) == 1 else plural(len(paths), "file")
        raise InvalidInputError(
            f"{named}: {plural(len(problems), 'problem')}; nothing was imported.", problems
        )
    added, changed, unchanged = _store_answers(db, survey, by_key, accepted)
    summary = ImportSummary(
        respondents=len(accepted),
        added=added,
        changed=changed,
        unchanged=unchanged,
        missing_questions=missing,
        ignored_columns=ignored,
    )
    if added or changed:
        audit.log(
            db=db,
            action="survey import",
            detail=f"survey {survey.name} of cohort {cohort.name}: "
            f"{plural(len(accepted), 'respondent')}, {plural(added, 'answer')} added, "
            f"{changed} changed",
        )
    return summary


def _read_files(
    paths: Sequence[Path], questions: list[Any]
) -> tuple[list[AnswerRow], list[Problem], list[str], list[str]]:
    """Read every file's answer rows and problems; with several files each location names
    its file, and a person answering in two files is a problem. Also returns the questions
    no file has a column for and the columns no question matches."""
    from chefintro.roster.survey_form import read_answers

    rows: list[AnswerRow] = []
    problems: list[Problem] = []
    missing: list[str] | None = None
    ignored: list[str] = []
    seen: dict[str, AnswerRow] = {}
    for path in paths:
        data = read_answers(path, questions)

        def where(sheet: str | None, path: Path = path) -> str | None:
            return f"{path.name} › {sheet}" if len(paths) > 1 and sheet else sheet

        problems += [dataclasses.replace(p, sheet=where(p.sheet)) for p in data.problems]
        for row in data.rows:
            row = dataclasses.replace(row, sheet=where(row.sheet) or row.sheet)
            earlier = seen.setdefault(email_key(row.email), row)
            if earlier is not row:
                message = f"{row.email} answered already in {earlier.sheet}, row {earlier.row}"
                problems.append(
                    Problem(
                        f"{message}; keep one answer",
                        sheet=row.sheet,
                        row=row.row,
                        column=row.email_column,
                    )
                )
                continue
            rows.append(row)
        missing = [m for m in data.missing if missing is None or m in missing]
        ignored += [c for c in data.ignored if c not in ignored]
    return rows, problems, missing or [], ignored


# --- a person's answers (privacy) ----------------------------------------------------


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
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
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
