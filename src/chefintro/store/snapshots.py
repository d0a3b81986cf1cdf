"""Undo snapshots of a SQLite store, taken by the transaction boundary, and undo.

Each snapshot is a consistent copy (SQLite's online backup) in a private folder beside the
store, ``<store>.snapshots/``, with a small JSON note naming the command and when it ran
(never its arguments, which may hold names or e-mail addresses); the command journal in
the store names it too (``chefintro.store.journal``). At most :data:`KEEP` are kept, and
at most ``undo.max_mb`` megabytes (the oldest go first). ``undo`` puts one back in place
of the store; the store as it was before the undo is kept in the same folder as
``before-undo-…``, so it, too, is reached by :func:`scrub_copies` when a person is erased
or a cohort anonymised.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chefintro.errors import StoreError
from chefintro.files import fsync
from chefintro.store.location import is_sqlite, sqlite_file
from chefintro.store.sqlite_files import copy_sqlite, create_first_free, os_reason

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.store.backup import AuditRecord

KEEP = 10
_PREFIX = "snapshot-"
_BEFORE_UNDO = "before-undo-"


@dataclass(frozen=True)
class Snapshot:
    """One snapshot: its file, the command it was taken before, and when (local time)."""

    path: Path
    command: str
    taken_at: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "file": str(self.path),
            "command": self.command,
            "taken_at": self.taken_at.isoformat(timespec="seconds"),
        }


def snapshot_folder(store_file: Path) -> Path:
    """Return the folder beside the store that holds its snapshots."""
    return store_file.with_name(store_file.name + ".snapshots")


def _note(path: Path) -> Path:
    return path.with_suffix(".json")


def _folder(store_file: Path) -> Path:
    folder = snapshot_folder(store_file)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    except OSError as exc:
        raise StoreError(
            f"Cannot make the snapshot folder {folder}: {os_reason(exc)}. Nothing was changed."
        ) from None
    return folder


def _new_file(folder: Path, prefix: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    created = create_first_free(
        folder / f"{prefix}{stamp}{'' if attempt == 1 else f'-{attempt}'}.db"
        for attempt in range(1, 1000)
    )
    if created is None:
        raise StoreError(f"Cannot find a free snapshot name in {folder}.")
    return created


def take_snapshot(location: str, command: str, *, max_bytes: int | None = None) -> Snapshot | None:
    """Copy the SQLite store into its snapshot folder before ``command``; prune old ones.

    The copy is read through a connection of its own, so while the caller's write
    transaction is still open it holds the store as last committed. Returns None for
    PostgreSQL and in-memory stores, when the store file does not exist yet (there is
    nothing to go back to), and when the store alone is larger than ``max_bytes``.
    """
    store_file = sqlite_file(location)
    if store_file is None or not store_file.is_file():
        return None
    if max_bytes is not None and _size(store_file) > max_bytes:
        return None
    folder = _folder(store_file)
    target = _new_file(folder, _PREFIX)
    try:
        copy_sqlite(store_file, target)
        taken = Snapshot(path=target, command=command, taken_at=datetime.now())
        _write_note(taken)
    except BaseException:
        discard(taken_path=target)
        raise
    _prune(folder, max_bytes=max_bytes)
    return taken


def _size(path: Path) -> int:
    total = 0
    for part in (path, path.with_name(path.name + "-wal")):
        with suppress(OSError):
            total += part.stat().st_size
    return total


def _write_note(snapshot: Snapshot) -> None:
    note = _note(snapshot.path)
    fd = os.open(note, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "command": snapshot.command,
                "taken_at": snapshot.taken_at.isoformat(),
                "journal": True,  # named in the store's command journal
            },
            handle,
            ensure_ascii=False,
        )
    fsync(snapshot.path.parent)


def discard(*, taken_path: Path) -> None:
    """Remove a snapshot (its command failed and changed nothing)."""
    taken_path.unlink(missing_ok=True)
    _note(taken_path).unlink(missing_ok=True)


def _files(folder: Path, prefix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{prefix}*.db") if p.is_file())


def _prune(folder: Path, *, max_bytes: int | None = None) -> None:
    """Keep at most KEEP snapshots and KEEP before-undo copies, and at most ``max_bytes``
    for all of them together: the oldest go first, the newest snapshot always stays."""
    for prefix in (_PREFIX, _BEFORE_UNDO):
        files = _files(folder, prefix)
        for old in files[: max(len(files) - KEEP, 0)]:
            discard(taken_path=old)
    if max_bytes is None:
        return
    kept = sorted(
        _files(folder, _PREFIX) + _files(folder, _BEFORE_UNDO), key=lambda p: p.stat().st_mtime_ns
    )
    newest = _files(folder, _PREFIX)[-1:]
    total = sum(p.stat().st_size for p in kept)
    for old in kept:
        if total <= max_bytes:
            break
        if old in newest:
            continue
        total -= old.stat().st_size
        discard(taken_path=old)


def is_journalled(path: Path) -> bool:
    """Whether a snapshot was taken by the transaction boundary (its note says so)."""
    with suppress(OSError, ValueError, TypeError):
        data = json.loads(_note(path).read_text(encoding="utf-8"))
        return bool(data.get("journal"))
    return False


def _read(path: Path) -> Snapshot:
    command, taken_at = "an earlier command", datetime.fromtimestamp(path.stat().st_mtime)
    with suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(_note(path).read_text(encoding="utf-8"))
        command = str(data["command"])
        taken_at = datetime.fromisoformat(str(data["taken_at"]))
    return Snapshot(path=path, command=command, taken_at=taken_at)


def list_snapshots(location: str) -> list[Snapshot]:
    """Return the store's undo snapshots, newest first."""
    store_file = require_sqlite(location)
    return [_read(p) for p in reversed(_files(snapshot_folder(store_file), _PREFIX))]


