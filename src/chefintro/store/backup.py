"""Backing up and restoring a SQLite store (PostgreSQL stores use pg_dump / pg_restore)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chefintro import __version__
from chefintro.errors import (
    ChefintroError,
    InvalidInputError,
    OutputError,
    StoreBusyError,
    StoreError,
    UnreadableInputError,
    UsageError,
)
from chefintro.files import fsync, private_output
from chefintro.store.engine import BUSY_MESSAGE, is_busy
from chefintro.store.location import is_sqlite, require_existing, side_files, sqlite_file
from chefintro.store.reference import read_schema, schema_difference
from chefintro.store.schema import SCHEMA_VERSION
from chefintro.store.sqlite_files import (
    connect_raw,
    copy_sqlite,
    os_reason,
    reserve_sibling,
    timestamp,
)


def _postgres_guidance(location: str, action: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(location)
    plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
    if action == "backup":
        return (
            "A PostgreSQL store is backed up with PostgreSQL's own tools, not by chefintro. "
            f"Run: pg_dump --format=custom --file=FILE '{plain}' "
            f"(restore it with: pg_restore --clean --if-exists --dbname='{plain}' FILE)."
        )
    return (
        "A PostgreSQL store is restored with PostgreSQL's own tools, not by chefintro. "
        f"Run: pg_restore --clean --if-exists --dbname='{plain}' FILE "
        "(for a dump made with pg_dump --format=custom)."
    )


def _require_sqlite_file(location: str, action: str) -> Path:
    path = sqlite_file(location)
    if path is None:
        if not is_sqlite(location):
            raise StoreError(_postgres_guidance(location, action))
        raise StoreError(f"An in-memory store cannot be {action}d.")
    return path


def backup_store(location: str, target: Path) -> Path:
    """Write a consistent copy of the SQLite store to ``target`` (0600, replaced atomically).

    PostgreSQL stores are refused with a StoreError that says how to use pg_dump.
    """
    path = _require_sqlite_file(location, "backup")
    require_existing(path)
    target = target.expanduser().absolute()
    if target.resolve() == path or target.resolve() in side_files(path):
        raise UsageError("The backup must go to another file than the store itself.")
    try:
        with private_output(target) as temporary:
            copy_sqlite(path, temporary)
    except (StoreBusyError, OutputError):
        raise
    except Exception as exc:
        if is_busy(exc):
            raise StoreBusyError(BUSY_MESSAGE) from None
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError("The store file is not a chefintro store or is damaged.") from None
        raise
    fsync(target.parent)
    return target


def schema_version_of_file(path: Path) -> int | None:
    """Return the schema version recorded in a SQLite store file, or None if it has none."""
    try:
        connection = connect_raw(path, read_only=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return int(row[0]) if row and row[0] is not None else None


# --- restore ----------------------------------------------------------------------------


AuditRecord = tuple[datetime, str, str]


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the restored schema version, where the old store was kept, and
    the old store's audit entries that the backup lacks (made after it), oldest first."""

    version: int
    previous: Path | None
    later_entries: list[AuditRecord] = field(default_factory=list)


