"""The speed a coordinator feels (issue 16): whole commands against their stack's floor.

Every figure is the CPU seconds (user + system) of one whole process, the command or its
floor, read with ``os.wait4`` by a small launcher process, so that the machine's load (other
people's test runs on a 2-core machine) does not count, and ``ru_maxrss`` of that same
process for memory (the launcher keeps this benchmark's own resident size out of the child's
figure). The sides alternate, round after round, and the medians are compared; each line
prints both figures, the ratio, the goal and ``ok`` or ``MISSED``. Exits 0 either way
(benchmarks report, they do not fail). chefintro's modules are compiled to bytecode
before the first run, as an installed copy's are (:func:`compile_chefintro`).

Comparisons, each against a floor measured in the same run:

* ``chefintro --help`` against a bare Typer app with as many sub-commands (goal <= 1.3x);
* every read command (``list``, ``show``, ``report``; with and without ``--json``) on the
  demo store against a bare Typer app that imports SQLModel, runs one select on the
  command's table and prints the same JSON (goal <= 1.25x);
* ``roster import`` of 20,000 rows against a Typer + SQLModel process that reads the
  workbook with python-calamine, normalises names and e-mails (NFC, case-fold) and inserts
  them with sqlite3 ``executemany``: CPU (goal <= 2.0x) and peak memory (goal <= 1.5x);
  the export is compared in bench_roster.py (c);
* ``pair suggest`` for 3,000 adepts x 1,500 mentors against a process that imports Typer,
  SQLModel, NumPy and SciPy and solves a dense 3,000 x 3,000 random matrix (goal <= 1.5x);
* ``pair rematch --json`` for one freed adept in a 3,000-pair cohort against the read
  command ``pair list --json`` on the same store (goal <= 1.2x); prints "n/a (command
  missing)" while this chefintro has no ``pair rematch``.

Run with ``make bench`` or ``python benchmarks/bench_speed.py [--rounds 9] [--only help,read,
import,suggest,rematch]``. Nine rounds, because on a shared 2-core machine a process's CPU
seconds drift by a quarter within minutes: with five, the same code's ratios moved by 0.2
from one run to the next, enough to flip a verdict at the goal's edge.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

# Runs argv[1:] with stdout to the file named by argv[1] ("-" for none), waits for it with
# os.wait4 and prints its exit code, CPU seconds and ru_maxrss (KiB on Linux).
LAUNCHER = """
import os, subprocess, sys
out = sys.argv[1]
sink = open(os.devnull if out == "-" else out, "wb")
child = subprocess.Popen(sys.argv[2:], stdout=sink, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""

HELP_FLOOR = '''
import typer

app = typer.Typer(no_args_is_help=True, add_completion=False)


def make(name: str) -> None:
    def command(name: str = "world") -> None:
        """Say hello."""
        typer.echo(f"hello {name}")

    command.__doc__ = f"The {name} command."
    app.command(name)(command)


def make_group(name: str) -> None:
    group = typer.Typer(help=f"The {name} commands.")

    @group.command("list")
    def list_() -> None:
        """List."""

    app.add_typer(group, name=name)


for name in ("init", "demo"):
    make(name)
for name in ("db", "settings", "agency", "person", "cohort", "participant", "session",
             "group", "report", "pair", "roster"):
    make_group(name)
app()
'''

READ_FLOOR = """
import json
import sys
from pathlib import Path

import typer
from sqlmodel import Session, create_engine, text

app = typer.Typer(add_completion=False)


@app.command()
def main(db: str, table: str, expected: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        rows = session.exec(text(f"SELECT * FROM {table}")).all()
    data = json.loads(Path(expected).read_text(encoding="utf-8"))
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\\n")
    assert rows is not None


app()
"""

IMPORT_FLOOR = """
import sqlite3
import sys
import unicodedata

import python_calamine
import sqlmodel  # noqa: F401
import typer

app = typer.Typer(add_completion=False)


def norm(value):
    return None if value in (None, "") else unicodedata.normalize("NFC", str(value)).strip()


@app.command()
def main(roster: str, db: str) -> None:
    book = python_calamine.CalamineWorkbook.from_path(roster)
    agencies = book.get_sheet_by_index(0).to_python()[1:]
    people = book.get_sheet_by_index(1).to_python()[1:]
    rows = []
    for row in people:
        name, email = norm(row[0]), norm(row[1])
        rows.append(
            (name, name.casefold(), email, email.casefold(), *(norm(v) for v in row[2:]))
        )
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE agency (code TEXT PRIMARY KEY, name TEXT)")
    # name, its key, e-mail, its key (unique), then the sheet's other columns
    width = len(rows[0])
    others = ", ".join(f"c{i}" for i in range(width - 4))
    connection.execute(f"CREATE TABLE person (name, name_key, email, email_key UNIQUE, {others})")
    connection.executemany("INSERT INTO agency VALUES (?, ?)", [r[:2] for r in agencies])
    connection.executemany(f"INSERT INTO person VALUES ({', '.join('?' * width)})", rows)
    connection.commit()
    connection.close()


app()
"""

SUGGEST_FLOOR = """
import numpy as np
import scipy.optimize
import sqlmodel  # noqa: F401
import typer  # noqa: F401

cost = np.random.default_rng(0).random((3000, 3000))
scipy.optimize.linear_sum_assignment(cost)
"""

# The read commands and the table each one's floor selects from; each runs with and
# without --json.
READ_COMMANDS: list[tuple[str, str]] = [
    ("agency list", "agency"),
    ("person list", "person"),
    ("cohort list", "cohort"),
    ("cohort show", "cohort"),
    ("participant list", "participant"),
    ("session list", "programme_session"),
    ("group list", "peergroup"),
    ("pair list", "pairing"),
    ("pair unmatched", "participant"),
    ("report overview", "participant"),
    ("report attendance", "attendance"),
    ("report agencies", "agency"),
    ("report history", "participant"),
    ("settings list", "setting"),
]

HELP_GOAL, READ_GOAL, IMPORT_GOAL, IMPORT_MEMORY_GOAL = 1.3, 1.25, 2.0, 1.5
SUGGEST_GOAL, REMATCH_GOAL = 1.5, 1.2
ROSTER_ROWS = 20_000


@dataclass(frozen=True)
class Run:
    cpu: float
    maxrss: int


def run(command: Sequence[str], stdout: Path | None = None) -> Run:
    """Run ``command`` in a fresh process; return its CPU seconds and peak resident size."""
    launcher = [sys.executable, "-c", LAUNCHER, str(stdout) if stdout else "-"]
    result = subprocess.run([*launcher, *command], check=True, capture_output=True, text=True)
    code, cpu, maxrss = result.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {code}")
    return Run(float(cpu), int(maxrss))


def chefintro(database: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "chefintro", "--db", str(database), *args]


def alternate(sides: Sequence[Callable[[], Run]], rounds: int) -> list[tuple[float, float]]:
    """Run each side once per round, alternating; return each side's median (CPU, maxrss)."""
    results: list[list[Run]] = [[] for _ in sides]
    for _ in range(rounds):
        for side, out in zip(sides, results, strict=True):
            out.append(side())
    return [
        (statistics.median(r.cpu for r in out), statistics.median(r.maxrss for r in out))
        for out in results
    ]


def report(label: str, ours: float, floor: float, goal: float, unit: str = "s CPU") -> bool:
    ratio = ours / floor
    verdict = "ok" if ratio <= goal else "MISSED"
    figure = "{:.3f} " + unit if unit == "s CPU" else "{:.0f} " + unit
    print(
        f"{label}: ours {figure.format(ours)}, floor {figure.format(floor)}, "
        f"ratio {ratio:.2f}x (goal <= {goal}x) {verdict}",
        flush=True,
    )
    return ratio <= goal


# --- the comparisons ---------------------------------------------------------------------------


def bench_help(folder: Path, rounds: int) -> None:
    floor = folder / "help_floor.py"
    floor.write_text(HELP_FLOOR)
    ours = [sys.executable, "-m", "chefintro", "--help"]
    (o, _), (f, _) = alternate(
        [lambda: run(ours), lambda: run([sys.executable, str(floor), "--help"])], rounds
    )
    report("help: chefintro --help vs bare Typer app, 13 sub-commands", o, f, HELP_GOAL)


def make_demo(folder: Path) -> Path:
    target = folder / "demo"
    subprocess.run(
        [sys.executable, "-m", "chefintro", "demo", str(target)],
        check=True,
        capture_output=True,
    )
    return target / "chefintro-demo.db"


def bench_read(folder: Path, rounds: int) -> None:
    database = make_demo(folder)
    floor = folder / "read_floor.py"
    floor.write_text(READ_FLOOR)
    missed = 0
    total = 0
    for command, table in READ_COMMANDS:
        expected = folder / f"{command.replace(' ', '_')}.json"
        ours_json = chefintro(database, *command.split(), "--json")
        ours_plain = chefintro(database, *command.split())
        run(ours_json, stdout=expected)  # also warms the cache
        json.loads(expected.read_text(encoding="utf-8"))
        floor_cmd = [sys.executable, str(floor), str(database), table, str(expected)]
        run(floor_cmd)
        sides: list[Callable[[], Run]] = [
            partial(run, ours_json),
            partial(run, ours_plain),
            partial(run, floor_cmd),
        ]
        (oj, _), (op, _), (f, _) = alternate(sides, rounds)
        total += 2
        missed += not report(f"read: {command} --json", oj, f, READ_GOAL)
        missed += not report(f"read: {command}", op, f, READ_GOAL)
    print(f"read: {total - missed} of {total} read commands within {READ_GOAL}x", flush=True)


def bench_import(folder: Path, rounds: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from datetime import date

    from bench_roster import build_roster, participant_cells
    from chefintro.cohorts import create_cohort
    from chefintro.store import open_store, side_files

    roster = folder / "roster.xlsx"
    build_roster(roster, participant_cells(ROSTER_ROWS))
    template = folder / "template.db"
    store = open_store(str(template))
    with store.transaction() as db:
        create_cohort(db=db, name="2026", starts_on=date(2026, 1, 19), ends_on=date(2026, 12, 11))
    store.dispose()
    assert not any(side.exists() for side in side_files(template))
    floor = folder / "import_floor.py"
    floor.write_text(IMPORT_FLOOR)
    target = folder / "import.db"

    def fresh(copy: bool) -> Path:
        for file in (target, *side_files(target)):
            file.unlink(missing_ok=True)
        if copy:
            shutil.copyfile(template, target)
        return target

    def ours() -> Run:
        return run(chefintro(fresh(True), "roster", "import", str(roster)))

    def bare() -> Run:
        return run([sys.executable, str(floor), str(roster), str(fresh(False))])

    ours()  # warms the cache, checks the import works
    (oc, om), (fc, fm) = alternate([ours, bare], rounds)
    report(f"import: roster import {ROSTER_ROWS} rows vs calamine+executemany", oc, fc, IMPORT_GOAL)
    report(
        "import: peak memory (whole process, MiB)",
        om / 1024,
        fm / 1024,
        IMPORT_MEMORY_GOAL,
        unit="MiB",
    )


def pairing_store(folder: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_pairing import build_store

    database = folder / "cohort.db"
    build_store(database)
    return database


def bench_suggest(folder: Path, rounds: int) -> Path:
    database = pairing_store(folder)
    floor = folder / "suggest_floor.py"
    floor.write_text(SUGGEST_FLOOR)
    ours = chefintro(database, "pair", "suggest", "--json")
    run(ours)
    (o, _), (f, _) = alternate(
        [lambda: run(ours), lambda: run([sys.executable, str(floor)])], rounds
    )
    report(
        "suggest: pair suggest --json 3000x1500 vs imports + dense 3000x3000 solve",
        o,
        f,
        SUGGEST_GOAL,
    )
    return database


def bench_rematch(folder: Path, rounds: int, database: Path | None) -> None:
    probe = subprocess.run(
        [sys.executable, "-m", "chefintro", "pair", "rematch", "--help"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        print("rematch: pair rematch --json vs pair list --json: n/a (command missing)", flush=True)
        return
    if database is None:
        database = pairing_store(folder)
        run(chefintro(database, "pair", "suggest", "--json"))
    subprocess.run(chefintro(database, "pair", "apply"), check=True, capture_output=True)
    listed = subprocess.run(
        chefintro(database, "pair", "list", "--json"), check=True, capture_output=True, text=True
    )
    pairs = json.loads(listed.stdout)
    adept = pairs[0]["adept"]
    subprocess.run(
        chefintro(database, "pair", "end", adept, "--reason", "benchmark", "--yes"),
        check=True,
        capture_output=True,
    )
    ours = chefintro(database, "pair", "rematch", "--json")
    read = chefintro(database, "pair", "list", "--json")
    run(ours)
    (o, _), (r, _) = alternate([lambda: run(ours), lambda: run(read)], rounds)
    report(
        f"rematch: pair rematch --json (1 freed of {len(pairs)}) vs pair list --json",
        o,
        r,
        REMATCH_GOAL,
    )


def compile_chefintro() -> None:
    """Compile chefintro's modules to bytecode, as an installed copy has them.

    The floors' libraries were compiled when pip installed them; chefintro, installed
    editable from src/, is compiled on first import, unless PYTHONDONTWRITEBYTECODE is set
    (as on some machines), when every run would compile it again. Compiling first makes
    both sides start alike, as they do for a coordinator (uv and pip compile on install or
    on the first run).
    """
    import compileall

    import chefintro

    compileall.compile_dir(Path(chefintro.__file__).parent, quiet=1)
    print("chefintro's modules compiled to bytecode first, as installed", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs per side")
    parser.add_argument(
        "--only", default="help,read,import,suggest,rematch", help="comma-separated parts"
    )
    args = parser.parse_args()
    rounds: int = args.rounds
    parts = set(args.only.split(","))
    compile_chefintro()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        folder = Path(tmp)
        if "help" in parts:
            bench_help(folder, rounds)
        if "read" in parts:
            bench_read(folder, rounds)
        if "import" in parts:
            bench_import(folder, rounds)
        database = bench_suggest(folder, rounds) if "suggest" in parts else None
        if "rematch" in parts:
            bench_rematch(folder, rounds, database)


if __name__ == "__main__":
    main()
