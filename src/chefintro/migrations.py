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
    inspect,
    select,
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


def _agency_v4(metadata: MetaData) -> Table:
    return Table(
        "agency",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(20), nullable=False),
        Column("name", String(200), nullable=False),
        Column("contact", String(320)),
        Index("ix_agency_code", "code", unique=True),
    )


def _add_messages(connection: Connection) -> None:
    """Give agencies an HR contact e-mail and record the messages sent to each person."""
    metadata = MetaData()
    # Only the tables referred to, so the foreign keys can be declared.
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("person", metadata, Column("id", Integer, primary_key=True))
    sent = Table(
        "sent_message",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column(
            "cohort_id",
            Integer,
            ForeignKey("cohort.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("subject_key", String(100), nullable=False),
        Column(
            "person_id",
            Integer,
            ForeignKey("person.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("sent_at", DateTime(), nullable=False),
        UniqueConstraint("kind", "cohort_id", "subject_key", "person_id", name="uq_sent_message"),
    )
    sent.create(connection)
    if connection.dialect.name != "sqlite":
        connection.execute(text("ALTER TABLE agency ADD COLUMN contact VARCHAR(320)"))
        return
    # SQLite's ADD COLUMN would leave a table text unlike a fresh store's, so rebuild it.
    # The legacy rename keeps other tables' references naming "agency", the new table.
    agency = _agency_v4(MetaData())
    connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    try:
        connection.exec_driver_sql("ALTER TABLE agency RENAME TO agency_before_v4")
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_agency_code")
        agency.create(connection)
        connection.exec_driver_sql(
            "INSERT INTO agency (id, code, name) SELECT id, code, name FROM agency_before_v4"
        )
        connection.exec_driver_sql("DROP TABLE agency_before_v4")
    finally:
        connection.exec_driver_sql("PRAGMA legacy_alter_table=OFF")


def _add_surveys(connection: Connection) -> None:
    metadata = MetaData()
    # The tables they refer to, as far as the foreign keys need them.
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("participant", metadata, Column("id", Integer, primary_key=True))
    survey = Table(
        "survey",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "cohort_id",
            Integer,
            ForeignKey("cohort.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("name", String(100), nullable=False),
        Column("phase", String(20), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        UniqueConstraint("cohort_id", "name", name="uq_survey"),
    )
    question = Table(
        "survey_question",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "survey_id",
            Integer,
            ForeignKey("survey.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("position", Integer, nullable=False),
        Column("text", String(500), nullable=False),
        Column("kind", String(10), nullable=False),
        UniqueConstraint("survey_id", "position", name="uq_survey_question"),
    )
    answer = Table(
        "survey_answer",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "survey_id",
            Integer,
            ForeignKey("survey.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column(
            "question_id",
            Integer,
            ForeignKey("survey_question.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column(
            "participant_id",
            Integer,
            ForeignKey("participant.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        Column("value", Integer, nullable=True),
        Column("text", String(2000), nullable=True),
        Column("agency", String(20), nullable=True),
        Column("role", String(10), nullable=True),
        UniqueConstraint("question_id", "participant_id", name="uq_survey_answer"),
    )
    for table in (survey, question, answer):
        table.create(connection)


def _add_session_cancelled(connection: Connection) -> None:
    """Add ``programme_session.cancelled`` (false for every existing day)."""
    if "cancelled" in {c["name"] for c in inspect(connection).get_columns("programme_session")}:
        return  # a store whose tables were made by a later model already has it
    if connection.dialect.name != "sqlite":
        connection.execute(
            text(
                "ALTER TABLE programme_session ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE"
            )
        )
        connection.execute(
            text("ALTER TABLE programme_session ALTER COLUMN cancelled DROP DEFAULT")
        )
        return
    # SQLite: rebuild the table, so that it reads exactly as in a store made fresh. The old
    # rows wait in a plain copy (a rename would rewrite other tables' references to it).
    metadata = MetaData()
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("agency", metadata, Column("id", Integer, primary_key=True))
    table = Table(
        "programme_session",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "cohort_id",
            Integer,
            ForeignKey("cohort.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("title", String(200), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("starts_at", DateTime(), nullable=False),
        Column("ends_at", DateTime(), nullable=False),
        Column("location", String(200)),
        Column("host_agency_id", Integer, ForeignKey("agency.id", ondelete="SET NULL")),
        Column("uid", String(100), nullable=False, unique=True),
        Column("sequence", Integer, nullable=False),
        Column("updated_at", DateTime(), nullable=False),
        Column("cancelled", Boolean(), nullable=False),
        UniqueConstraint("cohort_id", "title", "starts_at", name="uq_session_title_start"),
    )
    kept = (
        "id, cohort_id, title, kind, starts_at, ends_at, location, host_agency_id, uid, "
        "sequence, updated_at"
    )
    connection.execute(
        text("CREATE TABLE _old_programme_session AS SELECT * FROM programme_session")
    )
    connection.execute(text("DROP TABLE programme_session"))
    table.create(connection)
    connection.execute(
        text(
            f"INSERT INTO programme_session ({kept}, cancelled) "
            f"SELECT {kept}, 0 FROM _old_programme_session"
        )
    )
    connection.execute(text("DROP TABLE _old_programme_session"))


def _add_participant_as_of(connection: Connection) -> None:
    """Add ``participant.agency_id``, ``unit`` and ``title`` (what each was in that cohort):
    what their person holds now, as earlier moves were never recorded."""
    if "agency_id" in {c["name"] for c in inspect(connection).get_columns("participant")}:
        return  # a store whose tables were made by a later model already has them
    if connection.dialect.name != "sqlite":
        for statement in (
            "ALTER TABLE participant ADD COLUMN agency_id INTEGER",
            "ALTER TABLE participant ADD COLUMN unit VARCHAR(200)",
            "ALTER TABLE participant ADD COLUMN title VARCHAR(200)",
            "UPDATE participant SET agency_id = person.agency_id, unit = person.unit, "
            "title = person.title FROM person WHERE person.id = participant.person_id",
            "ALTER TABLE participant ALTER COLUMN agency_id SET NOT NULL",
            "ALTER TABLE participant ADD CONSTRAINT participant_agency_id_fkey FOREIGN KEY "
            "(agency_id) REFERENCES agency (id) ON DELETE RESTRICT",
            "CREATE INDEX ix_participant_agency_id ON participant (agency_id)",
        ):
            connection.execute(text(statement))
        return
    # SQLite: rebuilt as in _add_session_cancelled, to read exactly as a fresh store.
    metadata = MetaData()
    for name in ("cohort", "person", "agency"):
        Table(name, metadata, Column("id", Integer, primary_key=True))
    table = Table(
        "participant",
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
            "person_id",
            Integer,
            ForeignKey("person.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("role", String(10), nullable=False),
        Column("capacity", Integer, nullable=False),
        Column("wished_field", String(200)),
        Column("preferred_mentors", JSON),
        Column("status", String(20), nullable=False),
        Column("continues", Boolean(), nullable=False),
        Column(
            "agency_id",
            Integer,
            ForeignKey("agency.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        Column("unit", String(200)),
        Column("title", String(200)),
        UniqueConstraint("cohort_id", "person_id", name="uq_participant"),
    )
    kept = (
        "id cohort_id person_id role capacity wished_field preferred_mentors status continues"
    ).split()
    connection.execute(text("CREATE TABLE _old_participant AS SELECT * FROM participant"))
    connection.execute(text("DROP TABLE participant"))
    table.create(connection)
    connection.execute(
        text(
            f"INSERT INTO participant ({', '.join(kept)}, agency_id, unit, title) "
            f"SELECT {', '.join('o.' + c for c in kept)}, p.agency_id, p.unit, p.title "
            "FROM _old_participant AS o JOIN person AS p ON p.id = o.person_id"
        )
    )
    connection.execute(text("DROP TABLE _old_participant"))


def _add_command_journal(connection: Connection) -> None:
    """Add ``command_journal``: every command that changed the store, for 'db undo'."""
    if "command_journal" in inspect(connection).get_table_names():
        return
    metadata = MetaData()
    Table(
        "command_journal",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("command", String(200), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("started", DateTime(), nullable=False),
        Column("finished", DateTime(), nullable=False),
        Column("summary", String(500), nullable=False),
        Column("snapshot", String(200)),
    ).create(connection)


#: The formation every peer group formed before schema 9 is given: the store did not keep
#: formations, so the groups of today are the only ones it can name.
FORMATION_BEFORE_V9 = "before-9"


def _group_formation(connection: Connection) -> None:
    """Add ``peergroup.formation`` ("before-9" for every existing group)."""
    if "formation" in {c["name"] for c in inspect(connection).get_columns("peergroup")}:
        return  # a store whose tables were made by a later model already has it
    if connection.dialect.name != "sqlite":
        connection.execute(
            text("ALTER TABLE peergroup ADD COLUMN formation VARCHAR(32) NOT NULL DEFAULT ''")
        )
        connection.execute(text("ALTER TABLE peergroup ALTER COLUMN formation DROP DEFAULT"))
    else:
        metadata = MetaData()
        Table("cohort", metadata, Column("id", Integer, primary_key=True))
        table = Table(
            "peergroup",
            metadata,
            Column("id", Integer, primary_key=True),
            Column(
                "cohort_id",
                Integer,
                ForeignKey("cohort.id", ondelete="CASCADE"),
                nullable=False,
                index=True,
            ),
            Column("name", String(100), nullable=False),
            Column("formation", String(32), nullable=False),
            UniqueConstraint("cohort_id", "name", name="uq_peer_group"),
        )
        connection.execute(text("CREATE TABLE _old_peergroup AS SELECT * FROM peergroup"))
        connection.execute(text("DROP TABLE peergroup"))
        table.create(connection)
        connection.execute(
            text(
                "INSERT INTO peergroup (id, cohort_id, name, formation) "
                "SELECT id, cohort_id, name, '' FROM _old_peergroup"
            )
        )
        connection.execute(text("DROP TABLE _old_peergroup"))
    connection.execute(
        text("UPDATE peergroup SET formation = :formation"), {"formation": FORMATION_BEFORE_V9}
    )


def _members_digest(person_ids: list[int]) -> str:
    import hashlib

    joined = ",".join(str(i) for i in sorted(person_ids))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()[:16]


def _stable_key(connection: Connection, key: str) -> str:
    """Return the schema-9 key of a schema-4 ``subject_key`` (kept as it was if gone)."""
    what, _, number = key.partition(":")
    if not number.isdigit():
        return key
    row_id = int(number)
    if what == "pair":
        found = connection.execute(
            text(
                "SELECT a.person_id, m.person_id FROM pairing "
                "JOIN participant a ON a.id = pairing.adept_id "
                "JOIN participant m ON m.id = pairing.mentor_id WHERE pairing.id = :id"
            ),
            {"id": row_id},
        ).first()
        return f"pair:{found[0]}:{found[1]}" if found else key
    if what == "group":
        people = [
            int(r[0])
            for r in connection.execute(
                text("SELECT participant_id FROM peergroupmember WHERE group_id = :id"),
                {"id": row_id},
            )
        ]
        formation = connection.execute(
            text("SELECT formation FROM peergroup WHERE id = :id"), {"id": row_id}
        ).scalar()
        if formation is None or not people:
            return key
        return f"group:{formation}:{_members_digest(people)}"
    if what == "session":
        uid = connection.execute(
            text("SELECT uid FROM programme_session WHERE id = :id"), {"id": row_id}
        ).scalar()
        return f"session:{uid}" if uid else key
    return key


def _stable_message_records(connection: Connection) -> None:
    """Name sent messages by stable identity, and let a run claim a message before it goes.

    ``pair:<pairing id>`` becomes ``pair:<adept's person id>:<mentor's person id>``,
    ``group:<group id>`` becomes ``group:<formation>:<members>`` and ``session:<day id>``
    becomes ``session:<the day's UID>``; ``subject_key`` grows to 200 characters and a
    ``status`` column says ``sent`` for every record kept. A record whose pair, group or
    day is gone keeps its old key (it can match nothing new). A group letter's formation was
    never kept: a record of group N is read as a letter to today's group N.
    """
    if "status" in {c["name"] for c in inspect(connection).get_columns("sent_message")}:
        return  # a store whose tables were made by a later model already has them
    _group_formation(connection)
    before = Table(  # as schema 4 made it, read with its types (SQLite keeps text)
        "sent_message",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("kind", String(20)),
        Column("cohort_id", Integer),
        Column("subject_key", String(100)),
        Column("person_id", Integer),
        Column("sent_at", DateTime()),
    )
    old = connection.execute(select(before).order_by(before.c.sent_at, before.c.id)).all()
    keys: dict[str, str] = {}
    rows: dict[tuple[str, int, str, int], tuple[int, object]] = {}
    for row_id, kind, cohort_id, key, person_id, sent_at in old:
        if key not in keys:
            keys[key] = _stable_key(connection, key)
        # Two old records may name one message now (a pair made again): keep the latest.
        rows[(kind, cohort_id, keys[key], person_id)] = (row_id, sent_at)
    metadata = MetaData()
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("person", metadata, Column("id", Integer, primary_key=True))
    sent = Table(
        "sent_message",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column(
            "cohort_id",
            Integer,
            ForeignKey("cohort.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("subject_key", String(200), nullable=False),
        Column(
            "person_id",
            Integer,
            ForeignKey("person.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("sent_at", DateTime(), nullable=False),
        Column("status", String(10), nullable=False),
        UniqueConstraint("kind", "cohort_id", "subject_key", "person_id", name="uq_sent_message"),
    )
    # Nothing refers to sent_message, so both backends can simply make it again.
    connection.execute(text("DROP TABLE sent_message"))
    sent.create(connection)
    if rows:
        connection.execute(
            sent.insert(),
            [
                {
                    "kind": kind,
                    "cohort_id": cohort_id,
                    "subject_key": key,
                    "person_id": person_id,
                    "sent_at": sent_at,
                    "status": "sent",
                }
                for (kind, cohort_id, key, person_id), (_, sent_at) in sorted(
                    rows.items(), key=lambda item: item[1][0]
                )
            ],
        )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "add the audit log of privacy-relevant actions", _add_audit_log),
    Migration(3, "add pair start, end and reason, and the meeting table", _add_follow_up),
    Migration(4, "add agency contacts and the record of sent messages", _add_messages),
    Migration(5, "add surveys: questions and answers", _add_surveys),
    Migration(6, "keep removed programme days as cancelled", _add_session_cancelled),
    Migration(
        7, "keep each participant's agency, unit and title as of the cohort", _add_participant_as_of
    ),
    Migration(8, "add the command journal that 'db undo' reads", _add_command_journal),
    Migration(
        9, "name sent messages by stable identity; claim before sending", _stable_message_records
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else BASELINE_VERSION
PARTICIPANT_AS_OF = 7  # from this schema on a participant keeps its agency as of the cohort


def pending(version: int) -> list[Migration]:
    """Return the migrations a store at ``version`` still needs, oldest first."""
    return [m for m in MIGRATIONS if m.version > version]
