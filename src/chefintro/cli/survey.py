"""``chefintro survey``: start, mid, end and follow-up surveys of the current cohort."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.words import noun, plural

app = typer.Typer(help="Surveys: add, list, export a form, import answers.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The survey's name, e.g. start-2027.")],
    phase: Annotated[
        str,
        typer.Option(
            "--phase", help="When it is asked: start, mid, end or followup.", metavar="PHASE"
        ),
    ],
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
    Example: chefintro survey add start-2027 --phase start
    """
    from chefintro import surveys

    chosen = surveys.parse_phase(phase)
    specs = surveys.read_questions(questions) if questions is not None else None
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
    Example: chefintro survey import start-2027 "Enkät start(1-25).xlsx"
    """
    from chefintro import surveys

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        survey = surveys.get_survey(db=db, cohort=cohort, name=name)
        result = surveys.import_answers(db=db, cohort=cohort, survey=survey, path=files)
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
