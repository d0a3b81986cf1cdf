"""Roster commands end to end: template, import (all or nothing), export, round trip."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from chefintro.roster.read.reader import read_roster
from tests.conftest import Cli, store_snapshot

PARTICIPANT_HEADERS = [
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
]


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        sheet: Worksheet = book.active if first else book.create_sheet(name)
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    book.close()
    return path


def _roster(tmp_path: Path, name: str = "roster.xlsx") -> Path:
    return _workbook(
        tmp_path / name,
        {
            "Myndigheter": [
                ["Kod", "Namn"],
                ["CSN", "Centrala studiestödsnämnden"],
                ["BV", "Bolagsverket"],
                ["SPV", "Statens tjänstepensionsverk"],
            ],
            "Deltagare": [
                PARTICIPANT_HEADERS,
                [
                    "Åsa Öberg",
                    "Asa.Oberg@CSN.se",
                    "CSN",
                    "Adept",
                    "IT-avdelningen",
                    "Enhetschef",
                    "IT",
                    "Sundsvall",
                    date(2026, 3, 1),
                    None,
                    "IT",
                    "marta@bv.se; orjan@spv.se",
                ],
                [
                    "Märta Sjö",
                    "marta@bv.se",
                    "Bolagsverket",
                    "mentor",
                    None,
                    "IT-chef",
                    "IT",
                    "Sundsvall",
                    date(2012, 1, 1),
                    2,
                    None,
                    None,
                ],
                [
                    "Örjan Berg",
                    "orjan@spv.se",
                    "spv",
                    "MENTOR",
                    None,
                    None,
                    "HR",
                    "Härnösand",
                    "2010-05-01",
                    None,
                    None,
                    None,
                ],
            ],
            "Träffar": [
                ["Titel", "Typ", "Start", "Slut", "Plats", "Värd"],
                [
                    "Uppstart",
                    "uppstart",
                    datetime(2027, 1, 26, 9),
                    datetime(2027, 1, 26, 16),
                    "Sundsvall",
                    "BV",
                ],
            ],
        },
    )


@pytest.fixture
def cohort(cli: Cli, backend: str) -> Cli:
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    return cli


def test_import_then_again_changes_nothing(cohort: Cli, tmp_path: Path) -> None:
    path = _roster(tmp_path)
    first: Any = cohort.json("roster", "import", str(path))
    assert first["sheets"]["Myndigheter"] == {
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert first["sheets"]["Deltagare"] == {"added": 3, "updated": 0, "unchanged": 0, "skipped": 0}
    assert first["sheets"]["Träffar"] == {"added": 1, "updated": 0, "unchanged": 0, "skipped": 0}
    people: Any = cohort.json("participant", "list")
    assert [p["name"] for p in people] == ["Märta Sjö", "Åsa Öberg", "Örjan Berg"]
    asa = next(p for p in people if p["name"] == "Åsa Öberg")
    assert asa["preferred_mentors"] == ["marta@bv.se", "orjan@spv.se"]
    assert asa["manager_since"] == "2026-03-01"
    before = store_snapshot()
    second: Any = cohort.json("roster", "import", str(path))
    assert all(c["added"] == 0 and c["updated"] == 0 for c in second["sheets"].values())
    assert store_snapshot() == before


def test_dry_run_writes_nothing(cohort: Cli, tmp_path: Path) -> None:
    before = store_snapshot()
    result = cohort("roster", "import", str(_roster(tmp_path)), "--dry-run")
    assert "dry run" in result.stdout
    assert store_snapshot() == before


def test_every_problem_is_reported_and_nothing_written(cohort: Cli, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "bad.xlsx",
        {
            "Deltagare": [
                PARTICIPANT_HEADERS + ["Skostorlek"],
                ["Åsa Öberg", "asa@csn.se", "NOPE", "adept"] + [None] * 9,
                ["Björn Ek", "inte-en-adress", "CSN", "adept"] + [None] * 9,
                ["Cia Lund", "cia@csn.se", "CSN", "chef"] + [None] * 9,
                ["Dan Berg", "dan@csn.se", "CSN", "adept", None, None, None, None, "igår"]
                + [None] * 4,
                ["Eva Ås", "ASA@csn.se", "CSN", "adept"] + [None] * 9,
            ],
        },
    )
    cohort("agency", "add", "CSN", "Centrala studiestödsnämnden")
    before = store_snapshot()
    result = cohort("roster", "import", str(path), code=65)
    err = result.stderr
    assert "nothing was imported" in err
    assert "Skostorlek" in err  # extra column warned about
    for needle in ("row 3", "row 4", "row 5", "row 6", "'Roll'", "'E-post'", "'Chef sedan'"):
        assert needle in err, needle
    assert "Traceback" not in err
    assert store_snapshot() == before


def test_unknown_agency_is_reported_with_its_row(cohort: Cli, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "agency.xlsx",
        {"Deltagare": [PARTICIPANT_HEADERS, ["Åsa Öberg", "asa@csn.se", "NOPE", "adept"]]},
    )
    result = cohort("roster", "import", str(path), code=65)
    assert "row 2" in result.stderr and "unknown agency 'NOPE'" in result.stderr


def test_participants_without_a_cohort_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("roster", "import", str(_roster(tmp_path)), code=65)
    assert "needs a cohort" in result.stderr
    assert cli.json("agency", "list") == []


def test_missing_and_non_xlsx_files(cli: Cli, tmp_path: Path) -> None:
    assert "does not exist" in cli("roster", "import", str(tmp_path / "nope.xlsx"), code=66).stderr
    xls = tmp_path / "old.xls"
    xls.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    assert ".xlsx" in cli("roster", "import", str(xls), code=66).stderr


def test_english_headers_and_nfd_names(cohort: Cli, tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Åsa Öberg")
    path = _workbook(
        tmp_path / "en.xlsx",
        {
            "Agencies": [[" CODE ", "name"], ["CSN", "Centrala studiestödsnämnden"]],
            "participants": [
                ["name", "EMAIL", "Agency", "role"],
                [nfd, "asa@csn.se", "CSN", "adept"],
            ],
        },
    )
    cohort("roster", "import", str(path))
    people: Any = cohort.json("participant", "list")
    assert people[0]["name"] == unicodedata.normalize("NFC", "Åsa Öberg")


def test_export_import_round_trip(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    cohort("pair", "suggest")
    cohort("session", "attend", "1", "asa.oberg@csn.se", "--status", "excused")
    exported = tmp_path / "export.xlsx"
    cohort("roster", "export", str(exported))
    data = read_roster(exported)
    assert data.problems == []
    assert {r.email for r in data.participants} == {
        "Asa.Oberg@CSN.se",
        "marta@bv.se",
        "orjan@spv.se",
    }
    assert len(data.pairs) == 1
    before = store_snapshot()
    again: Any = cohort.json("roster", "import", str(exported))
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again["sheets"].values())
    assert store_snapshot() == before
    book = openpyxl.load_workbook(exported)
    try:
        sheet = book["Deltagare"]
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        assert [t.ref for t in sheet.tables.values()] == [sheet.dimensions]
        assert "Översikt" in book.sheetnames
        assert book["Översikt"]._charts
    finally:
        book.close()


def test_export_agencies_writes_one_workbook_each(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    cohort("pair", "suggest")
    out = tmp_path / "ut"
    cohort("roster", "export-agencies", str(out))
    files = sorted(p.name for p in out.iterdir())
    assert files == ["BV-2027.xlsx", "CSN-2027.xlsx", "SPV-2027.xlsx"]
    book = openpyxl.load_workbook(out / "CSN-2027.xlsx", read_only=True)
    try:
        people = [
            row[1] for row in book["Deltagare"].iter_rows(min_row=2, values_only=True) if row[0]
        ]
        assert people == ["Asa.Oberg@CSN.se"]
        pair = next(book["Par"].iter_rows(min_row=2, values_only=True))
        assert pair[0] == "Asa.Oberg@CSN.se" and pair[2] == "CSN" and pair[5] != "CSN"
    finally:
        book.close()


def test_formula_like_text_never_runs(cohort: Cli, tmp_path: Path) -> None:
    cohort("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cohort("person", "add", "--name", '=HYPERLINK("x")', "--email", "f@csn.se", "--agency", "CSN")
    cohort("participant", "add", "f@csn.se", "--role", "adept")
    exported = tmp_path / "f.xlsx"
    cohort("roster", "export", str(exported))
    book = openpyxl.load_workbook(exported)
    try:
        cell = book["Deltagare"]["A2"]
        assert cell.data_type == "s"
        assert not str(cell.value).startswith("=")
    finally:
        book.close()
    assert read_roster(exported).participants[0].name == '=HYPERLINK("x")'


def test_template_has_every_sheet(cli: Cli, tmp_path: Path) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    path = tmp_path / "mall.xlsx"
    cli("roster", "template", str(path))
    book = openpyxl.load_workbook(path)
    try:
        assert {"Instruktioner", "Myndigheter", "Deltagare", "Träffar", "Par", "Närvaro"} <= set(
            book.sheetnames
        )
        validations = book["Deltagare"].data_validations.dataValidation
        assert validations
    finally:
        book.close()
    assert read_roster(path).problems == []


def test_unwritable_export_exits_73(cli: Cli, tmp_path: Path) -> None:
    result = cli("roster", "export", str(tmp_path / "missing-dir" / "x.xlsx"), code=73)
    assert "Traceback" not in result.stderr


def test_absent_columns_keep_capacity_and_wishes(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    slim = _workbook(
        tmp_path / "slim.xlsx",
        {
            "Deltagare": [
                ["Namn", "E-post", "Myndighet", "Roll"],
                ["Märta Sjö", "marta@bv.se", "BV", "mentor"],
                ["Åsa Öberg", "Asa.Oberg@CSN.se", "CSN", "adept"],
            ]
        },
    )
    result: Any = cohort.json("roster", "import", str(slim))
    assert result["sheets"]["Deltagare"] == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    people = {p["email"]: p for p in cohort.json("participant", "list")}
    assert people["marta@bv.se"]["capacity"] == 2
    assert people["Asa.Oberg@CSN.se"]["wished_field"] == "IT"
    assert people["Asa.Oberg@CSN.se"]["preferred_mentors"] == ["marta@bv.se", "orjan@spv.se"]


def test_capacity_below_live_pairs_is_refused(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    cohort("person", "add", "--name", "Ebba Ek", "--email", "ebba@csn.se", "--agency", "CSN")
    cohort("participant", "add", "ebba@csn.se", "--role", "adept")
    cohort("pair", "set", "asa.oberg@csn.se", "marta@bv.se")
    cohort("pair", "set", "ebba@csn.se", "marta@bv.se")
    lower = _workbook(
        tmp_path / "lower.xlsx",
        {
            "Deltagare": [
                PARTICIPANT_HEADERS,
                ["Märta Sjö", "marta@bv.se", "BV", "mentor"] + [None] * 5 + [1, None, None],
            ]
        },
    )
    before = store_snapshot()
    result = cohort("roster", "import", str(lower), code=65)
    assert "mentors 2 adepts" in result.stderr and "'Kapacitet'" in result.stderr
    assert store_snapshot() == before


def test_moving_a_paired_person_to_the_other_agency_is_refused(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    cohort("pair", "set", "asa.oberg@csn.se", "orjan@spv.se")
    before = store_snapshot()
    result = cohort("person", "edit", "asa.oberg@csn.se", "--agency", "SPV", code=1)
    assert "different agencies" in result.stderr
    moved = _workbook(
        tmp_path / "moved.xlsx",
        {
            "Deltagare": [
                ["Namn", "E-post", "Myndighet", "Roll"],
                ["Åsa Öberg", "asa.oberg@csn.se", "SPV", "adept"],
            ]
        },
    )
    result = cohort("roster", "import", str(moved), code=65)
    assert "different agencies" in result.stderr and "row 2" in result.stderr
    assert store_snapshot() == before
    cohort("person", "edit", "asa.oberg@csn.se", "--agency", "BV")  # no pair with BV: fine


def test_session_problems_come_with_participant_problems(cohort: Cli, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "both.xlsx",
        {
            "Deltagare": [PARTICIPANT_HEADERS, ["Åsa Öberg", "asa@csn.se", "NOPE", "adept"]],
            "Träffar": [
                ["Titel", "Typ", "Start", "Slut", "Plats", "Värd"],
                [
                    "Uppstart",
                    "uppstart",
                    datetime(2027, 1, 26, 9),
                    datetime(2027, 1, 26, 16),
                    "Sundsvall",
                    "NOPE",
                ],
            ],
        },
    )
    result = cohort("roster", "import", str(path), code=65)
    assert "'Deltagare', row 2" in result.stderr
    assert "'Träffar', row 2" in result.stderr


def test_exported_words_match_the_drop_downs(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_roster(tmp_path)))
    cohort("session", "attend", "1", "marta@bv.se", "--status", "present")
    exported = tmp_path / "words.xlsx"
    cohort("roster", "export", str(exported))
    book = openpyxl.load_workbook(exported)
    try:
        assert book["Träffar"]["B2"].value == "uppstart"
        statuses = [c.value for c in book["Närvaro"]["C"][1:] if c.value]
        assert statuses == ["närvarande"]
    finally:
        book.close()


def test_thousands_of_warnings_are_cut_short_on_the_terminal(cohort: Cli, tmp_path: Path) -> None:
    """The terminal shows the file's warnings first, then 200 row warnings and a count."""
    adepts = [
        [f"Adept {n}", f"adept{n}@csn.se", "CSN", "adept", None, None, None, None, None, None]
        + [None, "mentor@csn.se"]
        for n in range(205)
    ]
    path = _workbook(
        tmp_path / "many.xlsx",
        {
            "Myndigheter": [["Kod", "Namn"], ["CSN", "Centrala studiestödsnämnden"]],
            "Deltagare": [
                PARTICIPANT_HEADERS,
                ["Mentor Ek", "mentor@csn.se", "CSN", "mentor", *[None] * 4, date(2010, 1, 1)],
                *adepts,
            ],
        },
    )
    result = cohort("roster", "import", str(path), "--dry-run")
    lines = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    # Two warnings a row (the wish, the unknown Chef sedan), row by row, 200 of 410 shown.
    rows = [line for line in lines if line.startswith("Warning: Deltagare row ")]
    assert len(rows) == 200 and "row 3: Adept 0 wishes for Mentor Ek" in rows[0]
    assert "row 3: Adept 0: the manager-since date" in rows[1]
    assert "row 102: Adept 99: the manager-since date" in rows[-1]
    assert lines[-1] == "Warning: … and 210 more warnings (see --json)."
    assert len(lines) == 201
    listed: Any = cohort.json("roster", "import", str(path), "--dry-run", "--json")
    same_agency = [w for w in listed["warnings"] if "same agency" in w]
    assert len(same_agency) == 205 and len(listed["warnings"]) == 410


