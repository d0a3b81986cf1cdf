"""Engines with the store's per-connection settings, and driver errors a user can cause."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError

from chefintro.errors import (
    ChefintroError,
    StoreBusyError,
    StoreError,
    StoreIOError,
    StorePathError,
)
from chefintro.store.location import describe, sqlite_file, to_url

ENV_BUSY_TIMEOUT = "CHEFINTRO_BUSY_TIMEOUT_MS"
ENV_NO_WAL = "CHEFINTRO_NO_WAL"


BUSY_TIMEOUT_MS = 10_000


BUSY_MESSAGE = "The store is busy: another chefintro is writing to it. Try again in a moment."


def busy_timeout_ms() -> int:
    """Return how long to wait for another writer: ``CHEFINTRO_BUSY_TIMEOUT_MS`` or 10 s."""
    raw = os.environ.get(ENV_BUSY_TIMEOUT, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            return BUSY_TIMEOUT_MS
        if value >= 0:
            return value
    return BUSY_TIMEOUT_MS


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does, so it is never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def tighten_mode(path: Path) -> None:
    """Make an existing store file private (0600); only for a file known to be a store."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass  # not ours to change (read-only share); SQLite reports real problems itself


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that we can begin
    # every transaction with BEGIN IMMEDIATE: a second writer then waits for the
    # busy timeout instead of failing when it upgrades a read lock.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cursor.execute("PRAGMA secure_delete=ON")
        if os.environ.get(ENV_NO_WAL):
            cursor.execute("PRAGMA journal_mode=DELETE")
        else:
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                # WAL needs shared memory, which network file systems lack:
                # fall back to the rollback journal, which works everywhere.
                cursor.execute("PRAGMA journal_mode=DELETE")
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            # The undo snapshot is read before the commit through another connection
            # (store/journal.py): keep uncommitted pages out of the file until then.
            cursor.execute("PRAGMA cache_spill=OFF")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_reading(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _inspect_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # For looking at a file that may not be a store: change nothing in it (no journal mode,
    # no writes), wait for writers as usual.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cursor.execute("PRAGMA trusted_schema=OFF")
        cursor.execute("PRAGMA query_only=ON")
    finally:
        cursor.close()


def _count_writes(*args: Any) -> None:
    from chefintro.store.journal import count_writes

    count_writes(*args)


def make_engine(location: str, *, inspect_only: bool = False) -> Engine:
    """Return an engine for ``location`` with the store's connection settings.

    With ``inspect_only`` (``db check``) the connections change nothing in the file: no
    journal mode is set and writes are refused.
    """
    url = to_url(location)
    if url.startswith("sqlite"):
        path = sqlite_file(location)
        if path is not None:
            if path.is_dir():
                raise StoreError(f"The store path {path} is a directory; give a file name.")
            if not path.exists():
                try:
                    _create_private_file(path)
                except OSError as exc:
                    kind = StoreIOError if exc.errno in _IO_ERRNOS else StorePathError
                    raise kind(f"Cannot create the store at {path}: {exc.strerror}.") from None
        engine = create_engine(url, hide_parameters=True)
        if inspect_only:
            event.listen(engine, "connect", _inspect_only_pragmas)
            event.listen(engine, "begin", _sqlite_begin_reading)
        else:
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            event.listen(engine, "after_cursor_execute", _count_writes)
        return engine
    try:
        engine = create_engine(url, hide_parameters=True, pool_pre_ping=True)
        event.listen(engine, "after_cursor_execute", _count_writes)
        return engine
    except ImportError as exc:  # the driver is an optional extra: chefintro[postgres]
        raise StoreError(
            f"The store {describe(location)} needs the Python package "
            f"{exc.name or 'of its database driver'}, which is not installed. For PostgreSQL, "
            "install chefintro with the postgres extra, e.g. "
            "uv tool install 'chefintro-<version>-py3-none-any.whl[postgres]'."
        ) from None


def driver_reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0].rstrip(".")


def is_busy(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | sqlite3.OperationalError):
        text_ = str(getattr(exc, "orig", None) or exc).lower()
        return "locked" in text_ or "busy" in text_
    return False


def translate_db_error(exc: Exception, location: str | None = None) -> ChefintroError | None:
    """Turn a database driver error a user can cause into a typed error, else None.

    ``location`` (the store) is named in the message where the error is about its file:
    a full disk or an I/O error (exit 74), a file or folder that cannot be written or
    reached (exit 73).
    """
    if isinstance(exc, ChefintroError):
        return exc
    where = describe(location) if location else "the store"
    orig = getattr(exc, "orig", None) if isinstance(exc, SQLAlchemyError) else exc
    if isinstance(exc, OperationalError | sqlite3.OperationalError):
        text_ = str(orig if orig is not None else exc).lower()
        if "locked" in text_ or "busy" in text_:
            return StoreBusyError(BUSY_MESSAGE)
        if "disk is full" in text_ or "disk i/o error" in text_:
            full = "full" in text_ or _no_space_left(location)
            why = "the disk is full" if full else "the disk reported an I/O error"
            return StoreIOError(
                f"Cannot write to {where}: {why}. Nothing was changed; free some space "
                "(or check the disk) and run the command again."
            )
        if "readonly" in text_ or "read-only" in text_ or _read_only_folder(location):
            return StorePathError(
                f"Cannot write to {where}: the file or its folder is read-only for you. "
                "Nothing was changed; check the permissions (or the mount) and try again."
            )
        if "unable to open" in text_:
            return StoreIOError(
                f"Cannot open {where}: SQLite could not open the file (a folder you cannot "
                "enter, a removed disk or a network share that is gone)."
            )
        if "connection" in text_ or "could not" in text_:
            return StoreError(f"Cannot open the store: {orig}")
    if isinstance(exc, DatabaseError | sqlite3.DatabaseError):
        text_ = str(orig if orig is not None else exc).lower()
        if "not a database" in text_ or "malformed" in text_:
            return StoreError("The store file is not a chefintro store or is damaged.")
    return None


def _read_only_folder(location: str | None) -> bool:
    """Whether the store's folder cannot be written (a read-only mount, or permissions)."""
    path = sqlite_file(location) if location else None
    if path is None or not path.parent.is_dir():
        return False
    try:
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False
    return read_only or not os.access(path.parent, os.W_OK)


def _no_space_left(location: str | None) -> bool:
    """Whether the store's file system has no space left (SQLite calls that an I/O error
    when it cannot make its shared-memory file)."""
    path = sqlite_file(location) if location else None
    if path is None:
        return False
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


#: errno values that mean the disk (exit 74), and those that mean a path (exit 73).
_IO_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG})
_PATH_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR})


def translate_os_error(exc: OSError) -> ChefintroError | None:
    """Turn a full disk (74) or a file that cannot be written or reached (73) into a typed
    error naming the file; None for other OS errors."""
    path = exc.filename if isinstance(exc.filename, str | os.PathLike) else None
    where = f" {path}" if path is not None else ""
    reason = exc.strerror or str(exc)
    if exc.errno in _IO_ERRNOS:
        return StoreIOError(f"Cannot write{where}: {reason}. Free some space and try again.")
    if exc.errno in _PATH_ERRNOS:
        return StorePathError(f"Cannot write or reach{where}: {reason}.")
    return None
