"""The directory as a Swedish workbook: one sheet, a row per listed person."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from chefintro.network.directory import Directory
from chefintro.roster.write.specs import ColumnSpec, SheetSpec, WorkbookSpec


def directory_spec(directory: Directory, *, programme: str, now: datetime) -> WorkbookSpec:
    """The workbook of a cohort's directory (Roll) or of the alumni (År och roller)."""
    alumni = directory.cohort is None
    columns = [
        ColumnSpec("Namn", 26),
        ColumnSpec("Myndighet", 12),
        ColumnSpec("Myndighetens namn", 34),
        ColumnSpec("Enhet", 24),
        ColumnSpec("Befattning", 22),
        ColumnSpec("E-post", 34),
        ColumnSpec("År och roller" if alumni else "Roll", 28 if alumni else 10),
    ]
    if not alumni:
        columns += [ColumnSpec("Nätverksgrupp", 15), ColumnSpec("Mentor", 26)]
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
