"""Read-only reports: the overview by agency, the give/take matrix and year over year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from chefintro.clock import today as sweden_today
from tests.conftest import Cli, store_snapshot

ASA = "asa.oberg@csn.se"
ZACH = "zacharias.ek@csn.se"
WILMA = "wilma.wik@csn.se"
KARIN = "karin.ek@csn.se"
BO = "bo.berg@bolagsverket.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
LENA = "lena.lund@lansstyrelsen.se"
PER = "per.hoglund@lansstyrelsen.se"
ELISE = "elise.norden@lansstyrelsen.se"
SVEN = "sven.as@spv.se"
MARTA = "marta.akesson@aklagare.se"

# Swedish order: Å after Z, so the prosecutors' office comes last.
AGENCIES = ["BV", "CSN", "LST-Y", "SPV", "ÅM"]


def _day(offset: int) -> date:
    return sweden_today() + timedelta(days=offset)


def _session(cli: Cli, title: str, day: date) -> str:
    cli("session", "add", title, "--start", f"{day} 09:00", "--end", "16:00")
    rows: list[dict[str, Any]] = cli.json("session", "list")
    return str(next(r["id"] for r in rows if r["title"] == title))


@pytest.fixture
def programme(network: Cli) -> Cli:
    """Two cohorts across five agencies: 2026 (older, made second) and 2027 (current).

    2027: adepts Åsa, Zacharias (CSN), Bo (BV), Lena (LST-Y) and Wilma (CSN, withdrawn
    after her pair with Märta was applied, so that pair ended); mentors Örjan (BV),
    Élise (LST-Y), Sven (SPV, two places) and Märta (ÅM). Live pairs: Åsa–Örjan and
    Zacharias–Sven (active), Bo–Élise (proposed); Lena has no mentor.
    2026: adepts Karin (CSN), Per (LST-Y); mentors Örjan, Sven. Karin–Örjan active,
    Per–Sven proposed.
    """
    cli = network
    if cli.restore("test_reports.programme"):
        return cli
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    cli("agency", "add", "åm", "Åklagarmyndigheten")
    people = [
        ("Bo Berg", BO, "BV", "2026-01-01"),
        ("Lena Lund", LENA, "LST-Y", "2026-02-01"),
        ("Sven Ås", SVEN, "SPV", "2005-01-01"),
        ("Märta Åkesson", MARTA, "ÅM", "2008-01-01"),
        ("Wilma Wik", WILMA, "CSN", "2026-01-01"),
        ("Karin Ek", KARIN, "CSN", "2025-01-01"),
        ("Per Höglund", PER, "LST-Y", "2025-02-01"),
    ]
    for name, email, agency, since in people:
        cli(
            "person",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--agency",
            agency,
            "--manager-since",
            since,
        )

    for email in (ASA, ZACH, BO, LENA, WILMA):
        cli("participant", "add", email, "--role", "adept")
    for email in (ORJAN, ELISE, MARTA):
        cli("participant", "add", email, "--role", "mentor")
    cli("participant", "add", SVEN, "--role", "mentor", "--capacity", "2")
    cli("pair", "set", ASA, ORJAN)
    cli("pair", "set", ZACH, SVEN)
    cli("pair", "set", WILMA, MARTA)
    cli("pair", "apply")
    cli("participant", "withdraw", "--yes", WILMA)
    cli("pair", "set", BO, ELISE)

    held_1 = _session(cli, "Dag 1", _day(-30))
    held_2 = _session(cli, "Dag 2", _day(-10))
    _session(cli, "Dag 3", _day(30))
    cli("session", "attend", held_1, ASA, ORJAN, ZACH, "--status", "present")
    cli("session", "attend", held_1, BO, "--status", "excused")
    cli("session", "attend", held_1, LENA, "--status", "absent")
    cli("session", "attend", held_2, ASA, BO, "--status", "present")
    cli("session", "attend", held_2, ZACH, "--status", "absent")
    cli("group", "form", "--yes", "--size", "2")

    cli("cohort", "create", "2026", "--start", "2026-01-27", "--end", "2026-12-10")
    older = ("--cohort", "2026")
    for email in (KARIN, PER):
        cli(*older, "participant", "add", email, "--role", "adept")
    for email in (ORJAN, SVEN):
        cli(*older, "participant", "add", email, "--role", "mentor")
    cli(*older, "pair", "set", KARIN, ORJAN)
    cli(*older, "pair", "apply")
    cli(*older, "pair", "set", PER, SVEN)
    cli.keep("test_reports.programme")
    return cli


def _figures(
    adepts: int, mentors: int, placed: int, unmatched: int, places: int, used: int
) -> dict[str, int]:
    return {
        "adepts": adepts,
        "mentors": mentors,
        "placed": placed,
        "unmatched": unmatched,
        "mentor_places": places,
        "mentor_places_used": used,
    }


# --- overview ---------------------------------------------------------------------------


def test_overview_counts_each_agency(programme: Cli, backend: str) -> None:
    before = store_snapshot()
    report = programme.json("report", "overview")
    assert store_snapshot() == before  # read-only
    assert report["cohort"] == "2027"
    assert [a["agency"] for a in report["agencies"]] == AGENCIES
    assert {
        a["agency"]: {k: v for k, v in a.items() if k != "agency"} for a in report["agencies"]
    } == {
        "BV": _figures(1, 1, 1, 0, 1, 1),
        "CSN": _figures(2, 0, 2, 0, 0, 0),  # Wilma withdrew: neither counted nor placed
        "LST-Y": _figures(1, 1, 0, 1, 1, 1),
        "SPV": _figures(0, 1, 0, 0, 2, 1),
        "ÅM": _figures(0, 1, 0, 0, 1, 0),  # Märta's pair ended with Wilma's withdrawal
    }
    assert report["totals"] == _figures(4, 4, 3, 1, 5, 3)
    assert report["sessions"] == {"total": 3, "held": 2}
    assert report["groups"] == 2

    # The table is forwarded: Swedish unless --lang en (or the setting report.lang) says.
    result = programme("report", "overview")
    assert "Översikt, omgång 2027" in result.stdout
    lines = result.stdout.splitlines()
    for code in [*AGENCIES, "Totalt"]:
        assert any(line.startswith(f"│ {code} ") for line in lines), code
    assert "2 hållna, 1 planerade" in result.stdout
    assert "Nätverksgrupper: 2" in result.stdout
    english = programme("report", "overview", "--lang", "en").stdout
    assert "Overview, cohort 2027" in english
    assert "2 held, 1 planned" in english and "Peer groups: 2" in english
    assert any(line.startswith("│ Total ") for line in english.splitlines())
    programme("settings", "set", "report.lang", "engelska")
    assert programme("report", "overview").stdout == english
    programme("settings", "set", "report.lang", "")
    programme("report", "overview", "--lang", "de", code=2)
    assert "1 adept without a mentor" in result.stderr
    assert "pair unmatched" in result.stderr

    report = programme.json("--cohort", "2026", "report", "overview")
    assert report["cohort"] == "2026"
    assert [a["agency"] for a in report["agencies"]] == ["BV", "CSN", "LST-Y", "SPV"]
    # Per's proposal places him too: live means proposed or active.
    assert report["totals"] == _figures(2, 2, 2, 0, 2, 2)
    assert (report["sessions"], report["groups"]) == ({"total": 0, "held": 0}, 0)


def test_overview_of_an_empty_cohort(network: Cli) -> None:
    report = network.json("report", "overview")
    assert report == {
        "cohort": "2027",
        "agencies": [],
        "totals": _figures(0, 0, 0, 0, 0, 0),
        "sessions": {"total": 0, "held": 0},
        "groups": 0,
    }
    assert "no participants yet" in network("report", "overview").stderr


# --- give and take ----------------------------------------------------------------------


def test_agencies_matrix_and_balance(programme: Cli, backend: str) -> None:
    report = programme.json("report", "agencies")
    assert report["cohort"] == "2027"
    assert report["agencies"] == AGENCIES
    zero = dict.fromkeys(AGENCIES, 0)
    assert report["matrix"] == {
        "BV": {**zero, "LST-Y": 1},  # Bo (proposed) with Élise
        "CSN": {**zero, "BV": 1, "SPV": 1},  # Åsa with Örjan, Zacharias with Sven
        "LST-Y": zero,
        "SPV": zero,
        "ÅM": zero,  # Wilma's ended pair with Märta is not live
    }
    assert report["balance"] == [
        {"agency": "BV", "gives": 1, "takes": 1, "balance": 0},
        {"agency": "CSN", "gives": 0, "takes": 2, "balance": -2},
        {"agency": "LST-Y", "gives": 1, "takes": 0, "balance": 1},
        {"agency": "SPV", "gives": 1, "takes": 0, "balance": 1},
        {"agency": "ÅM", "gives": 0, "takes": 0, "balance": 0},
    ]

    older = programme.json("--cohort", "2026", "report", "agencies")
    assert older["agencies"] == ["BV", "CSN", "LST-Y", "SPV"]
    assert older["matrix"]["CSN"]["BV"] == 1
    assert older["matrix"]["LST-Y"]["SPV"] == 1
    assert sum(n for row in older["matrix"].values() for n in row.values()) == 2

    result = programme("report", "agencies")
    assert "Par per myndighet, omgång 2027" in result.stdout
    assert "Ge och ta, omgång 2027" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "mentor →" in line)
    assert all(code in header for code in AGENCIES)
    csn = [line for line in result.stdout.splitlines() if line.startswith("│ CSN ")]
    assert len(csn) == 2  # a row in the matrix and one in the balance
    assert "\u22122" in csn[1]  # a true minus sign in Swedish
    english = programme("report", "agencies", "--lang", "en").stdout
    assert "Give and take, cohort 2027" in english
    assert "-2" in [line for line in english.splitlines() if line.startswith("│ CSN ")][1]


# --- year over year ---------------------------------------------------------------------


def _history_figures(adepts: int, mentors: int, pairs: int) -> dict[str, int]:
    return {"adepts": adepts, "mentors": mentors, "pairs": pairs}


EXPECTED_HISTORY: dict[str, tuple[dict[str, int], dict[str, int], int, int]] = {
    # agency: (2026, 2027, total adepts, total mentors)
    "BV": (_history_figures(0, 1, 1), _history_figures(1, 1, 1), 1, 2),
    "CSN": (_history_figures(1, 0, 1), _history_figures(2, 0, 3), 3, 0),
    "LST-Y": (_history_figures(1, 0, 0), _history_figures(1, 1, 0), 2, 1),
    "SPV": (_history_figures(0, 1, 0), _history_figures(0, 1, 1), 0, 2),
    "ÅM": (_history_figures(0, 0, 0), _history_figures(0, 1, 1), 0, 1),
}


def test_history_year_over_year(programme: Cli, backend: str, tmp_path: Path) -> None:
    report = programme.json("report", "history")
    # Ordered by start date, not by when the cohorts were created.
    assert report["cohorts"] == ["2026", "2027"]
    assert [a["agency"] for a in report["agencies"]] == AGENCIES
    for row in report["agencies"]:
        older, newer, adepts, mentors = EXPECTED_HISTORY[row["agency"]]
        assert row["per_cohort"] == {"2026": older, "2027": newer}, row["agency"]
        assert (row["total_adepts"], row["total_mentors"]) == (adepts, mentors), row["agency"]
    # CSN's pairs: Karin–Örjan (2026), Åsa–Örjan, Zacharias–Sven and Wilma's ended pair.
    assert next(a for a in report["agencies"] if a["agency"] == "CSN")["total_pairs"] == 4
    # Proposals (Per–Sven, Bo–Élise) are not history yet; each pair counts once here.
    assert report["totals"] == {
        "2026": _history_figures(2, 2, 1),
        "2027": _history_figures(4, 4, 3),
    }
    # --cohort does not narrow the history.
    assert programme.json("--cohort", "2026", "report", "history") == report

    result = programme("report", "history")
    assert "År för år, omgångarna 2026 – 2027" in result.stdout
    lines = result.stdout.splitlines()
    csn = next(line for line in lines if line.startswith("│ CSN "))
    assert "1 / 0 / 1" in csn and "2 / 0 / 3" in csn
    for code in [*AGENCIES, "Totalt"]:
        assert any(line.startswith(f"│ {code} ") for line in lines), code

    # An anonymised cohort still counts: its people keep their agency.
    programme("--cohort", "2026", "cohort", "close", "--yes")
    programme(
        "cohort", "anonymise", "--yes", "2026", "--archive", str(tmp_path / "arkiv-2026.xlsx")
    )
    assert KARIN not in programme("person", "list").stdout
    assert programme.json("report", "history") == report


# --- for the roster export --------------------------------------------------------------


@pytest.fixture
def store_db(programme: Cli) -> Iterator[Session]:
    from chefintro.store import open_store, resolve_location

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            yield db
    finally:
        store.dispose()


def test_plain_functions_for_the_roster_export(store_db: Session, backend: str) -> None:
    from chefintro.cohorts import get_cohort
    from chefintro.reports import attendance_per_session, participants_per_agency

    cohort = get_cohort(db=store_db, name="2027")
    assert participants_per_agency(db=store_db, cohort=cohort) == [
        ("BV", 1, 1),
        ("CSN", 2, 0),
        ("LST-Y", 1, 1),
        ("SPV", 0, 1),
        ("ÅM", 0, 1),
    ]
    assert attendance_per_session(db=store_db, cohort=cohort) == [
        (f"{_day(-30)} Dag 1", 3, 1, 1),
        (f"{_day(-10)} Dag 2", 2, 0, 1),
        (f"{_day(30)} Dag 3", 0, 0, 0),
    ]
    older = get_cohort(db=store_db, name="2026")
    assert attendance_per_session(db=store_db, cohort=older) == []


# --- no cohort --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["overview", "agencies"])
def test_cohort_reports_without_a_cohort(cli: Cli, command: str) -> None:
    result = cli("report", command, "--json", code=1)
    assert "No cohort chosen" in result.stderr
    assert "cohort create" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    result = cli("--cohort", "2030", "report", command, code=1)
    assert "No cohort named '2030'" in result.stderr
    assert "2027" in result.stderr


def test_history_without_any_cohort(cli: Cli) -> None:
    result = cli("report", "history", "--json", code=1)
    assert "No cohorts yet" in result.stderr
    assert "cohort create" in result.stderr
    assert result.stdout == ""