def restore_store(location: str, source: Path) -> RestoreResult:
    """Replace the SQLite store with the backup ``source``, after checking the backup.

    The backup must be a SQLite file that passes ``integrity_check`` and carries a
    chefintro schema no newer than this tool (else InvalidInputError, store untouched).
    The old store is kept as ``<store>.before-restore-<timestamp>``; the new file takes
    its place atomically and stale ``-wal``/``-shm`` files are removed.
    """
    path = _require_sqlite_file(location, "restore")
    source = source.expanduser().absolute()
    if not source.is_file():
        raise UnreadableInputError(f"Cannot read {source}: there is no such file.")
    if not os.access(source, os.R_OK):
        raise UnreadableInputError(f"Cannot read {source}: permission denied.")
    if source.resolve() == path:
        raise UsageError("That file is the store itself; give a backup file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".restore", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"Cannot write next to the store: {os_reason(exc)}.") from None
    os.close(fd)
    temporary = Path(name)
    try:
        _copy_backup(source, temporary)
        version, restored_log = _validate_backup(temporary, source)
        previous: Path | None = None
        old_log: list[AuditRecord] = []
        if path.exists():
            previous, old_log = _swap_in(path, temporary)
        else:
            _place(path, temporary)
    finally:
        temporary.unlink(missing_ok=True)
    known = set(restored_log)
    later = [entry for entry in old_log if entry not in known]
    return RestoreResult(version=version, previous=previous, later_entries=later)


def _audit_records(connection: sqlite3.Connection) -> list[AuditRecord]:
    try:
        rows = connection.execute("SELECT at, action, detail FROM audit_log ORDER BY id").fetchall()
    except sqlite3.Error:
        return []  # a store from before the audit log, or one too damaged to read
    records = []
    for at, action, detail in rows:
        try:
            when = datetime.fromisoformat(str(at))
        except ValueError:
            continue
        records.append((when, str(action), str(detail)))
    return records


def _unreadable_backup(source: Path, exc: sqlite3.DatabaseError) -> ChefintroError:
    """Return the error for a backup SQLite cannot read: busy (exit 75) or not a database."""
    if is_busy(exc):
        return StoreBusyError(f"{source} is locked by another program.")
    return InvalidInputError(
        f"{source} is not a chefintro backup: it is not a readable SQLite database "
        f"({exc}). The store was not changed."
    )


def _copy_backup(source: Path, temporary: Path) -> None:
    wal = source.with_name(source.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            # Committed pages may still sit in the log beside it: let SQLite read both.
            copy_sqlite(source, temporary, read_only=True)
        else:
            # A single file (what 'db backup' writes): copy it without opening it in place,
            # so that nothing is created or changed next to the user's backup. The copy is
            # only read until its schema is known to be exactly chefintro's.
            shutil.copyfile(source, temporary)
    except sqlite3.DatabaseError as exc:
        raise _unreadable_backup(source, exc) from None
    except OSError as exc:
        raise UnreadableInputError(f"Cannot read {source}: {os_reason(exc)}.") from None


def _validate_backup(copy: Path, source: Path) -> tuple[int, list[AuditRecord]]:
    """Check the copy of a backup; return its schema version and audit log.

    Its schema is checked first, by plain reads, before anything could run in it: a
    backup with a trigger, a view, a missing or an extra table or index is refused
    before any statement writes to it. Only then are its integrity and references
    checked and its journal mode set.
    """

    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(f"{source} is not a usable chefintro backup: {why}.")

    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        # Nothing in the file may run code with side effects, and nothing may write.
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.execute("PRAGMA query_only=ON")
        try:
            schema = read_schema(connection)
        except sqlite3.DatabaseError as exc:
            raise _unreadable_backup(source, exc) from None
        if ("table", "schema_version", "schema_version") not in {o[:3] for o in schema}:
            raise refuse("it holds no chefintro store. The store was not changed")
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version < 1:
            raise refuse("it records no schema version. The store was not changed")
        if version > SCHEMA_VERSION:
            raise refuse(
                f"it was made by a newer chefintro (schema {version}); this chefintro "
                f"{__version__} knows schema {SCHEMA_VERSION}. The store was not changed"
            )
        difference = schema_difference(schema, version)
        if difference:
            raise refuse(
                f"its schema is not the one chefintro makes for schema {version} "
                f"({difference.summary()}). The store was not changed"
            )
        integrity = [str(r[0]) for r in connection.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            raise refuse(f"it is damaged ({integrity[0]}). The store was not changed")
        if broken := connection.execute("PRAGMA foreign_key_check").fetchall():
            raise refuse(
                f"{len(broken)} rows refer to rows that do not exist. The store was not changed"
            )
        audit = _audit_records(connection)
        connection.execute("PRAGMA query_only=OFF")
        connection.execute("PRAGMA journal_mode=DELETE")  # one file, like 'db backup' writes
    except sqlite3.DatabaseError as exc:
        raise refuse(f"it cannot be read ({exc}). The store was not changed") from None
    finally:
        connection.close()
    return version, audit


def _place(path: Path, temporary: Path) -> None:
    for stale in side_files(path):
        stale.unlink(missing_ok=True)
    os.replace(temporary, path)
    fsync(path.parent)


def _swap_in(path: Path, temporary: Path) -> tuple[Path, list[AuditRecord]]:
    """Keep the current store aside and put ``temporary`` in its place, under its lock.

    Leaving write-ahead mode first proves that no other chefintro has the store open,
    and leaves the old file complete on its own; the exclusive lock keeps everyone
    out until the new file is in place.
    """
    try:
        connection = connect_raw(path)
    except sqlite3.Error:
        raise StoreError("The store file is not a chefintro store or is damaged.") from None
    try:
        try:
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()
            if not mode or str(mode[0]).lower() != "delete":
                raise StoreBusyError(
                    "The store is in use by another chefintro; close it and try again."
                )
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise StoreBusyError(
                    "The store is in use by another chefintro; close it and try again."
                ) from None
            raise StoreError(f"Cannot restore into the store: {exc}.") from None
        except sqlite3.DatabaseError:
            # A damaged store can still be replaced; it is kept aside like any other.
            pass
        old_log = _audit_records(connection)
        previous = reserve_sibling(path, f".before-restore-{timestamp()}")
        previous.unlink()
        try:
            os.link(path, previous)  # keeps the old file without a moment with no store
        except OSError:
            os.replace(path, previous)
        with suppress(OSError):
            previous.chmod(0o600)
        for stale in side_files(path):
            stale.unlink(missing_ok=True)
        os.replace(temporary, path)
        fsync(path.parent)
    finally:
        with suppress(sqlite3.Error):
            connection.close()
    return previous, old_log


@dataclass(frozen=True)
class UndoResult:
    """Where the replaced store is kept, and its audit entries the snapshot lacks."""

    kept: Path | None
    later_entries: list[AuditRecord] = field(default_factory=list)


def undo(location: str, snapshot: Path) -> UndoResult:
    """Put the ``snapshot`` file in place of the store (checked as a restore checks a backup).

    The snapshot is used up, so a second undo goes one snapshot further back; the store it
    replaced is kept beside the snapshots (:func:`snapshots.keep_replaced`).
    """
    from chefintro.store.snapshots import discard, keep_replaced, require_sqlite

    require_sqlite(location)
    result = restore_store(location, snapshot)
    kept = keep_replaced(location, result.previous) if result.previous is not None else None
    discard(taken_path=snapshot)
    return UndoResult(kept=kept, later_entries=result.later_entries)
