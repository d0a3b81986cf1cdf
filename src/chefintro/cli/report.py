"""``chefintro report``: read-only summaries of the current cohort."""

from __future__ import annotations

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state

app = typer.Typer(help="Read-only summaries of the programme.", no_args_is_help=True)

_STATUS_TEXT = {"ok": "ok", "at_risk": "at risk", "cannot_complete": "cannot complete"}


@app.command("attendance")
def attendance(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show each participant's attendance so far against the cohort's minimum.

    Only sessions that have started count as held; a held session with nothing recorded
    counts as not attended. At risk: below the minimum so far. Cannot complete: even
    attending every remaining session would not reach the minimum.
    """
    from chefintro import calendar

    st = state(ctx)
    with st.session() as session:
        cohort = st.current_cohort(session)
        report = calendar.attendance_report(session=session, cohort=cohort)
    if as_json:
        output.emit_json(report.to_json())
        return
    output.table(
        [
            "Name",
            "E-mail",
            "Agency",
            "Role",
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
        output.warning(f"{at_risk} participant(s) at risk, {cannot} cannot complete.")
