"""SQLite files: raw connections, consistent copies, spare names beside the store, purging."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from chefintro.errors import (
    OutputError,
    StoreBusyError,
    StoreError,
)
from chefintro.files import fsync
from chefintro.store.engine import BUSY_MESSAGE, busy_timeout_ms, is_busy

if TYPE_CHECKING:
    from sqlalchemy import Engine


class _WithEngine(Protocol):
    """An opened store (chefintro.store.opened.Store), as far as purging needs one."""

    engine: Engine

    @property
    def is_sqlite(self) -> bool: ...


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S")


def create_first_free(candidates: Iterable[Path]) -> Path | None:
    """Create the first of ``candidates`` that does not exist yet, empty and 0600, and
    return it; None when every one is taken."""
    for candidate in candidates:
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    return None


def reserve_sibling(path: Path, suffix: str) -> Path:
    """Create an empty 0600 file named ``<path><suffix>`` (``-2``, ``-3`` … if taken)."""
    created = create_first_free(
        path.with_name(f"{path.name}{suffix}" + (f"-{attempt}" if attempt > 1 else ""))
        for attempt in range(1, 1000)
    )
    if created is None:
        raise OutputError(f"Cannot find a free file name for {path.name}{suffix} in {path.parent}.")
    return created


def connect_raw(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{quote(str(path))}" + ("?mode=ro" if read_only else "")
    connection = sqlite3.connect(
        target, uri=True, timeout=busy_timeout_ms() / 1000, isolation_level=None
    )
    connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    return connection


def copy_sqlite(source: Path, target: Path, *, read_only: bool = False) -> None:
    """Copy a consistent snapshot of ``source`` into the (empty) file ``target``.

    Uses SQLite's online backup, so writers may keep working; the copy is a single
    self-contained file (rollback journal, no -wal beside it).
    """
    deadline = time.monotonic() + busy_timeout_ms() / 1000

    def give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
        # Python retries a busy step for ever; the store's busy timeout bounds it here.
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise StoreBusyError(BUSY_MESSAGE)

    src = connect_raw(source, read_only=read_only)
    try:
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            src.backup(dst, progress=give_up_when_busy)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    fsync(target)


def backup_before_upgrade(path: Path, version: int) -> Path:
    try:
        backup = reserve_sibling(path, f".bak-v{version}-{timestamp()}")
    except (OSError, OutputError) as exc:
        raise StoreError(
            f"Cannot back up the store before upgrading it ({os_reason(exc)}); "
            "nothing was changed. Make its folder writable and try again."
        ) from None
    try:
        copy_sqlite(path, backup)
    except BaseException as exc:
        backup.unlink(missing_ok=True)
        if isinstance(exc, StoreBusyError) or is_busy(exc):
            raise StoreBusyError(BUSY_MESSAGE) from None
        if isinstance(exc, OSError | sqlite3.Error):
            raise StoreError(
                f"Cannot back up the store before upgrading it ({os_reason(exc)}); "
                "nothing was changed."
            ) from None
        raise
    return backup


def os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def purge_deleted(store: _WithEngine) -> bool:
    """Rewrite a SQLite store so that deleted rows leave no bytes behind; True when done.

    ``secure_delete`` already zeroes freed space; this also empties the write-ahead log
    (which still holds old page images) and rebuilds the file with VACUUM. Returns False
    when another process kept it from finishing, and for PostgreSQL (where the database
    administrator runs VACUUM FULL).
    """
    if not store.is_sqlite:
        return False
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            row = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.close()
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return False
        raise
    finally:
        raw.close()
    return not row or int(row[0]) == 0
