"""A year workbook's Närvaro and Möten sheets, written in bulk (issue 32), keep every rule:
the last mark given for a day and person wins, a re-import changes marks and meeting
lengths (and says from what to what), and a withdrawn participant's marks are refused
with the same located problem as 'session attend' gives, the store left unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_rows, store_snapshot
from tests.test_roster_import_rules import _write

DAY_1 = "Uppstart (2026-02-10 09:00)"
DAY_2 = "Ledarskap (2026-03-17 09:00)"

YEAR: dict[str, list[list[Any]]] = {
    "Myndigheter": [
        ["Kod", "Namn"],
        ["CSN", "Centrala studiestödsnämnden"],
        ["BV", "Bolagsverket"],
    ],
    "Deltagare": [
        ["Förnamn", "Efternamn", "E-post", "Myndighet", "Roll"],
        ["Åsa", "Öberg", "asa@csn.se", "CSN", "adept"],
        ["Märta", "Sjö", "marta@bv.se", "BV", "mentor"],
        ["Elise", "Lund", "elise@csn.se", "CSN", "mentor"],
    ],
    "Träffar": [
        ["Titel", "Start", "Slut"],
        ["Uppstart", "2026-02-10 09:00", "2026-02-10 16:00"],
        ["Ledarskap", "2026-03-17 09:00", "2026-03-17 16:00"],
    ],
    "Par": [["Adept", "Mentor"], ["asa@csn.se", "marta@bv.se"]],
}


def _marks() -> dict[tuple[str, str], str]:
    """(e-mail, day) → status of every stored mark."""
    rows = store_rows(
        "SELECT person.email, programme_session.title, attendance.status "
        "FROM attendance "
        "JOIN participant ON participant.id = attendance.participant_id "
        "JOIN person ON person.id = participant.person_id "
        "JOIN programme_session ON programme_session.id = attendance.session_id"
    )
    return {(email, title): status for email, title, status in rows}


def _minutes() -> list[tuple[str, int | None]]:
    rows = store_rows("SELECT held_on, minutes FROM meeting")
    return sorted((str(day), minutes) for day, minutes in rows)


@pytest.fixture
def year(cli: Cli, tmp_path: Path) -> Cli:
    cli("cohort", "create", "2026", "--start", "2026-01-19", "--end", "2026-12-11")
    cli("roster", "import", str(_write(tmp_path / "start.xlsx", YEAR)))
    cli("pair", "apply")
    return cli


def test_the_last_mark_for_a_day_wins_as_when_each_cell_is_recorded(
    year: Cli, tmp_path: Path
) -> None:
    # Two columns name the first day (with and without its time): cell by cell, the later
    # column's mark is the one that stays.
    sheets = {
        "Närvaro": [
            ["E-post", DAY_1, DAY_2, "Uppstart (2026-02-10)"],
            ["asa@csn.se", "närvarande", "frånvarande", "anmält förhinder"],
            ["elise@csn.se", "anmält förhinder", None, "frånvarande"],
        ]
    }
    year("roster", "import", str(_write(tmp_path / "marks.xlsx", sheets)))
    assert _marks() == {
        ("asa@csn.se", "Uppstart"): "excused",
        ("asa@csn.se", "Ledarskap"): "absent",
        ("elise@csn.se", "Uppstart"): "absent",
    }


def test_a_second_import_changes_marks_and_meeting_lengths_and_says_so(
    year: Cli, tmp_path: Path
) -> None:
    first = {
        "Närvaro": [["E-post", DAY_1, DAY_2], ["elise@csn.se", "anmält förhinder", None]],
        "Möten": [
            ["Adept", "Mentor", "Datum", "Minuter"],
            ["asa@csn.se", "marta@bv.se", "2026-04-02", 60],
        ],
    }
    year("roster", "import", str(_write(tmp_path / "first.xlsx", first)))
    second = {
        "Närvaro": [["E-post", DAY_1, DAY_2], ["elise@csn.se", "närvarande", "närvarande"]],
        "Möten": [
            ["Adept", "Mentor", "Datum", "Minuter"],
            ["asa@csn.se", "marta@bv.se", "2026-04-02", 90],
            ["asa@csn.se", "marta@bv.se", "2026-05-07", 45],
        ],
    }
    summary: Any = year.json("roster", "import", str(_write(tmp_path / "second.xlsx", second)))
    changes = {
        (c["sheet"], c["row"]): (
            c["action"],
            [(f["field"], f["old"], f["new"]) for f in c["fields"]],
        )
        for c in summary["changes"]
    }
    assert changes == {
        ("Närvaro", 2): (
            "changed",
            [(DAY_1, "anmält förhinder", "närvarande"), (DAY_2, None, "närvarande")],
        ),
        ("Möten", 2): ("changed", [("Minuter", "60", "90")]),
        ("Möten", 3): ("added", [("Minuter", None, "45")]),
    }
    assert _marks() == {
        ("elise@csn.se", "Uppstart"): "present",
        ("elise@csn.se", "Ledarskap"): "present",
    }
    assert _minutes() == [("2026-04-02", 90), ("2026-05-07", 45)]


def test_a_withdrawn_participants_marks_are_refused_and_nothing_is_stored(
    year: Cli, tmp_path: Path
) -> None:
    year("participant", "withdraw", "elise@csn.se", "--yes")
    sheets = {
        "Närvaro": [
            ["E-post", DAY_1, DAY_2],
            ["asa@csn.se", "närvarande", "närvarande"],
            ["elise@csn.se", "närvarande", "frånvarande"],
        ]
    }
    before = store_snapshot()
    result = year("roster", "import", str(_write(tmp_path / "marks.xlsx", sheets)), code=65)
    # One problem per mark, as 'session attend' gives for each cell (listed together).
    assert "2 problems found; nothing was imported" in result.stderr
    assert (
        "sheet 'Närvaro', column 'E-post': Nothing was recorded: Elise Lund (elise@csn.se) "
        "has withdrawn. (in 2 rows: 3)"
    ) in result.stderr
    assert store_snapshot() == before


def _changes(summary: Any) -> dict[tuple[str, int], tuple[str, list[tuple[str, Any, Any]]]]:
    return {
        (c["sheet"], c["row"]): (
            c["action"],
            [(f["field"], f["old"], f["new"]) for f in c["fields"]],
        )
        for c in summary["changes"]
    }


def test_marks_already_stored_are_updated_or_kept_and_the_rest_inserted(
    backend: str, year: Cli, tmp_path: Path
) -> None:
    # The bulk write reads the stored marks once; each row's change is worked out once for
    # rows of the same cells. Åsa's and Elise's rows give the same new marks, from
    # different stored ones: each row says its own.
    first = {
        "Närvaro": [
            ["E-post", DAY_1, DAY_2],
            ["asa@csn.se", "närvarande", None],
            ["elise@csn.se", "anmält förhinder", None],
        ]
    }
    year("roster", "import", str(_write(tmp_path / "first.xlsx", first)))
    second = {
        "Närvaro": [
            ["E-post", DAY_1, DAY_2],
            ["asa@csn.se", "närvarande", "frånvarande"],
            ["elise@csn.se", "närvarande", "frånvarande"],
            ["marta@bv.se", "Närvarande", "anmält förhinder"],
        ]
    }
    path = _write(tmp_path / "second.xlsx", second)
    summary: Any = year.json("roster", "import", str(path), "--dry-run")
    assert _changes(summary) == {
        ("Närvaro", 2): ("added", [(DAY_2, None, "frånvarande")]),
        ("Närvaro", 3): (
            "changed",
            [(DAY_1, "anmält förhinder", "närvarande"), (DAY_2, None, "frånvarande")],
        ),
        ("Närvaro", 4): (
            "added",
            [(DAY_1, None, "närvarande"), (DAY_2, None, "anmält förhinder")],
        ),
    }
    shown = year("roster", "import", str(path)).stdout
    assert (
        "Närvaro row 3: changed elise@csn.se — Uppstart (2026-02-10 09:00): anmält förhinder "
        "→ närvarande; Ledarskap (2026-03-17 09:00): (tomt) → frånvarande"
    ) in shown
    assert "Närvaro row 2: added asa@csn.se\n" in shown
    assert _marks() == {
        ("asa@csn.se", "Uppstart"): "present",
        ("asa@csn.se", "Ledarskap"): "absent",
        ("elise@csn.se", "Uppstart"): "present",
        ("elise@csn.se", "Ledarskap"): "absent",
        ("marta@bv.se", "Uppstart"): "present",
        ("marta@bv.se", "Ledarskap"): "excused",
    }
    again: Any = year.json("roster", "import", str(path))
    assert {action for action, _ in _changes(again).values()} == {"unchanged"}
    assert again["sheets"]["Närvaro"] == {"added": 0, "updated": 0, "unchanged": 3, "skipped": 0}


def test_a_repeated_bad_cell_is_a_problem_in_every_row(year: Cli, tmp_path: Path) -> None:
    # Närvaro's words and Möten's addresses are read once per column and value; a cell
    # that is refused is read, and reported, again in every row that holds it.
    sheets = {
        "Närvaro": [
            ["E-post", DAY_1, DAY_2],
            ["asa@csn.se", "kanske", "närvarande"],
            ["elise@csn.se", "kanske", "kanske"],
        ],
        "Möten": [
            ["Adept", "Mentor", "Datum", "Minuter"],
            ["asa@csn.se", "marta@", "2026-04-02", 60],
            ["asa@csn.se", "marta@", "2026-04-09", 60],
        ],
    }
    result = year("roster", "import", str(_write(tmp_path / "bad.xlsx", sheets)), code=65)
    assert "5 problems found; nothing was imported" in result.stderr
    shown = " ".join(result.stderr.split())
    assert (
        "sheet 'Möten', column 'Mentor': 'marta@' is not an e-mail address (expected "
        "name@myndighet.se) (in 2 rows: 2–3)"
    ) in shown
    word = (
        "'kanske' is not an attendance status; use närvarande, frånvarande or anmält förhinder "
        "(English words and x work too)"
    )
    assert f"column 'Uppstart (2026-02-10 09:00)': {word} (in 2 rows: 2–3)" in shown
    assert f"row 3, column 'Ledarskap (2026-03-17 09:00)': {word}" in shown
    assert _marks() == {}


@pytest.fixture
def changed_mentor(backend: str, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Åsa paired with Märta on 2 February, that pair ended on 1 April and Åsa paired with
    Gun the same day; it is 1 June 2026."""
    from tests.test_followup import _set_today

    start = YEAR | {"Deltagare": [*YEAR["Deltagare"], ["Gun", "Berg", "gun@bv.se", "BV", "mentor"]]}
    _set_today(monkeypatch, date(2026, 2, 2))
    cli("cohort", "create", "2026", "--start", "2026-01-19", "--end", "2026-12-11")
    cli("roster", "import", str(_write(tmp_path / "start.xlsx", start)))
    cli("pair", "apply")
    _set_today(monkeypatch, date(2026, 4, 1))
    cli("pair", "end", "asa@csn.se", "--reason", "Märta bytte jobb", "--yes")
    cli("pair", "set", "asa@csn.se", "gun@bv.se")
    cli("pair", "apply")
    _set_today(monkeypatch, date(2026, 6, 1))
    return cli


