"""A full disk, a read-only folder and a store that cannot be opened: a clear message with
the path, the documented exit code (74 I/O, 73 path), and the store as it was.

The disk is a small tmpfs mounted for the test (needs root, as on the developers' machines
and CI); where mounting is impossible the tests are skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, store_snapshot

ASA = "asa.oberg@csn.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"


def _mount(folder: Path, options: str) -> str | None:
    """Mount a tmpfs at ``folder``; return why it cannot be, or None."""
    if os.geteuid() != 0:
        return "mounting a small file system needs root"
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if done.returncode == 0 else f"cannot mount a tmpfs here: {done.stderr.strip()}"


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 2 MB file system holding this test's store."""
    folder = tmp_path / "small"
    why = _mount(folder, "size=2m,mode=0700")
    if why is not None:
        pytest.skip(why)
    store = folder / "store" / "chefintro.db"
    monkeypatch.setenv("CHEFINTRO_DB", str(store))
    try:
        yield store
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path, room: int = 0) -> Path:
    """Write a file until the disk is full, then free ``room`` bytes; return it (deleting it
    frees the disk)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    if room:
        os.truncate(filler, filler.stat().st_size - room)
    return filler


def _cohort(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("person", "add", "--name", "Örjan Sjöström", "--email", ORJAN, "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", ORJAN, "--role", "mentor")
    cli("pair", "set", ASA, ORJAN)


@pytest.mark.parametrize(
    "command",
    [
        ("agency", "add", "LST", "Länsstyrelsen"),
        ("participant", "withdraw", ASA, "--yes"),
        ("group", "form", "--size", "2", "--yes"),
        ("person", "erase", ORJAN, "--yes"),
        ("pair", "apply"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_full_disk_says_so_with_the_path_and_exit_74_and_changes_nothing(
    cli: Cli, small_disk: Path, command: tuple[str, ...]
) -> None:
    _cohort(cli)
    before = store_snapshot()
    copies_before = sorted(p.name for p in small_disk.parent.rglob("*"))
    filler = _fill(small_disk.parent.parent)

    result = cli(*command, code=74)

    message = result.stderr.replace("\n", " ")
    assert str(small_disk) in message or str(small_disk.parent) in message
    assert "full" in message or "No space left" in message
    assert "internal error" not in message
    filler.unlink()
    assert store_snapshot() == before
    # No half-made snapshot or pending record stays behind.
    assert sorted(p.name for p in small_disk.parent.rglob("*")) == copies_before
    assert "good order" in cli("db", "check").stderr


@pytest.mark.parametrize(
    "command",
    [
        ("participant", "withdraw", ASA, "--yes"),
        ("group", "form", "--size", "2", "--yes"),
        ("pair", "apply"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_disk_too_full_for_the_undo_snapshot_changes_nothing(
    cli: Cli, small_disk: Path, command: tuple[str, ...]
) -> None:
    """Room to open and write the store, not to copy it: the snapshot fails first."""
    _cohort(cli)
    before = store_snapshot()
    copies_before = sorted(p.name for p in small_disk.parent.rglob("*"))
    filler = _fill(small_disk.parent.parent, room=96 * 1024)

    result = cli(*command, code=74)

    assert "the disk is full" in result.stderr
    assert str(small_disk) in result.stderr.replace("\n", "")
    filler.unlink()
    assert store_snapshot() == before
    assert sorted(p.name for p in small_disk.parent.rglob("*")) == copies_before


def test_a_read_only_folder_says_so_with_the_path_and_exit_73(cli: Cli, small_disk: Path) -> None:
    _cohort(cli)
    before = store_snapshot()
    folder = small_disk.parent.parent
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    try:
        result = cli("participant", "withdraw", ASA, "--yes", code=73)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
    message = result.stderr.replace("\n", " ")
    assert str(small_disk) in message
    assert "read-only" in message
    assert store_snapshot() == before


def test_a_store_folder_that_cannot_be_made_says_so_with_exit_73(
    bare_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = blocker / "chefintro.db"
    monkeypatch.setenv("CHEFINTRO_DB", str(store))
    result = bare_cli("init", code=73)
    assert str(store) in result.stderr.replace("\n", "")
    assert "internal error" not in result.stderr
