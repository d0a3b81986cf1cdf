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

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

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


def _follow_up_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Return the schema-3 ``pairing`` and the new ``meeting`` table."""
    for name in ("cohort", "participant"):
        Table(name, metadata, Column("id", Integer, primary_key=True))
    live = "state != 'ended'"
    pairing = Table(
        "pairing",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "cohort_id",
            Integer,
            ForeignKey("cohort.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column(
            "adept_id",
            Integer,
            ForeignKey("participant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column(
            "mentor_id",
            Integer,
            ForeignKey("participant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("state", String(20), nullable=False),
        Column("locked", Boolean, nullable=False),
        Column("manual", Boolean, nullable=False),
        Column("score", Integer, nullable=False),
        Column("reasons", JSON),
        Column("created_at", DateTime(), nullable=False),
        Column("started_on", Date),
        Column("ended_on", Date),
        Column("end_reason", String(500)),
        Index(
            "uq_live_pairing",
            "adept_id",
            unique=True,
            sqlite_where=text(live),
            postgresql_where=text(live),
        ),
    )
    meeting = Table(
        "meeting",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "pairing_id",
            Integer,
            ForeignKey("pairing.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("held_on", Date, nullable=False),
        Column("minutes", Integer),
        UniqueConstraint("pairing_id", "held_on", name="uq_meeting_day"),
    )
    return pairing, meeting


_PAIRING_V2_COLUMNS = (
    "id, cohort_id, adept_id, mentor_id, state, locked, manual, score, reasons, created_at"
)


def _add_follow_up(connection: Connection) -> None:
    """Pairs get a start, an end and an end reason; meetings get a table.

    SQLite cannot add columns in the middle of a table's definition, so there the pairing
    table is copied aside, made again exactly as a fresh store has it, and filled back;
    PostgreSQL adds the columns at the end, where a fresh store has them too. Pairs that
    are active or ended in the upgraded store started, as far as the store can tell, on
    their cohort's first day: the day they became active was never recorded.
    """
    pairing, meeting = _follow_up_tables(MetaData())
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            f"CREATE TABLE pairing_before_v3 AS SELECT {_PAIRING_V2_COLUMNS} FROM pairing"
        )
        connection.exec_driver_sql("DROP TABLE pairing")
        pairing.create(connection)
        connection.exec_driver_sql(
            f"INSERT INTO pairing ({_PAIRING_V2_COLUMNS}) "
            f"SELECT {_PAIRING_V2_COLUMNS} FROM pairing_before_v3"
        )
        connection.exec_driver_sql("DROP TABLE pairing_before_v3")
    else:
        for column in ("started_on DATE", "ended_on DATE", "end_reason VARCHAR(500)"):
            connection.exec_driver_sql(f"ALTER TABLE pairing ADD COLUMN {column}")
    connection.exec_driver_sql(
        "UPDATE pairing SET started_on = "
        "(SELECT cohort.starts_on FROM cohort WHERE cohort.id = pairing.cohort_id) "
        "WHERE state IN ('active', 'ended')"
    )
    meeting.create(connection)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "add the audit log of privacy-relevant actions", _add_audit_log),
    Migration(3, "add pair start, end and reason, and the meeting table", _add_follow_up),
)

SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else BASELINE_VERSION


def pending(version: int) -> list[Migration]:
    """Return the migrations a store at ``version`` still needs, oldest first."""
    return [m for m in MIGRATIONS if m.version > version]