def test_one_hidden_warning_is_named_in_the_singular(capsys: pytest.CaptureFixture[str]) -> None:
    from chefintro.cli import output

    output.warnings(["a", "b", "c"], limit=2, more=" (see --json)")
    assert capsys.readouterr().err.splitlines() == [
        "Warning: a",
        "Warning: b",
        "Warning: … and 1 more warning (see --json).",
    ]
    output.warnings(["a"], limit=2)
    assert capsys.readouterr().err.splitlines() == ["Warning: a"]


def test_a_person_new_on_deltagare_is_marked_on_narvaro_in_the_same_import(
    cohort: Cli, tmp_path: Path
) -> None:
    """HR adds a late joiner and her first day's mark in one workbook."""
    cohort("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cohort("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "2027-01-26 16:00")
    exported = tmp_path / "export.xlsx"
    cohort("roster", "export", str(exported))
    book = openpyxl.load_workbook(exported)
    book["Deltagare"].append(["Åsa Öberg", "asa@csn.se", "CSN", "adept"])
    book["Närvaro"].append(["asa@csn.se", "Åsa Öberg", "närvarande"])
    returned = tmp_path / "returned.xlsx"
    book.save(returned)
    book.close()
    result = cohort("roster", "import", str(returned))
    assert "Närvaro row 2: added asa@csn.se" in result.stdout + result.stderr
    report: Any = cohort.json("report", "attendance", "--as-of", "2027-12-31")
    [asa] = report["participants"]
    assert (asa["email"], asa["present"], asa["held"]) == ("asa@csn.se", 1, 1)


