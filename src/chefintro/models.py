"""The tables of the store (SQLModel) and the enums they use."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, String, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from chefintro.enums import (
    AttendanceStatus,
    CohortStatus,
    PairingState,
    ParticipantStatus,
    QuestionKind,
    Role,
    SessionKind,
    SurveyPhase,
)

# Pydantic builds each model's validation schema when it is first needed rather than
# when the class is made: table rows are built without validation, so most commands never
# need one, and importing this module is a fixed cost of every command (issue 16).
SQLModel.model_config["defer_build"] = True

__all__ = [
    "Agency",
    "AgencyLetter",
    "Answer",
    "Attendance",
    "AttendanceStatus",
    "AuditEntry",
    "CommandJournal",
    "Cohort",
    "CohortStatus",
    "Exclusion",
    "ListingConsent",
    "Meeting",
    "MentorWish",
    "PairAgreement",
    "PairProposal",
    "PairNote",
    "Pairing",
    "PairingState",
    "Participant",
    "ParticipantStatus",
    "PeerGroup",
    "PeerGroupMember",
    "Person",
    "ProgrammeSession",
    "Question",
    "Role",
    "SchemaVersion",
    "SentMessage",
    "SessionKind",
    "Setting",
    "Survey",
]


def utcnow() -> datetime:
    """Return the current time in UTC, without tzinfo (the store keeps naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Agency(SQLModel, table=True):
    """A member organisation of the network; users refer to it by its upper-case code."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=20)
    name: str = Field(max_length=200)
    # The agency's HR contact, copied on messages when asked (``message intro --cc-agency``).
    contact: str | None = Field(default=None, max_length=320)


class Person(SQLModel, table=True):
    """One human across years; the e-mail (matched case-folded) is the key."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    email_key: str = Field(unique=True, index=True, max_length=320)
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="RESTRICT")
    unit: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    field: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    manager_since: date | None = None


class Cohort(SQLModel, table=True):
    """One programme year."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=100)
    starts_on: date
    ends_on: date
    status: CohortStatus = Field(default=CohortStatus.PLANNED, sa_type=String(20))
    min_attendance: float = 0.8
    excused_counts: bool = True
    closed_on: date | None = None


class Participant(SQLModel, table=True):
    """A person's part in one cohort, as adept or mentor."""

    __table_args__ = (UniqueConstraint("cohort_id", "person_id", name="uq_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=String(10))
    capacity: int = 1
    wished_field: str | None = Field(default=None, max_length=200)
    # Ranked e-mail keys of the mentors an adept wishes, best first.
    preferred_mentors: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: ParticipantStatus = Field(default=ParticipantStatus.ACTIVE, sa_type=String(20))
    # A mentor who agreed to continue into next year's cohort.
    continues: bool = False
    # What the person was in this cohort (issue 27): a move to another agency changes the
    # current and coming cohorts only, so a closed year reads the same later.
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="RESTRICT")
    unit: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)


LIVE_PAIRING_WHERE = "state != 'ended'"


class Pairing(SQLModel, table=True):
    """An adept–mentor pair of one cohort, with its score and reasons."""

    __table_args__ = (
        Index(
            "uq_live_pairing",
            "adept_id",
            unique=True,
            sqlite_where=text(LIVE_PAIRING_WHERE),
            # postgresql_where is added when the table is created on PostgreSQL (see
            # _postgresql_where below): naming it here would load SQLAlchemy's whole
            # PostgreSQL dialect on every command, SQLite stores too (issue 16).
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    adept_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    mentor_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    state: PairingState = Field(default=PairingState.PROPOSED, sa_type=String(20))
    locked: bool = False
    manual: bool = False
    score: int = 0
    reasons: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())
    # The day the pair became active (None while proposed), and how an ended pair ended.
    started_on: date | None = None
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=500)

    def end(self, *, on: date, reason: str) -> date:
        """End the pair: it stays as history with its end date and reason; return the date.

        A pair never ends before it started: one ended before its cohort begins ends on
        the day it was to start.
        """
        ended_on = on if self.started_on is None else max(on, self.started_on)
        self.state = PairingState.ENDED
        self.ended_on = ended_on
        self.end_reason = reason[:500]
        return ended_on


class Meeting(SQLModel, table=True):
    """A meeting of a pair: its date and optional length only, never what was said."""

    __table_args__ = (UniqueConstraint("pairing_id", "held_on", name="uq_meeting_day"),)

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True, ondelete="CASCADE")
    held_on: date
    minutes: int | None = None
    #: What kind of meeting: None for an ordinary one, ``visit`` for a visit to the other
    #: agency (the programme's insight into other agencies; issue 35).
    kind: str | None = Field(default=None, max_length=10)


