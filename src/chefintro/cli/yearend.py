"""The year's end on the command line: ``report completion``, ``report survey``,
``report summary`` (mounted on the report group) and ``certificate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.surveys import Cell, SurveyReport

_STATUS_TEXT = {
    "completed": "completed",
    "not_completed": "not completed",
    "in_progress": "in progress",
    "withdrawn": "withdrawn",
    "mentor": "mentor (not judged)",
}


def completion(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show which adepts completed the programme by the cohort's attendance rule.

    Completed: attended at least the cohort's minimum share of programme days (excused
    counts when the cohort says so). Not completed: all days are held, or the rest cannot
    make up for it; in progress: days remain. Withdrawn adepts are marked; mentors are
    listed as mentors and not judged.
    Example: chefintro report completion --json
    """
    from chefintro import yearend

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = yearend.completion_report(db=db, cohort=cohort)
    if as_json:
        output.emit_json(report.to_json())
        return
    output.table(
        [*output.WHO_HEADERS, "Attended", "Status"],
        [
            (
                r.name,
                r.email,
                r.agency,
                r.role,
                f"{r.attended}/{r.held}" if r.attended is not None else None,
                _STATUS_TEXT[r.status],
            )
            for r in [*report.adepts, *report.mentors]
        ],
        title=f"Completion, cohort {report.cohort}",
        caption=(
            f"{report.sessions_held} of {report.sessions_total} programme days held; "
            f"completing needs {report.required} ({report.min_attendance:.0%})."
        ),
    )
    output.info(
        f"{report.count('completed')} of {plural(report.judged, 'adept')} completed; "
        f"{report.count('not_completed')} did not, {report.count('in_progress')} in progress, "
        f"{report.count('withdrawn')} withdrew."
    )


def _cell(cell: Cell | None, hidden: str, *, signed: bool = False) -> str:
    if cell is None:
        return ""
    if cell.hidden:
        return hidden
    if cell.mean is None:
        return "–"
    return f"{cell.mean:+.1f} (n={cell.count})" if signed else f"{cell.mean:.1f} (n={cell.count})"


def _show_survey(report: SurveyReport) -> None:
    hidden = report.hidden_text
    names = [s.name for s in report.surveys]
    change = f"Change {report.change_from} → {report.change_to}" if report.change_from else None
    rows = []
    for question in report.questions:
        if question.kind != "scale":
            continue
        for number, group in enumerate(question.groups):
            row = [question.text if number == 0 else ""]
            if report.by:
                row.append(group.group or "–")
            row += [_cell(group.cells.get(n), hidden) for n in names]
            if change:
                row.append(_cell(group.change, hidden, signed=True))
            rows.append(row)
    headers = ["Question", *([report.by.capitalize()] if report.by else []), *names]
    if change:
        headers.append(change)
    output.table(
        headers,
        rows,
        title=f"Surveys, cohort {report.cohort}",
        caption=(
            "Mean on the 1–7 scale and number of answers; the change counts people who "
            f"answered both. Groups with fewer than {report.min_group} answers are hidden."
        ),
    )
    for question in report.questions:
        if question.kind != "text":
            continue
        output.plain("")
        output.plain(question.text)
        for group in question.groups:
            for name, texts in group.texts.items():
                where = f"{name}, {group.group}" if report.by else name
                if texts is None:
                    output.plain(f"  [{where}] {hidden}")
                    continue
                for text in texts:
                    output.plain(f"  [{where}] {text}")


def survey(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Surveys to report (default: all of the cohort's).", metavar="NAME..."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Split by agency or role.", metavar="agency|role"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show each question's answers per survey: number and mean, and the change start → end.

    The change is measured for people who answered both the start and the end survey (or
    the first and last named). Groups with fewer answers than the survey.min_group setting
    (default 5) are hidden ("färre än 5 svar"; in JSON a null with "hidden": true), and so
    is the next smallest group where the hidden ones could otherwise be worked out. Free
    text is listed without names, and only for groups that are shown.
    Example: chefintro report survey start-2027 end-2027 --by agency
    """
    from chefintro import surveys

    choice = by.strip().casefold() if by else None
    if choice in ("myndighet",):
        choice = "agency"
    if choice in ("roll",):
        choice = "role"
    if choice not in (None, "agency", "role"):
        raise typer.BadParameter(f"{by!r} is not agency or role.", param_hint="--by")
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = surveys.survey_report(db=db, cohort=cohort, names=names or [], by=choice)
    if as_json:
        output.emit_json(report.to_json())
        return
    _show_survey(report)


def summary(
    ctx: typer.Context,
    form: Annotated[
        str,
        typer.Option("--format", help="text (default) or md (Markdown).", metavar="text|md"),
    ] = "text",
) -> None:
    """Write a Swedish paragraph and a small table about the year, for a status report.

    Adepts, mentors and agencies, pairs, withdrawals, attendance, completion, and the
    surveys' changes from start to end (hidden where fewer than survey.min_group answered).
    Example: chefintro report summary --format md > arsrapport.md
    """
    from chefintro import yearend

    chosen = form.strip().casefold()
    if chosen not in ("text", "md", "markdown"):
        raise typer.BadParameter(f"{form!r} is not text or md.", param_hint="--format")
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = yearend.summary(db=db, cohort=cohort)
    output.plain(yearend.render_summary(result, markdown=chosen != "text").rstrip("\n"))


def certificate(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the PDF files (default: here).", metavar="DIR"),
    ] = Path("."),
    adept: Annotated[
        str | None,
        typer.Option("--adept", help="Only this adept (e-mail or unique name).", metavar="ADEPT"),
    ] = None,
) -> None:
    """Write an A4 certificate (PDF) for each adept who completed the programme.

    It names the programme (setting programme.name), the cohort, the adept and their
    agency, the programme days they attended, and has a signature line with the
    coordinator's name (setting programme.coordinator). Logged in 'db log' by count.
    Example: chefintro certificate --out intyg/
    """
    from chefintro.certificates.issue import (
        log_certificates,
        plan_certificates,
        render_certificates,
    )

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        plan = plan_certificates(db=db, cohort=cohort, out_dir=out, adept=adept)
    run = render_certificates(plan)  # minutes for a large cohort: no transaction held
    with st.transaction() as db:
        log_certificates(db=db, run=run)
    for path in run.files:
        output.plain(str(path))
    if run.files:
        output.success(
            f"Wrote {plural(len(run.files), 'certificate')} for cohort {run.cohort} in {out}."
        )
    else:
        output.info(f"No adept of cohort {run.cohort} has completed yet; no certificate written.")
    if run.coordinator_missing and run.files:
        output.warning(
            "No coordinator's name under the signature line; set it with "
            "'chefintro settings set programme.coordinator \"Förnamn Efternamn\"'."
        )
