"""``chefintro survey``: start, mid, end and follow-up surveys of the current cohort."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.followup.checkin import CheckinSummary

app = typer.Typer(help="Surveys: add, list, export a form, import answers.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The survey's name, e.g. start-2027.")],
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase", help="When it is asked: start, mid, end or followup.", metavar="PHASE"
        ),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="survey (statements and free text), or checkin: a form where pairs report "
            "their last meeting themselves (imported as meetings).",
            metavar="KIND",
        ),
    ] = "survey",
    questions: Annotated[
        Path | None,
        typer.Option(
            "--questions",
            help="A TOML file of [[question]] tables (text, kind = scale|text); "
            "default: the built-in Swedish questions for new managers.",
            metavar="FILE.toml",
        ),
    ] = None,
) -> None:
    """Add a survey to the current cohort.

    Without --questions the survey gets the built-in questions: six 1–7 statements
    (confidence in the role, how the state works, a network outside one's agency …) and
    two free-text questions, the same in every phase so start and end compare.

    --kind checkin makes a check-in form instead: the date of the pair's last meeting, its
    length, "we have agreed how we work together" (ja/nej) and a free text kept for the
    pair's own report. 'survey import' reads its Forms export into the pairs' meetings.

    Example: chefintro survey add start-2027 --phase start
    Example: chefintro survey add incheckning-mars --kind checkin
    """
    from chefintro import surveys
    from chefintro.enums import SurveyPhase
    from chefintro.errors import UsageError
    from chefintro.surveys.questions import CHECKIN_KIND, CHECKIN_QUESTIONS, parse_survey_kind

    checkin = parse_survey_kind(kind) == CHECKIN_KIND
    if checkin and (phase is not None or questions is not None):
        raise UsageError("A check-in has its own questions and no phase; leave out --phase.")
    if not checkin and phase is None:
        raise UsageError("Give the survey's --phase: start, mid, end or followup.")
    chosen = SurveyPhase.CHECKIN if checkin else surveys.parse_phase(phase or "")
    specs = list(CHECKIN_QUESTIONS) if checkin else None
    if questions is not None:
        specs = surveys.read_questions(questions)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        survey = surveys.add_survey(db=db, cohort=cohort, name=name, phase=chosen, questions=specs)
        count = len(surveys.questions_of(db=db, survey=survey))
        survey_name = survey.name
    output.success(
        f"Added survey {survey_name} ({chosen}) with {plural(count, 'question')} to cohort "
        f"{cohort.name}."
    )
    output.info(f"Next: chefintro survey export {survey_name} enkater-{survey_name}/")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the current cohort's surveys with their questions and respondents."""
    from chefintro import surveys

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        found = surveys.list_surveys(db=db, cohort=cohort)
    if as_json:
        output.emit_json([s.to_json() for s in found])
        return
    if not found:
        output.info(f"Cohort {cohort.name} has no surveys; add one with 'survey add'.")
        return
    output.table(
        ["Survey", "Phase", "Questions", "1–7", "Respondents", "Added"],
        [
            (s.name, s.phase, s.questions, s.scale_questions, s.respondents, s.created_at)
            for s in found
        ],
        title=f"Surveys, cohort {cohort.name}",
    )


@app.command("export")
def export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The survey.")],
    target: Annotated[
        Path,
        typer.Argument(
            help="Folder for the forms (created if missing); with --one-file, the workbook.",
            metavar="DIR",
        ),
    ],
    per_agency: Annotated[
        bool,
        typer.Option("--per-agency", help="One form per agency, with only its participants."),
    ] = False,
    one_file: Annotated[
        bool,
        typer.Option(
            "--one-file",
            help="One workbook with every participant, for you alone (to type in answers "
            "given elsewhere); the default when the target ends in .xlsx.",
        ),
    ] = False,
) -> None:
    """Write the survey's forms: one workbook per participant, to send to each.

    Each form has the person's row (name, e-mail, agency, role) and one column per
    question: statements get a 1–7 drop-down, free-text questions a wide column. No form
    holds answers imported before, so a form forwarded discloses nothing. File names come
    from the names (enkat-start-2027-asa-oberg.xlsx). Written readable by you only;
    logged in 'db log'.
    Example: chefintro survey export start-2027 enkater/
    Example: chefintro survey export start-2027 enkater/ --per-agency
    """
    from chefintro import surveys
    from chefintro.errors import UsageError

    if per_agency and one_file:
        raise UsageError("Give --per-agency or --one-file, not both.")
    mode = surveys.FormMode.AGENCY if per_agency else surveys.FormMode.PERSON
    if one_file or (not per_agency and target.suffix.casefold() == ".xlsx"):
        mode = surveys.FormMode.ONE_FILE
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        survey = surveys.get_survey(db=db, cohort=cohort, name=name)
        plan = surveys.plan_forms(db=db, cohort=cohort, survey=survey, target=target, mode=mode)
    written = surveys.write_forms(plan)  # no transaction is held while the workbooks are made
    with st.transaction() as db:
        surveys.log_forms(db=db, plan=plan)
    if mode is surveys.FormMode.ONE_FILE:
        output.success(
            f"Wrote {target}: one form of {plan.survey} for {plural(plan.people, 'participant')}."
        )
        output.info(
            "It lists every participant: keep it to yourself. To send forms, write one per "
            f"participant: chefintro survey export {plan.survey} DIR"
        )
        return
    for path in written:
        output.info(str(path))
    each = "participant" if mode is surveys.FormMode.PERSON else "agency"
    output.success(
        f"Wrote {plural(len(written), 'form')} of {plan.survey} to {target}, one per {each}, "
        f"for {plural(plan.people, 'participant')}."
    )
    output.info(
        "Send each file to its recipient only; import the returned files with: "
        f"chefintro survey import {plan.survey} FILE…"
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The survey.")],
    files: Annotated[
        list[Path],
        typer.Argument(
            help="The filled-in forms, or a Microsoft Forms export (.xlsx or .csv).",
            metavar="FILE...",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Import answers from the survey's forms or a Microsoft Forms export.

    Give every returned form at once (svar/*.xlsx): they are imported together.

    Columns are matched to questions by their text, in any order; Forms' own columns (ID,
    Starttid, Tid för slutförande, Namn …) are ignored; people are found by the e-mail
    column. All or nothing: out-of-scale values, unknown e-mails and double answers are
    reported with file, sheet, row and column (exit 65), and then nothing is imported.
    Importing a file again changes nothing.

    A check-in form's answers (survey add --kind checkin) become meetings, by the same
    rules as 'pair meet': the pair live on that date, no future dates; all or nothing.
    A check-in is imported from one Forms export at a time.

    Example: chefintro survey import start-2027 "Enkät start(1-25).xlsx"
    """
    from chefintro import surveys
    from chefintro.enums import SurveyPhase
    from chefintro.followup.checkin import import_checkins

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        survey = surveys.get_survey(db=db, cohort=cohort, name=name)
        if survey.phase == SurveyPhase.CHECKIN:
            if len(files) != 1:
                from chefintro.errors import UsageError

                raise UsageError(
                    "A check-in survey is imported from one Forms export at a time; give one file."
                )
            checkins = import_checkins(db=db, cohort=cohort, survey=survey, path=files[0])
        else:
            result = surveys.import_answers(db=db, cohort=cohort, survey=survey, path=files)
    if survey.phase == SurveyPhase.CHECKIN:  # said once the transaction has committed
        _checkins_imported(checkins, survey.name, as_json)
        return
    if as_json:
        output.emit_json(result.to_json())
    if result.ignored_columns:
        output.warning(
            "Columns that are no question of the survey were ignored: "
            + "; ".join(repr(c) for c in result.ignored_columns)
        )
    if result.missing_questions:
        output.warning(
            "The file has no column for: " + "; ".join(repr(q) for q in result.missing_questions)
        )
    if result.added or result.changed:
        output.success(
            f"Imported {survey.name}: {plural(result.respondents, 'respondent')}, "
            f"{plural(result.added, 'answer')} added, {result.changed} changed, "
            f"{result.unchanged} unchanged."
        )
    elif not result.respondents:
        output.info("Nothing changed: the file holds no answers (every form row is blank).")
    else:
        output.info(
            f"Nothing changed: the {plural(result.unchanged, 'answer')} of "
            f"{plural(result.respondents, 'respondent')} {noun(result.unchanged, 'was', 'were')} "
            "imported already."
        )


def _checkins_imported(result: CheckinSummary, name: str, as_json: bool) -> None:
    if as_json:
        output.emit_json(result.to_json())
    for line in result.warnings:
        output.warning(line)
    for line in result.changes:
        output.info(line)
    changed = result.meetings_added + result.meetings_changed + result.agreements_changed
    message = (
        f"Imported {plural(result.rows, 'check-in')} of {name}: "
        f"{plural(result.meetings_added, 'meeting')} added, {result.meetings_changed} changed; "
        f"{plural(result.agreements_changed, 'agreement')} changed; "
        f"{plural(result.notes, 'note')} kept for the pairs' own reports."
    )
    if changed or result.notes:
        output.success(message)
    else:
        output.info(
            f"Nothing changed: the {plural(result.rows, 'check-in')} were imported already."
        )
