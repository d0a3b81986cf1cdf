"""Schema step 12: the mentors' side (issue 34).

``pair_proposal``: a proposal of an adept to a mentor and the mentor's answer (accepted or
declined, its day and reason), keyed on the two people; ``mentor_wish``: a mentor's wished
towns and adepts, best first.
"""

from __future__ import annotations

from sqlalchemy import (
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
)


def add_consent(connection: Connection) -> None:
    """Add ``pair_proposal`` and ``mentor_wish``."""
    existing = set(inspect(connection).get_table_names())
    metadata = MetaData()
    Table("cohort", metadata, Column("id", Integer, primary_key=True))
    Table("person", metadata, Column("id", Integer, primary_key=True))
    Table("participant", metadata, Column("id", Integer, primary_key=True))

    def key(name: str, target: str) -> Column[int]:
        return Column(
            name,
            Integer,
            ForeignKey(f"{target}.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )

    tables = [
        Table(
            "pair_proposal",
            metadata,
            Column("id", Integer, primary_key=True),
            key("cohort_id", "cohort"),
            key("adept_person_id", "person"),
            key("mentor_person_id", "person"),
            Column("proposed_on", Date(), nullable=False),
            Column("answer", String(10)),
            Column("answered_on", Date()),
            Column("reason", String(500)),
            UniqueConstraint(
                "cohort_id", "adept_person_id", "mentor_person_id", name="uq_pair_proposal"
            ),
        ),
        Table(
            "mentor_wish",
            metadata,
            Column("id", Integer, primary_key=True),
            key("participant_id", "participant"),
            Column("kind", String(10), nullable=False),
            Column("value", String(320), nullable=False),
            Column("rank", Integer, nullable=False),
            UniqueConstraint("participant_id", "kind", "value", name="uq_mentor_wish"),
        ),
    ]
    for table in tables:
        if table.name not in existing:
            table.create(connection)
