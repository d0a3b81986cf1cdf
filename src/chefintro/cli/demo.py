"""``chefintro demo``: show the whole yearly cycle on a sample agency network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import resume_gc
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.demo import DemoRun
    from chefintro.followup.status import PairsReport
    from chefintro.groups import GroupInfo
    from chefintro.pairing.suggest import PairInfo
    from chefintro.registry import AgencyInfo
    from chefintro.yearend_demo import YearEnd


def demo(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Folder for the demo's store and files (default: a new temp dir).", metavar="DIR"
        ),
    ] = None,
) -> None:
    """Run a sample programme year: import, match, calendar, groups, workbooks, ICS,
    meetings, then the year's end: attendance, start and end surveys, certificates, a summary.

    The demo uses its own throw-away store in DIR and never touches your real store.

    Example: chefintro demo demo-out
    """
    import tempfile

    from chefintro import cohorts, followup, groups, pairing, registry
    from chefintro.demo import demo_steps, run_demo
    from chefintro.store import open_store

    resume_gc()  # the demo's run opens its own store, not AppState's (see cli.app.main)
    target = directory or Path(tempfile.mkdtemp(prefix="chefintro-demo-"))
    with output.steps(demo_steps()) as advance:
        run = run_demo(target, progress=advance)
    store = open_store(str(run.store_path))
    try:
        with store.transaction() as db:
            cohort = cohorts.current_cohort(db=db)
            agencies = registry.list_agencies(db=db)
            pairs = pairing.list_pairs(db=db, cohort=cohort)
            formed = groups.list_groups(db=db, cohort=cohort)
            people = cohorts.list_participants(db=db, cohort=cohort)
            report = followup.pair_statuses(db=db, cohort=cohort, as_of=run.as_of)
    finally:
        store.dispose()
    _show_pairs_and_groups(agencies, cohort.name, pairs, formed)
    _show_follow_up(run, report)
    short = [p for p in people if p.warning]
    for p in short:
        output.warning(p.warning or "")
    if run.year_end is not None:
        _show_year_end(run.year_end, target)
    output.success(
        f"Demo finished: {plural(len(pairs), 'pair')}, {plural(len(formed), 'peer group')}."
    )
    output.info(f"The demo's store and files are in {target}.")
    for command in next_commands(run, pairs[0].adept if pairs else None):
        output.info(f"Try: {command}")


def next_commands(run: DemoRun, adept: str | None) -> list[str]:
    """The commands the demo suggests next, each on the demo's store and as of its days
    (its year lies ahead of today, so without --as-of they would judge a year not held)."""
    base = f"chefintro --db {run.store_path}"
    commands = [f"{base} pair explain {adept}"] if adept else []
    commands.append(f"{base} report pairs --as-of {run.as_of}")
    if run.year_end is not None:
        day = run.year_end.as_of
        commands += [
            f"{base} report attendance --as-of {day}",
            f"{base} report completion --as-of {day}",
            f"{base} report summary --as-of {day}",
            f"{base} certificate --out {run.directory / 'intyg'} --as-of {day}",
        ]
    return commands


def _show_pairs_and_groups(
    agencies: list[AgencyInfo], cohort_name: str, pairs: list[PairInfo], formed: list[GroupInfo]
) -> None:
    """Show what the year's set-up made: the network, the pairs and why, the peer groups."""
    output.table(
        ["Code", "Agency", "People"],
        [(a.code, a.name, a.people) for a in agencies],
        title="The sample network",
    )
    output.table(
        ["Adept", "Agency", "Mentor", "Agency", "Score", "Why this mentor"],
        [
            (p.adept_name, p.adept_agency, p.mentor_name, p.mentor_agency, p.score, p.top_reasons())
            for p in pairs
        ],
        title=f"Cohort {cohort_name}: adepts and their mentors from other agencies",
    )
    output.table(
        ["Group", "Members", "Agencies"],
        [
            (
                g.name,
                len(g.members),
                ", ".join(f"{k} {v}" for k, v in g.to_json()["agencies"].items()),
            )
            for g in formed
        ],
        title="Cross-agency peer groups",
    )


def _show_follow_up(run: DemoRun, report: PairsReport) -> None:
    """Show how the pairs are doing as of the demo's day, then each set-up step's result."""
    status_text = {"no_first_meeting": "no first meeting", "quiet": "quiet", "ok": "ok"}
    output.table(
        ["Adept", "Mentor", "Meetings", "Last meeting", "Status"],
        [
            (r.adept_name, r.mentor_name, r.meetings, r.last_meeting, status_text[r.status])
            for r in report.rows
        ],
        title=f"Following the pairs: {run.meetings} meetings logged, as of {run.as_of}",
        caption=(
            f"Attention first: no first meeting within {report.first_meeting_weeks} weeks, or "
            f"none for {report.quiet_weeks} weeks. Try: chefintro --db {run.store_path} "
            f"report pairs --as-of {run.as_of}"
        ),
    )
    output.table(
        ["Step", "Result"],
        [(s.step, s.detail) for s in run.steps],
        title="What the year's set-up did",
    )


def _show_year_end(end: YearEnd, target: Path) -> None:
    """Show the year's end: the summary, the surveys' files and where the certificates are."""
    output.plain("")
    output.plain(end.summary.rstrip("\n"))
    output.info(
        f"Surveys {' and '.join(end.surveys)} answered through Forms-shaped files "
        f"({', '.join(p.name for p in end.forms)}); the end survey's form is "
        f"{end.form_workbook.name}; {plural(len(end.certificates), 'certificate')} in "
        f"{end.certificates[0].parent if end.certificates else target}."
    )