def _meetings_by_mentor() -> list[tuple[str, str, int | None]]:
    rows = store_rows(
        "SELECT person.email, meeting.held_on, meeting.minutes FROM meeting "
        "JOIN pairing ON pairing.id = meeting.pairing_id "
        "JOIN participant ON participant.id = pairing.mentor_id "
        "JOIN person ON person.id = participant.person_id"
    )
    return sorted((email, str(day), minutes) for email, day, minutes in rows)


MEETINGS_HEADER = ["Adept", "Mentor", "Datum", "Minuter"]


def test_meetings_go_to_the_pair_they_name_and_one_after_its_end_is_refused(
    changed_mentor: Cli, tmp_path: Path
) -> None:
    # Each (adept, mentor) finds its pair once and each (day, pair dates) is checked once:
    # the same day is refused for the ended pair, taken for the new one, and a day before
    # the new pair began is taken with a warning although the old pair met that day.
    late = {
        "Möten": [
            MEETINGS_HEADER,
            ["asa@csn.se", "marta@bv.se", "2026-05-05", 60],
            ["asa@csn.se", "gun@bv.se", "2026-05-05", 45],
        ]
    }
    result = changed_mentor("roster", "import", str(_write(tmp_path / "late.xlsx", late)), code=65)
    assert "1 problem found; nothing was imported" in result.stderr
    assert (
        "sheet 'Möten', row 2, column 'Datum': 2026-05-05 is after the pair ended (2026-04-01)."
    ) in " ".join(result.stderr.split())
    assert _meetings_by_mentor() == []
    sheets = {
        "Möten": [
            MEETINGS_HEADER,
            ["asa@csn.se", "marta@bv.se", "2026-03-10", 60],
            ["asa@csn.se", "marta@bv.se", "2026-03-20", 30],
            ["asa@csn.se", "gun@bv.se", "2026-03-20", 45],
            ["asa@csn.se", "gun@bv.se", "2026-05-05", 90],
            ["asa@csn.se", None, "2026-03-11", None],  # the pair live that day: Märta's
            ["asa@csn.se", None, "2026-05-06", 20],  # Gun's
        ]
    }
    summary: Any = changed_mentor.json(
        "roster", "import", str(_write(tmp_path / "meetings.xlsx", sheets))
    )
    assert summary["warnings"] == [
        "1 meeting on 'Möten' is dated before its pair was made active; it was taken anyway."
    ]
    assert _meetings_by_mentor() == [
        ("gun@bv.se", "2026-03-20", 45),
        ("gun@bv.se", "2026-05-05", 90),
        ("gun@bv.se", "2026-05-06", 20),
        ("marta@bv.se", "2026-03-10", 60),
        ("marta@bv.se", "2026-03-11", None),
        ("marta@bv.se", "2026-03-20", 30),
    ]
    assert _changes(summary) == {
        ("Möten", 2): ("added", [("Minuter", None, "60")]),
        ("Möten", 3): ("added", [("Minuter", None, "30")]),
        ("Möten", 4): ("added", [("Minuter", None, "45")]),
        ("Möten", 5): ("added", [("Minuter", None, "90")]),
        ("Möten", 6): ("added", []),
        ("Möten", 7): ("added", [("Minuter", None, "20")]),
    }


