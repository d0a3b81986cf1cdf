"""Build tests/data/store-v1.db: a store as chefintro 0.1.0 (schema 1) left it, with data.

The DDL below is exactly what schema 1 created (SQLAlchemy's output for the models of the
first release); it must never change, because the upgrade test proves that this file
becomes a current store without losing a row. Run it again only to rebuild the same file:

    python tests/data/make_store_v1.py [PATH]
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

# SQLAlchemy ends each column line with ", " before the newline; the blank is put back in
# ``_ddl`` so that sqlite_master holds byte for byte what schema 1 stored.
V1_SCHEMA = """
CREATE TABLE agency (
	id INTEGER NOT NULL,
	code VARCHAR(20) NOT NULL,
	name VARCHAR(200) NOT NULL,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_agency_code ON agency (code);
CREATE TABLE cohort (
	id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	starts_on DATE NOT NULL,
	ends_on DATE NOT NULL,
	status VARCHAR(20) NOT NULL,
	min_attendance FLOAT NOT NULL,
	excused_counts BOOLEAN NOT NULL,
	closed_on DATE,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_cohort_name ON cohort (name);
CREATE TABLE setting (
	"key" VARCHAR(100) NOT NULL,
	value VARCHAR(2000) NOT NULL,
	PRIMARY KEY ("key")
);
CREATE TABLE schema_version (
	version INTEGER NOT NULL,
	tool_version VARCHAR(50) NOT NULL,
	applied_at DATETIME NOT NULL,
	PRIMARY KEY (version)
);
CREATE TABLE person (
	id INTEGER NOT NULL,
	name VARCHAR(200) NOT NULL,
	email VARCHAR(320) NOT NULL,
	email_key VARCHAR(320) NOT NULL,
	agency_id INTEGER NOT NULL,
	unit VARCHAR(200),
	title VARCHAR(200),
	field VARCHAR(200),
	location VARCHAR(200),
	manager_since DATE,
	PRIMARY KEY (id),
	FOREIGN KEY(agency_id) REFERENCES agency (id) ON DELETE RESTRICT
);
CREATE INDEX ix_person_agency_id ON person (agency_id);
CREATE UNIQUE INDEX ix_person_email_key ON person (email_key);
CREATE TABLE programme_session (
	id INTEGER NOT NULL,
	cohort_id INTEGER NOT NULL,
	title VARCHAR(200) NOT NULL,
	kind VARCHAR(20) NOT NULL,
	starts_at DATETIME NOT NULL,
	ends_at DATETIME NOT NULL,
	location VARCHAR(200),
	host_agency_id INTEGER,
	uid VARCHAR(100) NOT NULL,
	sequence INTEGER NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_session_title_start UNIQUE (cohort_id, title, starts_at),
	FOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE,
	FOREIGN KEY(host_agency_id) REFERENCES agency (id) ON DELETE SET NULL,
	UNIQUE (uid)
);
CREATE INDEX ix_programme_session_cohort_id ON programme_session (cohort_id);
CREATE TABLE peergroup (
	id INTEGER NOT NULL,
	cohort_id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_peer_group UNIQUE (cohort_id, name),
	FOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE
);
CREATE INDEX ix_peergroup_cohort_id ON peergroup (cohort_id);
CREATE TABLE participant (
	id INTEGER NOT NULL,
	cohort_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	role VARCHAR(10) NOT NULL,
	capacity INTEGER NOT NULL,
	wished_field VARCHAR(200),
	preferred_mentors JSON,
	status VARCHAR(20) NOT NULL,
	continues BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_participant UNIQUE (cohort_id, person_id),
	FOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE,
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);
CREATE INDEX ix_participant_cohort_id ON participant (cohort_id);
CREATE INDEX ix_participant_person_id ON participant (person_id);
CREATE TABLE exclusion (
	id INTEGER NOT NULL,
	person_a_id INTEGER NOT NULL,
	person_b_id INTEGER NOT NULL,
	reason VARCHAR(500) NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_exclusion UNIQUE (person_a_id, person_b_id),
	FOREIGN KEY(person_a_id) REFERENCES person (id) ON DELETE CASCADE,
	FOREIGN KEY(person_b_id) REFERENCES person (id) ON DELETE CASCADE
);
CREATE INDEX ix_exclusion_person_a_id ON exclusion (person_a_id);
CREATE INDEX ix_exclusion_person_b_id ON exclusion (person_b_id);
CREATE TABLE pairing (
	id INTEGER NOT NULL,
	cohort_id INTEGER NOT NULL,
	adept_id INTEGER NOT NULL,
	mentor_id INTEGER NOT NULL,
	state VARCHAR(20) NOT NULL,
	locked BOOLEAN NOT NULL,
	manual BOOLEAN NOT NULL,
	score INTEGER NOT NULL,
	reasons JSON,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE,
	FOREIGN KEY(adept_id) REFERENCES participant (id) ON DELETE CASCADE,
	FOREIGN KEY(mentor_id) REFERENCES participant (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX uq_live_pairing ON pairing (adept_id) WHERE state != 'ended';
CREATE INDEX ix_pairing_cohort_id ON pairing (cohort_id);
CREATE INDEX ix_pairing_adept_id ON pairing (adept_id);
CREATE INDEX ix_pairing_mentor_id ON pairing (mentor_id);
CREATE TABLE attendance (
	id INTEGER NOT NULL,
	session_id INTEGER NOT NULL,
	participant_id INTEGER NOT NULL,
	status VARCHAR(20) NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_attendance UNIQUE (session_id, participant_id),
	FOREIGN KEY(session_id) REFERENCES programme_session (id) ON DELETE CASCADE,
	FOREIGN KEY(participant_id) REFERENCES participant (id) ON DELETE CASCADE
);
CREATE INDEX ix_attendance_session_id ON attendance (session_id);
CREATE INDEX ix_attendance_participant_id ON attendance (participant_id);
CREATE TABLE peergroupmember (
	id INTEGER NOT NULL,
	group_id INTEGER NOT NULL,
	participant_id INTEGER NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_peer_group_member UNIQUE (participant_id),
	FOREIGN KEY(group_id) REFERENCES peergroup (id) ON DELETE CASCADE,
	FOREIGN KEY(participant_id) REFERENCES participant (id) ON DELETE CASCADE
);
CREATE INDEX ix_peergroupmember_group_id ON peergroupmember (group_id);
CREATE INDEX ix_peergroupmember_participant_id ON peergroupmember (participant_id);
"""

AGENCIES = [
    (1, "CSN", "Centrala studiestödsnämnden"),
    (2, "BV", "Bolagsverket"),
    (3, "LST-Y", "Länsstyrelsen Västernorrland"),
    (4, "MIUN", "Mittuniversitetet"),
    (5, "SPV", "Statens tjänstepensionsverk"),
    (6, "HNN", "Hovrätten för nedre Norrland"),
]

# id, name, email, agency, unit, title, field, location, manager since
PEOPLE = [
    (1, "Åsa Öberg", "Asa.Oberg@csn.se", 1, "IT-avdelningen", "Enhetschef", "IT", "Sundsvall",
     "2024-03-01"),
    (2, "Örjan Sjöström", "orjan.sjostrom@bolagsverket.se", 2, "Registrering", "Sektionschef",
     "IT", "Sundsvall", "2010-05-01"),
    (3, "Élise Nordén", "elise.norden@lansstyrelsen.se", 3, "Miljö", "Avdelningschef", "HR",
     "Härnösand", "2015-01-15"),
    (4, "Märta Ångström", "marta.angstrom@miun.se", 4, None, "Prefekt", "Utbildning",
     "Sundsvall", "2024-08-19"),
    (5, "Göran Lindqvist", "goran.lindqvist@spv.se", 5, "Ekonomi", "Enhetschef", "Ekonomi",
     "Sundsvall", "2012-02-01"),
    (6, "Björn Åkesson", "bjorn.akesson@hovratten.se", 6, "Kansli", "HR-direktör", "HR",
     "Sundsvall", "2008-09-01"),
    (7, "Zacharias Ek", "zacharias.ek@csn.se", 1, "Handläggning", "Gruppchef", "Juridik",
     "Sundsvall", None),
]  # fmt: skip

COHORTS = [
    (1, "2025", "2025-01-21", "2025-12-11", "closed", 0.8, 1, "2025-12-12"),
    (2, "2026", "2026-01-20", "2026-12-10", "active", 0.75, 0, None),
]

# id, cohort, person, role, capacity, wished field, preferred mentors, status, continues
PARTICIPANTS = [
    (1, 1, 1, "adept", 1, "IT", ["orjan.sjostrom@bolagsverket.se"], "completed", 0),
    (2, 1, 2, "mentor", 2, None, [], "completed", 1),
    (3, 1, 4, "adept", 1, None, [], "withdrawn", 0),
    (4, 1, 6, "mentor", 1, None, [], "completed", 0),
    (5, 2, 7, "adept", 1, "Juridik", ["bjorn.akesson@hovratten.se"], "active", 0),
    (6, 2, 2, "mentor", 2, None, [], "active", 0),
    (7, 2, 3, "mentor", 1, None, [], "active", 0),
    (8, 2, 5, "adept", 1, None, [], "active", 0),
]  # fmt: skip

PAIRINGS = [
    (1, 1, 1, 2, "ended", 1, 0, 110, {"same_field": 30, "preference": 50, "experience": 20},
     "2025-01-10 09:15:00.000000"),
    (2, 1, 3, 4, "ended", 0, 1, 0, {}, "2025-01-10 09:15:00.000000"),
    (3, 2, 5, 7, "active", 0, 0, 42, {"experience": 18, "same_location": 10},
     "2026-01-08 14:02:31.512000"),
    (4, 2, 8, 6, "proposed", 0, 0, 35, {"experience": 20, "same_location": 10},
     "2026-01-08 14:02:31.512000"),
]  # fmt: skip

SESSIONS = [
    (1, 1, "Kick-off", "kickoff", "2025-01-21 09:00:00.000000", "2025-01-21 16:00:00.000000",
     "Bolagsverket, Sundsvall", 2, "s1-2025@chefintro", 0, "2024-12-01 10:00:00.000000"),
    (2, 1, "Att leda i staten", "training", "2025-03-18 09:00:00.000000",
     "2025-03-18 16:30:00.000000", "Mittuniversitetet, Sundsvall", 4, "s2-2025@chefintro", 1,
     "2025-02-03 08:30:00.000000"),
    (3, 2, "Kick-off", "kickoff", "2026-01-20 09:00:00.000000", "2026-01-20 16:00:00.000000",
     "CSN, Sundsvall", 1, "s1-2026@chefintro", 0, "2025-12-01 10:00:00.000000"),
]  # fmt: skip

ATTENDANCE = [
    (1, 1, 1, "present"),
    (2, 1, 2, "present"),
    (3, 1, 3, "excused"),
    (4, 2, 1, "absent"),
    (5, 2, 2, "present"),
    (6, 3, 5, "present"),
    (7, 3, 8, "present"),
]

GROUPS = [(1, 1, "Grupp Norrsken"), (2, 2, "Grupp Älven")]
MEMBERS = [(1, 1, 1), (2, 1, 2), (3, 2, 5), (4, 2, 8)]
EXCLUSIONS = [(1, 5, 7, "Gifta med varandra")]
SETTINGS = [("current_cohort", "2026"), ("weights.same_field", "35"), ("retention.months", "18")]


def _ddl() -> str:
    return V1_SCHEMA.replace(",\n", ", \n")


def build(path: Path) -> None:
    """Write a fresh schema-1 store with sample rows to ``path``."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("BEGIN")
        for statement in _ddl().split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_version VALUES (1, '0.1.0', '2025-01-02 08:00:00.000000')"
        )
        connection.executemany("INSERT INTO agency VALUES (?, ?, ?)", AGENCIES)
        connection.executemany(
            "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, n, e, e.casefold(), a, u, t, f, loc, s) for i, n, e, a, u, t, f, loc, s in PEOPLE],
        )
        connection.executemany("INSERT INTO cohort VALUES (?, ?, ?, ?, ?, ?, ?, ?)", COHORTS)
        connection.executemany(
            "INSERT INTO participant VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:6], json.dumps(row[6]), *row[7:]) for row in PARTICIPANTS],
        )
        connection.executemany(
            "INSERT INTO pairing VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:8], json.dumps(row[8]), row[9]) for row in PAIRINGS],
        )
        connection.executemany(
            "INSERT INTO programme_session VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", SESSIONS
        )
        connection.executemany("INSERT INTO attendance VALUES (?, ?, ?, ?)", ATTENDANCE)
        connection.executemany("INSERT INTO peergroup VALUES (?, ?, ?)", GROUPS)
        connection.executemany("INSERT INTO peergroupmember VALUES (?, ?, ?)", MEMBERS)
        connection.executemany("INSERT INTO exclusion VALUES (?, ?, ?, ?)", EXCLUSIONS)
        connection.executemany("INSERT INTO setting VALUES (?, ?)", SETTINGS)
        connection.execute("COMMIT")
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        assert not problems, problems
        connection.execute("VACUUM")
    finally:
        connection.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("store-v1.db"))
