"""What HR's files really hold (issue 30): hidden and filtered-out rows, a second file that
leaves people out, "Efternamn, Förnamn", two-level headers, our own and Forms' columns.

Every workbook is made as an HR person makes one (openpyxl on "Blad1" with a title row,
Förnamn/Efternamn, pasted Outlook addresses, rows hidden or filtered in the sheet), or
saved by LibreOffice, never by chefintro's own writer.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chefintro.roster.reader import read_roster
from tests.conftest import Cli, store_snapshot

SOFFICE = shutil.which("soffice")
HEADER = ["Förnamn", "Efternamn", "E-post", "Myndighet", "Roll", "Chef sedan"]


@pytest.fixture
def programme(cli: Cli) -> Cli:
    """Three agencies and cohort 2027 (current); no people yet."""
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    return cli


def hr_book(rows: list[list[Any]], *, title: str | None = "Deltagare 2027") -> Any:
    """Blad1 with HR's title row, a blank row and then ``rows`` (header first): row 3 on."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Blad1"
    if title is not None:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    return book


def save(book: Any, path: Path) -> Path:
    book.save(path)
    book.close()
    return path


def libreoffice(source: Path, kind: str, tmp_path: Path) -> Path:
    """Open ``source`` in LibreOffice and save it as ``kind`` (xlsx or ods)."""
    out = tmp_path / f"lo-{kind}"
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", kind, "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    return out / f"{source.stem}.{kind}"


CSN_ROWS = [
    HEADER,
    ["Åsa", "Öberg", "Åsa Öberg <asa.oberg@csn.se>;", "CSN", "adept", "2026-01-10"],
    ["Per", "Struken", "per.struken@csn.se", "CSN", "adept", "2026-02-01"],  # row 5
    ["Örjan", "Sjöström", "mailto:orjan@bolagsverket.se", "BV", "mentor", "2012-01-01"],
]


def hidden_row_book(path: Path) -> Path:
    book = hr_book(CSN_ROWS)
    book["Blad1"].row_dimensions[5].hidden = True  # HR struck Per out by hiding his row
    return save(book, path)


# --- hidden and filtered-out rows --------------------------------------------------------


def test_a_hidden_row_is_listed_in_the_dry_run_and_refused_by_the_import(
    programme: Cli, tmp_path: Path
) -> None:
    path = hidden_row_book(tmp_path / "csn.xlsx")
    before = store_snapshot()
    preview = programme("roster", "import", str(path), "--dry-run")
    assert "sheet 'Blad1' row 5 (Per Struken) is hidden" in preview.stdout
    assert "--hidden skip" in preview.stderr
    result = programme("roster", "import", str(path), code=65)
    assert "row 5" in result.stderr and "is hidden in the workbook" in result.stderr
    assert store_snapshot() == before

    programme("roster", "import", str(path), "--hidden", "skip")
    emails = {p["email"] for p in programme.json("participant", "list")}
    assert emails == {"asa.oberg@csn.se", "orjan@bolagsverket.se"}


def test_hidden_include_imports_the_hidden_row(programme: Cli, tmp_path: Path) -> None:
    path = hidden_row_book(tmp_path / "csn.xlsx")
    result = programme("roster", "import", str(path), "--hidden", "include")
    assert "row 5 (Per Struken) is hidden" in result.stdout
    emails = {p["email"] for p in programme.json("participant", "list")}
    assert "per.struken@csn.se" in emails
    programme("roster", "import", str(path), "--hidden", "maybe", code=2)


def test_a_filtered_out_row_and_a_hidden_column(programme: Cli, tmp_path: Path) -> None:
    book = hr_book([[*HEADER, "Ort"], *[[*row, "Sundsvall"] for row in CSN_ROWS[1:]]])
    sheet = book["Blad1"]
    sheet.auto_filter.ref = "A3:G6"
    sheet.auto_filter.add_filter_column(3, ["CSN"])  # Myndighet = CSN: Örjan is filtered out
    sheet.row_dimensions[6].hidden = True
    sheet.column_dimensions["G"].hidden = True  # Ort hidden
    path = save(book, tmp_path / "filtrerad.xlsx")
    data = read_roster(path)
    described = [line.describe() for line in data.hidden]
    assert "sheet 'Blad1' row 6 (Örjan Sjöström) is filtered out" in described
    assert "sheet 'Blad1' column G (Ort) is hidden" in described
    programme("roster", "import", str(path), code=65)
    programme("roster", "import", str(path), "--hidden", "skip")
    people = {p["email"]: p for p in programme.json("person", "list")}
    assert "orjan@bolagsverket.se" not in people
    assert people["asa.oberg@csn.se"]["location"] is None  # the hidden Ort was left out


def test_our_own_hidden_number_columns_are_not_hidden_data(programme: Cli, tmp_path: Path) -> None:
    path = hidden_row_book(tmp_path / "csn.xlsx")
    programme("roster", "import", str(path), "--hidden", "include")
    programme("session", "add", "Uppstart", "--start", "2027-02-01 09:00", "--end", "12:00")
    exported = tmp_path / "export.xlsx"
    programme("roster", "export", str(exported))
    assert read_roster(exported).hidden == []


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_saved_hidden_rows_xlsx_and_ods(programme: Cli, tmp_path: Path) -> None:
    source = hidden_row_book(tmp_path / "csn.xlsx")
    for kind in ("xlsx", "ods"):
        saved = libreoffice(source, kind, tmp_path)
        data = read_roster(saved)
        assert [(h.sheet, h.row, h.how) for h in data.hidden] == [("Blad1", 5, "hidden")], kind
        programme("roster", "import", str(saved), code=65)
    programme("roster", "import", str(saved), "--hidden", "skip")
    emails = {p["email"] for p in programme.json("participant", "list")}
    assert "per.struken@csn.se" not in emails


# --- a file leaves people out ------------------------------------------------------------


def test_people_missing_from_an_agencys_file_are_named_and_withdrawn_on_request(
    programme: Cli, tmp_path: Path
) -> None:
    first = save(hr_book(CSN_ROWS), tmp_path / "csn-1.xlsx")
    programme("roster", "import", str(first))
    programme("pair", "set", "per.struken@csn.se", "orjan@bolagsverket.se")
    second = save(hr_book([HEADER, CSN_ROWS[1]]), tmp_path / "csn-2.xlsx")

    preview = programme("roster", "import", str(second), "--dry-run")
    assert "Per Struken (per.struken@csn.se, CSN, adept)" in preview.stdout
    assert "missing from the file" in preview.stderr and "--withdraw-missing" in preview.stderr
    assert "Örjan" not in preview.stdout  # BV is not this file's agency

    before = store_snapshot()
    programme("roster", "import", str(second))  # named, nothing withdrawn
    assert store_snapshot() == before

    result = programme("roster", "import", str(second), "--withdraw-missing")
    assert "were withdrawn" in result.stderr or "was withdrawn" in result.stderr
    assert "Örjan Sjöström (orjan@bolagsverket.se): 1 of 1 place free" in result.stderr
    parts = {p["email"]: p["status"] for p in programme.json("participant", "list")}
    assert parts["per.struken@csn.se"] == "withdrawn"
    assert parts["asa.oberg@csn.se"] == "active"
    assert programme.json("pair", "list") == []

    programme("db", "undo", "--yes")
    parts = {p["email"]: p["status"] for p in programme.json("participant", "list")}
    assert parts["per.struken@csn.se"] == "active"
