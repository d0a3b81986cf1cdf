"""Ordered, named schema migrations: how a store made by an older chefintro becomes current.

Schema 1 is the store of the first release (every table except ``audit_log``). A fresh
store is created from the models and stamped with :data:`SCHEMA_VERSION`; an older store
gets every migration newer than its version, in order, in one transaction (see
``chefintro.store``). A test proves that both roads lead to the same schema.

Rules for a new migration:

* Append it with the next version number; never edit or reorder a released one.
* Describe the tables it touches as they are *at that version* (a private ``MetaData``),
  never through ``chefintro.models``: the models move on, a migration must not.
* Use SQLAlchemy DDL or SQL that PostgreSQL and SQLite both accept. SQLite cannot alter
  a column or a constraint: rebuild the table with the documented 12 steps
  (https://sqlite.org/lang_altertable.html#otheralter) — create ``new_X``, copy the rows,
  drop ``X``, rename ``new_X`` to ``X``, recreate its indexes. The runner already does the
  other steps: foreign keys are off during the transaction and ``foreign_key_check`` must
  pass before it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table, text

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Migration:
    """One step from schema ``version - 1`` to ``version``."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _add_audit_log(connection: Connection) -> None:
    metadata = MetaData()
    table = Table(
        "audit_log",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(), nullable=False),
        Column("action", String(50), nullable=False),
        Column("detail", String(1000), nullable=False),
    )
    table.create(connection)


def _add_session_cancelled(connection: Connection) -> None:
    connection.execute(
        text("ALTER TABLE programme_session ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE")
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "add the audit log of privacy-relevant actions", _add_audit_log),
    # 3–5 are added by work in parallel; the numbers are settled when they are merged.
    Migration(6, "keep removed programme days as cancelled", _add_session_cancelled),
)

SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else BASELINE_VERSION


def pending(version: int) -> list[Migration]:
    """Return the migrations a store at ``version`` still needs, oldest first."""
    return [m for m in MIGRATIONS if m.version > version]