def all_snapshot_files(location: str) -> list[Path]:
    """Every file in the snapshot folder that holds a copy of the store."""
    store_file = sqlite_file(location)
    if store_file is None:
        return []
    folder = snapshot_folder(store_file)
    return _files(folder, _PREFIX) + _files(folder, _BEFORE_UNDO)


def product_copies(location: str) -> list[Path]:
    """Every copy of the store chefintro made and keeps: the undo snapshots and before-undo
    copies, the stores kept by 'db restore' and the backups made before an upgrade."""
    store_file = sqlite_file(location)
    if store_file is None:
        return []
    beside = [
        p
        for pattern in (".before-restore-*", ".bak-v*")
        for p in sorted(store_file.parent.glob(store_file.name + pattern))
        if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))
    ]
    return all_snapshot_files(location) + beside


def snapshot_path(location: str, name: str) -> Path | None:
    """The snapshot file ``name`` (as the journal records it), if it still exists."""
    store_file = sqlite_file(location)
    if store_file is None or "/" in name or name.startswith("."):
        return None
    path = snapshot_folder(store_file) / name
    return path if path.is_file() else None


def legacy_snapshots(location: str, referenced: set[str]) -> list[Snapshot]:
    """Snapshots taken before chefintro kept a journal (no journal row names them), newest
    first; a journalled snapshot no row names was left by a command that never committed."""
    store_file = sqlite_file(location)
    if store_file is None:
        return []
    found = _files(snapshot_folder(store_file), _PREFIX)
    return [_read(p) for p in reversed(found) if p.name not in referenced and not is_journalled(p)]


def require_sqlite(location: str) -> Path:
    """The store's file, or StoreError saying there is no undo for PostgreSQL or memory."""
    store_file = sqlite_file(location)
    if store_file is None:
        if not is_sqlite(location):
            raise StoreError(
                "Undo is not available for a PostgreSQL store: chefintro keeps no snapshots "
                "there. Use the database's own backups (pg_dump, or point-in-time recovery) "
                "to go back."
            )
        raise StoreError("Undo is not available for an in-memory store.")
    return store_file


@dataclass(frozen=True)
class UndoResult:
    """Where the replaced store is kept, and its audit entries the snapshot lacks."""

    kept: Path | None
    later_entries: list[AuditRecord] = field(default_factory=list)


def undo(location: str, snapshot: Path) -> UndoResult:
    """Put the ``snapshot`` file in place of the store (checked as a restore checks a backup).

    The snapshot is used up, so a second undo goes one snapshot further back.
    """
    from chefintro.store.backup import restore_store

    store_file = require_sqlite(location)
    result = restore_store(location, snapshot)
    kept: Path | None = None
    if result.previous is not None:
        kept = _new_file(_folder(store_file), _BEFORE_UNDO)
        os.replace(result.previous, kept)
        fsync(kept.parent)
        _prune(kept.parent)
    discard(taken_path=snapshot)
    return UndoResult(kept=kept, later_entries=result.later_entries)


def scrub_copies(location: str, change: Callable[[Session], object]) -> int:
    """Apply ``change`` to every copy of the store chefintro keeps (:func:`product_copies`)
    and compact it; return how many.

    Used by erasure and anonymisation, so that a person's data leaves the copies too. A
    copy that cannot be changed (another schema, damaged) is deleted instead. Safe to run
    again after a kill: a copy left half-changed (a hot journal or log beside it) is rolled
    back by SQLite when opened and changed again.
    """
    from sqlmodel import Session

    from chefintro.store.engine import make_engine
    from chefintro.store.schema import SCHEMA_VERSION, schema_version_of

    count = 0
    for path in product_copies(location):
        engine = make_engine(str(path))
        try:
            if schema_version_of(engine) != SCHEMA_VERSION:
                raise StoreError("another schema")
            with Session(engine) as db:
                change(db)
                db.commit()
            engine.dispose()
            _compact(path)
        except Exception:
            engine.dispose()
            discard(taken_path=path)
            for suffix in ("-wal", "-shm", "-journal"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        finally:
            engine.dispose()
        count += 1
    return count


def _compact(path: Path) -> None:
    """Rewrite a snapshot file so that no freed page keeps old bytes, as one file."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
