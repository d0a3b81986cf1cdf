"""``chefintro demo``: show the whole yearly cycle on a sample agency network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import resume_gc
from chefintro.words import plural

if TYPE_CHECKING:
    from sqlmodel import Session

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
    years: Annotated[
        int,
        typer.Option(
            "--years",
            min=1,
            max=2,
            help="1: the year 2027. 2: 2027 closes, 2028 follows from its plan, and "
            "2027 answers the 12-month follow-up (the network beyond the year).",
        ),
    ] = 1,
) -> None:
    """Run a sample programme year: import, match, calendar, groups, workbooks, ICS,
    meetings, consent to be listed and visits, then the year's end: attendance, start and
    end surveys (with ideas taken home), certificates, a summary.

    With --years 2 the first cohort closes and a second year follows, so that the
    network's directory, alumni, ideas per agency and pipeline have two years to show.
    The demo uses its own throw-away store in DIR and never touches your real store.

    Example: chefintro demo demo-out
    Example: chefintro demo --years 2 demo-tva-ar
    """
    import tempfile

    from chefintro import cohorts, followup, groups, pairing, registry
    from chefintro.demo import demo_steps, run_demo
    from chefintro.store import open_store

    resume_gc()  # the demo's run opens its own store, not AppState's (see cli.app.main)
    target = directory or Path(tempfile.mkdtemp(prefix="chefintro-demo-"))
    with output.steps(demo_steps(years)) as advance:
        run = run_demo(target, progress=advance, years=years)
    store = open_store(str(run.store_path))
    try:
        with store.transaction() as db:
            cohort = cohorts.current_cohort(db=db)
            agencies = registry.list_agencies(db=db)
            pairs = pairing.list_pairs(db=db, cohort=cohort)
            formed = groups.list_groups(db=db, cohort=cohort)
            people = cohorts.list_participants(db=db, cohort=cohort)
            report = followup.pair_statuses(db=db, cohort=cohort, as_of=run.as_of)
            network = network_overview(db, run)
    finally:
        store.dispose()
    _show_pairs_and_groups(agencies, cohort.name, pairs, formed)
    _show_follow_up(run, report)
    short = [p for p in people if p.warning]
    for p in short:
        output.warning(p.warning or "")
    if run.year_end is not None:
        _show_year_end(run.year_end, target)
    _show_network(run, network)
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
    cohort = run.network[-1].cohort if run.network else None
    if cohort is not None:
        files = run.directory / f"katalog-{cohort}"
        commands += [
            f"{base} network directory",
            f"{base} network directory --xlsx {files}.xlsx --vcf {files}.vcf",
        ]
    if run.years > 1:
        commands += [
            f"{base} network directory --alumni",
            f"{base} report ideas --all",
        ]
        if run.year_end is not None:
            commands.append(f"{base} report pipeline --as-of {run.year_end.as_of}")
    elif cohort is not None:
        commands.append(f"{base} report ideas")
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


def network_overview(db: Session, run: DemoRun) -> list[tuple[str, str]]:
    """What the network's commands show on the demo's store, counted by the same functions:
    the current cohort's directory, and with two years the alumni, ideas and pipeline."""
    from sqlmodel import col, select

    from chefintro import cohorts
    from chefintro.models import Cohort
    from chefintro.network.directory import alumni_directory, cohort_directory
    from chefintro.network.ideas import ideas_report
    from chefintro.network.pipeline import pipeline

    cohort = cohorts.current_cohort(db=db)
    found = cohort_directory(db=db, cohort=cohort)
    lines = [
        (
            f"network directory (cohort {cohort.name})",
            f"{len(found.entries)} listed, {found.unlisted} left out without consent",
        )
    ]
    if run.years < 2:
        return lines
    alumni = alumni_directory(db=db)
    every = list(db.exec(select(Cohort).order_by(col(Cohort.starts_on))).all())
    ideas = ideas_report(db=db, cohorts=every)
    shown = [a for a in ideas.agencies if a.ideas]
    hidden = [a.agency for a in ideas.agencies if a.hidden]
    day = run.year_end.as_of if run.year_end is not None else run.as_of
    supply = pipeline(db=db, cohort=cohort, start=None, today=day)
    done = [f for f in supply.follow_ups if f.survey is not None]
    return [
        *lines,
        (
            "network directory --alumni",
            f"{len(alumni.entries)} listed, {alumni.unlisted} left out without consent",
        ),
        (
            "report ideas --all",
            f"{sum(len(a.ideas) for a in shown)} ideas for {plural(len(shown), 'agency')}; "
            f"hidden (fewer than {ideas.min_group}): {', '.join(hidden) or 'none'}",
        ),
        (
            "report pipeline",
            f"{len(supply.eligible)} former adepts eligible as mentors on "
            f"{supply.next_start}, {len(supply.mentors)} former mentors still managers; "
            + "; ".join(
                f"{f.months}-month follow-up of {f.cohort}: {f.respondents} answers" for f in done
            ),
        ),
    ]


def _show_network(run: DemoRun, overview: list[tuple[str, str]]) -> None:
    """Show each year's consent to be listed and visits, then what the network shows."""
    output.table(
        ["Cohort", "Consent: yes", "no", "never answered", "Visits to the other agency"],
        [
            (y.cohort, y.consent.yes, y.consent.no, y.consent.unanswered, y.visits)
            for y in run.network
        ],
        title="The network: consent to be listed, and visits",
        caption="Only those who said yes are listed; a later no wins over an earlier yes.",
    )
    output.table(["Command", "Shows"], overview, title="What the network shows")
    if run.later_no:  # how many, never who: they asked not to be listed
        output.info(
            f"{plural(len(run.later_no), 'person')} said yes in one year and no in a "
            "later one: listed nowhere now."
        )
