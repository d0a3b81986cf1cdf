"""``chefintro report``: read-only summaries of the current cohort, the year's completion,
surveys and summary included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.surveys import Cell, SurveyReport

app = typer.Typer(help="Read-only summaries of the programme.", no_args_is_help=True)

_STATUS_TEXT = {
    "ok": "ok",
    "at_risk": "at risk",
    "cannot_complete": "cannot complete",
    "not_required": "mentor (not required)",
}


@app.command("attendance")
def attendance(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show each participant's attendance so far against the cohort's minimum.

    Only sessions that have started count as held; a held session with nothing recorded
    counts as not attended. At risk: below the minimum so far. Cannot complete: even
    attending every remaining session would not reach the minimum. Only adepts complete
    the programme; mentors' attendance is shown without a standing.
    """
    from chefintro.attendance import attendance_report

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = attendance_report(db=db, cohort=cohort)
    if as_json:
        output.emit_json(report.to_json())
        return
    output.table(
        [
            *output.WHO_HEADERS,
            "Attended",
            "Excused",
            "Absent",
            "Not recorded",
            "Rate",
            "Status",
        ],
        [
            (
                r.name,
                r.email,
                r.agency,
                r.role,
                f"{r.standing.attended}/{r.standing.held}",
                r.excused,
                r.absent,
                r.unrecorded or None,
                r.standing.rate,
                _STATUS_TEXT[r.standing.status],
            )
            for r in report.rows
        ],
        title=f"Attendance, cohort {report.cohort}",
        caption=(
            f"{report.sessions_held} of {report.sessions_total} sessions held; completing "
            f"needs {report.required} ({report.min_attendance:.0%}), excused "
            f"{'counts' if report.excused_counts else 'does not count'} as attended."
        ),
    )
    at_risk = sum(1 for r in report.rows if r.standing.status == "at_risk")
    cannot = sum(1 for r in report.rows if r.standing.status == "cannot_complete")
    if at_risk or cannot:
        output.warning(f"{plural(at_risk, 'adept')} at risk, {cannot} cannot complete.")


