"""Schema steps 2 to 6: audit log, follow-up, messages, surveys, cancelled days."""

from __future__ import annotations

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
    text,
)


def add_audit_log(connection: Connection) -> None:
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


def add_follow_up(connection: Connection) -> None:
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


def add_messages(connection: Connection) -> None:
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


def add_surveys(connection: Connection) -> None:
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


def add_session_cancelled(connection: Connection) -> None:
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
