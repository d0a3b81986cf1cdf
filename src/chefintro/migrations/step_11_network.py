"""Schema step 11: consent to be listed in the network's directory, and the meeting kind
(a visit to the other agency)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    text,
)


def _consent_table(metadata: MetaData) -> Table:
    Table("participant", metadata, Column("id", Integer, primary_key=True))
    return Table(
        "listing_consent",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "participant_id",
            Integer,
            ForeignKey("participant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("listed", Boolean(), nullable=False),
        Column("recorded_on", Date, nullable=False),
        UniqueConstraint("participant_id", name="uq_listing_consent"),
    )


def _meeting_table(metadata: MetaData) -> Table:
    Table("pairing", metadata, Column("id", Integer, primary_key=True))
    return Table(
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
        Column("kind", String(10)),
        UniqueConstraint("pairing_id", "held_on", name="uq_meeting_day"),
    )


def add_network(connection: Connection) -> None:
    """Add ``listing_consent`` and ``meeting.kind`` (blank: an ordinary meeting)."""
    inspector = inspect(connection)
    if "listing_consent" not in inspector.get_table_names():
        _consent_table(MetaData()).create(connection)
    if "kind" in {c["name"] for c in inspector.get_columns("meeting")}:
        return  # a store whose tables were made by a later model already has it
    if connection.dialect.name != "sqlite":
        connection.execute(text("ALTER TABLE meeting ADD COLUMN kind VARCHAR(10)"))
        return
    # SQLite: rebuilt as in add_session_cancelled, to read exactly as a fresh store.
    kept = "id, pairing_id, held_on, minutes"
    connection.execute(text("CREATE TABLE _old_meeting AS SELECT * FROM meeting"))
    connection.execute(text("DROP TABLE meeting"))
    _meeting_table(MetaData()).create(connection)
    connection.execute(text(f"INSERT INTO meeting ({kept}) SELECT {kept} FROM _old_meeting"))
    connection.execute(text("DROP TABLE _old_meeting"))
