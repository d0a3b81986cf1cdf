"""``chefintro cohort``: programme years."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, parse_date, report_purge, state
from chefintro.words import plural

app = typer.Typer(help="Create and choose programme years (cohorts).", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Cohort name, e.g. 2026.")]


@app.command("create")
def create(
    ctx: typer.Context,
    name: NameArg,
    start: Annotated[
        date, typer.Option("--start", parser=parse_date, metavar="YYYY-MM-DD", help="First day.")
    ],
    end: Annotated[
        date, typer.Option("--end", parser=parse_date, metavar="YYYY-MM-DD", help="Last day.")
    ],
    min_attendance: Annotated[
        float, typer.Option(help="Share of sessions needed to complete, 0–1.")
    ] = 0.8,
    excused_counts: Annotated[
        bool,
        typer.Option(
            "--excused-counts/--excused-not-counted",
            help="Whether an excused absence counts as attended.",
        ),
    ] = True,
    carry_over_from: Annotated[
        str | None,
        typer.Option(
            "--carry-over-from",
            help="Add this earlier cohort's mentors who agreed to continue.",
            metavar="COHORT",
        ),
    ] = None,
) -> None:
    """Create a cohort (the first one becomes the current cohort).

    Example: chefintro cohort create 2026 --start 2026-01-20 --end 2026-12-10
    """
    from chefintro import cohorts

    with state(ctx).transaction() as db:
        cohort = cohorts.create_cohort(
            db=db,
            name=name,
            starts_on=start,
            ends_on=end,
            min_attendance=min_attendance,
            excused_counts=excused_counts,
        )
        carried = 0
        if carry_over_from is not None:
            source = cohorts.get_cohort(db=db, name=carry_over_from)
            carried = cohorts.carry_over_mentors(db=db, source=source, target=cohort)
        info = cohorts.cohort_info(db=db, cohort=cohort)
    output.success(f"Created cohort {info.name} ({info.starts_on} – {info.ends_on}).")
    if carry_over_from is not None:
        output.info(f"{plural(carried, 'mentor')} carried over from cohort {carry_over_from}.")
    if info.current:
        output.info(f"Cohort {info.name} is the current cohort.")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List cohorts; closed ones show when their personal data is due for anonymising."""
    from chefintro import cohorts

    with state(ctx).transaction() as db:
        rows = cohorts.list_cohorts(db=db)
    if as_json:
        output.emit_json([r.to_json() for r in rows])
        return
    from chefintro.clock import today as clock_today

    today = clock_today()
    overdue = [r.name for r in rows if r.due_on is not None and r.due_on < today]
    output.table(
        ["", "Name", "Start", "End", "Status", "Adepts", "Mentors", "Anonymise by"],
        [
            (
                "*" if r.current else "",
                r.name,
                r.starts_on,
                r.ends_on,
                r.status,
                r.adepts,
                r.mentors,
                f"{r.due_on} ! past due" if r.name in overdue else r.due_on,
            )
            for r in rows
        ],
        caption="* current cohort" + ("   ! past due: anonymise it" if overdue else ""),
    )
    for cohort_name in overdue:
        output.warning(
            f"Cohort {cohort_name} is past its retention date; archive and anonymise it with "
            f"'chefintro cohort anonymise {cohort_name} --archive FILE'."
        )


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Cohort (default: current).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a cohort."""
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        cohort = cohorts.get_cohort(db=db, name=name) if name else st.current_cohort(db)
        info = cohorts.cohort_info(db=db, cohort=cohort)
    if as_json:
        output.emit_json(info.to_json())
        return
    output.record(
        [
            ("Name", info.name + (" (current)" if info.current else "")),
            ("Period", f"{info.starts_on} – {info.ends_on}"),
            ("Status", info.status),
            ("Adepts", info.adepts),
            ("Mentors", info.mentors),
            ("Minimum attendance", f"{info.min_attendance:.0%}"),
            ("Excused counts as attended", info.excused_counts),
        ]
    )


@app.command("use")
def use(ctx: typer.Context, name: NameArg) -> None:
    """Make a cohort the current one for later commands."""
    from chefintro import cohorts

    with state(ctx).transaction() as db:
        cohort = cohorts.use_cohort(db=db, name=name)
    output.success(f"Cohort {cohort.name} is now the current cohort.")


@app.command("close")
def close(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Cohort (default: --cohort, else the current one).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Close it even though programme days are ahead.")
    ] = False,
    yes: YesOption = False,
) -> None:
    """Close a cohort (the current one, or the one named): it becomes history.

    Refused while programme days are still ahead, unless --force. Asks first unless --yes;
    'chefintro cohort reopen NAME' takes it back.

    Example: chefintro cohort close 2026
    """
    from chefintro import cohorts

    st = state(ctx)
    chosen = _named_or_chosen(name, st.cohort)
    with st.transaction() as db:
        current = cohorts.current_cohort(db=db, name=chosen)
        cohorts.check_closable(db=db, cohort=current, force=force)
    confirm(yes=yes, what="Closing a cohort", question=f"Close cohort {current.name}?")
    with st.transaction() as db:
        found = cohorts.current_cohort(db=db, name=chosen)
        cohort = cohorts.close_cohort(db=db, cohort=found, force=force)
    output.success(f"Closed cohort {cohort.name}.")
    from chefintro.clock import today

    if cohort.starts_on > today():
        output.warning(
            f"Cohort {cohort.name} has not started yet (it starts {cohort.starts_on}); it is "
            "closed all the same and can no longer change."
        )


def _named_or_chosen(name: str | None, chosen: str | None) -> str | None:
    """The cohort a command names as its argument, or --cohort's; both must agree."""
    from chefintro.errors import UsageError

    if name is not None and chosen is not None and name.strip() != chosen.strip():
        raise UsageError(f"Name one cohort: the argument says {name!r}, --cohort {chosen!r}.")
    return name if name is not None else chosen


