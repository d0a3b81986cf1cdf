"""The yearly set-up from a plan file, and the demo that runs the sample year."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import icalendar
import openpyxl

from chefintro.demo import sample_dir
from tests.conftest import Cli, store_snapshot


def _plan(tmp_path: Path) -> Path:
    for name in ("plan-2027.toml", "natverket-2027.xlsx"):
        shutil.copy(sample_dir() / name, tmp_path / name)
    return tmp_path / "plan-2027.toml"


def test_setup_runs_the_year_and_again_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    result = cli("cohort", "setup", str(plan), "--out", str(out))
    assert "25 adept(s) placed" in result.stdout
    pairs: Any = cli.json("pair", "list")
    assert len(pairs) == 25
    assert all(p["state"] == "active" for p in pairs)
    assert all(p["adept_agency"] != p["mentor_agency"] for p in pairs)
    assert len(cli.json("session", "list")) == 6
    assert cli.json("group", "list")
    calendar = icalendar.Calendar.from_ical((out / "programdagar-2027.ics").read_bytes())
    assert len(list(calendar.walk("VEVENT"))) == 6
    assert sorted(p.name for p in (out / "till-myndigheterna").iterdir())[0] == "BV-2027.xlsx"
    book = openpyxl.load_workbook(out / "chefintro-2027.xlsx", read_only=True)
    try:
        assert "Par" in book.sheetnames
    finally:
        book.close()

    before = store_snapshot()
    again = cli("cohort", "setup", str(plan), "--out", str(out))
    assert "kept" in again.stdout
    assert store_snapshot() == before


def test_setup_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), "--dry-run", "--out", str(tmp_path / "out"))
    assert "nothing was written" in result.stdout
    assert store_snapshot() == before
    assert not (tmp_path / "out").exists()


def test_bad_plan_lists_every_problem(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[cohort]\nname = "2028"\nstart = "soon"\n\n[roster]\nfiles = ["missing.xlsx"]\n\n'
        '[[session]]\ntitle = "Dag"\nstart = 2028-02-01\nend = 2028-02-01T16:00:00\n'
        'kind = "party"\n\n[colour]\nx = 1\n',
        encoding="utf-8",
    )
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), code=65)
    for needle in ("start", "end", "missing.xlsx", "colour", "party"):
        assert needle in result.stderr, needle
    assert store_snapshot() == before


def test_missing_plan_exits_66(cli: Cli, tmp_path: Path) -> None:
    cli("cohort", "setup", str(tmp_path / "nope.toml"), code=66)


def test_carry_over_mentors_who_continue(cli: Cli, tmp_path: Path) -> None:
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Märta Sjö", "--email", "marta@bv.se", "--agency", "BV")
    cli("person", "add", "--name", "Per Ek", "--email", "per@bv.se", "--agency", "BV")
    cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    cli("participant", "add", "marta@bv.se", "--role", "mentor", "--capacity", "2")
    cli("participant", "add", "per@bv.se", "--role", "mentor")
    cli("participant", "continue", "marta@bv.se")
    cli("participant", "continue", "per@bv.se", "--no")
    result = cli(
        "cohort",
        "create",
        "2027",
        "--start",
        "2027-01-26",
        "--end",
        "2027-12-09",
        "--carry-over-from",
        "2026",
    )
    assert "1 mentor(s) carried over" in result.stderr
    mentors: Any = cli.json("--cohort", "2027", "participant", "list")
    assert [(m["email"], m["capacity"]) for m in mentors] == [("marta@bv.se", 2)]


def test_demo_runs_the_whole_year(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", str(tmp_path / "demo"))
    assert "Demo finished: 25 pairs" in result.stderr
    assert "Hovrätten för nedre Norrland" in result.stdout
    assert (tmp_path / "demo" / "programdagar-2027.ics").is_file()
    assert (tmp_path / "demo" / "chefintro-demo.db").stat().st_mode & 0o077 == 0
