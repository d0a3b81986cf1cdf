"""``chefintro roster``: the Excel workbooks agencies send in and get back."""

from __future__ import annotations

import re
from contextlib import nullcontext
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
    from chefintro.roster.write.writer import write_template

    st = state(ctx)
    with st.transaction() as db:
        agencies = [(a.code, a.name) for a in registry.all_agencies(db=db)]
    write_template(file, agencies)
    output.success(f"Wrote the blank roster {file} ({len(agencies)} agencies in its lists).")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The .xlsx, .ods or .csv file.", metavar="FILE")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and show what would change.")
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="Import just these sheets (comma-separated names, e.g. Närvaro or "
            "Träffar,Närvaro); the others are not read into the store.",
            metavar="SHEETS",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a roster: all or nothing, every problem reported with sheet, row and column.

    The import lists what it changes, row by row (added; changed, with field: old → new;
    unchanged; skipped), in a dry run before anything is written and after a real import
    has committed.

    Example: chefintro roster import csn-2027.xlsx --dry-run
    """
    from chefintro.errors import InvalidInputError
    from chefintro.roster.load.roster_import import import_roster, keep_only, only_sheets
    from chefintro.roster.read.reader import read_roster

    st = state(ctx)
    chosen = only_sheets(only) if only is not None else None
    warnings: list[str] = []
    try:
        data = read_roster(file)
        warnings = data.warnings
        if chosen is not None:
            keep_only(data, chosen)
        _warn(data.warnings)
        with st.undoable(ctx) if not dry_run else nullcontext(), st.transaction() as db:
            summary = import_roster(db=db, data=data, cohort_name=st.cohort, dry_run=dry_run)
    except InvalidInputError as error:
        if as_json:
            output.emit_json(
                {
                    "ok": False,
                    "error": error.message,
                    "problems": [
                        {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                        for p in error.problems
                    ],
                    "warnings": warnings,
                }
            )
        raise
    _warn(summary.warnings)
    if as_json:
        result = summary.to_json()
        result["warnings"] = data.warnings + summary.warnings
        output.emit_json(result)
        return
    title = f"{file.name}: {'would import (dry run)' if dry_run else 'imported'}"
    if summary.cohort:
        title += f" into cohort {summary.cohort}"
    output.table(
        ["Sheet", "Added", "Updated", "Unchanged", "Skipped"],
        [(name, c.added, c.updated, c.unchanged, c.skipped) for name, c in summary.sheets.items()],
        title=title,
    )
    _print_changes(summary)
    if dry_run:
        output.info("Dry run: nothing was written.")


#: The most warnings an import prints, as for changed rows; ``--json`` lists every one.
_WARNING_LINES = 200
_ROW_WARNING = re.compile(r"\w+ row \d+: ")


def _warn(messages: list[str]) -> None:
    """Print an import's warnings: those about the whole file first, then row by row.

    A large roster can give thousands of row warnings (a wish for a mentor of the same
    agency, say); the terminal shows the first :data:`_WARNING_LINES` and how many more.
    """
    ordered = sorted(messages, key=lambda message: _ROW_WARNING.match(message) is not None)
    output.warnings(ordered, limit=_WARNING_LINES, more=" (see --json)")


def _print_changes(summary: object) -> None:
    """List the rows that change (and how), then how many rows stay as they are."""
    from chefintro.roster.load.changes import ImportSummary

    assert isinstance(summary, ImportSummary)
    changing = [c for c in summary.changes if c.action != "unchanged"]
    for change in changing[:200]:
        output.plain(change.describe())
    if len(changing) > 200:
        output.plain(f"… and {len(changing) - 200} more changed rows (see --json)")
    unchanged: dict[str, int] = {}
    for change in summary.changes:
        if change.action == "unchanged":
            unchanged[change.sheet] = unchanged.get(change.sheet, 0) + 1
    for sheet, count in unchanged.items():
        output.plain(f"{sheet}: {count} row{'s' if count != 1 else ''} unchanged")


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
    from chefintro.roster.write.collect import write_roster_export

    st = state(ctx)
    with st.transaction() as db:
        write_roster_export(db=db, path=file, cohort_name=st.cohort, agency_code=agency)
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
    from chefintro.roster.write.collect import export_agency_workbooks

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        written = export_agency_workbooks(db=db, cohort=cohort, directory=directory)
    for path in written:
        output.info(str(path))
    output.success(f"Wrote {len(written)} agency workbooks to {directory}.")
