"""``chefintro network``: the network beyond the year (who's who, alumni), and the
``report ideas`` and ``report pipeline`` commands (mounted on ``report``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.words import plural

app = typer.Typer(
    help="The network beyond the year: its who's who and alumni.", no_args_is_help=True
)


@app.command("directory")
def directory(
    ctx: typer.Context,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Write the directory as a Swedish workbook (.xlsx)."),
    ] = None,
    vcf: Annotated[
        Path | None, typer.Option("--vcf", help="Write the directory as vCard 4.0 contacts (.vcf).")
    ] = None,
    alumni: Annotated[
        bool,
        typer.Option("--alumni", help="Everyone across all cohorts, with their years and roles."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show or write the cohort's who's who: name, agency, unit, title, e-mail, group, mentor.

    Only people who consented to be listed ('participant consent', the roster's Samtycke
    column) are in it; an adept's mentor is named only when the mentor consented too.
    Files are written privately (readable by you only).

    Example: chefintro network directory --xlsx katalog.xlsx --vcf katalog.vcf
    """
    from chefintro import clock, settings
    from chefintro.network.directory import alumni_directory, cohort_directory

    st = state(ctx)
    with st.transaction() as db:
        programme = settings.get_setting_text(db=db, key=settings.PROGRAMME_NAME)
        if alumni:
            found = alumni_directory(db=db)
        else:
            found = cohort_directory(db=db, cohort=st.current_cohort(db))
    what = "alumni" if alumni else f"cohort {found.cohort}"
    left_out = (
        f"; {plural(found.unlisted, 'person')} without consent to be listed left out"
        if found.unlisted
        else ""
    )
    if xlsx is not None:
        from chefintro.network.workbook import write_directory

        write_directory(xlsx, found, programme=programme, now=clock.now_local())
        output.success(f"Wrote the directory of {what} ({len(found.entries)} listed) to {xlsx}.")
    if vcf is not None:
        from chefintro.files import write_bytes
        from chefintro.network.vcard import vcards

        write_bytes(vcf, vcards(found, programme=programme))
        output.success(f"Wrote {plural(len(found.entries), 'contact')} of {what} to {vcf}.")
    if xlsx is not None or vcf is not None:
        from chefintro.network.directory import log_directory_export

        formats = [name for name, path in (("workbook", xlsx), ("vCard", vcf)) if path]
        with st.transaction() as db:
            log_directory_export(db=db, directory=found, formats=formats)
    if as_json:
        output.emit_json(found.to_json())
    elif xlsx is None and vcf is None:
        output.table(
            ["Name", "E-mail", "Agency", "Unit", "Title", "Years and roles" if alumni else "Role"]
            + ([] if alumni else ["Group", "Mentor"]),
            [
                [e.name, e.email, e.agency, e.unit, e.title, e.years if alumni else e.roles[0][1]]
                + ([] if alumni else [e.group, e.mentor])
                for e in found.entries
            ],
            title=f"Directory, {what}",
        )
    if found.unlisted:
        output.info(f"Directory of {what}: {len(found.entries)} listed{left_out}.")


def ideas(
    ctx: typer.Context,
    every: Annotated[
        bool, typer.Option("--all", help="Every cohort, not only the current one.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the ideas participants take home, per receiving agency, without names.

    From the end survey's question 'En idé jag tar med mig hem…', of participants who
    consented to be listed; an agency with fewer ideas than survey.min_group is hidden.
    Visits to the other agency ('pair meet --kind visit') are counted beside them.

    Example: chefintro report ideas --all
    """
    from sqlmodel import col, select

    from chefintro.models import Cohort
    from chefintro.network.ideas import ideas_report

    st = state(ctx)
    with st.transaction() as db:
        if every:
            chosen = list(db.exec(select(Cohort).order_by(col(Cohort.starts_on))).all())
        else:
            chosen = [st.current_cohort(db)]
        report = ideas_report(db=db, cohorts=chosen)
    if as_json:
        output.emit_json(report.to_json())
        return
    hidden = f"färre än {report.min_group} idéer"
    output.table(
        ["Myndighet", "Studiebesök", "Idéer att ta hem"],
        [
            (a.agency, a.visits, hidden if a.hidden else "\n".join(f"• {i}" for i in a.ideas))
            for a in report.agencies
        ],
        title=f"Idéer per myndighet, omgång {', '.join(report.cohorts)}",
    )


def pipeline(
    ctx: typer.Context,
    next_start: Annotated[
        str | None,
        typer.Option(
            "--next-start",
            help="The next cohort's first day (default: the next cohort's, else a year on).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show former adepts who can mentor next year, former mentors, and the follow-ups.

    Eligible: months as a manager at the next start reach eligibility.mentor_months (the
    rule 'participant add' uses). Follow-up surveys are due 12 and 24 months after a
    cohort ends (a follow-up survey whose name holds 12 or 24). Only people who consented
    to be listed are named.

    Example: chefintro report pipeline --next-start 2028-01-25
    """
    from chefintro import clock
    from chefintro.cli.common import parse_date
    from chefintro.network.pipeline import pipeline as build

    start = parse_date(next_start) if next_start is not None else None
    st = state(ctx)
    with st.transaction() as db:
        result = build(db=db, cohort=st.current_cohort(db), start=start, today=clock.today())
    if as_json:
        output.emit_json(result.to_json())
        return
    headers = ["Name", "E-mail", "Agency", "Years and roles", "Months as manager"]
    output.table(
        headers,
        [(m.name, m.email, m.agency, m.years, m.months) for m in result.eligible],
        title=f"Former adepts eligible as mentors on {result.next_start} "
        f"(≥ {result.mentor_months} months)",
    )
    output.table(
        headers,
        [(m.name, m.email, m.agency, m.years, m.months) for m in result.mentors],
        title="Former mentors still active",
    )
    output.table(
        ["Cohort", "Months", "Due", "Status", "Survey", "Answers", "Still managers"],
        [
            (
                f.cohort,
                f.months,
                f.due_on.isoformat(),
                f.status(result.today),
                f.survey,
                f.respondents,
                "hidden" if f.still_managers is None and f.respondents else f.still_managers,
            )
            for f in result.follow_ups
        ],
        title="Follow-up surveys",
    )


def register_reports(report_app: typer.Typer) -> None:
    """Mount ``report ideas`` and ``report pipeline`` on the report sub-app."""
    report_app.command("ideas")(ideas)
    report_app.command("pipeline")(pipeline)
