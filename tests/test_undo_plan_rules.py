"""Which snapshot ``db undo`` may put back: only a file in the store's own snapshot folder
that a committed command's journal row names, or one taken before the journal began.

A journal row is read from the store, so a row naming a path elsewhere (an absolute path,
a hidden file) must never lead undo to copy that file over the store; and a snapshot left
by a command that never committed (its note says it was journalled, but no row names it)
is not a state the store was ever in after a command, so undo does not offer it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chefintro.errors import NotFoundError
from chefintro.store import open_store, resolve_location
from chefintro.store.journal import plan_undo
from chefintro.store.snapshots import snapshot_folder, snapshot_path
from tests.conftest import Cli


def _file(path: Path, note: dict[str, object] | None = None) -> Path:
    path.write_bytes(b"SQLite format 3\x00")
    if note is not None:
        path.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")
    return path


def test_a_journal_row_cannot_name_a_file_outside_the_snapshot_folder(
    db_path: Path, tmp_path: Path
) -> None:
    location = resolve_location(None)
    folder = snapshot_folder(db_path)
    folder.mkdir(parents=True)
    inside = _file(folder / "snapshot-20270101T090000000000.db")
    _file(folder / ".hidden.db")
    elsewhere = _file(tmp_path / "elsewhere.db")
    assert snapshot_path(location, inside.name) == inside
    assert snapshot_path(location, str(elsewhere)) is None  # an absolute path
    assert snapshot_path(location, ".hidden.db") is None
    assert snapshot_path(location, "snapshot-20270101T100000000000.db") is None  # gone


def test_undo_never_offers_a_snapshot_left_by_a_command_that_did_not_commit(
    cli: Cli, db_path: Path
) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")  # journalled, no snapshot
    folder = snapshot_folder(db_path)
    folder.mkdir(exist_ok=True)
    _file(
        folder / "snapshot-20270101T090000000000.db",
        {"command": "participant withdraw", "taken_at": "2027-01-01T09:00:00", "journal": True},
    )
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db, pytest.raises(NotFoundError) as caught:
            plan_undo(db=db, location=resolve_location(None))
    finally:
        store.dispose()
    assert "none of the 1 journalled command left a snapshot" in str(caught.value)


def test_db_snapshots_lists_the_newest_fifty_commands(cli: Cli) -> None:
    for n in range(51):
        cli("agency", "add", f"A{n:02d}", f"Myndighet {n:02d}")
    listed = cli.json("db", "snapshots")
    assert len(listed) == 50
