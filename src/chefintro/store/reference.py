"""The exact SQLite schema chefintro makes for each version, and how a file differs from it.

A restore accepts a backup only if its ``sqlite_master`` is exactly the schema this
chefintro creates for the backup's version: the same tables, columns, constraints and
indexes, and no triggers or views. ``db check`` reports any difference in the store.
The reference is built in memory, from the models for the current version and from the
frozen first schema plus the migrations for an older one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache

from chefintro import migrations
from chefintro.store.baseline import BASELINE_V1

#: One object of ``sqlite_master``: type, name, table, SQL with whitespace runs collapsed.
SchemaObject = tuple[str, str, str, str | None]


def read_schema(connection: sqlite3.Connection) -> frozenset[SchemaObject]:
    """Return the schema objects of an open SQLite database (a plain read, nothing runs)."""
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return frozenset(
        (str(kind), str(name), str(table), _normalise(sql)) for kind, name, table, sql in rows
    )


def _normalise(sql: object) -> str | None:
    return " ".join(str(sql).split()) if sql is not None else None


@cache
def reference_schema(version: int) -> frozenset[SchemaObject]:
    """Return the schema a fresh chefintro store of ``version`` has (built in memory).

    The current version is built from the models, as ``chefintro init`` builds it; an
    older one from the first release's schema and the migrations up to ``version``.
    """
    return _build(version, from_models=version == migrations.SCHEMA_VERSION)


@cache
def migrated_schema(version: int) -> frozenset[SchemaObject]:
    """Return the schema a schema-1 store has after the migrations up to ``version``."""
    return _build(version, from_models=False)


def _build(version: int, *, from_models: bool) -> frozenset[SchemaObject]:
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)

    def _autocommit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None

    event.listen(engine, "connect", _autocommit)
    try:
        with engine.connect() as connection:
            if from_models:
                from sqlmodel import SQLModel

                from chefintro import models  # noqa: F401 - registers the tables

                SQLModel.metadata.create_all(connection)
            else:
                for statement in BASELINE_V1:
                    connection.exec_driver_sql(statement)
                for migration in migrations.pending(migrations.BASELINE_VERSION):
                    if migration.version > version:
                        break
                    migration.apply(connection)
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            return read_schema(raw)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SchemaDifference:
    """How a database's schema differs from chefintro's: one line per object."""

    lines: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.lines)

    def summary(self, limit: int = 5) -> str:
        shown = "; ".join(self.lines[:limit])
        more = len(self.lines) - limit
        return shown + (f"; and {more} more" if more > 0 else "")


def schema_difference(actual: frozenset[SchemaObject], version: int) -> SchemaDifference:
    """Compare ``actual`` with the schema chefintro makes for ``version``."""
    expected = reference_schema(version)
    if actual == expected or actual == migrated_schema(version):
        return SchemaDifference(())
    actual_named = {(o[0], o[1]): o for o in actual}
    expected_named = {(o[0], o[1]): o for o in expected}
    order = {"table": 0, "view": 1, "trigger": 2, "index": 3}

    def ordered(keys: set[tuple[str, str]]) -> list[tuple[str, str]]:
        return sorted(keys, key=lambda key: (order.get(key[0], 4), key[1]))

    lines: list[str] = []
    for kind, name in ordered(actual_named.keys() - expected_named.keys()):
        table = actual_named[(kind, name)][2]
        on = f" on {table!r}" if kind in ("index", "trigger") else ""
        lines.append(f"a {kind} {name!r}{on} that chefintro does not make")
    missing_tables = {
        name for kind, name in expected_named.keys() - actual_named.keys() if kind == "table"
    }
    for kind, name in ordered(expected_named.keys() - actual_named.keys()):
        if kind != "table" and expected_named[(kind, name)][2] in missing_tables:
            continue  # an index of a missing table goes without saying
        lines.append(f"the {kind} {name!r} is missing")
    for kind, name in ordered(actual_named.keys() & expected_named.keys()):
        if actual_named[(kind, name)] != expected_named[(kind, name)]:
            lines.append(f"the {kind} {name!r} is not defined as chefintro defines it")
    return SchemaDifference(tuple(lines))
