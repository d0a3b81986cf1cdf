"""The schema version of a store: create a fresh schema, or run the migrations on an older one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from chefintro import __version__, migrations, models
from chefintro.errors import (
    StoreError,
)
from chefintro.store.engine import driver_reason, is_busy
from chefintro.store.sqlite_files import backup_before_upgrade

SCHEMA_VERSION = migrations.SCHEMA_VERSION


# Serialises schema creation and upgrades between coordinators sharing a PostgreSQL store.
_PG_SCHEMA_LOCK = 0x63686566  # "chef"


# --- schema version and upgrades --------------------------------------------------------


def _version_in(connection: Connection) -> int | None:
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return 0
    if models.SchemaVersion.__tablename__ not in tables:
        return None
    version = connection.execute(select(func.max(models.SchemaVersion.version))).scalar()
    return int(version) if version is not None else 0


def schema_version_of(engine: Engine) -> int | None:
    """Return the store's schema version, 0 for an empty store, None for a foreign database."""
    with engine.connect() as connection:
        return _version_in(connection)


def _refuse_unusable(version: int | None) -> int:
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
    return version


@dataclass(frozen=True)
class SchemaState:
    """The schema a store is at after opening it, and what opening it did."""

    version: int
    created: bool = False
    upgraded_from: int | None = None
    backup: Path | None = None


def ensure_schema(engine: Engine, *, backup_of: Path | None = None) -> SchemaState:
    """Create the schema in an empty store, or upgrade an older one; return what was done.

    An older SQLite store (``backup_of`` is its file) is first copied next to itself as
    ``<store>.bak-v<old>-<timestamp>``. The migrations then run in one transaction:
    if any fails, the store stays exactly as it was.
    """
    version = _refuse_unusable(schema_version_of(engine))
    if version == SCHEMA_VERSION:
        return SchemaState(version=version)
    if version == 0:
        return _create_schema(engine)
    backup = None
    if backup_of is not None:
        backup = backup_before_upgrade(backup_of, version)
    state = _upgrade(engine, backup)
    if backup is not None and state.upgraded_from is None:
        backup.unlink(missing_ok=True)  # another process upgraded it first, with its backup
    return state


def _lock_schema(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})


def _create_schema(engine: Engine) -> SchemaState:
    with engine.begin() as connection:
        _lock_schema(connection)
        # Another process may have created it while we waited for the lock.
        version = _refuse_unusable(_version_in(connection))
        if version != 0:
            return SchemaState(version=version)
        SQLModel.metadata.create_all(connection)
        connection.execute(
            models.SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                version=SCHEMA_VERSION, tool_version=__version__, applied_at=models.utcnow()
            )
        )
    return SchemaState(version=SCHEMA_VERSION, created=True)


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Switch SQLite's foreign keys off around a migration, as table rebuilds need."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
    try:
        yield
    finally:
        try:
            raw.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:
            connection.invalidate()


def _upgrade(engine: Engine, backup: Path | None) -> SchemaState:
    kept = f" The store was left unchanged; a backup is at {backup}." if backup else ""
    with engine.connect() as connection, _foreign_keys_off(connection):
        with connection.begin():
            _lock_schema(connection)
            old = _refuse_unusable(_version_in(connection))
            if old >= SCHEMA_VERSION:
                return SchemaState(version=old)  # upgraded meanwhile by another process
            broken_before = _broken_references(connection)
            for migration in migrations.pending(old):
                try:
                    migration.apply(connection)
                except SQLAlchemyError as exc:
                    if is_busy(exc):
                        raise
                    raise StoreError(
                        f"Upgrading the store to schema {migration.version} "
                        f"({migration.name}) failed: {driver_reason(exc)}.{kept}"
                    ) from None
                connection.execute(
                    models.SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                        version=migration.version,
                        tool_version=__version__,
                        applied_at=models.utcnow(),
                    )
                )
            broken = _broken_references(connection) - broken_before
            if broken:
                raise StoreError(
                    f"Upgrading the store would break {len(broken)} references between "
                    f"tables, so it was not done.{kept}"
                )
    return SchemaState(version=SCHEMA_VERSION, upgraded_from=old, backup=backup)


def _broken_references(connection: Connection) -> set[tuple[Any, ...]]:
    """Rows whose foreign keys point nowhere (SQLite only: PostgreSQL never allows them)."""
    if connection.dialect.name != "sqlite":
        return set()
    return {tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")}
