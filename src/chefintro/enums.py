"""The closed vocabularies of the domain; light to import so the CLI can offer them as choices."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import TypeVar

W = TypeVar("W")


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
    #: A check-in form (issue 33): its answers are meetings, not survey answers.
    CHECKIN = "checkin"


class QuestionKind(StrEnum):
    SCALE = "scale"
    TEXT = "text"


# --- the words people use for them (the one table: roster, command line and plans) ------

ROLE_LABELS: dict[Role, str] = {Role.ADEPT: "adept", Role.MENTOR: "mentor"}
ROLE_WORDS: dict[str, Role] = {"adept": Role.ADEPT, "mentor": Role.MENTOR}

KIND_LABELS: dict[SessionKind, str] = {
    SessionKind.KICKOFF: "uppstart",
    SessionKind.TRAINING: "utbildning",
    SessionKind.LECTURE: "föreläsning",
    SessionKind.NETWORK: "nätverk",
    SessionKind.CLOSING: "avslutning",
}
KIND_WORDS: dict[str, SessionKind] = {
    "uppstart": SessionKind.KICKOFF,
    "kickoff": SessionKind.KICKOFF,
    "kick-off": SessionKind.KICKOFF,
    "kick off": SessionKind.KICKOFF,
    "utbildning": SessionKind.TRAINING,
    "utbildningsdag": SessionKind.TRAINING,
    "training": SessionKind.TRAINING,
    "föreläsning": SessionKind.LECTURE,
    "inspirationsföreläsning": SessionKind.LECTURE,
    "lecture": SessionKind.LECTURE,
    "nätverk": SessionKind.NETWORK,
    "nätverksträff": SessionKind.NETWORK,
    "nätverksdag": SessionKind.NETWORK,
    "network": SessionKind.NETWORK,
    "networking": SessionKind.NETWORK,
    "avslutning": SessionKind.CLOSING,
    "avslutningsdag": SessionKind.CLOSING,
    "closing": SessionKind.CLOSING,
}

STATUS_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "närvarande",
    AttendanceStatus.ABSENT: "frånvarande",
    AttendanceStatus.EXCUSED: "anmält förhinder",
}
STATUS_WORDS: dict[str, AttendanceStatus] = {
    "närvarande": AttendanceStatus.PRESENT,
    "present": AttendanceStatus.PRESENT,
    "x": AttendanceStatus.PRESENT,
    "frånvarande": AttendanceStatus.ABSENT,
    "absent": AttendanceStatus.ABSENT,
    "anmält förhinder": AttendanceStatus.EXCUSED,
    "förhinder": AttendanceStatus.EXCUSED,
    "ledig": AttendanceStatus.EXCUSED,
    "excused": AttendanceStatus.EXCUSED,
}

FLAG_LABELS: dict[bool, str] = {True: "ja", False: "nej"}
FLAG_WORDS: dict[str, bool] = {
    "ja": True,
    "yes": True,
    "true": True,
    "sant": True,
    "1": True,
    "x": True,
    "nej": False,
    "no": False,
    "false": False,
    "falskt": False,
    "0": False,
}


#: What problem messages say is allowed, after "use".
ROLE_HINT = "adept or mentor"
KIND_HINT = "uppstart, utbildning, föreläsning, nätverk or avslutning (English words work too)"
STATUS_HINT = "närvarande, frånvarande or anmält förhinder (English words and x work too)"
FLAG_HINT = "ja or nej (yes/no, true/false, 1/0 and x work too)"

#: Words that clear an attendance mark on the command line (``--status none``).
CLEAR_WORDS = frozenset({"none", "clear", "ingen", "inget", "rensa", "-"})


def word_key(text: str) -> str:
    """Return the form words are compared in: trimmed, spaces collapsed, NFC, case-folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def parse_word(words: dict[str, W], text: str) -> W | None:
    """Return the value a Swedish or English word stands for, or None."""
    return words.get(word_key(text))
