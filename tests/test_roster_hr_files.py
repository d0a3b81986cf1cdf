"""What HR's files really hold (issue 30): hidden and filtered-out rows, a second file that
leaves people out, "Efternamn, Förnamn", two-level headers, our own and Forms' columns.

Every workbook is made as an HR person makes one (openpyxl on "Blad1" with a title row,
Förnamn/Efternamn, pasted Outlook addresses, rows hidden or filtered in the sheet), or
saved by LibreOffice, never by chefintro's own writer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chefintro.roster.read.reader import read_roster
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
    assert "sheet 'Blad1' row 5 (Per Struken) is hidden" in preview.stderr
    assert "--hidden skip" in preview.stderr
    result = programme("roster", "import", str(path), code=65)
    assert "row 5" in result.stderr and "is hidden in the workbook" in result.stderr
    assert store_snapshot() == before

    listed = json.loads(programme("roster", "import", str(path), "--dry-run", "--json").stdout)
    assert listed["hidden"] == [
        {"sheet": "Blad1", "row": 5, "column": None, "how": "hidden", "subject": "Per Struken"}
    ]
    programme("roster", "import", str(path), "--hidden", "skip")
    emails = {p["email"] for p in programme.json("participant", "list")}
    assert emails == {"asa.oberg@csn.se", "orjan@bolagsverket.se"}


def test_hidden_include_imports_the_hidden_row(programme: Cli, tmp_path: Path) -> None:
    path = hidden_row_book(tmp_path / "csn.xlsx")
    result = programme("roster", "import", str(path), "--hidden", "include")
    assert "row 5 (Per Struken) is hidden" in result.stderr
    assert "1 row is hidden or filtered out in the workbook (imported)" in result.stderr
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
    assert "Per Struken (per.struken@csn.se, CSN, adept)" in preview.stderr
    assert "missing from the file" in preview.stderr and "--withdraw-missing" in preview.stderr
    assert "Örjan Sjöström (" not in preview.stderr  # BV is not this file's agency

    listed = json.loads(programme("roster", "import", str(second), "--dry-run", "--json").stdout)
    assert listed["missing"] == ["Per Struken (per.struken@csn.se, CSN, adept)"]
    assert listed["missing_withdrawn"] is False
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


# --- names written "Efternamn, Förnamn"; the one name finder ------------------------------


def test_surname_first_names_are_turned_round_with_a_warning(
    programme: Cli, tmp_path: Path
) -> None:
    path = save(
        hr_book(
            [
                ["Namn", "E-post", "Myndighet", "Roll"],
                ["Ågren, Zoë", "zoe.agren@csn.se", "CSN", "adept"],
                ["O'Brien, Liam", "liam@bolagsverket.se", "BV", "mentor"],
                ["Lena Ek", "lena.ek@spv.se", "SPV", "mentor"],
            ]
        ),
        tmp_path / "hr-export.xlsx",
    )
    result = programme("roster", "import", str(path))
    assert "the names in rows 4 and 5 were written 'Efternamn, Förnamn'" in result.stderr
    people = {p["email"]: p["name"] for p in programme.json("person", "list")}
    assert people["zoe.agren@csn.se"] == "Zoë Ågren"
    assert people["liam@bolagsverket.se"] == "Liam O'Brien"
    assert people["lena.ek@spv.se"] == "Lena Ek"


def test_one_name_finder_for_every_command(programme: Cli, tmp_path: Path) -> None:
    programme("person", "add", "--name", "Zoë Ågren", "--email", "zoe@csn.se", "--agency", "CSN")
    programme("person", "add", "--name", "Liam O'Brien", "--email", "liam@bv.se", "--agency", "BV")
    programme(
        "person", "add", "--name", "Anna-Karin Berg", "--email", "ak@spv.se", "--agency", "SPV"
    )
    for typed in ("zoe agren", "ÅGREN, ZOË", "agren zoe"):
        assert programme.json("person", "show", typed)["email"] == "zoe@csn.se", typed
    assert programme.json("person", "show", "liam obrien")["email"] == "liam@bv.se"
    assert programme.json("person", "show", "anna karin berg")["email"] == "ak@spv.se"
    programme("participant", "add", "zoe agren", "--role", "adept")
    programme("participant", "add", "Liam OBrien", "--role", "mentor")
    programme("pair", "set", "Agren, Zoe", "liam o'brien")
    assert [p["adept"] for p in programme.json("pair", "list")] == ["zoe@csn.se"]


# --- two-level headers -------------------------------------------------------------------


def two_level_book() -> Any:
    book = hr_book(
        [
            ["Namn", None, "E-post", "Myndighet", "Roll"],
            ["Förnamn", "Efternamn", None, None, None],
            ["Åsa", "Öberg", "asa@csn.se", "CSN", "adept"],
            ["Örjan", "Sjöström", "orjan@bolagsverket.se", "BV", "mentor"],
        ]
    )
    book["Blad1"].merge_cells("A3:B3")
    for column in "CDE":
        book["Blad1"].merge_cells(f"{column}3:{column}4")
    return book


def test_a_two_level_header_is_read(programme: Cli, tmp_path: Path) -> None:
    path = save(two_level_book(), tmp_path / "två-nivåer.xlsx")
    result = programme("roster", "import", str(path), "--dry-run")
    assert "the headers stand on two rows (3 and 4)" in result.stderr
    assert "Deltagare row 5: added Åsa Öberg <asa@csn.se> to cohort 2027 as adept" in result.stdout
    assert "row 4" not in result.stdout
    programme("roster", "import", str(path))
    assert {p["name"] for p in programme.json("person", "list")} == {"Åsa Öberg", "Örjan Sjöström"}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_libreoffice_saved_two_level_header_is_read(programme: Cli, tmp_path: Path) -> None:
    saved = libreoffice(save(two_level_book(), tmp_path / "två.xlsx"), "xlsx", tmp_path)
    data = read_roster(saved)
    assert data.problems == []
    assert [(p.row, p.name) for p in data.participants] == [(5, "Åsa Öberg"), (6, "Örjan Sjöström")]


def test_a_half_header_row_is_refused_with_what_to_do(programme: Cli, tmp_path: Path) -> None:
    path = save(
        hr_book(
            [
                ["Namn", None, "E-post", "Myndighet", "Roll"],
                ["Förnamn", "Efternamn", "Kontaktväg", "Kommentar", None],
                ["Åsa", "Öberg", "asa@csn.se", "CSN", "adept"],
            ]
        ),
        tmp_path / "halv.xlsx",
    )
    result = programme("roster", "import", str(path), code=65)
    assert "looks like a second header row" in result.stderr
    assert "make one header row" in result.stderr
    assert "1 problem found" in result.stderr  # the header row is not also read as a person


# --- the dry run's words -----------------------------------------------------------------


def test_the_dry_run_says_added_to_the_cohort_not_a_role_from_blank(
    programme: Cli, tmp_path: Path
) -> None:
    programme("person", "add", "--name", "Åsa Öberg", "--email", "asa@csn.se", "--agency", "CSN")
    programme("person", "add", "--name", "Örjan Ek", "--email", "orjan@bv.se", "--agency", "BV")
    path = save(
        hr_book(
            [
                ["Namn", "E-post", "Myndighet", "Roll", "Ort"],
                ["Åsa Öberg", "asa@csn.se", "CSN", "adept", "Umeå"],
                ["Örjan Ek", "orjan@bv.se", "SPV", "mentor", None],
            ]
        ),
        tmp_path / "ny-omgång.xlsx",
    )
    dry = programme("roster", "import", str(path), "--dry-run")
    added = "to cohort 2027 as"
    assert f"row 4: added Åsa Öberg <asa@csn.se> {added} adept — Ort: (tomt) → Umeå" in dry.stdout
    assert f"row 5: added Örjan Ek <orjan@bv.se> {added} mentor — Myndighet: BV → SPV" in dry.stdout
    assert "Roll" not in dry.stdout


# --- our own columns and Forms' come back quietly -----------------------------------------


def test_an_agency_workbook_comes_back_without_warnings(programme: Cli, tmp_path: Path) -> None:
    programme("roster", "import", str(save(hr_book(CSN_ROWS), tmp_path / "csn.xlsx")))
    programme("pair", "set", "asa.oberg@csn.se", "orjan@bolagsverket.se")
    programme("roster", "export-agencies", str(tmp_path / "ut"))
    returned = tmp_path / "ut" / "CSN-2027.xlsx"
    result = programme("roster", "import", str(returned), "--dry-run")
    assert "Warning" not in result.stderr.replace("Eligibility", ""), result.stderr
    data = read_roster(returned)
    assert [p.pair_id for p in data.pairs] == [1]  # the hidden pair number, with its header
    assert data.hidden == []


FORMS_SV = ["ID", "Starttid", "Sluttid", "E-post", "Namn", "Tid för senaste ändring"]
FORMS_EN = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]


@pytest.mark.parametrize("header", [FORMS_SV, FORMS_EN], ids=["svenska", "english"])
def test_a_forms_export_s_own_columns_are_ignored_quietly(
    programme: Cli, tmp_path: Path, header: list[str]
) -> None:
    programme("roster", "import", str(save(hr_book(CSN_ROWS), tmp_path / "csn.xlsx")))
    programme("survey", "add", "start-2027", "--phase", "start")
    question = programme.json("survey", "list")[0]
    assert question["questions"] > 0
    form = tmp_path / "form.xlsx"
    programme("survey", "export", "start-2027", str(form))
    asked = [cell.value for cell in openpyxl.load_workbook(form)["Svar"][1]][-2:]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append([*header, *asked])
    sheet.append(
        [1, "2027-01-30 10:00", "2027-01-30 10:05", "asa.oberg@csn.se", "Åsa", None, 5, "Bra"]
    )
    result = programme("survey", "import", "start-2027", str(save(book, tmp_path / "forms.xlsx")))
    assert "were ignored" not in result.stderr, result.stderr
    assert "1 respondent" in result.stderr


def test_a_plan_names_the_people_its_agency_file_leaves_out_and_refuses_hidden_rows(
    programme: Cli, tmp_path: Path
) -> None:
    save(hr_book(CSN_ROWS), tmp_path / "csn-1.xlsx")
    save(hr_book([HEADER, CSN_ROWS[1]]), tmp_path / "csn-2.xlsx")
    hidden_row_book(tmp_path / "csn-dold.xlsx")
    plan = tmp_path / "plan.toml"
    head = '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n\n[roster]\nfiles = '
    plan.write_text(head + '["csn-1.xlsx", "csn-2.xlsx"]\n', encoding="utf-8")
    result = programme("cohort", "setup", str(plan), "--out", str(tmp_path / "ut"))
    assert "1 participant of CSN in cohort 2027 is not in csn-2.xlsx (still active)" in (
        result.stdout + result.stderr
    )
    plan.write_text(head + '["csn-dold.xlsx"]\n', encoding="utf-8")
    before = store_snapshot()
    refused = programme("cohort", "setup", str(plan), "--out", str(tmp_path / "ut"), code=65)
    assert "is hidden in the workbook" in refused.stderr
    assert store_snapshot() == before
