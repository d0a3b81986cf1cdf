"""Roster import contract: every required column is demanded, and an import is all or nothing.

The required columns are written out here from the README's workbook table rather than
taken from the code's column table, so that a column quietly made optional is noticed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import Cli, store_snapshot

# The smallest roster that uses every importable sheet; each is valid as it stands.
VALID: dict[str, list[list[Any]]] = {
    "Myndigheter": [
        ["Kod", "Namn"],
        ["CSN", "Centrala studiestödsnämnden"],
        ["BV", "Bolagsverket"],
    ],
    "Deltagare": [
        ["Namn", "E-post", "Myndighet", "Roll"],
        ["Åsa Öberg", "asa@csn.se", "CSN", "adept"],
        ["Märta Sjö", "marta@bv.se", "BV", "mentor"],
        ["Elise Lund", "elise@csn.se", "CSN", "mentor"],
    ],
    "Träffar": [
        ["Titel", "Start", "Slut"],
        ["Uppstart", "2027-01-26 09:00", "2027-01-26 16:00"],
    ],
    "Par": [
        ["Adept", "Mentor"],
        ["asa@csn.se", "marta@bv.se"],
    ],
    "Närvaro": [
        ["E-post", "Uppstart (2027-01-26 09:00)"],
        ["asa@csn.se", "anmält förhinder"],
    ],
}

# (sheet, Swedish header, English header): the required columns of the workbook contract.
REQUIRED = [
    ("Myndigheter", "Kod", "Code"),
    ("Myndigheter", "Namn", "Name"),
    ("Deltagare", "Namn", "Name"),
    ("Deltagare", "E-post", "Email"),
    ("Deltagare", "Myndighet", "Agency"),
    ("Deltagare", "Roll", "Role"),
    ("Träffar", "Titel", "Title"),
    ("Träffar", "Start", "Start"),
    ("Träffar", "Slut", "End"),
    ("Par", "Adept", "Adept"),
    ("Par", "Mentor", "Mentor"),
    ("Närvaro", "E-post", "Email"),
]


def _write(path: Path, sheets: dict[str, Any]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    book.close()
    return path


def _without(sheet: str, header: str) -> dict[str, list[list[Any]]]:
    sheets = {name: [list(row) for row in rows] for name, rows in VALID.items()}
    index = sheets[sheet][0].index(header)
    sheets[sheet] = [row[:index] + row[index + 1 :] for row in sheets[sheet]]
    return sheets


def _with_cohort(cli: Cli) -> Cli:
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    return cli


@pytest.fixture
def cohort(cli: Cli) -> Cli:
    return _with_cohort(cli)


def test_the_valid_roster_imports(cohort: Cli, tmp_path: Path) -> None:
    # The control case: the workbook the other tests spoil is itself accepted in full.
    summary: Any = cohort.json("roster", "import", str(_write(tmp_path / "ok.xlsx", VALID)))
    assert (summary["cohort"], summary["dry_run"]) == ("2027", False)
    added = {name: counts["added"] for name, counts in summary["sheets"].items()}
    assert added == {"Myndigheter": 2, "Deltagare": 3, "Träffar": 1, "Par": 1, "Närvaro": 1}
    assert [(p["adept"], p["mentor"]) for p in cohort.json("pair", "list")] == [
        ("asa@csn.se", "marta@bv.se")
    ]
    # Each change names its sheet, row and subject, as the terminal lists them.
    changes = [
        (c["sheet"], c["row"], c["action"], c["subject"])
        for c in summary["changes"]
        if c["sheet"] != "Deltagare"
    ]
    assert changes == [
        ("Myndigheter", 2, "added", "CSN"),
        ("Myndigheter", 3, "added", "BV"),
        ("Träffar", 2, "added", "Uppstart (2027-01-26 09:00)"),
        ("Par", 2, "added", "asa@csn.se → marta@bv.se"),
        ("Närvaro", 2, "added", "asa@csn.se"),
    ]


@pytest.mark.parametrize(("sheet", "header", "english"), REQUIRED)
def test_a_missing_required_column_is_refused(
    cohort: Cli, tmp_path: Path, sheet: str, header: str, english: str
) -> None:
    path = _write(tmp_path / "missing.xlsx", _without(sheet, header))
    before = store_snapshot()
    result = cohort("roster", "import", str(path), code=65)
    assert f"no column {header} ({english})" in result.stderr
    assert sheet in result.stderr
    assert "nothing was imported" in result.stderr
    assert store_snapshot() == before
    # The English header is as good as the Swedish one.
    sheets = {name: [list(row) for row in rows] for name, rows in VALID.items()}
    sheets[sheet][0][sheets[sheet][0].index(header)] = english
    cohort("roster", "import", str(_write(tmp_path / "english.xlsx", sheets)))


# Each late failure with the one problem line it must give (sheet, row, column, message).
LATE_FAILURES: dict[str, tuple[dict[str, list[list[Any]]], str]] = {
    # A pair the hard rules forbid (same agency) in the Par sheet.
    "Par": (
        {"Par": [["Adept", "Mentor"], ["asa@csn.se", "elise@csn.se"]]},
        "sheet 'Par', row 2, column 'Mentor': Åsa Öberg and Elise Lund cannot be paired: "
        "same agency.",
    ),
    # A mark for someone who is not registered, in the Närvaro sheet.
    "Närvaro": (
        {"Närvaro": [["E-post", "Uppstart (2027-01-26 09:00)"], ["nobody@csn.se", "x"]]},
        "sheet 'Närvaro', row 2, column 'E-post': nobody@csn.se is not a participant of "
        "cohort 2027",
    ),
    # A session the service refuses (more than a year outside the cohort's dates): the
    # refusal inside the import's savepoint becomes a located problem.
    "Träffar": (
        {
            "Träffar": [
                ["Titel", "Start", "Slut"],
                ["Uppstart", "2029-03-01 09:00", "2029-03-01 16:00"],
            ],
            "Närvaro": [["E-post"], ["asa@csn.se"]],
        },
        "sheet 'Träffar', row 2, column 'Start': The day 'Uppstart' (2029-03-01) is more than "
        "a year outside the cohort's dates (2027-01-26 – 2027-12-09); days go from 2026-01-25 "
        "to 2028-12-09.",
    ),
    # A column naming no session of the cohort.
    "Närvaro header": (
        {"Närvaro": [["E-post", "Avslutning (2027-12-09 09:00)"], ["asa@csn.se", "x"]]},
        "sheet 'Närvaro', row 1, column 'Avslutning (2027-12-09 09:00)': no session of cohort "
        "2027 matches this column",
    ),
}


@pytest.mark.parametrize("case", list(LATE_FAILURES))
def test_a_late_sheet_failing_leaves_no_people_behind(
    cli: Cli, backend: str, tmp_path: Path, case: str
) -> None:
    # The cohort is made here, after `backend` has chosen the store.
    cohort = _with_cohort(cli)
    # People, agencies and sessions come first and are valid; only the later sheet is not.
    sheets, problem = LATE_FAILURES[case]
    path = _write(tmp_path / "late.xlsx", VALID | sheets)
    before = store_snapshot()
    result = cohort("roster", "import", str(path), code=65)  # the real import, not a dry run
    assert "late.xlsx: 1 problem found; nothing was imported." in result.stderr
    assert problem in " ".join(result.stderr.split())
    assert store_snapshot() == before
    assert cohort.json("person", "list") == []
    assert cohort.json("agency", "list") == []
    assert cohort.json("session", "list") == []
    # The same file with the sheet mended imports everything.
    cohort("roster", "import", str(_write(tmp_path / "mended.xlsx", VALID)))
    assert len(cohort.json("person", "list")) == 3


def test_attendance_for_a_withdrawn_participant_is_a_located_problem(
    cohort: Cli, tmp_path: Path
) -> None:
    both = ["uppstart", "nätverk"]
    cohort("roster", "import", str(_write(tmp_path / "ok.xlsx", _narvaro(both))))
    cohort("participant", "withdraw", "asa@csn.se", "--yes")
    sheets = _narvaro(both, ["asa@csn.se", "närvarande", "närvarande"])
    path = _write(tmp_path / "narvaro.xlsx", {"Närvaro": sheets["Närvaro"]})
    before = store_snapshot()
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    withdrawn = {
        "sheet": "Närvaro",
        "row": 2,
        "column": "E-post",
        "message": "Nothing was recorded: Åsa Öberg (asa@csn.se) has withdrawn.",
    }
    assert result["problems"] == [withdrawn, withdrawn]  # one for each session's mark
    assert store_snapshot() == before


@pytest.mark.parametrize("sheet", ["Deltagare", "Träffar", "Par", "Närvaro"])
def test_a_cohort_sheet_without_a_cohort_is_a_problem_of_that_sheet(
    cli: Cli, tmp_path: Path, sheet: str
) -> None:
    # No cohort exists: the first sheet that needs one says so, once, and nothing is written.
    sheets = {"Myndigheter": VALID["Myndigheter"], "Deltagare": VALID["Deltagare"]}
    path = _write(tmp_path / "no-cohort.xlsx", sheets | {sheet: VALID[sheet]})
    before = store_snapshot()
    result: Any = json.loads(cli("roster", "import", str(path), "--json", code=65).stdout)
    assert [(p["sheet"], p["row"], p["column"]) for p in result["problems"]] == [
        ("Deltagare", None, None)
    ]
    assert result["problems"][0]["message"].startswith("the roster needs a cohort: ")
    if sheet != "Deltagare":  # (alone, its agencies would be unknown too)
        only: Any = json.loads(
            cli("roster", "import", str(path), "--only", sheet, "--json", code=65).stdout
        )
        problems = [(p["sheet"], p["row"], p["column"]) for p in only["problems"]]
        assert problems == [(sheet, None, None)]
    assert store_snapshot() == before


@pytest.mark.parametrize(("locked", "expected"), [(None, True), ("ja", True), ("nej", False)])
def test_a_par_row_is_locked_unless_its_lst_column_says_no(
    cohort: Cli, tmp_path: Path, locked: str | None, expected: bool
) -> None:
    # Without a Låst column a roster's pair is locked (README, the workbook).
    par = [["Adept", "Mentor"], ["asa@csn.se", "marta@bv.se"]]
    if locked is not None:
        par = [["Adept", "Mentor", "Låst"], ["asa@csn.se", "marta@bv.se", locked]]
    cohort("roster", "import", str(_write(tmp_path / "par.xlsx", VALID | {"Par": par})))
    (pair,) = cohort.json("pair", "list")
    assert (pair["adept"], pair["locked"], pair["manual"]) == ("asa@csn.se", expected, True)


def test_every_bad_par_row_is_reported(cohort: Cli, tmp_path: Path) -> None:
    par = [
        ["Adept", "Mentor"],
        ["nobody@csn.se", "marta@bv.se"],
        ["asa@csn.se", "noone@bv.se"],
    ]
    path = _write(tmp_path / "par.xlsx", VALID | {"Par": par})
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    assert [(p["sheet"], p["row"], p["column"]) for p in result["problems"]] == [
        ("Par", 2, "Adept"),
        ("Par", 3, "Mentor"),
    ]


def test_a_second_import_lists_what_changed_in_par_and_narvaro(cohort: Cli, tmp_path: Path) -> None:
    cohort("roster", "import", str(_write(tmp_path / "ok.xlsx", VALID)))
    again = VALID | {
        "Par": [["Adept", "Mentor", "Låst"], ["asa@csn.se", "marta@bv.se", "nej"]],
        "Närvaro": [
            ["E-post", "Uppstart (2027-01-26 09:00)"],
            ["asa@csn.se", "närvarande"],
            ["marta@bv.se", "frånvarande"],
        ],
    }
    path = _write(tmp_path / "again.xlsx", again)
    session = "Uppstart (2027-01-26 09:00)"

    def changes() -> list[tuple[Any, ...]]:
        summary: Any = cohort.json("roster", "import", str(path))
        return [
            (c["sheet"], c["row"], c["action"], c["subject"], c["fields"])
            for c in summary["changes"]
            if c["sheet"] in ("Par", "Närvaro")
        ]

    assert changes() == [
        ("Par", 2, "changed", "asa@csn.se → marta@bv.se", [field("Låst", "ja", "nej")]),
        ("Närvaro", 2, "changed", "asa@csn.se", [field(session, "anmält förhinder", "närvarande")]),
        ("Närvaro", 3, "added", "marta@bv.se", [field(session, None, "frånvarande")]),
    ]
    assert changes() == [
        ("Par", 2, "unchanged", "asa@csn.se → marta@bv.se", []),
        ("Närvaro", 2, "unchanged", "asa@csn.se", []),
        ("Närvaro", 3, "unchanged", "marta@bv.se", []),
    ]
    assert [p["locked"] for p in cohort.json("pair", "list")] == [False]


def field(name: str, old: str | None, new: str) -> dict[str, str | None]:
    return {"field": name, "old": old, "new": new}


def test_a_pair_removed_since_the_export_is_skipped_and_the_rows_after_it_still_count(
    cohort: Cli, tmp_path: Path
) -> None:
    # Pair number 999 is no live pair: the row was exported before its pair went away.
    sheets = VALID | {
        "Deltagare": [*VALID["Deltagare"], ["Bo Ek", "bo@csn.se", "CSN", "adept"]],
        "Par": [
            ["Adept", "Mentor", "Parnummer"],
            ["asa@csn.se", "marta@bv.se", 999],
            ["bo@csn.se", "marta@bv.se", None],
        ],
    }
    summary: Any = cohort.json("roster", "import", str(_write(tmp_path / "par.xlsx", sheets)))
    assert [(c["row"], c["action"]) for c in summary["changes"] if c["sheet"] == "Par"] == [
        (2, "skipped"),
        (3, "added"),
    ]
    assert [(p["adept"], p["mentor"]) for p in cohort.json("pair", "list")] == [
        ("bo@csn.se", "marta@bv.se")
    ]


# VALID with a second adept (Bo, CSN) and a second mentor (Örjan, SPV).
WIDER = VALID | {
    "Myndigheter": [*VALID["Myndigheter"], ["SPV", "Statens tjänstepensionsverk"]],
    "Deltagare": [
        *VALID["Deltagare"],
        ["Bo Ek", "bo@csn.se", "CSN", "adept"],
        ["Örjan Berg", "orjan@spv.se", "SPV", "mentor"],
    ],
}


def _par(*rows: list[Any]) -> dict[str, list[list[Any]]]:
    return WIDER | {"Par": [["Adept", "Mentor", "Låst"], *rows]}


def _par_changes(summary: Any) -> list[tuple[Any, ...]]:
    return [
        (c["row"], c["action"], c["subject"], c["fields"])
        for c in summary["changes"]
        if c["sheet"] == "Par"
    ]


def test_par_rows_after_an_unchanged_one_still_count(cohort: Cli, tmp_path: Path) -> None:
    first = _write(tmp_path / "1.xlsx", _par(["asa@csn.se", "marta@bv.se", "ja"]))
    cohort("roster", "import", str(first))
    both = _par(["asa@csn.se", "marta@bv.se", "ja"], ["bo@csn.se", "orjan@spv.se", "ja"])
    summary: Any = cohort.json("roster", "import", str(_write(tmp_path / "2.xlsx", both)))
    assert _par_changes(summary) == [
        (2, "unchanged", "asa@csn.se → marta@bv.se", []),
        (3, "added", "bo@csn.se → orjan@spv.se", []),
    ]


def test_a_par_row_replaces_an_unlocked_proposal_but_never_an_active_pair(
    cohort: Cli, tmp_path: Path
) -> None:
    first = _write(tmp_path / "1.xlsx", _par(["asa@csn.se", "marta@bv.se", "nej"]))
    cohort("roster", "import", str(first))
    moved = _write(tmp_path / "2.xlsx", _par(["asa@csn.se", "orjan@spv.se", "nej"]))
    summary: Any = cohort.json("roster", "import", str(moved))
    assert _par_changes(summary) == [
        (
            2,
            "changed",
            "asa@csn.se → orjan@spv.se",
            [field("Mentor", "marta@bv.se", "orjan@spv.se")],
        )
    ]
    cohort("pair", "apply")  # Åsa and Örjan's pair is now active (and still unlocked)
    back = _write(tmp_path / "3.xlsx", _par(["asa@csn.se", "marta@bv.se", "nej"]))
    before = store_snapshot()
    result: Any = json.loads(cohort("roster", "import", str(back), "--json", code=65).stdout)
    assert result["problems"] == [
        {
            "sheet": "Par",
            "row": 2,
            "column": "Mentor",
            "message": "Åsa Öberg already has the active pair with Örjan Berg (orjan@spv.se); a "
            "roster never replaces an active or locked pair — remove or end it first "
            "('chefintro pair remove')",
        }
    ]
    assert store_snapshot() == before


def _narvaro(header: list[str], *rows: list[Any]) -> dict[str, list[list[Any]]]:
    return VALID | {
        "Träffar": [
            ["Titel", "Start", "Slut"],
            ["Uppstart", "2027-01-26 09:00", "2027-01-26 16:00"],
            ["Nätverk", "2027-03-01 09:00", "2027-03-01 12:00"],
        ],
        "Närvaro": [["E-post", *header], *rows],
    }


def test_narvaro_columns_match_by_title_date_and_time_and_list_each_change(
    cohort: Cli, tmp_path: Path
) -> None:
    # Headers as people type them: any case, with or without the date or the time.
    header = ["uppstart", "Nätverk (2027-03-01)"]

    def load(name: str, *rows: list[Any]) -> list[tuple[Any, ...]]:
        path = _write(tmp_path / name, _narvaro(header, *rows))
        summary: Any = cohort.json("roster", "import", str(path))
        return [
            (c["row"], c["action"], c["subject"], c["fields"])
            for c in summary["changes"]
            if c["sheet"] == "Närvaro"
        ]

    first = load("1.xlsx", ["marta@bv.se", None, None], ["asa@csn.se", "närvarande", None])
    # Märta's row has no marks: nothing to list.
    assert first == [(3, "added", "asa@csn.se", [field("uppstart", None, "närvarande")])]
    second = load(
        "2.xlsx", ["marta@bv.se", None, None], ["asa@csn.se", "närvarande", "frånvarande"]
    )
    assert second == [
        (3, "added", "asa@csn.se", [field("Nätverk (2027-03-01)", None, "frånvarande")])
    ]
    third = load("3.xlsx", ["marta@bv.se", None, None], ["asa@csn.se", "frånvarande", "närvarande"])
    assert third == [
        (
            3,
            "changed",
            "asa@csn.se",
            [
                field("uppstart", "närvarande", "frånvarande"),
                field("Nätverk (2027-03-01)", "frånvarande", "närvarande"),
            ],
        )
    ]


def test_a_narvaro_column_matching_two_sessions_is_a_problem(cohort: Cli, tmp_path: Path) -> None:
    sheets = _narvaro(["Uppstart"], ["asa@csn.se", "närvarande"])
    sheets["Träffar"] = [*sheets["Träffar"], ["Uppstart", "2027-06-01 09:00", "2027-06-01 12:00"]]
    path = _write(tmp_path / "two.xlsx", sheets)
    before = store_snapshot()
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    assert result["problems"] == [
        {
            "sheet": "Närvaro",
            "row": 1,
            "column": "Uppstart",
            "message": "more than one session (Uppstart 2027-01-26 09:00, Uppstart 2027-06-01 "
            "09:00) of cohort 2027 matches this column; write the header as the export does: "
            "'Titel (ÅÅÅÅ-MM-DD TT:MM)'",
        }
    ]
    assert store_snapshot() == before


def test_marks_of_a_session_removed_since_the_export_are_left_out_the_rest_imported(
    cohort: Cli, tmp_path: Path
) -> None:
    cohort("roster", "import", str(_write(tmp_path / "ok.xlsx", VALID)))
    cohort("session", "add", "Nätverk", "--start", "2027-03-01 09:00", "--end", "12:00")
    exported = tmp_path / "export.xlsx"
    cohort("roster", "export", str(exported))
    uppstart = {s["title"]: s["id"] for s in cohort.json("session", "list")}["Uppstart"]
    cohort("session", "remove", str(uppstart), "--force", "--yes")
    book = openpyxl.load_workbook(exported)
    sheet = book["Närvaro"]
    assert [c.value for c in sheet[1]] == [
        "E-post",
        "Namn",
        "Uppstart (2027-01-26 09:00)",
        "Nätverk (2027-03-01 09:00)",
    ]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "asa@csn.se":
            row[3].value = "närvarande"  # Nätverk: comes after the removed session's column
    book.save(exported)
    summary: Any = cohort.json("roster", "import", str(exported))
    assert [
        (c["row"], c["action"], c["subject"], c["fields"])
        for c in summary["changes"]
        if c["sheet"] == "Närvaro" and c["action"] != "unchanged"
    ] == [(4, "added", "asa@csn.se", [field("Nätverk (2027-03-01 09:00)", None, "närvarande")])]
    removed = [w for w in summary["warnings"] if w.startswith("Närvaro column")]
    assert (
        len(removed) == 1
        and "'Uppstart (2027-01-26 09:00)': the session was removed" in (removed[0])
    )
    # A column for another Uppstart, which never existed, is still a problem.
    sheet.cell(row=1, column=5, value="Uppstart (2027-05-03 09:00)")
    book.save(exported)
    result: Any = json.loads(cohort("roster", "import", str(exported), "--json", code=65).stdout)
    assert [(p["sheet"], p["row"], p["column"]) for p in result["problems"]] == [
        ("Närvaro", 1, "Uppstart (2027-05-03 09:00)")
    ]


def test_every_narvaro_row_naming_a_stranger_is_reported(cohort: Cli, tmp_path: Path) -> None:
    narvaro = [
        ["E-post", "Uppstart (2027-01-26 09:00)"],
        ["nobody@csn.se", "x"],
        ["noone@bv.se", "x"],
    ]
    path = _write(tmp_path / "strangers.xlsx", VALID | {"Närvaro": narvaro})
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    assert [(p["sheet"], p["row"], p["message"]) for p in result["problems"]] == [
        ("Närvaro", 2, "nobody@csn.se is not a participant of cohort 2027"),
        ("Närvaro", 3, "noone@bv.se is not a participant of cohort 2027"),
    ]


def test_cohort_sheets_go_to_the_cohort_named_with_cohort(cli: Cli, tmp_path: Path) -> None:
    cli("cohort", "create", "2026", "--start", "2026-01-26", "--end", "2026-12-09")
    _with_cohort(cli)
    cli("cohort", "use", "2027")
    summary: Any = cli.json(
        "--cohort",
        "2026",
        "roster",
        "import",
        str(
            _write(
                tmp_path / "a.xlsx",
                {
                    "Myndigheter": VALID["Myndigheter"],
                    "Deltagare": VALID["Deltagare"],
                },
            )
        ),
    )
    assert summary["cohort"] == "2026"
    assert len(cli.json("--cohort", "2026", "participant", "list")) == 3
    assert cli.json("participant", "list") == []


def test_problems_are_listed_by_sheet_then_row_whatever_order_they_were_found(
    cohort: Cli, tmp_path: Path
) -> None:
    # Par row 3 is refused while the rows are read, row 2 only by the pair rules after them;
    # Träffar's problem is found before Par's but sorts after them.
    sheets = VALID | {
        "Träffar": [
            ["Titel", "Start", "Slut"],
            ["Uppstart", "2029-03-01 09:00", "2029-03-01 16:00"],
        ],
        "Par": [
            ["Adept", "Mentor"],
            ["asa@csn.se", "elise@csn.se"],
            ["nobody@csn.se", "marta@bv.se"],
        ],
        "Närvaro": [["E-post"], ["asa@csn.se"]],
    }
    path = _write(tmp_path / "order.xlsx", sheets)
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    assert [(p["sheet"], p["row"]) for p in result["problems"]] == [
        ("Par", 2),
        ("Par", 3),
        ("Träffar", 2),
    ]
    assert result["error"] == "order.xlsx: 3 problems found; nothing was imported."


def test_the_import_stops_collecting_problems_at_the_cap_and_says_so(
    cohort: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chefintro.roster.load import loader

    monkeypatch.setattr(loader, "MAX_PROBLEMS", 2)
    people = [["Namn", "E-post", "Myndighet", "Roll"]]
    people += [[f"P {n}", f"p{n}@x.se", "Okänd", "adept"] for n in range(4)]
    path = _write(tmp_path / "many.xlsx", {"Deltagare": people})
    result: Any = json.loads(cohort("roster", "import", str(path), "--json", code=65).stdout)
    assert [(p["row"], p["column"]) for p in result["problems"]] == [
        (2, "Myndighet"),
        (3, "Myndighet"),
    ]
    assert result["error"] == (
        "many.xlsx: 2 problems found (the reader stopped looking after that many); nothing "
        "was imported."
    )


def test_the_bulk_insert_stores_what_the_commands_store(
    cli: Cli, backend: str, tmp_path: Path
) -> None:
    # The import writes people and participants with its own batched insert (issue 16): each
    # distinct value goes through its column type's processor once and is shared by the
    # rows that repeat it. Stored columns must be exactly what 'person add' and
    # 'participant add' (the ORM) store for the same values, read back raw from the store.
    cohort = _with_cohort(cli)
    cohort("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cohort("agency", "add", "BV", "Bolagsverket")
    people = [  # e-mail stem, agency, role, manager since, capacity, wished field, wishes
        ("mentor", "BV", "mentor", "2015-09-01", "2", None, []),
        ("adept", "CSN", "adept", "2026-03-01", None, "IT", ["mentor1@bv.se"]),
        ("twin", "CSN", "adept", "2026-03-01", None, "IT", ["mentor1@bv.se"]),
        ("blank", "CSN", "adept", None, None, None, []),
    ]
    for stem, agency, role, since, capacity, field, wishes in people:
        person = ["person", "add", "--name", stem.title(), "--email", f"{stem}1@{agency}.se"]
        cohort(*person, "--agency", agency, *(["--manager-since", since] if since else []))
        options = ["--capacity", capacity] if capacity else []
        options += ["--wished-field", field] if field else []
        for wish in wishes:
            options += ["--prefer", wish]
        cohort("participant", "add", f"{stem}1@{agency}.se", "--role", role, *options)
    header = ["Namn", "E-post", "Myndighet", "Roll", "Chef sedan", "Kapacitet"]
    rows: list[list[Any]] = [[*header, "Önskat område", "Önskade mentorer"]]
    for stem, agency, role, since, capacity, field, wishes in people:
        cells = [stem.title(), f"{stem}2@{agency}.se", agency, role, since, capacity, field]
        rows.append([*cells, "; ".join(wishes) or None])
    path = _write(tmp_path / "twins.xlsx", {"Deltagare": rows})
    cohort("roster", "import", str(path))

    from chefintro.store import open_store, resolve_location

    engine = open_store(resolve_location(None)).engine
    try:
        with engine.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT p.email, p.unit, p.title, p.field, p.location, p.manager_since, "
                "p.agency_id, t.cohort_id, t.status, t.continues, t.role, t.capacity, "
                "t.wished_field, t.preferred_mentors "
                "FROM person p JOIN participant t ON t.person_id = p.id"
            ).all()
    finally:
        engine.dispose()
    by_email = {row[0]: tuple(row[1:]) for row in stored}
    assert len(by_email) == 2 * len(people)
    for stem, agency, *_ in people:
        made, imported = by_email[f"{stem}1@{agency}.se"], by_email[f"{stem}2@{agency}.se"]
        assert imported == made, stem
    # And the values are the ones given, not two equally wrong ones.
    assert by_email["twin2@CSN.se"][4] in ("2026-03-01", date(2026, 3, 1))
    assert by_email["mentor2@BV.se"][10] == 2
    wishes = by_email["twin2@CSN.se"][12]
    assert (json.loads(wishes) if isinstance(wishes, str) else wishes) == ["mentor1@bv.se"]
    empty = by_email["blank2@CSN.se"][12]
    assert (json.loads(empty) if isinstance(empty, str) else empty) == []
