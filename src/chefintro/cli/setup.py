"""``chefintro cohort setup PLAN``: run a whole programme year from one plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import state


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
