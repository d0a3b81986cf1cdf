# ruff: noqa: E501 - the statements are kept exactly as SQLite stored them
"""The schema of the first release (schema 1) exactly as SQLite stored it, frozen.

The models move on and a migration describes only what it changes, so this is the one
record of where every migration starts from: ``store.reference`` builds any released
schema from it, in memory, to check a backup against. Never edit it.
"""

BASELINE_V1: tuple[str, ...] = (
    "CREATE TABLE agency (\n\tid INTEGER NOT NULL, \n\tcode VARCHAR(20) NOT NULL, \n\tname VARCHAR(200) NOT NULL, \n\tPRIMARY KEY (id)\n)",
    "CREATE TABLE cohort (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(100) NOT NULL, \n\tstarts_on DATE NOT NULL, \n\tends_on DATE NOT NULL, \n\tstatus VARCHAR(20) NOT NULL, \n\tmin_attendance FLOAT NOT NULL, \n\texcused_counts BOOLEAN NOT NULL, \n\tclosed_on DATE, \n\tPRIMARY KEY (id)\n)",
    'CREATE TABLE setting (\n\t"key" VARCHAR(100) NOT NULL, \n\tvalue VARCHAR(2000) NOT NULL, \n\tPRIMARY KEY ("key")\n)',
    "CREATE TABLE schema_version (\n\tversion INTEGER NOT NULL, \n\ttool_version VARCHAR(50) NOT NULL, \n\tapplied_at DATETIME NOT NULL, \n\tPRIMARY KEY (version)\n)",
    "CREATE TABLE person (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(200) NOT NULL, \n\temail VARCHAR(320) NOT NULL, \n\temail_key VARCHAR(320) NOT NULL, \n\tagency_id INTEGER NOT NULL, \n\tunit VARCHAR(200), \n\ttitle VARCHAR(200), \n\tfield VARCHAR(200), \n\tlocation VARCHAR(200), \n\tmanager_since DATE, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(agency_id) REFERENCES agency (id) ON DELETE RESTRICT\n)",
    "CREATE TABLE programme_session (\n\tid INTEGER NOT NULL, \n\tcohort_id INTEGER NOT NULL, \n\ttitle VARCHAR(200) NOT NULL, \n\tkind VARCHAR(20) NOT NULL, \n\tstarts_at DATETIME NOT NULL, \n\tends_at DATETIME NOT NULL, \n\tlocation VARCHAR(200), \n\thost_agency_id INTEGER, \n\tuid VARCHAR(100) NOT NULL, \n\tsequence INTEGER NOT NULL, \n\tupdated_at DATETIME NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_session_title_start UNIQUE (cohort_id, title, starts_at), \n\tFOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE, \n\tFOREIGN KEY(host_agency_id) REFERENCES agency (id) ON DELETE SET NULL, \n\tUNIQUE (uid)\n)",
    "CREATE TABLE peergroup (\n\tid INTEGER NOT NULL, \n\tcohort_id INTEGER NOT NULL, \n\tname VARCHAR(100) NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_peer_group UNIQUE (cohort_id, name), \n\tFOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE\n)",
    "CREATE TABLE participant (\n\tid INTEGER NOT NULL, \n\tcohort_id INTEGER NOT NULL, \n\tperson_id INTEGER NOT NULL, \n\trole VARCHAR(10) NOT NULL, \n\tcapacity INTEGER NOT NULL, \n\twished_field VARCHAR(200), \n\tpreferred_mentors JSON, \n\tstatus VARCHAR(20) NOT NULL, \n\tcontinues BOOLEAN NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_participant UNIQUE (cohort_id, person_id), \n\tFOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE, \n\tFOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE\n)",
    "CREATE TABLE exclusion (\n\tid INTEGER NOT NULL, \n\tperson_a_id INTEGER NOT NULL, \n\tperson_b_id INTEGER NOT NULL, \n\treason VARCHAR(500) NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_exclusion UNIQUE (person_a_id, person_b_id), \n\tFOREIGN KEY(person_a_id) REFERENCES person (id) ON DELETE CASCADE, \n\tFOREIGN KEY(person_b_id) REFERENCES person (id) ON DELETE CASCADE\n)",
    "CREATE TABLE pairing (\n\tid INTEGER NOT NULL, \n\tcohort_id INTEGER NOT NULL, \n\tadept_id INTEGER NOT NULL, \n\tmentor_id INTEGER NOT NULL, \n\tstate VARCHAR(20) NOT NULL, \n\tlocked BOOLEAN NOT NULL, \n\tmanual BOOLEAN NOT NULL, \n\tscore INTEGER NOT NULL, \n\treasons JSON, \n\tcreated_at DATETIME NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(cohort_id) REFERENCES cohort (id) ON DELETE CASCADE, \n\tFOREIGN KEY(adept_id) REFERENCES participant (id) ON DELETE CASCADE, \n\tFOREIGN KEY(mentor_id) REFERENCES participant (id) ON DELETE CASCADE\n)",
    "CREATE TABLE attendance (\n\tid INTEGER NOT NULL, \n\tsession_id INTEGER NOT NULL, \n\tparticipant_id INTEGER NOT NULL, \n\tstatus VARCHAR(20) NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_attendance UNIQUE (session_id, participant_id), \n\tFOREIGN KEY(session_id) REFERENCES programme_session (id) ON DELETE CASCADE, \n\tFOREIGN KEY(participant_id) REFERENCES participant (id) ON DELETE CASCADE\n)",
    "CREATE TABLE peergroupmember (\n\tid INTEGER NOT NULL, \n\tgroup_id INTEGER NOT NULL, \n\tparticipant_id INTEGER NOT NULL, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_peer_group_member UNIQUE (participant_id), \n\tFOREIGN KEY(group_id) REFERENCES peergroup (id) ON DELETE CASCADE, \n\tFOREIGN KEY(participant_id) REFERENCES participant (id) ON DELETE CASCADE\n)",
    "CREATE UNIQUE INDEX ix_agency_code ON agency (code)",
    "CREATE UNIQUE INDEX ix_cohort_name ON cohort (name)",
    "CREATE INDEX ix_person_agency_id ON person (agency_id)",
    "CREATE UNIQUE INDEX ix_person_email_key ON person (email_key)",
    "CREATE INDEX ix_programme_session_cohort_id ON programme_session (cohort_id)",
    "CREATE INDEX ix_peergroup_cohort_id ON peergroup (cohort_id)",
    "CREATE INDEX ix_participant_cohort_id ON participant (cohort_id)",
    "CREATE INDEX ix_participant_person_id ON participant (person_id)",
    "CREATE INDEX ix_exclusion_person_a_id ON exclusion (person_a_id)",
    "CREATE INDEX ix_exclusion_person_b_id ON exclusion (person_b_id)",
    "CREATE UNIQUE INDEX uq_live_pairing ON pairing (adept_id) WHERE state != 'ended'",
    "CREATE INDEX ix_pairing_cohort_id ON pairing (cohort_id)",
    "CREATE INDEX ix_pairing_adept_id ON pairing (adept_id)",
    "CREATE INDEX ix_pairing_mentor_id ON pairing (mentor_id)",
    "CREATE INDEX ix_attendance_session_id ON attendance (session_id)",
    "CREATE INDEX ix_attendance_participant_id ON attendance (participant_id)",
    "CREATE INDEX ix_peergroupmember_group_id ON peergroupmember (group_id)",
    "CREATE INDEX ix_peergroupmember_participant_id ON peergroupmember (participant_id)",
)
