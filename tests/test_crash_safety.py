"""Kills at random moments: erasure and anonymising hold through a crash, every store stays
consistent, and no erased person is left in any file chefintro keeps or comes back by undo.

Each round copies a prepared store folder, starts one command in a subprocess, kills it
(SIGKILL) after a random delay within that command's measured run time, then runs the
next command a coordinator would (which finishes an interrupted erasure first), `db check`,
and `db undo`, and reads every file in the folder for the erased people's names and
addresses.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli

pytestmark = pytest.mark.slow

ASA = ("Åsa Öberg", "asa.oberg@csn.se")
ORJAN = ("Örjan Sjöström", "orjan.sjostrom@bolagsverket.se")
ELISE = ("Élise Nordén", "elise.norden@lansstyrelsen.se")
ZACK = ("Zacharias Ek", "zacharias.ek@csn.se")
GUSTAV = ("Gustav Wåhlin", "gustav.wahlin@bolagsverket.se")  # erased before the rounds
KARIN = ("Karin Lind", "karin.lind@csn.se")  # only in cohort 2026, which is anonymised
LARS = ("Lars Berg", "lars.berg@lansstyrelsen.se")

ROUNDS_PER_COMMAND = 4


def _needles(person: tuple[str, str]) -> list[bytes]:
    name, email = person
    return [name.encode(), email.encode(), email.split("@")[0].encode()]


def _run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chefintro", *args],
        env={**os.environ, "CHEFINTRO_DB": str(store)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _files_holding(folder: Path, person: tuple[str, str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(n in data for n in _needles(person)):
                found.append(path.name)
    return found


def _in_store(store: Path, email: str) -> bool:
    import sqlite3

    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return bool(
            connection.execute("SELECT 1 FROM person WHERE email_key = ?", (email,)).fetchone()
        )
    finally:
        connection.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a running cohort 2027 (pairs, groups, snapshots), a closed cohort 2026,
    a roster workbook, and Gustav erased."""
    folder = tmp_path_factory.mktemp("template")
    store = folder / "store" / "chefintro.db"
    old = os.environ.get("CHEFINTRO_DB")
    os.environ["CHEFINTRO_DB"] = str(store)
    try:
        cli = Cli()
        for code, name in (("CSN", "CSN"), ("BV", "Bolagsverket"), ("LST", "Länsstyrelsen")):
            cli("agency", "add", code, name)
        for (name, email), agency, since in (
            (ASA, "CSN", "2026-03-01"),
            (ORJAN, "BV", "2010-05-01"),
            (ELISE, "LST", "2015-01-15"),
            (ZACK, "CSN", "2026-06-01"),
            (GUSTAV, "BV", "2012-01-01"),
            (KARIN, "CSN", "2025-01-01"),
            (LARS, "LST", "2011-01-01"),
        ):
            cli("person", "add", "--name", name, "--email", email, "--agency", agency,
                "--manager-since", since)  # fmt: skip
        cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
        cli("--cohort", "2026", "participant", "add", KARIN[1], "--role", "adept")
        cli("--cohort", "2026", "participant", "add", LARS[1], "--role", "mentor")
        cli("--cohort", "2026", "pair", "set", KARIN[1], LARS[1])
        cli("--cohort", "2026", "cohort", "close", "--yes", "--force")
        cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
        cli("cohort", "use", "2027")
        for email, role in ((ASA[1], "adept"), (ZACK[1], "adept"), (ORJAN[1], "mentor"),
                            (ELISE[1], "mentor"), (GUSTAV[1], "mentor")):  # fmt: skip
            cli("participant", "add", email, "--role", role)
        cli("pair", "set", ASA[1], ORJAN[1])
        cli("pair", "set", ZACK[1], GUSTAV[1])
        cli("group", "form", "--size", "2", "--yes")
        cli("person", "erase", GUSTAV[1], "--yes")
        cli("roster", "export", str(folder / "store" / "roster.xlsx"))
        cli("pair", "suggest")
    finally:
        if old is None:
            os.environ.pop("CHEFINTRO_DB", None)
        else:
            os.environ["CHEFINTRO_DB"] = old
    assert _files_holding(store.parent, GUSTAV) == []
    assert _files_holding(store.parent, ORJAN)  # he is there to be erased
    return store


COMMANDS: dict[str, tuple[str, ...]] = {
    "erase": ("person", "erase", ORJAN[1], "--yes"),
    "anonymise": ("cohort", "anonymise", "2026", "--archive", "{folder}/arkiv.xlsx", "--yes"),
    "undo": ("db", "undo", "--yes"),
    "import": ("roster", "import", "{folder}/roster.xlsx"),
    "apply": ("pair", "apply"),
    "rematch": ("pair", "rematch", "--apply"),
}


def _round(template: Path, tmp_path: Path, name: str, delay: float | None) -> float:
    """Copy the template, run (and with ``delay`` kill) one command, then check; return the
    command's run time."""
    folder = tmp_path / f"{name}-{delay}"
    shutil.copytree(template.parent, folder)
    store = folder / template.name
    args = [a.replace("{folder}", str(folder)) for a in COMMANDS[name]]
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "chefintro", *args],
        env={**os.environ, "CHEFINTRO_DB": str(store)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if delay is None:
        assert process.wait(timeout=120) == 0, f"{name} failed without a kill"
    else:
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    took = time.monotonic() - started

    after = _run(store, "person", "list")  # the next command finishes what was interrupted
    assert after.returncode == 0, (name, delay, after.stderr)
    checked = _run(store, "db", "check")
    assert checked.returncode == 0, (name, delay, checked.stdout, checked.stderr)

    # Gustav was erased before: in no file, whatever was killed.
    assert _files_holding(folder, GUSTAV) == [], (name, delay)
    # Örjan is either still in the store (the erasure never began) or in no file at all.
    orjan_erased = not _in_store(store, ORJAN[1])
    if orjan_erased:
        assert _files_holding(folder, ORJAN) == [], (name, delay, after.stderr)
    # Karin is either not anonymised yet, or in no file but the archive workbook.
    if not _in_store(store, KARIN[1]):
        holding = [f for f in _files_holding(folder, KARIN) if f != "arkiv.xlsx"]
        assert holding == [], (name, delay)

    undone = _run(store, "db", "undo", "--yes")
    assert undone.returncode in (0, 1), (name, delay, undone.stderr)
    assert _files_holding(folder, GUSTAV) == []
    if orjan_erased:
        assert not _in_store(store, ORJAN[1]), (name, delay, "undo brought Örjan back")
        assert _files_holding(folder, ORJAN) == []
    shutil.rmtree(folder)
    return took


@pytest.mark.parametrize("name", list(COMMANDS))
def test_random_kills_leave_every_store_consistent_and_no_erased_person_anywhere(
    template: Path, tmp_path: Path, name: str
) -> None:
    # One test per command, so that the test processes share the rounds out between them.
    seed = int(os.environ.get("CHEFINTRO_KILL_SEED", "28"))
    rng = random.Random(f"{seed}-{name}")
    took = _round(template, tmp_path, name, None)  # how long the command runs unkilled
    for _ in range(ROUNDS_PER_COMMAND):
        _round(template, tmp_path, name, rng.uniform(0.2 * took, took))
