"""Reading roster workbooks: headers, values, problems with locations, warnings, producers."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from chefintro.enums import AttendanceStatus, Role, SessionKind
from chefintro.errors import InvalidInputError, Problem
from chefintro.roster.columns import SheetKey
from chefintro.roster.read.reader import read_roster
from chefintro.roster.read.rows import (
    AgencyRow,
    PairRow,
    ParticipantRow,
    ProgrammeSessionRow,
    RosterData,
)
from tests import hostile

PARTICIPANT_HEADER = ["Namn", "E-post", "Myndighet", "Roll"]


def read(tmp_path: Path, sheets: dict[str, list[list[Any]]], **options: Any) -> RosterData:
    return read_roster(hostile.openpyxl_workbook(tmp_path, "roster.xlsx", sheets, **options))


def messages(data: RosterData) -> list[str]:
    return [str(problem) for problem in data.problems]


def only_problem(data: RosterData) -> Problem:
    assert len(data.problems) == 1, messages(data)
    return data.problems[0]


# --- headers and sheets -------------------------------------------------------------------------


def test_swedish_workbook_reads_every_sheet(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Myndigheter": [["Kod", "Namn"], ["csn", "Centrala studiestödsnämnden"]],
            "Deltagare": [
                PARTICIPANT_HEADER + ["Enhet", "Chef sedan", "Kapacitet", "Önskade mentorer"],
                [
                    "Åsa Öberg",
                    "asa@csn.se",
                    "CSN",
                    "adept",
                    "IT",
                    date(2026, 3, 1),
                    None,
                    "bo@bv.se",
                ],
                ["Bo Ek", "bo@bv.se", "BV", "Mentor", None, "2010-05-01", 2, None],
            ],
            "Träffar": [
                ["Titel", "Typ", "Start", "Slut", "Plats", "Värd"],
                ["Uppstart", "uppstart", datetime(2027, 1, 26, 9), "16:00", "Sundsvall", "BV"],
            ],
            "Par": [["Adept", "Mentor", "Låst"], ["asa@csn.se", "bo@bv.se", "ja"]],
            "Närvaro": [
                ["E-post", "Namn", "Uppstart (2027-01-26 09:00)"],
                ["asa@csn.se", "Åsa Öberg", "närvarande"],
            ],
        },
    )
    assert data.problems == [] and data.warnings == []
    assert data.agencies == [AgencyRow(2, "CSN", "Centrala studiestödsnämnden")]
    assert data.participants == [
        ParticipantRow(
            2,
            "Åsa Öberg",
            "asa@csn.se",
            "CSN",
            Role.ADEPT,
            unit="IT",
            manager_since=date(2026, 3, 1),
            preferred_mentors=("bo@bv.se",),
        ),
        ParticipantRow(
            3, "Bo Ek", "bo@bv.se", "BV", Role.MENTOR, manager_since=date(2010, 5, 1), capacity=2
        ),
    ]
    assert data.sessions == [
        ProgrammeSessionRow(
            2,
            "Uppstart",
            datetime(2027, 1, 26, 9),
            datetime(2027, 1, 26, 16),
            SessionKind.KICKOFF,
            "Sundsvall",
            "BV",
        )
    ]
    assert data.pairs == [PairRow(2, "asa@csn.se", "bo@bv.se", True)]
    (session,) = data.attendance_sessions
    assert (session.column, session.title, session.starts_on) == (3, "Uppstart", date(2027, 1, 26))
    (row,) = data.attendance
    assert row.email == "asa@csn.se"
    assert [(m.session.title, m.status) for m in row.marks] == [
        ("Uppstart", AttendanceStatus.PRESENT)
    ]
    assert set(data.sheets) == {
        SheetKey.AGENCIES,
        SheetKey.PARTICIPANTS,
        SheetKey.SESSIONS,
        SheetKey.PAIRS,
        SheetKey.ATTENDANCE,
    }


def test_english_headers_in_any_case_and_spacing(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            " PARTICIPANTS ": [
                ["  name", "EMAIL ", "agency", "Role", "Manager   since"],
                ["Anna Ek", "anna@csn.se", "CSN", "ADEPT", "2020-01-02"],
            ],
            "sessions": [
                ["TITLE", "kind", "start", "END"],
                ["Kick-off", "Kickoff", "2027-01-26 09:00", "2027-01-26T16:30"],
            ],
        },
    )
    assert data.problems == []
    assert data.participants[0].role is Role.ADEPT
    assert data.participants[0].manager_since == date(2020, 1, 2)
    assert data.headers[SheetKey.PARTICIPANTS]["email"] == "EMAIL"
    assert data.sessions[0].ends_at == datetime(2027, 1, 26, 16, 30)
    assert data.sheets[SheetKey.PARTICIPANTS] == " PARTICIPANTS "


def test_header_row_is_the_first_non_empty_row_and_rows_keep_excel_numbers(
    tmp_path: Path,
) -> None:
    data = read(
        tmp_path,
        {
            "Deltagare": [
                [],
                [],
                [None, None, *PARTICIPANT_HEADER],
                [None, None, "Anna Ek", "anna@csn.se", "CSN", "adept"],
                [],
                [None, None, "Bo Ek", "not-an-address", "BV", "mentor"],
            ]
        },
    )
    assert [p.row for p in data.participants] == [4]
    problem = only_problem(data)
    assert (problem.sheet, problem.row, problem.column) == ("Deltagare", 6, "E-post")
    assert "not an e-mail address" in problem.message


def test_missing_required_column_is_a_problem_and_no_rows_are_read(tmp_path: Path) -> None:
    data = read(tmp_path, {"Deltagare": [["Namn", "E-post", "Roll"], ["A", "a@b.se", "adept"]]})
    problem = only_problem(data)
    assert (problem.row, problem.column) == (1, "Myndighet")
    assert "no column Myndighet (Agency)" in problem.message
    assert data.participants == []


def test_extra_columns_unknown_sheets_and_export_only_sheets(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Instruktioner": [["Blad", "Kolumn", "Förklaring"]],
            "Deltagare": [
                [*PARTICIPANT_HEADER, "Anteckning"],
                ["Anna Ek", "anna@csn.se", "CSN", "adept", "ringer tillbaka"],
            ],
            "Grupper": [["Grupp", "E-post"], ["1", "x"]],
            "Översikt": [["whatever"]],
            "Blad1": [["junk"]],
        },
    )
    assert data.problems == []
    assert data.warnings == [
        "sheet 'Deltagare': column Anteckning (E) is not a roster column and was ignored.",
        "sheet 'Blad1' is not a roster sheet and was ignored (roster sheets: Myndigheter, "
        "Deltagare, Träffar, Par, Närvaro, Möten).",
    ]


def test_hidden_sheets_are_read_with_a_warning(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Myndigheter": [["Kod", "Namn"]],
            "Deltagare": [PARTICIPANT_HEADER, ["Anna Ek", "anna@csn.se", "CSN", "adept"]],
        },
        hidden=["Deltagare"],
    )
    assert len(data.participants) == 1
    assert data.warnings == ["sheet 'Deltagare' is hidden in the workbook; it was read anyway."]


def test_merged_header_cells_read_what_is_there(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {"Deltagare": [[*PARTICIPANT_HEADER, "Enhet"], ["Anna Ek", "anna@csn.se", "CSN", "adept"]]},
        merged={"Deltagare": "D1:E1"},
    )
    assert len(data.participants) == 1
    assert data.participants[0].unit is None
    assert any("merged cells (D1:E1)" in warning for warning in data.warnings)


def test_two_sheets_for_the_same_purpose_is_a_problem(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {"Deltagare": [PARTICIPANT_HEADER], "Participants": [PARTICIPANT_HEADER]},
    )
    assert "are both the Deltagare (Participants) sheet" in only_problem(data).message


def test_a_column_given_twice_is_a_problem(tmp_path: Path) -> None:
    data = read(tmp_path, {"Deltagare": [[*PARTICIPANT_HEADER, "Email"]]})
    assert "appears twice" in only_problem(data).message


def test_empty_sheets_and_blank_rows(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Myndigheter": [],
            "Deltagare": [
                PARTICIPANT_HEADER,
                [None, None, None, None],
                ["  ", None, " ", None],
                ["Anna Ek", "anna@csn.se", "CSN", "adept"],
            ],
        },
    )
    assert data.problems == []
    assert data.has(SheetKey.AGENCIES) and data.agencies == []
    assert [p.row for p in data.participants] == [4]


# --- values -----------------------------------------------------------------------------------


def test_text_is_trimmed_and_nfc_normalised(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Åsa  Öberg ")
    data = read(
        tmp_path,
        {"Deltagare": [PARTICIPANT_HEADER, [f"  {nfd}", " asa@csn.se ", "CSN", " adept "]]},
    )
    (person,) = data.participants
    assert person.name == "Åsa Öberg"
    assert unicodedata.is_normalized("NFC", person.name)
    assert person.email == "asa@csn.se"


def test_formula_escape_apostrophe_is_removed_exactly_once(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Deltagare": [
                [*PARTICIPANT_HEADER, "Enhet", "Befattning", "Ort", "Verksamhetsområde"],
                ["'=Anna", "anna@csn.se", "CSN", "adept", "''=x", "'abc", "'-", "'"],
            ]
        },
    )
    (person,) = data.participants
    assert (person.name, person.unit, person.title, person.location, person.field) == (
        "=Anna",
        "'=x",
        "'abc",
        "-",
        "'",
    )


def test_control_characters_are_problems(tmp_path: Path) -> None:
    path = hostile.xlsxwriter_workbook(
        tmp_path,
        "ctl.xlsx",
        {
            "Deltagare": [
                PARTICIPANT_HEADER + ["Enhet"],
                ["Anna\x07 Ek", "anna@csn.se", "CSN", "adept", "IT\u202e"],
                ["Bo\tEk", "bo@bv.se", "BV", "mentor"],
            ]
        },
    )
    data = read_roster(path)
    assert [(p.row, p.column) for p in data.problems] == [(2, "Namn"), (2, "Enhet")]
    assert "U+0007" in data.problems[0].message and "U+202E" in data.problems[1].message
    assert [p.name for p in data.participants] == ["Bo Ek"]  # a tab is whitespace


def test_formula_cells_are_reported_not_evaluated(tmp_path: Path) -> None:
    path = hostile.xlsxwriter_workbook(
        tmp_path,
        "f.xlsx",
        {"Deltagare": [PARTICIPANT_HEADER + ["Enhet"], ["Anna Ek", None, "CSN", "adept"]]},
        formulas={"Deltagare": [(1, 1, '="anna"&"@csn.se"', "anna@csn.se"), (1, 4, "=1+1", 2)]},
    )
    data = read_roster(path)
    assert [(p.row, p.column) for p in data.problems] == [(2, "E-post"), (2, "Enhet")]
    assert all("holds a formula" in p.message for p in data.problems)
    assert '="anna"&"@csn.se"' in data.problems[0].message
    assert data.participants == []  # a required cell was a formula


def test_formula_without_cached_value_from_openpyxl(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {"Myndigheter": [["Kod", "Namn"], ["CSN", '=UPPER("csn")']]},
    )
    problem = only_problem(data)
    assert (problem.row, problem.column) == (2, "Namn")
    assert "holds a formula" in problem.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2020, 1, 2), date(2020, 1, 2)),
        (datetime(2020, 1, 2, 13, 5), date(2020, 1, 2)),
        ("2020-01-02", date(2020, 1, 2)),
        ("2020-01-02 08:00", date(2020, 1, 2)),
    ],
)
def test_dates(tmp_path: Path, value: object, expected: date) -> None:
    data = read(
        tmp_path,
        {
            "Deltagare": [
                [*PARTICIPANT_HEADER, "Chef sedan"],
                ["A", "a@b.se", "CSN", "adept", value],
            ]
        },
    )
    assert data.participants[0].manager_since == expected


@pytest.mark.parametrize("value", ["2020-13-01", "1/2/2020", "igår", True])
def test_bad_dates_name_the_format(tmp_path: Path, value: object) -> None:
    data = read(
        tmp_path,
        {
            "Deltagare": [
                [*PARTICIPANT_HEADER, "Chef sedan"],
                ["A", "a@b.se", "CSN", "adept", value],
            ]
        },
    )
    problem = only_problem(data)
    assert problem.column == "Chef sedan" and "YYYY-MM-DD" in problem.message
    assert data.participants[0].manager_since is None  # optional: the row is kept


def test_session_times(tmp_path: Path) -> None:
    header = ["Titel", "Start", "Slut"]
    data = read(
        tmp_path,
        {
            "Träffar": [
                header,
                ["A", datetime(2027, 2, 1, 9, 29, 59, 999000), datetime(2027, 2, 1, 12)],
                ["B", "2027-02-02 9.00", "15:00"],
                ["C", date(2027, 2, 3), "15:00"],
                ["D", "2027-02-04 10:00", "2027-02-04 09:00"],
                ["E", "2027-02-05 10:00", "later"],
                ["F", "2027-02-06 20:00", date(2027, 2, 7)],
            ]
        },
    )
    assert [(s.title, s.starts_at, s.ends_at) for s in data.sessions] == [
        ("A", datetime(2027, 2, 1, 9, 30), datetime(2027, 2, 1, 12)),
        ("B", datetime(2027, 2, 2, 9), datetime(2027, 2, 2, 15)),
        ("F", datetime(2027, 2, 6, 20), datetime(2027, 2, 7)),  # ends at midnight
    ]
    assert [(p.row, p.column) for p in data.problems] == [(4, "Start"), (5, "Slut"), (6, "Slut")]
    assert "no time of day" in data.problems[0].message
    assert "ends (2027-02-04 09:00) before it starts" in data.problems[1].message


def test_words_are_case_insensitive_swedish_or_english(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Träffar": [
                ["Titel", "Typ", "Start", "Slut"],
                *[
                    [f"T{i}", kind, f"2027-03-0{i + 1} 09:00", "10:00"]
                    for i, kind in enumerate(
                        ["UPPSTART", "Training", "föreläsning", "Nätverk", "closing"]
                    )
                ],
            ],
            "Par": [
                ["Adept", "Mentor", "Låst"],
                *[
                    [f"a{i}@x.se", "m@y.se", word]
                    for i, word in enumerate(["JA", "no", True, 0, "x", None, "Falskt"])
                ],
            ],
        },
    )
    assert data.problems == []
    assert [s.kind for s in data.sessions] == list(SessionKind)
    assert [p.locked for p in data.pairs] == [True, False, True, False, True, False, False]


def test_bad_words_list_what_is_allowed(tmp_path: Path) -> None:
    data = read(tmp_path, {"Deltagare": [PARTICIPANT_HEADER, ["A", "a@b.se", "CSN", "chef"]]})
    assert only_problem(data).message == "'chef' is not a role; use adept or mentor"
    assert data.participants == []


def test_attendance_words_blank_cells_and_bad_status(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Närvaro": [
                ["Email", "Träff 1 (2027-02-01 09:00)", "Träff 2", "Träff 3 (2027-04-01)"],
                ["a@x.se", "Närvarande", None, "anmält förhinder"],
                ["b@x.se", "x", "ABSENT", "kanske"],
            ]
        },
    )
    sessions = data.attendance_sessions
    assert [(s.title, s.starts_on, s.start_time is not None) for s in sessions] == [
        ("Träff 1", date(2027, 2, 1), True),
        ("Träff 2", None, False),
        ("Träff 3", date(2027, 4, 1), False),
    ]
    first, second = data.attendance
    assert [(m.session.column, m.status) for m in first.marks] == [
        (2, AttendanceStatus.PRESENT),
        (4, AttendanceStatus.EXCUSED),
    ]
    assert [m.status for m in second.marks] == [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT]
    problem = only_problem(data)
    assert (problem.row, problem.column) == (3, "Träff 3 (2027-04-01)")
    assert "närvarande" in problem.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), (3.0, True), ("2", True), (0, False), (2.5, False), ("många", False), (21, False)],
)
def test_capacity_is_a_positive_whole_number(tmp_path: Path, value: object, ok: bool) -> None:
    data = read(
        tmp_path,
        {
            "Deltagare": [
                [*PARTICIPANT_HEADER, "Kapacitet"],
                ["A", "a@b.se", "CSN", "mentor", value],
            ]
        },
    )
    assert (data.problems == []) is ok
    if not ok:
        assert "whole number from 1 to 20" in data.problems[0].message


def test_preferred_mentors_are_a_ranked_list(tmp_path: Path) -> None:
    header = [*PARTICIPANT_HEADER, "Önskade mentorer"]
    data = read(
        tmp_path,
        {
            "Deltagare": [
                header,
                ["A", "a@x.se", "CSN", "adept", "m1@y.se; M2@y.se,m3@y.se\nm4@y.se"],
                ["B", "b@x.se", "CSN", "adept", "m1@y.se; M1@Y.se"],
                ["C", "c@x.se", "CSN", "adept", "m1@y.se; no body@x"],
                ["D", "d@x.se", "CSN", "adept", "D@x.se"],
            ]
        },
    )
    assert data.participants[0].preferred_mentors == ("m1@y.se", "M2@y.se", "m3@y.se", "m4@y.se")
    assert [(p.row, p.column) for p in data.problems] == [
        (3, "Önskade mentorer"),
        (4, "Önskade mentorer"),
    ]
    assert "listed twice" in data.problems[0].message
    assert "'body@x' is not an e-mail address" in data.problems[1].message
    # A wish for oneself is the participant intake's rule, for every door (test_intake.py).
    assert data.participants[-1].preferred_mentors == ("D@x.se",)


def test_agency_codes_are_upper_cased_and_agencies_kept_raw(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Myndigheter": [["Kod", "Namn"], ["lst-y", "Länsstyrelsen"]],
            "Deltagare": [PARTICIPANT_HEADER, ["A", "a@b.se", "Länsstyrelsen", "adept"]],
        },
    )
    assert data.agencies[0].code == "LST-Y"
    assert data.participants[0].agency == "Länsstyrelsen"


def test_numbers_in_text_columns_become_text(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {"Deltagare": [[*PARTICIPANT_HEADER, "Enhet"], ["A", "a@b.se", 123, "adept", 4711.0]]},
    )
    assert (data.participants[0].agency, data.participants[0].unit) == ("123", "4711")


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicates_point_at_both_rows(tmp_path: Path) -> None:
    data = read(
        tmp_path,
        {
            "Myndigheter": [["Kod", "Namn"], ["CSN", "A"], ["csn", "B"]],
            "Deltagare": [
                PARTICIPANT_HEADER,
                ["A", "Anna@CSN.se", "CSN", "adept"],
                ["B", "other@csn.se", "CSN", "adept"],
                ["C", "anna@csn.SE", "CSN", "adept"],
            ],
            "Träffar": [
                ["Titel", "Start", "Slut"],
                ["Uppstart", "2027-01-26 09:00", "10:00"],
                ["uppstart", "2027-01-26 09:00", "11:00"],
                ["Uppstart", "2027-01-27 09:00", "10:00"],
            ],
            "Par": [["Adept", "Mentor"], ["a@x.se", "m@y.se"], ["A@x.se", "n@y.se"]],
            "Närvaro": [["E-post"], ["a@x.se"], ["a@x.se"]],
        },
    )
    assert [(p.sheet, p.row, p.column) for p in data.problems] == [
        ("Myndigheter", 3, "Kod"),
        ("Deltagare", 4, "E-post"),
        ("Träffar", 3, "Titel"),
        ("Par", 3, "Adept"),
        ("Närvaro", 3, "E-post"),
    ]
    assert "rows 2 and 3 both have agency code 'CSN'" in data.problems[0].message
    assert "rows 2 and 4 both have" in data.problems[1].message
    assert [s.row for s in data.sessions] == [2, 4]


def test_a_pair_needs_two_people(tmp_path: Path) -> None:
    data = read(tmp_path, {"Par": [["Adept", "Mentor"], ["a@x.se", "A@X.se"]]})
    assert "both adept and mentor" in only_problem(data).message


# --- the result object --------------------------------------------------------------------------


def test_an_import_refused_carries_every_problem(tmp_path: Path) -> None:
    from chefintro.roster.load.roster_import import import_roster
    from chefintro.store import open_store

    data = read(tmp_path, {"Deltagare": [PARTICIPANT_HEADER, ["A", "nope", "CSN", "chef"]]})
    store = open_store(str(tmp_path / "store.db"))
    try:
        with pytest.raises(InvalidInputError) as caught, store.transaction() as db:
            import_roster(db=db, data=data, cohort_name=None)
    finally:
        store.dispose()
    assert caught.value.exit_code == 65
    assert len(caught.value.problems) == 2
    assert "2 problems found" in str(caught.value)


def test_loader_problems_are_located_like_the_readers(tmp_path: Path) -> None:
    data = read(tmp_path, {"Participants": [["Name", "Email", "Agency", "Role"]]})
    problem = data.problem(SheetKey.PARTICIPANTS, 7, "agency", "no agency 'XYZ'")
    assert str(problem) == "sheet 'Participants', row 7, column 'Agency': no agency 'XYZ'"
    absent = data.problem(SheetKey.SESSIONS, 2, "host", "no agency 'XYZ'")
    assert (absent.sheet, absent.column) == ("Träffar", "Värd")


# --- producers ----------------------------------------------------------------------------------

_ROWS: list[list[Any]] = [
    [*PARTICIPANT_HEADER, "Chef sedan"],
    ["Anna Ek", "anna@csn.se", "CSN", "adept", date(2021, 5, 1)],
]


@pytest.mark.parametrize(
    "producer", ["openpyxl", "openpyxl-write-only", "xlsxwriter", "xlsxwriter-cm"]
)
def test_workbooks_from_other_producers(tmp_path: Path, producer: str) -> None:
    if producer.startswith("openpyxl"):
        path = hostile.openpyxl_workbook(
            tmp_path, "p.xlsx", {"Deltagare": _ROWS}, write_only=producer.endswith("only")
        )
    else:
        path = hostile.xlsxwriter_workbook(
            tmp_path, "p.xlsx", {"Deltagare": _ROWS}, constant_memory=producer.endswith("cm")
        )
    data = read_roster(path)
    assert data.problems == []
    assert data.participants == [
        ParticipantRow(
            2, "Anna Ek", "anna@csn.se", "CSN", Role.ADEPT, manager_since=date(2021, 5, 1)
        )
    ]


def test_openpyxl_parses_through_defusedxml() -> None:
    # If anything in roster/ ever reads with openpyxl, it must go through defusedxml.
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
