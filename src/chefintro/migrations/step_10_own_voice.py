"""Schema step 10: the participants' and agencies' own voice (issue 33).

``pair_agreement``: whether a pair has agreed how they work together, and since when;
``pair_note``: a check-in's free text, kept for the pair's own report; ``agency_letter``:
the record of letters to an agency's contact (the agency digest), like ``sent_message``
but for an agency rather than a person.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
)


def add_own_voice(connection: Connection) -> None:
    """Add ``pair_agreement``, ``pair_note`` and ``agency_letter``."""
    existing = set(inspect(connection).get_table_names())
    metadata = MetaData()
    Table("pairing", metadata, Column("id", Integer, primary_key=True))
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("agency", metadata, Column("id", Integer, primary_key=True))
    tables = [
        Table(
            "pair_agreement",
            metadata,
            Column("id", Integer, primary_key=True),
            Column(
                "pairing_id",
                Integer,
                ForeignKey("pairing.id", ondelete="CASCADE"),
                nullable=False,
                unique=True,
                index=True,
            ),
            Column("agreed", Boolean(), nullable=False),
            Column("agreed_on", Date()),
            Column("source", String(20), nullable=False),
        ),
        Table(
            "pair_note",
            metadata,
            Column("id", Integer, primary_key=True),
            Column(
                "pairing_id",
                Integer,
                ForeignKey("pairing.id", ondelete="CASCADE"),
                nullable=False,
                index=True,
            ),
            Column("held_on", Date(), nullable=False),
            Column("text", String(2000), nullable=False),
            UniqueConstraint("pairing_id", "held_on", name="uq_pair_note"),
        ),
        Table(
            "agency_letter",
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
                "agency_id",
                Integer,
                ForeignKey("agency.id", ondelete="CASCADE"),
                nullable=False,
                index=True,
            ),
            Column("sent_at", DateTime(), nullable=False),
            Column("status", String(10), nullable=False),
            UniqueConstraint(
                "kind", "cohort_id", "subject_key", "agency_id", name="uq_agency_letter"
            ),
        ),
    ]
    for table in tables:
        if table.name not in existing:
            table.create(connection)
