"""``chefintro roster``: the Excel workbooks agencies send in and get back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state

app = typer.Typer(help="Import and export the Excel roster workbooks.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="The .xlsx file.", metavar="FILE")]


@app.command("template")
def template(ctx: typer.Context, file: FileArg) -> None:
    """Write a blank roster for an agency's HR to fill in.

    Example: chefintro roster template deltagare-2027.xlsx
    """
    from chefintro import registry
    from chefintro.roster.writer import write_template

    st = state(ctx)
    with st.transaction() as db:
        agencies = [(a.code, a.name) for a in registry.all_agencies(db=db)]
    write_template(file, agencies)
    output.success(f"Wrote the blank roster {file} ({len(agencies)} agencies in its lists).")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: FileArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and show what would change.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a roster: all or nothing, every problem reported with sheet, row and column.

    Example: chefintro roster import csn-2027.xlsx --dry-run
    """
    from chefintro.roster.load import import_roster
    from chefintro.roster.reader import read_roster

    st = state(ctx)
    data = read_roster(file)
    for message in data.warnings:
        output.warning(message)
    with st.transaction() as db:
        summary = import_roster(db=db, data=data, cohort_name=st.cohort, dry_run=dry_run)
    for message in summary.warnings:
        output.warning(message)
    if as_json:
        output.emit_json(summary.to_json())
        return
    title = f"{file.name}: {'would import (dry run)' if dry_run else 'imported'}"
    if summary.cohort:
        title += f" into cohort {summary.cohort}"
    output.table(
        ["Sheet", "Added", "Updated", "Unchanged"],
        [(name, c.added, c.updated, c.unchanged) for name, c in summary.sheets.items()],
        title=title,
    )
    if dry_run:
        output.info("Dry run: nothing was written.")


@app.command("export")
def export(
    ctx: typer.Context,
    file: FileArg,
    agency: Annotated[
        str | None, typer.Option("--agency", help="Only this agency's workbook (its HR's copy).")
    ] = None,
) -> None:
    """Export the roster (the current cohort's participants, pairs, calendar, attendance).

    Example: chefintro roster export program-2027.xlsx
    """
    from chefintro import cohorts, registry
    from chefintro.roster.collect import agency_export, full_export
    from chefintro.roster.writer import write_workbook

    st = state(ctx)
    with st.transaction() as db:
        if agency is not None:
            cohort = st.current_cohort(db)
            found = registry.get_agency(db=db, code=agency)
            spec = agency_export(db=db, cohort=cohort, agency=found)
        else:
            chosen = cohorts.current_cohort_or_none(db=db, name=st.cohort)
            spec = full_export(db=db, cohort=chosen)
    write_workbook(file, spec)
    output.success(f"Wrote {file}.")


@app.command("export-agencies")
def export_agencies(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder for the workbooks (created if missing).", metavar="DIR")
    ],
) -> None:
    """Write one workbook per agency taking part, for each agency's HR.

    Example: chefintro roster export-agencies utskick/
    """
    from chefintro.roster.collect import write_agency_workbooks

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        written = write_agency_workbooks(db=db, cohort=cohort, directory=directory)
    for path in written:
        output.info(str(path))
    output.success(f"Wrote {len(written)} agency workbooks to {directory}.")