@app.command("overview")
def overview(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the cohort per agency: adepts, mentors, who is placed, mentor places used.

    Placed: the adept has a proposed or active pair. Withdrawn participants are not
    counted. Also counts the sessions held and planned, and the peer groups.

    Example: chefintro --cohort 2026 report overview --json
    """
    from chefintro import reports

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = reports.overview(db=db, cohort=cohort)
    if as_json:
        output.emit_json(result.to_json())
        return
    totals = result.totals
    output.table(
        ["Agency", "Adepts", "Mentors", "Placed", "Unmatched", "Mentor places", "Places used"],
        [
            (
                r.agency or "Total",
                r.adepts,
                r.mentors,
                r.placed,
                r.unmatched,
                r.mentor_places,
                r.mentor_places_used,
            )
            for r in [*result.agencies, totals]
        ],
        title=f"Overview, cohort {result.cohort}",
        caption=(
            f"Sessions: {result.sessions_held} held, {result.sessions_planned} planned. "
            f"Peer groups: {result.groups}."
        ),
    )
    if not result.agencies:
        output.info(
            f"Cohort {result.cohort} has no participants yet; add them with "
            "'chefintro participant add EMAIL --role adept|mentor'."
        )
    elif totals.unmatched:
        output.warning(
            f"{plural(totals.unmatched, 'adept')} without a mentor; see 'chefintro pair unmatched'."
        )


@app.command("agencies")
def agencies(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who mentors whom across agencies, and what each agency gives and takes.

    Rows are the adept's agency, columns the mentor's; a cell counts the live (proposed or
    active) pairs. Gives: an agency's mentors paired with other agencies' adepts. Takes:
    its adepts paired with other agencies' mentors. Balance: gives minus takes.
    """
    from chefintro import reports

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = reports.agency_matrix(db=db, cohort=cohort)
    if as_json:
        output.emit_json(result.to_json())
        return
    if not result.agencies:
        output.info(f"Cohort {result.cohort} has no participants yet.")
        return
    codes = result.agencies
    output.table(
        ["Adept ↓ / mentor →", *codes, "Total"],
        [
            (
                adept,
                *("–" if adept == mentor else result.matrix[adept][mentor] for mentor in codes),
                sum(result.matrix[adept].values()),
            )
            for adept in codes
        ],
        title=f"Pairs by agency, cohort {result.cohort}",
        caption="Rows: the adept's agency. Columns: the mentor's agency. Live pairs.",
    )
    output.table(
        ["Agency", "Gives", "Takes", "Balance"],
        [
            (b.agency, b.gives, b.takes, f"{b.balance:+d}" if b.balance else "0")
            for b in result.balance
        ],
        title=f"Give and take, cohort {result.cohort}",
    )


@app.command("history")
def history(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show year over year per agency: adepts, mentors and pairs in every cohort.

    Counts every cohort, oldest first, anonymised ones too; --cohort does not apply.
    Adepts and mentors who withdrew are not counted; pairs are active or ended ones and
    count for both agencies of the pair, while each cohort's total counts a pair once.
    """
    from chefintro import reports

    with state(ctx).transaction() as db:
        result = reports.history(db=db)
    if as_json:
        output.emit_json(result.to_json())
        return
    names = result.cohorts

    def cell(adepts: int, mentors: int, pairs: int) -> str:
        return f"{adepts} / {mentors} / {pairs}"

    rows = [
        (
            a.agency,
            *(cell(f.adepts, f.mentors, f.pairs) for f in (a.per_cohort[n] for n in names)),
            a.total_adepts,
            a.total_mentors,
            a.total_pairs,
        )
        for a in result.agencies
    ]
    totals = [result.totals[n] for n in names]
    rows.append(
        (
            "Total",
            *(cell(f.adepts, f.mentors, f.pairs) for f in totals),
            sum(f.adepts for f in totals),
            sum(f.mentors for f in totals),
            sum(f.pairs for f in totals),
        )
    )
    span = f"cohort {names[0]}" if len(names) == 1 else f"cohorts {names[0]} – {names[-1]}"
    output.table(
        ["Agency", *names, "Adepts", "Mentors", "Pairs"],
        rows,
        title=f"Year over year, {span}",
        caption=(
            "Each cohort: adepts / mentors / pairs. A pair counts for both its agencies; "
            "the total row counts it once."
        ),
    )


_PAIR_STATUS_TEXT = {"no_first_meeting": "no first meeting", "quiet": "quiet", "ok": "ok"}


@app.command("pairs")
def pairs(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Show the state on this day, YYYY-MM-DD (default: today).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show each active pair: since when, meetings, the last one, and whether to follow up.

    No first meeting: none within followup.first_meeting_weeks (default 6) of the pair's
    start. Quiet: no meeting for followup.quiet_weeks (default 8). Those come first.

    Example: chefintro report pairs --as-of 2027-04-30
    """
    from chefintro import followup
    from chefintro.cli.common import parse_date

    day = parse_date(as_of) if as_of is not None else None
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = followup.pair_statuses(db=db, cohort=cohort, as_of=day)
    if as_json:
        output.emit_json(report.to_json())
        return
    if not report.rows:
        output.info(f"Cohort {report.cohort} has no active pairs on {report.as_of}.")
        return
    output.table(
        ["Adept", "Mentor", "Since", "Meetings", "Minutes", "Last meeting", "Agreed", "Status"],
        [
            (
                f"{r.adept_name} ({r.adept_agency})",
                f"{r.mentor_name} ({r.mentor_agency})",
                r.since,
                r.meetings,
                r.minutes or None,
                r.last_meeting,
                None
                if r.agreed is None
                else ("yes" if r.agreed else "no") + (f", {r.agreed_on}" if r.agreed_on else ""),
                _PAIR_STATUS_TEXT[r.status]
                + (f", {r.days_waiting // 7} weeks" if r.status != "ok" else ""),
            )
            for r in report.rows
        ],
        title=f"Pairs, cohort {report.cohort}, as of {report.as_of}",
        caption=(
            f"No first meeting: none within {report.first_meeting_weeks} weeks of the start. "
            f"Quiet: no meeting for {report.quiet_weeks} weeks."
        ),
    )
    first = report.count("no_first_meeting")
    quiet = report.count("quiet")
    if first or quiet:
        output.warning(
            f"{plural(first, 'pair')} without a first meeting, {quiet} quiet; follow them up."
        )


# --- the year's end: completion, surveys, the summary -----------------------------------

_COMPLETION_TEXT = {
    "completed": "completed",
    "not_completed": "not completed",
    "in_progress": "in progress",
    "withdrawn": "withdrawn",
    "mentor": "mentor (not judged)",
}


@app.command("completion")
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
                _COMPLETION_TEXT[r.status],
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


@app.command("survey")
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


@app.command("summary")
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
