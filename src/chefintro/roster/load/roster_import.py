"""Rows → store: validate a read roster against the store and write it in one transaction.

The whole import runs inside the caller's transaction; every problem found (reader's and
the store's) is collected, and any problem means the caller rolls back, so the store is
left exactly as it was. On a dry run the caller's boundary rolls back (``commit=False``).

The sheets are loaded by :mod:`chefintro.roster.load.people` (Myndigheter, Deltagare)
and :mod:`chefintro.roster.load.programme` (Träffar, Par, Närvaro, Möten) over the shared
state of :mod:`chefintro.roster.load.loader`; :mod:`chefintro.roster.load.changes` is the change
report they fill.
"""

from __future__ import annotations

from sqlmodel import Session

from chefintro.changes import Kind, mark_change
from chefintro.errors import InvalidInputError, Problem
from chefintro.roster.columns import IMPORT_ORDER, SHEETS, SheetKey
from chefintro.roster.load.changes import ImportSummary
from chefintro.roster.load.missing import check_missing
from chefintro.roster.load.people import PeopleLoader
from chefintro.roster.load.programme import ProgrammeLoader
from chefintro.roster.read.rows import RosterData
from chefintro.words import noun, plural


class _Loader(PeopleLoader, ProgrammeLoader):
    """Every sheet's loader over one shared state."""


#: Sheets ``roster import --only`` accepts, by any of their names.
def only_sheets(names: str) -> set[SheetKey]:
    """Return the sheets named in a comma-separated ``--only`` value; UsageError if unknown."""
    from chefintro.errors import UsageError
    from chefintro.roster.columns import IMPORT_ORDER, find_sheet

    chosen: set[SheetKey] = set()
    for name in names.split(","):
        if not name.strip():
            continue
        found = find_sheet(name)
        if found is None or found.key not in IMPORT_ORDER:
            allowed = ", ".join(SHEETS[k].sv for k in IMPORT_ORDER)
            raise UsageError(f"--only: {name.strip()!r} is not a roster sheet; use {allowed}.")
        chosen.add(found.key)
    if not chosen:
        raise UsageError("--only needs at least one sheet name.")
    return chosen


def keep_only(data: RosterData, keys: set[SheetKey]) -> None:
    """Drop every sheet of ``data`` but ``keys`` (``roster import --only``); InvalidInputError
    (65) when the file has no sheet of one of ``keys``: the coordinator named it, so a file
    without it is the wrong file, not an import of nothing."""
    missing = [key for key in IMPORT_ORDER if key in keys and key not in data.sheets]
    if missing:
        wanted = " or ".join(f"{SHEETS[k].sv} ({SHEETS[k].en})" for k in missing)
        held = ", ".join(repr(name) for name in data.sheets.values())
        count = len(data.sheets)
        raise InvalidInputError(
            f"{data.path.name} has no sheet {wanted}, which --only names: its roster "
            f"{noun(count, 'sheet')} {noun(count, 'is')} {held}; nothing was imported."
        )
    for key in list(data.sheets):
        if key not in keys:
            del data.sheets[key]
    if SheetKey.AGENCIES not in keys:
        data.agencies = []
    if SheetKey.PARTICIPANTS not in keys:
        data.participants = []
    if SheetKey.SESSIONS not in keys:
        data.sessions = []
    if SheetKey.PAIRS not in keys:
        data.pairs = []
    if SheetKey.ATTENDANCE not in keys:
        data.attendance = []
        data.attendance_sessions = []
    sheet_names = {SHEETS[k].sv for k in keys} | {SHEETS[k].en for k in keys}
    kept = set(data.sheets.values())
    data.problems = [
        p for p in data.problems if p.sheet is None or p.sheet in kept or p.sheet in sheet_names
    ]


def import_roster(
    *,
    db: Session,
    data: RosterData,
    cohort_name: str | None,
    dry_run: bool = False,
    withdraw_missing: bool = False,
) -> ImportSummary:
    """Validate and write a read roster; raise InvalidInputError (65) with every problem.

    The caller's transaction boundary rolls back when this raises, and on a dry run
    (the caller opens it with ``commit=False``); this function never rolls back itself.
    The cohort's participants of the file's agencies that Deltagare leaves out are named
    in the summary, and withdrawn with ``withdraw_missing``.
    """
    loader = _Loader(db, data, cohort_name)
    _hidden_lines(loader, dry_run=dry_run)
    loader.load_agencies()
    loader.load_participants()
    people_ok = not loader.problems
    if people_ok:
        check_missing(loader, withdraw=withdraw_missing)
    # Sessions do not depend on the people, so their problems are found in the same run.
    loader.load_sessions()
    if people_ok:
        # Pairs and attendance need the participants written first.
        loader.load_pairs()
        loader.load_attendance()
        loader.load_meetings()
    else:
        loader.check_references()
    loader.summary.dry_run = dry_run
    if loader.problems:
        count = len(loader.problems)
        loader.problems.sort(key=lambda p: (p.sheet or "", p.row or 0))
        more = " (the reader stopped looking after that many)" if data.truncated else ""
        raise InvalidInputError(
            f"{data.path.name}: {plural(count, 'problem')} found{more}; nothing was imported.",
            loader.problems,
        )
    counts = ", ".join(
        f"{sheet} +{c.added} ~{c.updated}" for sheet, c in loader.summary.sheets.items()
    )
    # never empty: a file with no roster sheet, or without one --only names, is refused
    mark_change(db, kind=Kind.BULK, what=f"roster imported ({counts})")
    return loader.summary


#: What a refused hidden row or column tells the coordinator to do.
HIDDEN_CHOICE = (
    "say --hidden skip to leave hidden and filtered-out rows and columns out, or --hidden "
    "include to import them (or show them in the workbook)"
)


def _hidden_lines(loader: _Loader, *, dry_run: bool) -> None:
    """Never import hidden data silently: list it, and refuse it unless the policy is given.

    A hidden row is often a person HR struck out; a filtered-out one a person the filter
    happened to leave out. Neither is guessed: a dry run lists them, an import without
    ``--hidden skip|include`` refuses with each one located.
    """
    data = loader.data
    if not data.hidden:
        return
    loader.summary.hidden = list(data.hidden)
    loader.summary.hidden_policy = data.hidden_policy
    if data.hidden_policy is not None or dry_run:
        return
    for line in data.hidden:
        loader.problems.append(
            Problem(
                f"{line.what()}; {HIDDEN_CHOICE}",
                sheet=line.sheet,
                row=line.row,
                column=line.column,
            )
        )
