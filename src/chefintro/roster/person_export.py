"""Files with personal data: one person's export (JSON or workbook) and a cohort's archive.

Every file is written to a private temporary file (mode 0600) next to its target and
moved into place only when complete, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chefintro.errors import OutputError

_MIN_WIDTH = 8
_MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@contextmanager
def private_output(path: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a private temporary path; move it to ``path`` when the block succeeds.

    With ``overwrite=False`` an existing ``path`` is refused (OutputError), also when it
    appears while the file is being written.
    """
    target = path.expanduser().absolute()
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: it is a folder.")
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: its folder does not exist.")
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists; give a new file name.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        if overwrite:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails instead of replacing a file that appeared
            except FileExistsError:
                raise OutputError(f"{target} already exists; give a new file name.") from None
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        temporary.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as UTF-8 JSON to ``path``, privately and atomically."""
    with private_output(path) as temporary:
        temporary.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )


def write_workbook(path: Path, sheets: Sequence[Sheet], *, overwrite: bool = True) -> None:
    """Write ``sheets`` as a styled workbook: bold frozen header, filter, column widths.

    Text cells are always stored as text, so a value such as ``=HYPERLINK(…)`` can never
    run as a formula when the file is opened.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        widths = [len(h) for h in spec.headers]
        for column, header in enumerate(spec.headers, start=1):
            cell = sheet.cell(row=1, column=column, value=header)
            cell.font = bold
        for row_number, row in enumerate(spec.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column, value=_cell_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                if column <= len(widths):
                    widths[column - 1] = max(widths[column - 1], len(str(cell.value or "")))
        sheet.freeze_panes = "A2"
        if spec.headers:
            last = get_column_letter(len(spec.headers))
            sheet.auto_filter.ref = f"A1:{last}{max(len(spec.rows) + 1, 1)}"
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(
                max(width + 2, _MIN_WIDTH), _MAX_WIDTH
            )
    try:
        with private_output(path, overwrite=overwrite) as temporary:
            workbook.save(temporary)
    finally:
        with suppress(Exception):
            workbook.close()


def _cell_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


# --- one person -------------------------------------------------------------------------


def write_person_workbook(path: Path, export: dict[str, Any]) -> None:
    """Write one person's export (the same data as ``person export`` JSON) as a workbook."""
    person = export["person"]
    about = [
        ("Namn", person["name"]),
        ("E-post", person["email"]),
        ("Myndighet", f"{person['agency']} ({person['agency_name']})"),
        ("Enhet", person["unit"]),
        ("Befattning", person["title"]),
        ("Verksamhetsområde", person["field"]),
        ("Ort", person["location"]),
        ("Chef sedan", person["manager_since"]),
        ("Utdrag gjort", export["exported_at"]),
    ]
    parts = export["participations"]
    sheets = [
        Sheet("Person", ["Uppgift", "Värde"], about),
        Sheet(
            "Deltagande",
            [
                "Omgång",
                "Start",
                "Slut",
                "Roll",
                "Status",
                "Kapacitet",
                "Önskat område",
                "Önskade mentorer",
                "Fortsätter",
            ],
            [
                (
                    p["cohort"],
                    p["cohort_starts_on"],
                    p["cohort_ends_on"],
                    p["role"],
                    p["status"],
                    p["capacity"],
                    p["wished_field"],
                    p["preferred_mentors"],
                    p["continues"],
                )
                for p in parts
            ],
        ),
        Sheet(
            "Par",
            [
                "Omgång",
                "Adept",
                "Adeptens namn",
                "Adeptens myndighet",
                "Mentor",
                "Mentorns namn",
                "Mentorns myndighet",
                "Tillstånd",
                "Låst",
                "Poäng",
                "Skäl",
            ],
            [
                (
                    p["cohort"],
                    x["adept"],
                    x["adept_name"],
                    x["adept_agency"],
                    x["mentor"],
                    x["mentor_name"],
                    x["mentor_agency"],
                    x["state"],
                    x["locked"],
                    x["score"],
                    x["reasons"],
                )
                for p in parts
                for x in p["pairings"]
            ],
        ),
        Sheet(
            "Närvaro",
            ["Omgång", "Träff", "Typ", "Start", "Slut", "Plats", "Närvaro"],
            [
                (
                    p["cohort"],
                    a["session"],
                    a["kind"],
                    a["starts_at"],
                    a["ends_at"],
                    a["location"],
                    a["status"],
                )
                for p in parts
                for a in p["attendance"]
            ],
        ),
        Sheet(
            "Nätverksgrupper",
            ["Omgång", "Grupp"],
            [(p["cohort"], g) for p in parts for g in p["peer_groups"]],
        ),
        Sheet(
            "Undantag",
            ["E-post", "Namn", "Myndighet", "Skäl"],
            [
                (x["other"], x["other_name"], x["other_agency"], x["reason"])
                for x in export["exclusions"]
            ],
        ),
    ]
    write_workbook(path, sheets)


# --- a cohort's archive -----------------------------------------------------------------


def write_cohort_archive(path: Path, archive: dict[str, Any]) -> None:
    """Write a cohort's archive before its personal data is anonymised; never overwrites.

    Sheets and columns follow the roster workbook (Deltagare, Träffar, Par, Närvaro), with
    extra columns (status, score) after the roster's own and a sheet about the cohort.
    """
    cohort = archive["cohort"]
    sessions = archive["sessions"]
    about = [
        ("Omgång", cohort["name"]),
        ("Start", cohort["starts_on"]),
        ("Slut", cohort["ends_on"]),
        ("Avslutad", cohort["closed_on"]),
        ("Arkiverad", archive["archived_at"]),
        ("Arkiverad av", f"chefintro {archive['tool_version']}"),
    ]
    session_headers = [f"{s['title']} {s['starts_at'][:10]}" for s in sessions]
    sheets = [
        Sheet("Omgång", ["Uppgift", "Värde"], about),
        Sheet(
            "Myndigheter", ["Kod", "Namn"], [(a["code"], a["name"]) for a in archive["agencies"]]
        ),
        Sheet(
            "Deltagare",
            [
                "Namn",
                "E-post",
                "Myndighet",
                "Roll",
                "Enhet",
                "Befattning",
                "Verksamhetsområde",
                "Ort",
                "Chef sedan",
                "Kapacitet",
                "Önskat område",
                "Önskade mentorer",
                "Status",
                "Nätverksgrupp",
            ],
            [
                (
                    p["name"],
                    p["email"],
                    p["agency"],
                    p["role"],
                    p["unit"],
                    p["title"],
                    p["field"],
                    p["location"],
                    p["manager_since"],
                    p["capacity"],
                    p["wished_field"],
                    p["preferred_mentors"],
                    p["status"],
                    p["peer_group"],
                )
                for p in archive["participants"]
            ],
        ),
        Sheet(
            "Träffar",
            ["Titel", "Typ", "Start", "Slut", "Plats", "Värd"],
            [
                (s["title"], s["kind"], s["starts_at"], s["ends_at"], s["location"], s["host"])
                for s in sessions
            ],
        ),
        Sheet(
            "Par",
            ["Adept", "Mentor", "Låst", "Adeptens namn", "Mentorns namn", "Tillstånd", "Poäng"],
            [
                (
                    x["adept"],
                    x["mentor"],
                    x["locked"],
                    x["adept_name"],
                    x["mentor_name"],
                    x["state"],
                    x["score"],
                )
                for x in archive["pairs"]
            ],
        ),
        Sheet(
            "Närvaro",
            ["E-post", *session_headers],
            [
                (
                    p["email"],
                    *(archive["attendance"].get(p["email"], {}).get(s["key"]) for s in sessions),
                )
                for p in archive["participants"]
            ],
        ),
    ]
    write_workbook(path, sheets, overwrite=False)
