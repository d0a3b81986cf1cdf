"""The yearly set-up from a plan file, and the demo that runs the sample year."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pytest

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
    assert "25 adepts placed" in result.stdout
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


def _edit(plan: Path, old: str, new: str) -> None:
    text = plan.read_text(encoding="utf-8")
    assert old in text, old
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("workbook", ["{tmp}/abs/x.xlsx", "../x.xlsx", "sub/../../x.xlsx"])
def test_outputs_must_stay_inside_the_output_folder(
    cli: Cli, tmp_path: Path, workbook: str
) -> None:
    plan = _plan(tmp_path)
    value = workbook.format(tmp=tmp_path / "elsewhere")
    _edit(plan, 'workbook = "chefintro-2027.xlsx"', f"workbook = {value!r}")
    out = tmp_path / "deep" / "out"
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), "--out", str(out), code=65)
    assert "[outputs] workbook" in result.stderr
    assert "inside the output folder" in result.stderr
    assert store_snapshot() == before
    assert not (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "deep").exists()
    assert not (tmp_path / "x.xlsx").exists()


def test_a_workbook_path_that_is_a_folder_fails_before_anything_is_committed(
    cli: Cli, tmp_path: Path
) -> None:
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    (out / "chefintro-2027.xlsx").mkdir(parents=True)
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), "--out", str(out), code=73)
    assert "is a directory" in result.stderr
    assert store_snapshot() == before
    assert sorted(p.name for p in out.iterdir()) == ["chefintro-2027.xlsx"]
    cli("cohort", "setup", str(plan), "--out", str(out), "--dry-run", code=73)


def test_only_the_output_folder_itself_is_created(cli: Cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    before = store_snapshot()
    missing_parent = tmp_path / "no" / "out"
    result = cli("cohort", "setup", str(plan), "--out", str(missing_parent), code=73)
    assert "parent does not exist" in result.stderr
    assert not (tmp_path / "no").exists()
    _edit(plan, 'calendar = "programdagar-2027.ics"', 'calendar = "cal/programdagar-2027.ics"')
    result = cli("cohort", "setup", str(plan), "--out", str(tmp_path / "out"), code=73)
    assert "folder does not exist" in result.stderr
    assert not (tmp_path / "out" / "cal").exists()
    assert store_snapshot() == before


def test_session_times_must_exist_and_end_after_start(cli: Cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    # 2027-03-28 is the spring-forward night in Sweden: 02:30 does not exist.
    _edit(plan, "start = 2027-01-26T09:00:00", "start = 2027-03-28T02:30:00")
    _edit(plan, "end = 2027-03-16T16:00:00", "end = 2027-03-16T08:00:00")
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), "--out", str(tmp_path / "out"), code=65)
    assert "[session 1] start: 2027-03-28 02:30 does not exist in Sweden" in result.stderr
    assert "[session 2] end: The day" in result.stderr and "before it starts" in result.stderr
    assert store_snapshot() == before
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("size", [0, 1, 51])
def test_group_size_must_be_2_to_50(cli: Cli, tmp_path: Path, size: int) -> None:
    plan = _plan(tmp_path)
    _edit(plan, "size = 6", f"size = {size}")
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), "--dry-run", code=65)
    assert f"[groups] size: a peer group has 2 to 50 members, not {size}" in result.stderr
    assert "--size" not in result.stderr
    assert store_snapshot() == before


def test_a_missing_roster_file_alone_exits_66(cli: Cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    (tmp_path / "natverket-2027.xlsx").unlink()
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), code=66)
    assert "natverket-2027.xlsx" in result.stderr
    assert store_snapshot() == before
    # With other problems, it is one of the problems listed (exit 65).
    _edit(plan, "size = 6", "size = 1")
    result = cli("cohort", "setup", str(plan), code=65)
    assert "natverket-2027.xlsx does not exist" in result.stderr
    assert "[groups] size" in result.stderr


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
    assert "1 mentor carried over" in result.stderr
    mentors: Any = cli.json("--cohort", "2027", "participant", "list")
    assert [(m["email"], m["capacity"]) for m in mentors] == [("marta@bv.se", 2)]


def test_demo_runs_the_whole_year(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", str(tmp_path / "demo"))
    # 25 pairs were matched; one adept withdrew during the year, which ended their pair.
    assert "Demo finished: 24 pairs" in result.stderr
    assert "Hovrätten för nedre Norrland" in result.stdout
    # The demo plays the year to 30 April: meetings logged, pairs needing attention first.
    assert "35 meetings logged, as of 2027-04-30" in result.stdout
    order = ("no first meeting", "quiet", "ok")
    statuses = [
        line.rstrip(" │").rsplit("│", 1)[-1].strip()
        for line in result.stdout.splitlines()
        if line.rstrip(" │").endswith(order)
    ]
    assert set(statuses) == set(order)
    assert statuses == sorted(statuses, key=order.index)
    assert (tmp_path / "demo" / "programdagar-2027.ics").is_file()
    assert (tmp_path / "demo" / "chefintro-demo.db").stat().st_mode & 0o077 == 0
    drafts = sorted((tmp_path / "demo" / "meddelanden" / "intro").glob("*.eml"))
    assert len(drafts) == 25
    assert all(d.stat().st_mode & 0o077 == 0 for d in drafts)
    assert b"X-Unsent: 1" in drafts[0].read_bytes()
    # The year's end: surveys through Forms-shaped files, certificates and the summary.
    assert "hade 25 adepter och 25 mentorer från 10 myndigheter" in result.stdout
    assert "Förändring: Jag har ett nätverk av chefskolleger" in result.stdout
    certificates = sorted((tmp_path / "demo" / "intyg").glob("intyg-2027-*.pdf"))
    assert len(certificates) >= 20
    assert all(c.stat().st_mode & 0o077 == 0 for c in certificates)
    assert (tmp_path / "demo" / "enkat-slut-2027.xlsx").is_file()
    store = str(tmp_path / "demo" / "chefintro-demo.db")
    surveys: Any = cli.json("--db", store, "survey", "list")
    assert [(s["name"], s["phase"]) for s in surveys] == [
        ("start-2027", "start"),
        ("slut-2027", "end"),
    ]
    log: Any = cli.json("--db", store, "db", "log")
    assert {"survey import", "survey export", "certificates"} <= {e["action"] for e in log}
    _suggestions_agree_with_the_demo(cli, result.stdout, result.stderr, tmp_path)


def _suggestions_agree_with_the_demo(cli: Cli, shown: str, said: str, tmp_path: Path) -> None:
    """The demo's year lies ahead of today: the reports it suggests judge it as of its own
    days (--as-of), so they say what the demo said, not "0 of 24"."""
    tried = [line.split()[2:] for line in said.splitlines() if line.startswith("Try: chefintro")]

    def suggested(*command: str) -> list[str]:
        (words,) = [w for w in tried if w[2 : 2 + len(command)] == list(command)]
        assert "--as-of" in words
        return words

    flat = " ".join(shown.split())
    completed = re.search(r"(\d+) av (\d+) adepter \(\d+ %\) uppfyllde", flat)
    assert completed is not None
    report: Any = cli.json(*suggested("report", "completion"))
    counts = report["counts"]
    judged = counts["completed"] + counts["not_completed"] + counts["in_progress"]
    assert [counts["completed"], judged] == [int(n) for n in completed.groups()]
    attendance: Any = cli.json(*suggested("report", "attendance"))
    assert attendance["sessions_held"] == attendance["sessions_total"]
    assert " ".join(cli(*suggested("report", "summary")).stdout.split()) in flat
    certificate = suggested("certificate")
    certificate[certificate.index("--out") + 1] = str(tmp_path / "intyg-igen")
    assert len(cli(*certificate).stdout.splitlines()) == int(completed.group(1))
    # The network's commands too: the year's directory (files in the demo's folder) and ideas.
    for words in tried:
        if "network" in words or "ideas" in words:
            cli(*words)
    (listing,) = [w for w in tried if w[2:] == ["network", "directory"]]
    directory: Any = cli.json(*listing)
    assert directory["cohort"] == "2027" and directory["listed"] > 0 and directory["unlisted"] > 0
    assert (tmp_path / "demo" / "katalog-2027.vcf").is_file()


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_progress_bar_counts_every_step(tmp_path: Path, dry_run: bool) -> None:
    from chefintro.store import open_store
    from chefintro.yearly import read_plan, run_plan, step_count

    plan = read_plan(_plan(tmp_path), out_dir=tmp_path / "out")
    seen: list[str] = []
    store = open_store(str(tmp_path / "progress.db"))
    try:
        run_plan(store=store, plan=plan, dry_run=dry_run, progress=seen.append)
    finally:
        store.dispose()
    assert len(seen) == step_count(plan, dry_run=dry_run)


def test_the_demo_progress_counts_the_plan_and_the_year_end(tmp_path: Path) -> None:
    from chefintro.demo import demo_steps, run_demo

    seen: list[str] = []
    run = run_demo(tmp_path / "demo", progress=seen.append)
    assert run.year_end is not None
    assert len(seen) == demo_steps()
    assert seen[-1] == "Writing certificates and the summary"


def test_a_day_moved_after_the_plan_is_not_added_again(cli: Cli, tmp_path: Path) -> None:
    """The kick-off moved by a day with 'session edit': running the plan again says so and
    keeps one kick-off (a day is the same day by its title)."""
    plan = _plan(tmp_path)
    cli("cohort", "setup", str(plan), "--out", str(tmp_path / "out"))
    days: Any = cli.json("session", "list")
    kickoff = days[0]
    moved_to = "2027-01-27 09:00"
    cli("session", "edit", str(kickoff["id"]), "--start", moved_to)
    again = cli("cohort", "setup", str(plan), "--out", str(tmp_path / "out"))
    flat = " ".join(again.stdout.replace("│", " ").split())
    assert f"{kickoff['title']}: moved to {moved_to} after the plan" in flat
    after: Any = cli.json("session", "list")
    assert len(after) == len(days)
    assert [d["title"] for d in after].count(kickoff["title"]) == 1
    assert next(d for d in after if d["id"] == kickoff["id"])["starts_at"].startswith(
        "2027-01-27T09:00"
    )
