"""The whole year at network scale (issue 32): a year workbook's attendance and meetings.

Builds, once and outside the timing, a store of one cohort (``bench_pairing.build_store``:
3,000 adepts and 1,500 mentors, 4,500 people), adds five programme days in the spring and
autumn and one active pair per mentor place (bulk inserts into the tables), and writes a
year workbook as a coordinator gets it back: Närvaro (E-post, then one column per day,
headed ``Titel (ÅÅÅÅ-MM-DD TT:MM)`` as the export writes it; 4,500 x 5 marks in Swedish)
and Möten (Adept, Mentor, Datum, Minuter: about two meetings per pair, 6,000 in all).

Then it compares, as whole processes measured like bench_speed.py (the child's CPU seconds
from ``os.wait4`` and its ``ru_maxrss``, alternating rounds, medians):

* ``chefintro roster import YEAR.xlsx`` into a fresh copy of the store, against a floor:
  a Typer + SQLModel process that reads both sheets with python-calamine, looks up the
  participants, days and pairs with one select each, and inserts the same attendance and
  meeting rows with sqlite3 ``executemany`` (goal <= 2.0x).

``--people`` sets the year's size (4,500 by default, two adepts per mentor); the growth
table in docs/benchmarks.md comes from runs at several sizes.

Run with ``make bench`` or ``python benchmarks/bench_year.py [--rounds 9] [--people N]``.
Exits 0 either way (benchmarks report, they do not fail).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from openpyxl import Workbook  # noqa: E402

import bench_pairing  # noqa: E402
from bench_speed import Run, chefintro, compile_chefintro, report, run  # noqa: E402
from chefintro.enums import STATUS_LABELS, QuestionKind  # noqa: E402
from chefintro.store import side_files  # noqa: E402
from chefintro.surveys.questions import BUILTIN_QUESTIONS  # noqa: E402

IMPORT_GOAL = 2.0
DAYS = [
    ("Uppstartsdag", datetime(2026, 2, 10, 9, 0)),
    ("Ledarskap och förändring", datetime(2026, 3, 17, 9, 0)),
    ("Arbetsrätt för chefer", datetime(2026, 4, 21, 13, 0)),
    ("Svåra samtal", datetime(2026, 9, 15, 9, 0)),
    ("Avslutning", datetime(2026, 11, 24, 9, 0)),
]
MEETINGS = 6_000
PAIRED_ON = date(2026, 1, 26)

YEAR_FLOOR = """
import sqlite3
import unicodedata
from datetime import datetime

import python_calamine
import sqlmodel  # noqa: F401
import typer

app = typer.Typer(add_completion=False)
STATUS = {"närvarande": "present", "frånvarande": "absent", "anmält förhinder": "excused"}


def key(value):
    return unicodedata.normalize("NFC", str(value)).strip().casefold()


@app.command()
def main(workbook: str, db: str) -> None:
    book = python_calamine.CalamineWorkbook.from_path(workbook)
    marks = book.get_sheet_by_name("Närvaro").to_python()
    meetings = book.get_sheet_by_name("Möten").to_python()
    connection = sqlite3.connect(db)
    ids = dict(connection.execute(
        "SELECT person.email_key, participant.id FROM participant "
        "JOIN person ON person.id = participant.person_id"
    ))
    days = {
        (title.casefold(), datetime.fromisoformat(start)): sid
        for sid, title, start in connection.execute(
            "SELECT id, title, starts_at FROM programme_session"
        )
    }
    columns = []
    for header in marks[0][1:]:
        title, _, when = header.rpartition(" (")
        columns.append(days[(title.casefold(), datetime.strptime(when, "%Y-%m-%d %H:%M)"))])
    pairs = {
        (a, m): pid
        for pid, a, m in connection.execute("SELECT id, adept_id, mentor_id FROM pairing")
    }
    attendance = [
        (sid, ids[key(row[0])], STATUS[label.strip().casefold()])
        for row in marks[1:]
        for sid, label in zip(columns, row[1:])
        if label
    ]
    met = [
        (pairs[(ids[key(a)], ids[key(m)])], str(d)[:10], int(n))
        for a, m, d, n in meetings[1:]
    ]
    connection.executemany(
        "INSERT INTO attendance (session_id, participant_id, status) VALUES (?, ?, ?)", attendance
    )
    connection.executemany(
        "INSERT INTO meeting (pairing_id, held_on, minutes) VALUES (?, ?, ?)", met
    )
    connection.commit()
    connection.close()


app()
"""


SURVEY_FLOOR = """
import sqlite3
import unicodedata

import python_calamine
import sqlmodel  # noqa: F401
import typer

app = typer.Typer(add_completion=False)


def key(value):
    return unicodedata.normalize("NFC", str(value)).strip().casefold()


