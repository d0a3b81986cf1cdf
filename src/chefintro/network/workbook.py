"""The directory as a Swedish workbook: one sheet, a row per listed person."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from chefintro.network.directory import Directory
from chefintro.roster.write.specs import ColumnSpec, SheetSpec, WorkbookSpec


def directory_spec(directory: Directory, *, programme: str, now: datetime) -> WorkbookSpec:
    """The workbook of a cohort's directory (Roll) or of the alumni (År och roller)."""
    alumni = directory.cohort is None
    # One page wide in landscape at a readable scale (a who's who is read across: a name
    # and its e-mail address on one page). Every column wraps, so a row that grows for a
    # long agency name keeps all its cells at the top, side by side.
    columns = [
        ColumnSpec("Namn", 21, wrap=True),
        ColumnSpec("Myndighet", 11, wrap=True),
        ColumnSpec("Myndighetens namn", 30, wrap=True),
        ColumnSpec("Enhet", 23, wrap=True),
        ColumnSpec("Befattning", 20, wrap=True),
        ColumnSpec("E-post", 38, wrap=True),
        ColumnSpec("År och roller", 26, wrap=True) if alumni else ColumnSpec("Roll", 8, wrap=True),
    ]
    if not alumni:
        columns += [
            ColumnSpec("Nätverksgrupp", 14, wrap=True),
            ColumnSpec("Mentor", 20, wrap=True),
        ]
    rows = []
    for e in directory.entries:
        row: list[object] = [e.name, e.agency, e.agency_name, e.unit, e.title, e.email]
        if alumni:
            row.append(e.years)
        else:
            row += [e.roles[0][1], e.group, e.mentor]
        rows.append(row)
    title = "Alumner" if alumni else "Katalog"
    header = f"{programme}, {'alumner' if alumni else f'omgång {directory.cohort}'}"
    return WorkbookSpec(
        [SheetSpec(title, columns, rows, input_rows=0)], page_header=header, exported_at=now
    )


def write_directory(path: Path, directory: Directory, *, programme: str, now: datetime) -> None:
    """Write the directory workbook privately (mode 0600) and atomically."""
    from chefintro.roster.write.writer import write_workbook

    write_workbook(path, directory_spec(directory, programme=programme, now=now))