def test_check_ins_find_their_pairs_as_the_meetings_sheet_does(
    changed_mentor: Cli, tmp_path: Path
) -> None:
    # A check-in form goes through the same pair lookup (MeetingPairs): an adept's pair is
    # the one live on the day, a mentor's the one they had that day (Märta's ended one).
    from chefintro.surveys.questions import CHECKIN_QUESTIONS

    changed_mentor("survey", "add", "incheckning", "--kind", "checkin")
    header = ["E-post", *(q.text for q in CHECKIN_QUESTIONS)]
    answers = {
        "Svar": [
            header,
            ["asa@csn.se", "2026-05-05", "60", "ja", "Vi ses varannan vecka."],
            ["gun@bv.se", "2026-05-12", "30", None, None],
            ["marta@bv.se", "2026-03-10", "45", "nej", None],
        ]
    }
    path = _write(tmp_path / "svar.xlsx", answers)
    summary: Any = changed_mentor.json("survey", "import", "incheckning", str(path))
    assert (summary["meetings_added"], summary["agreements_changed"], summary["notes"]) == (3, 2, 1)
    assert _meetings_by_mentor() == [
        ("gun@bv.se", "2026-05-05", 60),
        ("gun@bv.se", "2026-05-12", 30),
        ("marta@bv.se", "2026-03-10", 45),
    ]
    agreed = store_rows(
        "SELECT person.email, pair_agreement.agreed FROM pair_agreement "
        "JOIN pairing ON pairing.id = pair_agreement.pairing_id "
        "JOIN participant ON participant.id = pairing.mentor_id "
        "JOIN person ON person.id = participant.person_id"
    )
    notes = store_rows("SELECT pairing_id, held_on FROM pair_note")
    assert sorted((email, bool(value)) for email, value in agreed) == [
        ("gun@bv.se", True),
        ("marta@bv.se", False),
    ]
    assert [str(day) for _, day in notes] == ["2026-05-05"]


def test_the_collector_runs_again_after_an_import_refused_or_not(year: Cli, tmp_path: Path) -> None:
    # The import's bulk work pauses the cyclic garbage collector (issue 32); it resumes
    # whether the file was taken or refused.
    import gc

    assert gc.isenabled()
    bad = {"Närvaro": [["E-post", DAY_1], ["asa@csn.se", "kanske"]]}
    year("roster", "import", str(_write(tmp_path / "bad.xlsx", bad)), code=65)
    assert gc.isenabled()
    good = {"Närvaro": [["E-post", DAY_1], ["asa@csn.se", "närvarande"]]}
    year("roster", "import", str(_write(tmp_path / "good.xlsx", good)))
    assert gc.isenabled()
    assert _marks() == {("asa@csn.se", "Uppstart"): "present"}
