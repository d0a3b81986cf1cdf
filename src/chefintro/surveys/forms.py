"""Survey forms to send: one per participant (the default), one per agency with only that
agency's people, or one with every participant for the coordinator alone.

No form ever holds an answer already imported: a form sent to a group would disclose each
person's answers to the others, and a person's own form, forwarded, would too. Forms come
back through :func:`chefintro.surveys.import_answers`, one file or many at a time.

Reading (:func:`plan_forms`) needs the store; writing (:func:`write_forms`) does not, so the
command writes the workbooks after its transaction has ended and then logs them
(:func:`log_forms`) without naming anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel import Session

from chefintro import audit
from chefintro.cohorts import members_query
from chefintro.enums import ParticipantStatus, Role
from chefintro.errors import OutputError
from chefintro.files import check_destination, file_slug, output_folder, unique_name
from chefintro.models import Cohort, Participant, Survey
from chefintro.surveys.answers import form_questions
from chefintro.surveys.catalogue import questions_of
from chefintro.text import email_key, swedish_key
from chefintro.texts import word
from chefintro.words import plural

#: The longest parts of a form's file name (enkat-SURVEY-NAME.xlsx): short enough for
#: Windows paths and e-mail attachments whatever a name holds.
SURVEY_SLUG_LIMIT = 30
NAME_SLUG_LIMIT = 60


class FormMode(StrEnum):
    """Who a form is for: one participant, one agency's participants, or everyone."""

    PERSON = "person"
    AGENCY = "agency"
    ONE_FILE = "all"


@dataclass(frozen=True)
class FormFile:
    """One form workbook to write: where, and its rows (name, e-mail, agency, role, blanks)."""

    path: Path
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class FormPlan:
    """A survey's forms as read from the store, ready to be written without it."""

    survey: str
    cohort: str
    title: str
    mode: FormMode
    questions: list[Any]
    files: list[FormFile]

    @property
    def people(self) -> int:
        return sum(len(f.rows) for f in self.files)


def plan_forms(
    *, db: Session, cohort: Cohort, survey: Survey, target: Path, mode: FormMode
) -> FormPlan:
    """Read the survey's forms: every participant who has not withdrawn, in forms by
    ``mode``. ``target`` is the folder (person, agency; made when writing) or the file (all).

    Raises OutputError (73) before anything is read when ``target`` cannot be written.
    """
    if mode is FormMode.ONE_FILE:
        check_destination(target)
    elif target.expanduser().exists() and not target.expanduser().is_dir():
        raise OutputError(f"Cannot write to {target}: it is a file, not a folder.")
    questions = questions_of(db=db, survey=survey)
    blanks = (None,) * len(questions)
    people = db.exec(
        members_query(cohort).where(Participant.status != ParticipantStatus.WITHDRAWN)
    ).all()
    people = sorted(
        people,
        key=lambda r: (r[0].role != Role.ADEPT, swedish_key(r[1].name), email_key(r[1].email)),
    )
    # Rows never carry stored answers (see the module's docstring).
    rows: list[tuple[Any, ...]] = [
        (person.name, person.email, agency.code, str(part.role), *blanks)
        for part, person, agency in people
    ]
    prefix = f"enkat-{file_slug(survey.name, SURVEY_SLUG_LIMIT) or 'enkat'}"
    files: list[FormFile] = []
    used: set[str] = set()
    if mode is FormMode.ONE_FILE:
        files.append(FormFile(target, rows))
    elif mode is FormMode.PERSON:
        for row in rows:
            slug = file_slug(row[0], NAME_SLUG_LIMIT) or "deltagare"
            files.append(FormFile(target / unique_name(f"{prefix}-{slug}.xlsx", used), [row]))
    else:
        by_agency: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            by_agency.setdefault(row[2], []).append(row)
        for code in sorted(by_agency, key=swedish_key):
            slug = file_slug(code, NAME_SLUG_LIMIT) or "myndighet"
            name = unique_name(f"{prefix}-{slug}.xlsx", used)
            files.append(FormFile(target / name, by_agency[code]))
    return FormPlan(
        survey=survey.name,
        cohort=cohort.name,
        title=f"{survey.name} ({word('phase', survey.phase, 'sv')}), omgång {cohort.name}",
        mode=mode,
        questions=form_questions(questions),
        files=files,
    )


def write_forms(plan: FormPlan) -> list[Path]:
    """Write the plan's workbooks (0600, atomically; the folder made when missing)."""
    from chefintro.roster.survey_form import write_form

    if plan.mode is not FormMode.ONE_FILE and plan.files:
        output_folder(plan.files[0].path.parent)
    for form in plan.files:
        write_form(
            form.path,
            title=plan.title,
            questions=plan.questions,
            rows=form.rows,
            audience=str(plan.mode),
        )
    return [form.path for form in plan.files]


def log_forms(*, db: Session, plan: FormPlan) -> None:
    """Record the export in the audit log, without naming anyone."""
    if plan.mode is FormMode.ONE_FILE:
        what = f"one form for {plural(plan.people, 'participant')}"
    elif plan.mode is FormMode.PERSON:
        what = f"{plural(len(plan.files), 'form')}, one per participant"
    else:
        what = (
            f"{plural(len(plan.files), 'form')}, one per agency, for "
            f"{plural(plan.people, 'participant')}"
        )
    audit.log(
        db=db,
        action="survey export",
        detail=f"survey {plan.survey} of cohort {plan.cohort}: {what}",
    )


def export_form(*, db: Session, cohort: Cohort, survey: Survey, path: Path) -> int:
    """Write the coordinator's one blank form of every participant and log it, in the
    caller's transaction (the demo); the command instead writes outside one."""
    plan = plan_forms(db=db, cohort=cohort, survey=survey, target=path, mode=FormMode.ONE_FILE)
    write_forms(plan)
    log_forms(db=db, plan=plan)
    return plan.people