@app.command()
def main(form: str, db: str) -> None:
    rows = python_calamine.CalamineWorkbook.from_path(form).get_sheet_by_name("Svar").to_python()
    connection = sqlite3.connect(db)
    ids = dict(connection.execute(
        "SELECT person.email_key, participant.id FROM participant "
        "JOIN person ON person.id = participant.person_id"
    ))
    survey_id, = connection.execute("SELECT id FROM survey").fetchone()
    questions = dict(connection.execute("SELECT text, id FROM survey_question"))
    header = rows[0]
    columns = [(i, questions[text]) for i, text in enumerate(header) if text in questions]
    answers = []
    for row in rows[1:]:
        if not row[1]:
            continue
        participant = ids[key(row[1])]
        for i, question in columns:
            value = row[i]
            if value == "":
                continue
            number = int(value) if isinstance(value, (int, float)) else None
            answers.append((survey_id, question, participant, number, None if number else value))
    connection.executemany(
        "INSERT INTO survey_answer (survey_id, question_id, participant_id, value, text) "
        "VALUES (?, ?, ?, ?, ?)",
        answers,
    )
    connection.commit()
    connection.close()


app()
"""
SURVEY_GOAL, SURVEY_MEMORY_GOAL = 2.0, 1.5
TEXTS = [
    "Bra att träffa chefer från andra myndigheter.",
    "Mer tid för samtal i gruppen, tack!",
    "Mentorn har hjälpt mig att se min roll på ett nytt sätt; särskilt i svåra samtal.",
    "",
]


def alternate(sides: Sequence[Callable[[], Run]], rounds: int) -> list[tuple[float, float]]:
    """Run each side once per round, alternating (the floor last); print the spread of the
    per-round CPU ratios against the floor; return each side's median (CPU, maxrss)."""
    results: list[list[Run]] = [[] for _ in sides]
    for _ in range(rounds):
        for side, out in zip(sides, results, strict=True):
            out.append(side())
    for out in results[:-1]:
        ratios = [o.cpu / f.cpu for o, f in zip(out, results[-1], strict=True)]
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        print(
            f"  per-round CPU ratio over {rounds} alternating rounds: min {min(ratios):.2f}, "
            f"quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}, max {max(ratios):.2f}",
            flush=True,
        )
    return [
        (statistics.median(r.cpu for r in out), statistics.median(r.maxrss for r in out))
        for out in results
    ]


def build_year(
    folder: Path, people: int, seed: int = 32, *, every_adept: bool = False
) -> tuple[Path, Path, int, int]:
    """Write the store and the year workbook; return them, the marks and the meetings.

    Each mentor place gets an adept; with ``every_adept`` every adept gets a mentor (the
    mentors taking two or more), as the read benchmark's 3,000 pairs need.
    """
    rng = random.Random(seed)
    database = folder / "year.db"
    adepts = people * 2 // 3
    bench_pairing.ADEPTS, bench_pairing.MENTORS = adepts, people - adepts
    bench_pairing.build_store(database)
    connection = sqlite3.connect(database)
    cohort_id = connection.execute("SELECT id FROM cohort").fetchone()[0]
    now = datetime(2026, 1, 5, 12, 0).isoformat(sep=" ")
    for number, (title, start) in enumerate(DAYS):
        connection.execute(
            "INSERT INTO programme_session (cohort_id, title, kind, starts_at, ends_at, uid, "
            "sequence, updated_at, cancelled) VALUES (?, ?, 'training', ?, ?, ?, 0, ?, 0)",
            (
                cohort_id,
                title,
                start.isoformat(sep=" "),
                (start + timedelta(hours=4)).isoformat(sep=" "),
                f"bench-{number}@chefintro",
                now,
            ),
        )
    parts = connection.execute(
        "SELECT participant.id, participant.role, participant.capacity, person.email "
        "FROM participant JOIN person ON person.id = participant.person_id ORDER BY participant.id"
    ).fetchall()
    adept_rows = [p for p in parts if p[1] == "adept"]
    places = [m for m in parts if m[1] == "mentor" for _ in range(m[2])]
    if every_adept:
        mentors = [m for m in parts if m[1] == "mentor"]
        places = [mentors[i % len(mentors)] for i in range(len(adept_rows))]
    pairs = list(zip(adept_rows, places, strict=False))
    connection.executemany(
        "INSERT INTO pairing (cohort_id, adept_id, mentor_id, state, locked, manual, score, "
        "reasons, created_at, started_on) VALUES (?, ?, ?, 'active', 0, 0, 50, '{}', ?, ?)",
        [(cohort_id, a[0], m[0], now, PAIRED_ON.isoformat()) for a, m in pairs],
    )
    connection.commit()
    connection.close()

    book = Workbook(write_only=True)
    marks = book.create_sheet("Närvaro")
    marks.append(["E-post", *(f"{title} ({start:%Y-%m-%d %H:%M})" for title, start in DAYS)])
    labels = list(STATUS_LABELS.values())
    for part in parts:
        marks.append([part[3], *(rng.choice(labels) for _ in DAYS)])
    meetings = book.create_sheet("Möten")
    meetings.append(["Adept", "Mentor", "Datum", "Minuter"])
    met = 0
    for number, (adept, mentor) in enumerate(pairs):
        share = MEETINGS * people // 4_500 // len(pairs) + (
            number < MEETINGS * people // 4_500 % len(pairs)
        )
        for day in sorted(rng.sample(range(30, 300), share)):
            held = date(2026, 1, 1) + timedelta(days=day)
            meetings.append([adept[3], mentor[3], held, rng.choice([45, 60, 90])])
            met += 1
    workbook = folder / "year.xlsx"
    book.save(workbook)
    return database, workbook, len(parts) * len(DAYS), met


