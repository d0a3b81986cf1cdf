"""The closed vocabularies of the domain; light to import so the CLI can offer them as choices."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADEPT = "adept"
    MENTOR = "mentor"


class CohortStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"
    ANONYMISED = "anonymised"


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class PairingState(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class SessionKind(StrEnum):
    KICKOFF = "kickoff"
    TRAINING = "training"
    LECTURE = "lecture"
    NETWORK = "network"
    CLOSING = "closing"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class SurveyPhase(StrEnum):
    START = "start"
    MID = "mid"
    END = "end"
    FOLLOWUP = "followup"


class QuestionKind(StrEnum):
    SCALE = "scale"
    TEXT = "text"
