"""The survey report: counts and means per question and survey, the change from start to
end, optionally by agency or role; groups too small to show stay hidden."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy
from sqlmodel import Session, col, func

from chefintro import settings
from chefintro.enums import QuestionKind, SurveyPhase
from chefintro.errors import NotFoundError, UsageError
from chefintro.ids import id_of
from chefintro.models import Agency, Answer, Cohort, Participant, Person, Question, Survey
from chefintro.surveys.catalogue import get_survey, questions_of, surveys_of
from chefintro.text import question_key, swedish_key

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
    if shown and 0 < hidden_total < minimum:
        # One more is enough: a shown group holds at least ``minimum`` answers.
        shown.discard(min(shown, key=lambda g: (counts[g], swedish_key(g or ""))))
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
        .outerjoin(Agency, col(Agency.id) == col(Participant.agency_id))
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
        order = {s.id: i for i, s in enumerate(surveys_of(db=db, cohort=cohort))}
        surveys = sorted({s.id: s for s in chosen}.values(), key=lambda s: order[s.id])
    else:
        surveys = surveys_of(db=db, cohort=cohort)
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
    surveys = surveys_of(db=db, cohort=cohort)
    pair = change_pair(surveys)
    if pair is None:
        return None
    return survey_report(db=db, cohort=cohort, names=[pair[0].name, pair[1].name])
