"""The store's health check (chefintro db check): schema, integrity, references, journal."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError

from chefintro import __version__
from chefintro.errors import (
    StoreBusyError,
)
from chefintro.store.engine import BUSY_MESSAGE, driver_reason, is_busy, make_engine
from chefintro.store.location import describe, is_sqlite, require_existing, sqlite_file
from chefintro.store.reference import read_schema, schema_difference
from chefintro.store.schema import SCHEMA_VERSION, schema_version_of
from chefintro.words import noun, plural


@dataclass
class StoreCheck:
    """The result of ``chefintro db check``."""

    location: str
    backend: str
    tool_schema_version: int = SCHEMA_VERSION
    schema_version: int | None = None
    integrity: list[str] = field(default_factory=list)
    foreign_key_problems: list[str] = field(default_factory=list)
    schema_differences: list[str] = field(default_factory=list)
    journal_mode: str | None = None
    file_mode: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "backend": self.backend,
            "ok": self.ok,
            "schema_version": self.schema_version,
            "tool_schema_version": self.tool_schema_version,
            "integrity": self.integrity,
            "foreign_key_problems": self.foreign_key_problems,
            "schema_differences": self.schema_differences,
            "journal_mode": self.journal_mode,
            "file_mode": self.file_mode,
            "problems": self.problems,
            "notes": self.notes,
        }


#: A programme-rule check run on a current store: a connection in, problems (text) out.
RuleCheck = Callable[[Connection], list[str]]


def check_store(location: str, *, rules: Sequence[RuleCheck] = ()) -> StoreCheck:
    """Check the store without changing it: integrity, references, schema, journal mode.

    On a store at this tool's schema version, each of ``rules`` (the domain's hard rules,
    which the store itself does not know) adds its problems to the report.
    """
    path = sqlite_file(location)
    backend = "sqlite" if is_sqlite(location) else "postgresql"
    report = StoreCheck(location=describe(location), backend=backend)
    mode = None
    if path is not None:
        require_existing(path)
        mode = stat.S_IMODE(path.stat().st_mode)
        report.file_mode = oct(mode)
    engine = make_engine(location, inspect_only=True)
    try:
        _check_schema(engine, report)
        if backend == "sqlite" and report.schema_version is not None:
            _check_sqlite(engine, report)
        elif backend != "sqlite":
            report.notes.append("PostgreSQL checks its own integrity and references.")
        if report.schema_version == SCHEMA_VERSION:
            with engine.connect() as connection:
                for rule in rules:
                    report.problems.extend(rule(connection))
    except DatabaseError as exc:
        if is_busy(exc):
            raise StoreBusyError(BUSY_MESSAGE) from None
        report.problems.append(f"The store cannot be read: {driver_reason(exc)}.")
    finally:
        engine.dispose()
    if mode is not None and mode & 0o077:
        report.notes.append(
            f"The file is readable by others ({oct(mode)})"
            + (
                "; the next chefintro command (e.g. 'chefintro init') makes it private (0o600)."
                if report.schema_version
                else "."
            )
        )
    return report


def _check_schema(engine: Engine, report: StoreCheck) -> None:
    version = schema_version_of(engine)
    report.schema_version = version
    if version is None:
        report.problems.append("The database holds tables but is not a chefintro store.")
    elif version == 0:
        report.problems.append("The store is empty; create it with 'chefintro init'.")
    elif version > SCHEMA_VERSION:
        report.problems.append(
            f"The store was made by a newer chefintro (schema {version}); this chefintro "
            f"{__version__} knows schema {SCHEMA_VERSION}."
        )
    elif version < SCHEMA_VERSION:
        report.notes.append(
            f"Schema {version} is older than this chefintro's {SCHEMA_VERSION}; the next "
            "command upgrades it (after a backup)."
        )


def _check_sqlite(engine: Engine, report: StoreCheck) -> None:
    with engine.connect() as connection:
        version = report.schema_version
        if version is not None and 1 <= version <= SCHEMA_VERSION:
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            difference = schema_difference(read_schema(raw), version)
            report.schema_differences = list(difference.lines)
            if difference:
                report.problems.append(
                    f"The schema is not the one chefintro makes for schema {version}: "
                    f"{difference.summary()}."
                )
        rows = connection.exec_driver_sql("PRAGMA integrity_check").all()
        report.integrity = [str(r[0]) for r in rows]
        if report.integrity != ["ok"]:
            report.problems.append(
                f"The integrity check found {plural(len(report.integrity), 'problem')}: "
                f"{report.integrity[0]}"
            )
        for table, rowid, parent, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            report.foreign_key_problems.append(
                f"{table} row {rowid} refers to a missing {parent} row"
            )
        if report.foreign_key_problems:
            report.problems.append(
                f"{plural(len(report.foreign_key_problems), 'row')} "
                f"{noun(len(report.foreign_key_problems), 'refers', 'refer')} to rows that do "
                "not exist."
            )
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        report.journal_mode = str(mode).lower() if mode is not None else None
    if report.journal_mode != "wal":
        report.notes.append(
            "The store uses a rollback journal instead of write-ahead logging "
            "(CHEFINTRO_NO_WAL, or a file system without shared memory)."
        )