def bench_year_import(folder: Path, rounds: int, people: int) -> None:
    template, workbook, marks, meetings = build_year(folder, people)
    floor = folder / "year_floor.py"
    floor.write_text(YEAR_FLOOR)
    target = folder / "import.db"

    def fresh() -> Path:
        for file in (target, *side_files(target)):
            file.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return target

    def ours() -> Run:
        return run(chefintro(fresh(), "roster", "import", str(workbook)))

    def bare() -> Run:
        return run([sys.executable, str(floor), str(workbook), str(fresh())])

    ours()  # warms the cache, checks the import works
    bare()
    (oc, om), (fc, fm) = alternate([ours, bare], rounds)
    report(
        f"year: roster import of Närvaro ({marks} marks) + Möten ({meetings} meetings) "
        "vs calamine+executemany",
        oc,
        fc,
        IMPORT_GOAL,
    )
    print(f"year: peak memory ours {om / 1024:.0f} MiB, floor {fm / 1024:.0f} MiB", flush=True)


def build_survey(folder: Path, respondents: int, seed: int = 33) -> tuple[Path, Path, int]:
    """A store of ``respondents`` participants with the built-in start survey, and its
    form workbook (``survey export``) filled in by every one of them."""
    from openpyxl import load_workbook

    rng = random.Random(seed)
    database = folder / "survey.db"
    adepts = respondents * 2 // 3
    bench_pairing.ADEPTS, bench_pairing.MENTORS = adepts, respondents - adepts
    bench_pairing.build_store(database)
    form = folder / "enkat.xlsx"
    for args in (
        ("survey", "add", "start-2026", "--phase", "start"),
        ("survey", "export", "start-2026", str(form)),
    ):
        subprocess.run(chefintro(database, *args), check=True, capture_output=True)
    book = load_workbook(form)
    sheet = book["Svar"]
    header = [cell.value for cell in sheet[1]]
    kinds = {q.text: q.kind for q in BUILTIN_QUESTIONS}
    answers = 0
    for row in sheet.iter_rows(min_row=2, max_row=respondents + 1):
        for cell, text in zip(row[4:], header[4:], strict=True):
            if text is None:
                continue
            scale = kinds[text] == QuestionKind.SCALE
            cell.value = rng.randint(1, 7) if scale else rng.choice(TEXTS) or None
            answers += cell.value is not None
    book.save(form)
    return database, form, answers


def bench_survey_import(folder: Path, rounds: int, respondents: int) -> None:
    template, form, answers = build_survey(folder, respondents)
    floor = folder / "survey_floor.py"
    floor.write_text(SURVEY_FLOOR)
    target = folder / "survey-import.db"

    def fresh() -> Path:
        for file in (target, *side_files(target)):
            file.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return target

    def ours() -> Run:
        return run(chefintro(fresh(), "survey", "import", "start-2026", str(form)))

    def bare() -> Run:
        return run([sys.executable, str(floor), str(form), str(fresh())])

    ours()
    bare()
    (oc, om), (fc, fm) = alternate([ours, bare], rounds)
    report(
        f"survey: survey import of {respondents} respondents ({answers} answers) "
        "vs calamine+executemany",
        oc,
        fc,
        SURVEY_GOAL,
    )
    report(
        "survey: peak memory (whole process, MiB)",
        om / 1024,
        fm / 1024,
        SURVEY_MEMORY_GOAL,
        unit="MiB",
    )


READ_COMMANDS = [
    ("pair list", "pairing"),
    ("person list", "person"),
    ("participant list", "participant"),
    ("pair unmatched", "participant"),
    ("report overview", "participant"),
    ("report attendance", "attendance"),
    ("report pairs", "pairing"),
    ("report agencies", "agency"),
]