def _postgresql_where(table: Any, connection: Any, **_kw: Any) -> None:
    """Give the live-pair index its WHERE clause on PostgreSQL, just before the table is made."""
    if connection.dialect.name != "postgresql":
        return
    for index in table.indexes:
        if index.name == "uq_live_pairing":
            index.dialect_options["postgresql"]["where"] = text(LIVE_PAIRING_WHERE)


event.listen(Pairing.__table__, "before_create", _postgresql_where)  # type: ignore[attr-defined]


class ListingConsent(SQLModel, table=True):
    """A participant's answer to being listed in the network's directory, and its day.

    One row per participant (cohort and person): nothing of a person is listed in the
    directory, the alumni list or the pipeline without a row that says yes (issue 35).
    """

    __tablename__ = "listing_consent"
    __table_args__ = (UniqueConstraint("participant_id", name="uq_listing_consent"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    listed: bool
    recorded_on: date


class Exclusion(SQLModel, table=True):
    """Two people who must never be paired (conflict of interest); stored with a < b."""

    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id", name="uq_exclusion"),)

    id: int | None = Field(default=None, primary_key=True)
    person_a_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    person_b_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=500)


class PairProposal(SQLModel, table=True):
    """A proposal of an adept to a mentor, and the mentor's answer (issue 34).

    Keyed on the two people (stable identities, as a pair's letters are), with the cohort:
    ``proposed_on`` is the day the proposal went out (drafted or sent), ``answer`` is
    ``accepted`` or ``declined`` (None while awaited), ``answered_on`` its day and
    ``reason`` why a mentor declined.
    """

    __tablename__ = "pair_proposal"
    __table_args__ = (
        UniqueConstraint(
            "cohort_id", "adept_person_id", "mentor_person_id", name="uq_pair_proposal"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    adept_person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    mentor_person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    proposed_on: date
    answer: str | None = Field(default=None, max_length=10)
    answered_on: date | None = None
    reason: str | None = Field(default=None, max_length=500)


class MentorWish(SQLModel, table=True):
    """One wish of a mentor in one cohort (issue 34), best first by ``rank``.

    ``kind`` is ``location`` (a town the mentor would like their adept from; ``value`` the
    town as typed) or ``adept`` (an adept they would like; ``value`` the adept's e-mail
    key, as an adept's wished mentors are kept).
    """

    __tablename__ = "mentor_wish"
    __table_args__ = (UniqueConstraint("participant_id", "kind", "value", name="uq_mentor_wish"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=10)
    value: str = Field(max_length=320)
    rank: int = 0


class ProgrammeSession(SQLModel, table=True):
    """A shared programme day; times are Europe/Stockholm wall-clock time."""

    __tablename__ = "programme_session"
    __table_args__ = (
        UniqueConstraint("cohort_id", "title", "starts_at", name="uq_session_title_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    kind: SessionKind = Field(default=SessionKind.TRAINING, sa_type=String(20))
    starts_at: datetime = Field(sa_type=DateTime())
    ends_at: datetime = Field(sa_type=DateTime())
    location: str | None = Field(default=None, max_length=200)
    host_agency_id: int | None = Field(default=None, foreign_key="agency.id", ondelete="SET NULL")
    uid: str = Field(unique=True, max_length=100)
    sequence: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())
    # A removed programme day is kept, cancelled, so that calendars are told to drop it.
    cancelled: bool = False


class Attendance(SQLModel, table=True):
    """Whether a participant attended a session."""

    __table_args__ = (UniqueConstraint("session_id", "participant_id", name="uq_attendance"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="programme_session.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    status: AttendanceStatus = Field(sa_type=String(20))


class PeerGroup(SQLModel, table=True):
    """A small cross-agency group of one cohort's participants."""

    __table_args__ = (UniqueConstraint("cohort_id", "name", name="uq_peer_group"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # One value per 'group form' run, shared by the groups it formed: a group's letter is
    # recorded against its formation and members, never its id (ids are reused; issue 27).
    formation: str = Field(default="", max_length=32)


class PeerGroupMember(SQLModel, table=True):
    """A participant's membership of a peer group."""

    __table_args__ = (UniqueConstraint("participant_id", name="uq_peer_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="peergroup.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")


class Setting(SQLModel, table=True):
    """A key/value setting: current cohort, matching weights, eligibility months …"""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=2000)


class SchemaVersion(SQLModel, table=True):
    """One row per schema version applied to this store, newest last."""

    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)
    tool_version: str = Field(max_length=50)
    applied_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())


class AuditEntry(SQLModel, table=True):
    """A logged privacy-relevant action; never holds personal data."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime())
    action: str = Field(max_length=50)
    detail: str = Field(max_length=1000)


class CommandJournal(SQLModel, table=True):
    """One command that changed the store: what 'db undo' names and goes back over.

    ``summary`` says what changed in counts and command words only, never a name or an
    e-mail address; ``snapshot`` is the file name of the undo snapshot taken before it
    (in the store's snapshot folder), if one was taken.
    """

    __tablename__ = "command_journal"

    id: int | None = Field(default=None, primary_key=True)
    command: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    started: datetime = Field(sa_type=DateTime())
    finished: datetime = Field(sa_type=DateTime())
    summary: str = Field(max_length=500)
    snapshot: str | None = Field(default=None, max_length=200)


#: A message claimed by a sending run but not yet confirmed by the server.
SENDING = "sending"
#: A message the server took.
SENT = "sent"


class SentMessage(SQLModel, table=True):
    """One message to one person, so that a second run does not send it again.

    ``subject_key`` names what the message was about by stable identity, never by a row id
    that can be reused: ``pair:<adept's person id>:<mentor's person id>`` (with the cohort),
    ``group:<formation>:<members>``, ``session:<the day's calendar UID>``. No name, address
    or text is kept. ``status`` is ``sending`` from the claim before the message goes
    (committed on its own, so two runs never send it both) and ``sent`` once the server
    took it; a claim left ``sending`` by a run that stopped is a message in doubt.
    """

    __tablename__ = "sent_message"
    __table_args__ = (
        UniqueConstraint("kind", "cohort_id", "subject_key", "person_id", name="uq_sent_message"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    subject_key: str = Field(max_length=200)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())
    status: str = Field(default=SENT, max_length=10)


class Survey(SQLModel, table=True):
    """A questionnaire of one cohort (start, mid, end or follow-up); reports show aggregates."""

    __table_args__ = (UniqueConstraint("cohort_id", "name", name="uq_survey"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    phase: SurveyPhase = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())


class Question(SQLModel, table=True):
    """One question of a survey: a 1–7 statement (scale) or free text."""

    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("survey_id", "position", name="uq_survey_question"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    position: int
    text: str = Field(max_length=500)
    kind: QuestionKind = Field(default=QuestionKind.SCALE, sa_type=String(10))


class Answer(SQLModel, table=True):
    """One participant's answer to one question.

    An anonymised cohort keeps its answers unlinked: no participant, only the agency code
    and role the aggregates need.
    """

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("question_id", "participant_id", name="uq_survey_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    question_id: int = Field(foreign_key="survey_question.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", index=True, ondelete="CASCADE"
    )
    value: int | None = None
    text: str | None = Field(default=None, max_length=2000)
    agency: str | None = Field(default=None, max_length=20)
    role: str | None = Field(default=None, max_length=10)


class PairAgreement(SQLModel, table=True):
    """Whether a pair has agreed how they work together (a mentoring agreement), and when.

    From ``pair agree`` or a check-in; ``source`` says which (``command`` or ``checkin``).
    """

    __tablename__ = "pair_agreement"

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", unique=True, index=True, ondelete="CASCADE")
    agreed: bool
    agreed_on: date | None = None
    source: str = Field(max_length=20)


class PairNote(SQLModel, table=True):
    """A check-in's free text: shown only in the pair's own report (``pair history``)."""

    __tablename__ = "pair_note"
    __table_args__ = (UniqueConstraint("pairing_id", "held_on", name="uq_pair_note"),)

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True, ondelete="CASCADE")
    held_on: date
    text: str = Field(max_length=2000)


class AgencyLetter(SQLModel, table=True):
    """One letter to an agency's contact (``message agency-digest``), so it goes once.

    Like :class:`SentMessage`, but the recipient is the agency (its contact address is
    kept on the agency): ``subject_key`` is ``digest:<agency code>:<day>``.
    """

    __tablename__ = "agency_letter"
    __table_args__ = (
        UniqueConstraint("kind", "cohort_id", "subject_key", "agency_id", name="uq_agency_letter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    subject_key: str = Field(max_length=200)
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=DateTime())
    status: str = Field(default=SENT, max_length=10)
