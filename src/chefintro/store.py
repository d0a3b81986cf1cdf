"""The store: where it lives, engines with safe per-connection settings, schema version."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel

from chefintro import __version__, models
from chefintro.errors import ChefintroError, StoreBusyError, StoreError

ENV_DB = "CHEFINTRO_DB"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000


def default_db_path() -> Path:
    """Return the store path in the platform's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("chefintro", appauthor=False)) / "chefintro.db"


def resolve_location(option: str | None) -> str:
    """Return the store location: ``--db``, else ``CHEFINTRO_DB``, else the user data dir.

    A value containing ``://`` is a SQLAlchemy URL; anything else is a file path.
    """
    value = option or os.environ.get(ENV_DB) or str(default_db_path())
    return value


def is_url(location: str) -> bool:
    return "://" in location


def to_url(location: str) -> str:
    if is_url(location):
        return location
    return "sqlite:///" + str(Path(location).expanduser().resolve())


def describe(location: str) -> str:
    """Return a location fit to print: a URL without its password, or a resolved path."""
    if is_url(location):
        from sqlalchemy.engine import make_url

        return make_url(location).render_as_string(hide_password=True)
    return str(Path(location).expanduser().resolve())


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does, so it is never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _tighten_mode(path: Path) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete=ON")
        if os.environ.get("CHEFINTRO_NO_WAL"):
            cursor.execute("PRAGMA journal_mode=DELETE")
        else:
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                # WAL needs shared memory, which network file systems lack:
                # fall back to the rollback journal, which works everywhere.
                cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(location: str) -> Engine:
    """Return an engine for ``location`` with the store's connection settings."""
    url = to_url(location)
    if url.startswith("sqlite"):
        if not is_url(location):
            path = Path(location).expanduser().resolve()
            if path.is_dir():
                raise StoreError(f"The store path {path} is a directory; give a file name.")
            if not path.exists():
                try:
                    _create_private_file(path)
                except OSError as exc:
                    raise StoreError(
                        f"Cannot create the store at {path}: {exc.strerror}."
                    ) from None
            else:
                _tighten_mode(path)
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def schema_version_of(engine: Engine) -> int | None:
    """Return the store's schema version, 0 for an empty store, None for a foreign database."""
    tables = set(inspect(engine).get_table_names())
    if not tables:
        return 0
    if models.SchemaVersion.__tablename__ not in tables:
        return None
    with Session(engine) as session:
        versions = session.exec(select(models.SchemaVersion.version)).all()  # type: ignore[call-overload]
    return max((int(v[0]) for v in versions), default=0)


def ensure_schema(engine: Engine) -> int:
    """Create the schema in an empty store, or check an existing one; return its version."""
    version = schema_version_of(engine)
    if version is None:
        raise StoreError(
            "This database holds tables but is not a chefintro store; "
            "give another --db or an empty database."
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The store was made by a newer chefintro (schema {version}); this chefintro "
            f"{__version__} knows schema {SCHEMA_VERSION}. Upgrade chefintro to use it."
        )
    if version == 0:
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            session.add(models.SchemaVersion(version=SCHEMA_VERSION, tool_version=__version__))
            session.commit()
        return SCHEMA_VERSION
    return version


@dataclass
class Store:
    """An opened store: its location and engine."""

    location: str
    engine: Engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session in one transaction: committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(location: str) -> Store:
    """Open (creating if needed) the store at ``location`` and check its schema."""
    engine = make_engine(location)
    try:
        ensure_schema(engine)
    except BaseException as exc:
        engine.dispose()
        translated = translate_db_error(exc) if isinstance(exc, Exception) else None
        if translated is not None:
            raise translated from None
        raise
    return Store(location=location, engine=engine)


def translate_db_error(exc: Exception) -> ChefintroError | None:
    """Turn a database driver error a user can cause into a typed error, else None."""
    if isinstance(exc, ChefintroError):
        return exc
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if "locked" in text or "busy" in text:
            return StoreBusyError(
                "The store is busy: another chefintro is writing to it. Try again in a moment."
            )
        if "unable to open" in text or "connection" in text or "could not" in text:
            return StoreError(f"Cannot open the store: {exc.orig}")
        if "readonly" in text or "read-only" in text:
            return StoreError("The store is read-only for you; check the file's permissions.")
    if isinstance(exc, DatabaseError):
        text = str(exc.orig).lower() if exc.orig is not None else ""
        if "not a database" in text or "malformed" in text:
            return StoreError("The store file is not a chefintro store or is damaged.")
    return None
