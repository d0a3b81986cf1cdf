"""``chefintro roster``: the Excel workbooks agencies send in and get back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, collector_paused, state
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.errors import InvalidInputError
    from chefintro.roster.load.changes import ImportSummary
    from chefintro.roster.read.hidden import HiddenPolicy

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
    output.success(
        f"Wrote the blank roster {file} ({plural(len(agencies), 'agency')} in its lists)."
    )


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
    hidden: Annotated[
        str | None,
        typer.Option(
            "--hidden",
            help="What to do with rows and columns hidden or filtered out in the workbook: "
            "skip (leave them out) or include (import them). Without it the import refuses "
            "them; a dry run lists them.",
            metavar="skip|include",
        ),
    ] = None,
    withdraw_missing: Annotated[
        bool,
        typer.Option(
            "--withdraw-missing",
            help="Withdraw the cohort's active participants of the file's agencies who are "
            "missing from it (their pairs end). Without it they are only named.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a roster: all or nothing, every problem reported with sheet, row and column.

    The import lists what it changes, row by row (added to the cohort; moved; changed,
    with field: old → new; unchanged; skipped), in a dry run before anything is written
    and after a real import has committed. An agency's Deltagare rows are taken as its
    full list: its participants missing from the file are named.

    Example: chefintro roster import csn-2027.xlsx --dry-run
    """
    from chefintro.errors import InvalidInputError
    from chefintro.roster.load.roster_import import import_roster, keep_only, only_sheets
    from chefintro.roster.read.reader import read_roster

    st = state(ctx)
    chosen = only_sheets(only) if only is not None else None
    policy = _hidden_policy(hidden)
    warnings: list[str] = []
    try:
        data = read_roster(file, hidden=policy)
        warnings = data.warnings
        if chosen is not None:
            keep_only(data, chosen)
        _warn(data.warnings)
        # The store's opening resumes the collector; the import's bulk work pauses it.
        with st.transaction(commit=not dry_run) as db, collector_paused():
            summary = import_roster(
                db=db,
                data=data,
                cohort_name=st.cohort,
                dry_run=dry_run,
                withdraw_missing=withdraw_missing,
            )
    except InvalidInputError as error:
        if as_json:
            _emit_refusal(error, warnings)
        raise
    _warn(summary.warnings)
    if as_json:
        result = summary.to_json()
        result["warnings"] = data.warnings + summary.warnings
        output.emit_json(result)
        return
    _show_import(file, summary, dry_run=dry_run)


def _emit_refusal(error: InvalidInputError, warnings: list[str]) -> None:
    """A refused import as JSON: every problem located, and the file's warnings."""
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


def _show_import(file: Path, summary: ImportSummary, *, dry_run: bool) -> None:
    """What an import did (or a dry run would do): counts per sheet, then row by row."""
    title = f"{file.name}: {'would import (dry run)' if dry_run else 'imported'}"
    if summary.cohort:
        title += f" into cohort {summary.cohort}"
    output.table(
        ["Sheet", "Added", "Updated", "Unchanged", "Skipped"],
        [(name, c.added, c.updated, c.unchanged, c.skipped) for name, c in summary.sheets.items()],
        title=title,
    )
    _print_changes(summary)
    _print_hidden(summary, dry_run=dry_run)
    _print_missing(summary, dry_run=dry_run)
    if dry_run:
        output.info("Dry run: nothing was written.")


def _hidden_policy(value: str | None) -> HiddenPolicy | None:
    from chefintro.errors import UsageError
    from chefintro.roster.read.hidden import HiddenPolicy

    if value is None:
        return None
    try:
        return HiddenPolicy(value.strip().casefold())
    except ValueError:
        raise UsageError(f"--hidden takes skip or include, not {value!r}.") from None


def _print_hidden(summary: ImportSummary, *, dry_run: bool) -> None:
    """Name every hidden or filtered-out row and hidden column, and what was done with it."""
    from chefintro.roster.load.roster_import import HIDDEN_CHOICE
    from chefintro.roster.read.hidden import HiddenPolicy

    if not summary.hidden:
        return
    rows = sum(1 for line in summary.hidden if line.row is not None)
    columns = len(summary.hidden) - rows
    what = " and ".join(
        plural(count, word) for count, word in ((rows, "row"), (columns, "column")) if count
    )
    policy = summary.hidden_policy
    if policy is HiddenPolicy.SKIP:
        done = "would be left out" if dry_run else "left out"
    elif policy is HiddenPolicy.INCLUDE:
        done = "would be imported" if dry_run else "imported"
    else:
        done = f"read as shown above, but the import refuses them: {HIDDEN_CHOICE}"
    output.warning(
        f"{what} {noun(rows + columns, 'is', 'are')} hidden or filtered out in the workbook "
        f"({done}):"
    )
    for line in summary.hidden[:_WARNING_LINES]:
        output.info(f"  {line.describe()}")
    if len(summary.hidden) > _WARNING_LINES:
        output.info(f"  … and {len(summary.hidden) - _WARNING_LINES} more (see --json)")


def _print_missing(summary: ImportSummary, *, dry_run: bool) -> None:
    """Name the agencies' participants the file leaves out, and what became of them."""
    if not summary.missing:
        return
    if summary.withdrew_missing:
        count = len(summary.missing)
        verb = "would be withdrawn" if dry_run else f"{noun(count, 'was', 'were')} withdrawn"
        output.warning(
            f"{plural(len(summary.missing), 'participant')} of "
            f"{', '.join(summary.missing_agencies)} missing from the file {verb}:"
        )
    else:
        output.warning(
            f"{plural(len(summary.missing), 'participant')} of "
            f"{', '.join(summary.missing_agencies)} in cohort {summary.cohort} "
            f"{noun(len(summary.missing), 'is', 'are')} missing from the file and "
            "stay active (say --withdraw-missing to withdraw them):"
        )
    for who in summary.missing[:_WARNING_LINES]:
        output.info(f"  {who}")
    for line in summary.pair_effects:
        output.warning(line)


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
        output.plain(f"{sheet}: {plural(count, 'row')} unchanged")


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
    from chefintro.roster.write.collect import log_export, roster_export
    from chefintro.roster.write.writer import write_workbook

    st = state(ctx)
    with st.transaction() as db:
        spec, what = roster_export(db=db, cohort_name=st.cohort, agency_code=agency)
    write_workbook(file, spec)  # no transaction is held while the workbook is made
    with st.transaction() as db:
        log_export(db=db, what=what)
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
    from chefintro.roster.write.collect import agency_workbooks, log_agency_export, write_workbooks

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        planned = agency_workbooks(db=db, cohort=cohort, directory=directory)
    written = write_workbooks(directory, planned)  # no transaction is held meanwhile
    with st.transaction() as db:
        log_agency_export(db=db, cohort=cohort.name, written=written)
    for path in written:
        output.info(str(path))
    output.success(f"Wrote {len(written)} agency workbooks to {directory}.")
