"""Schema steps 7 to 9: participants as of their cohort, the command journal, stable
sent-message identity."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    select,
    text,
)


def add_participant_as_of(connection: Connection) -> None:
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
    # SQLite: rebuilt as in add_session_cancelled, to read exactly as a fresh store.
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


def add_command_journal(connection: Connection) -> None:
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


def stable_message_records(connection: Connection) -> None:
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