def test_a_mark_for_someone_on_deltagare_but_not_imported_is_refused_by_its_row(
    cohort: Cli, tmp_path: Path
) -> None:
    """The same workbook imported with --only Närvaro: Åsa's Deltagare row is not taken,
    so her mark names no participant; the row says so, and nothing is recorded."""
    cohort("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cohort("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "2027-01-26 16:00")
    cohort("person", "add", "--name", "Bo Ek", "--email", "bo@csn.se", "--agency", "CSN")
    cohort("participant", "add", "bo@csn.se", "--role", "mentor")
    exported = tmp_path / "export.xlsx"
    cohort("roster", "export", str(exported))
    book = openpyxl.load_workbook(exported)
    book["Deltagare"].append(["Åsa Öberg", "asa@csn.se", "CSN", "adept"])
    book["Närvaro"].append(["asa@csn.se", "Åsa Öberg", "närvarande"])
    book["Närvaro"]["C2"] = "frånvarande"  # Bo's mark, row 2: would be recorded alone
    returned = tmp_path / "returned.xlsx"
    book.save(returned)
    book.close()
    before = store_snapshot()
    result = cohort("roster", "import", str(returned), "--only", "Närvaro", code=65)
    said = " ".join(result.stderr.split())
    assert said.endswith(
        "1 problem found; nothing was imported. • sheet 'Närvaro', row 3, column 'E-post': "
        "asa@csn.se is not a participant of cohort 2027"
    ), said
    assert store_snapshot() == before