def add_people(database: Path, total: int) -> None:
    """Register people who take no part this year, until the store holds ``total``."""
    connection = sqlite3.connect(database)
    (count,) = connection.execute("SELECT count(*) FROM person").fetchone()
    agencies = [row[0] for row in connection.execute("SELECT id FROM agency")]
    rng = random.Random(20)
    rows = []
    for number in range(count, total):
        first = rng.choice(bench_pairing.FIRST_NAMES)
        last = rng.choice(bench_pairing.LAST_NAMES)
        email = f"{first}.{last}.{number}@myndighet.se".lower().translate(bench_pairing._ASCII)
        rows.append((f"{first} {last}", email, email, rng.choice(agencies), "Enhetschef"))
    connection.executemany(
        "INSERT INTO person (name, email, email_key, agency_id, title) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()


def bench_reads(
    folder: Path,
    rounds: int,
    people: int,
    participants: int,
    only: set[str] | None = None,
    json_only: bool = False,
) -> None:
    """Every read command at network scale: its --json against bench_speed's read floor,
    its plain form against table_floor.py's (the same tables without rich)."""
    from bench_speed import READ_FLOOR, READ_GOAL

    year = folder / "reads"
    year.mkdir()
    database, workbook, _, _ = build_year(year, participants, every_adept=True)
    subprocess.run(
        chefintro(database, "roster", "import", str(workbook)), check=True, capture_output=True
    )
    add_people(database, people)
    floor = folder / "read_floor.py"
    floor.write_text(READ_FLOOR)
    (pairs,) = sqlite3.connect(database).execute("SELECT count(*) FROM pairing").fetchone()
    print(f"reads: {people} people, {participants} participants, {pairs} pairs", flush=True)
    for command, table in READ_COMMANDS:
        if only and command not in only:
            continue
        expected = folder / f"{command.replace(' ', '_')}.json"
        ours_json = chefintro(database, *command.split(), "--json")
        ours_plain = chefintro(database, *command.split())
        run(ours_json, stdout=expected)
        floor_cmd = [sys.executable, str(floor), str(database), table, str(expected)]
        run(floor_cmd)
        if json_only:
            (oj, _), (f, _) = alternate([partial(run, ours_json), partial(run, floor_cmd)], rounds)
            report(f"reads: {command} --json", oj, f, READ_GOAL)
            continue
        (oj, _), (f, _) = alternate([partial(run, ours_json), partial(run, floor_cmd)], rounds)
        report(f"reads: {command} --json", oj, f, READ_GOAL)
        table_cmd = plain_floor(folder, database, command, table, ours_plain)
        (op, _), (f, _) = alternate([partial(run, ours_plain), partial(run, table_cmd)], rounds)
        report(f"reads: {command} (table floor)", op, f, READ_GOAL)


def plain_floor(
    folder: Path, database: Path, command: str, table: str, ours: list[str]
) -> list[str]:
    """The command line of the plain form's floor (table_floor.py), after checking that it
    prints what ``ours`` prints (stdout and stderr), byte for byte."""
    from table_floor import TABLE_FLOOR, write_cells

    floor = folder / "table_floor.py"
    floor.write_text(TABLE_FLOOR, encoding="utf-8")
    cells = folder / f"{command.replace(' ', '_')}.cells"
    printed = subprocess.run(ours, check=True, capture_output=True)
    write_cells(printed.stdout.decode(), printed.stderr.decode(), cells)
    floor_cmd = [sys.executable, str(floor), str(database), table, str(cells)]
    again = subprocess.run(floor_cmd, check=True, capture_output=True)
    if (again.stdout, again.stderr) != (printed.stdout, printed.stderr):
        raise RuntimeError(f"the table floor of {command} prints otherwise than the command")
    return floor_cmd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs per side")
    parser.add_argument("--people", type=int, default=4_500, help="the year's participants")
    parser.add_argument("--respondents", type=int, default=3_000, help="survey respondents")
    parser.add_argument("--only", default="year,survey,reads", help="comma-separated parts")
    parser.add_argument("--read-people", type=int, default=20_000, help="people for the reads")
    parser.add_argument(
        "--json-only", action="store_true", help="reads: only the --json form of each command"
    )
    parser.add_argument(
        "--read-commands", default="", help="comma-separated read commands (default: all)"
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
    compile_chefintro()
    with tempfile.TemporaryDirectory(prefix="bench-year-") as tmp:
        if "year" in parts:
            bench_year_import(Path(tmp), args.rounds, args.people)
        if "survey" in parts:
            bench_survey_import(Path(tmp), args.rounds, args.respondents)
        if "reads" in parts:
            chosen = set(filter(None, args.read_commands.split(",")))
            bench_reads(
                Path(tmp), args.rounds, args.read_people, args.people, chosen, args.json_only
            )
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