@app.command("reopen")
def reopen(ctx: typer.Context, name: NameArg) -> None:
    """Take a closed cohort back, so that it can change again (not an anonymised one).

    Example: chefintro cohort reopen 2026
    """
    from chefintro import cohorts

    with state(ctx).transaction() as db:
        cohort = cohorts.reopen_cohort(db=db, cohort=cohorts.get_cohort(db=db, name=name))
    output.success(f"Reopened cohort {cohort.name}; it is {cohort.status} again.")


@app.command("carry-over")
def carry_over(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option("--from", help="The earlier cohort whose mentors agreed to continue."),
    ],
) -> None:
    """Add an earlier cohort's mentors who agreed to continue to the current cohort.

    Mentors already in the cohort are left as they are, so running it again adds nothing.

    Example: chefintro --cohort 2027 cohort carry-over --from 2026
    """
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        target = st.current_cohort(db)
        origin = cohorts.get_cohort(db=db, name=source)
        carried = cohorts.carry_over_mentors(db=db, source=origin, target=target)
    output.success(
        f"{plural(carried, 'mentor')} carried over from cohort {origin.name} to {target.name}."
    )


@app.command("anonymise")
def anonymise(
    ctx: typer.Context,
    name: NameArg,
    archive: Annotated[
        Path,
        typer.Option(
            "--archive",
            help="New workbook to archive the cohort in first (never overwritten).",
            dir_okay=False,
        ),
    ],
    yes: YesOption = False,
) -> None:
    """Archive a closed cohort to a workbook, then replace its people's personal data.

    People only in anonymised cohorts become "Deltagare 0001" <anon-0001@invalid>.
    Agency, field and the year they became managers stay, for the statistics. Asks first
    unless --yes; it cannot be undone, and the undo snapshots are anonymised too.

    Example: chefintro cohort anonymise 2024 --archive arkiv-2024.xlsx
    """
    from chefintro import cohorts
    from chefintro.privacy import anonymise as anonymising

    st = state(ctx)
    with st.transaction() as db:
        found = cohorts.get_cohort(db=db, name=name)
        anonymising.check_anonymisable(found)
        info = cohorts.cohort_info(db=db, cohort=found)
    from chefintro.clock import today

    if info.due_on is not None and info.due_on > today():
        output.info(
            f"Cohort {info.name} is not due for anonymising until {info.due_on} "
            "(the retention period from its closing)."
        )
    confirm(
        yes=yes,
        what="Anonymising a cohort",
        question=f"Anonymise cohort {info.name} for good? This cannot be undone",
    )
    result, purge, scrubbed = anonymising.anonymise(store=st.store(), name=name, archive=archive)
    output.success(f"Archived cohort {result.cohort} to {result.archive}.")
    output.success(
        f"Anonymised cohort {result.cohort}: {result.pseudonymised} people pseudonymised, "
        f"{result.kept} kept because they take part in another cohort."
    )
    report_purge(purge, "the replaced data is overwritten", server_note=False)
    if scrubbed:
        output.info(
            f"The people are anonymised in the {plural(scrubbed, 'undo snapshot')} as well."
        )


@app.command("setup")
def setup(
    ctx: typer.Context,
    plan: Annotated[Path, typer.Argument(help="The year's plan (TOML).", metavar="PLAN")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and show the steps; write nothing.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the plan's output files (default: beside it)."),
    ] = None,
) -> None:
    """Set up a year from a plan: cohort, rosters, calendar, matching, groups, exports.

    Running the same plan again changes nothing that is already as planned.

    Example: chefintro cohort setup plan-2028.toml --dry-run
    """
    from chefintro.yearly import read_plan, run_plan, step_count

    st = state(ctx)
    parsed = read_plan(plan, out_dir=out)
    store = st.store(create=True)
    with output.steps(step_count(parsed, dry_run=dry_run)) as advance:
        results = run_plan(store=store, plan=parsed, dry_run=dry_run, progress=advance)
    output.table(
        ["Step", "Result"],
        [(r.step, r.detail) for r in results],
        title=f"Cohort {parsed.name}" + (" (dry run)" if dry_run else ""),
    )


@app.command("schedule")
def schedule(
    plan: Annotated[Path, typer.Argument(help="The year's plan (TOML).", metavar="PLAN")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Show only what is due on this day, YYYY-MM-DD.",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the letters the plan schedules ([[letter]]: nudges, survey reminders, agency
    digests), or with --as-of what is due that day, with the command that writes each.

    Add --send to a command to send instead of writing drafts. A letter never goes twice:
    each message command keeps its own record.

    Example: chefintro cohort schedule plan-2027.toml --as-of 2027-04-06
    """
    from chefintro.schedule import schedule as due_letters
    from chefintro.yearly import read_plan

    day = parse_date(as_of) if as_of is not None else None
    parsed = read_plan(plan)
    due = due_letters(parsed.letters, day)
    if as_json:
        output.emit_json([d.to_json() for d in due])
        return
    if not due:
        if day is None:
            output.info(f"{plan} schedules no letters; add [[letter]] tables (see the README).")
        else:
            output.info(f"No letter is due on {day} in {plan}.")
        return
    output.table(
        ["Date", "Letter", "Command"],
        [(d.day, d.letter.kind, d.letter.command(d.day)) for d in due],
        title=f"Letters of cohort {parsed.name}" + (f" due on {day}" if day else ""),
    )
