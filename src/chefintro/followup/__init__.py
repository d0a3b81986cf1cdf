"""Following the pairs through the year: meetings, a status per pair, ending and rematching.

A meeting is a date and an optional length, never its content. Every door (``pair meet``,
the Möten sheet) goes through :func:`check_meeting_day` and :func:`record_meeting`.
``report pairs`` (:func:`pair_statuses`) gives every pair active on a day a status:
``no_first_meeting`` when it has not met within ``followup.first_meeting_weeks`` of its
start, ``quiet`` when its last meeting is more than ``followup.quiet_weeks`` ago, else
``ok``. :func:`end_pair` keeps an ended pair as history; :func:`rematch` places only the
adepts without a live pair, with the mentors' remaining places, and never touches a live pair.

``pairs`` finds an adept and their pair, ``meetings`` holds the meeting rules and the Möten
rows, ``ending`` ends a pair, ``rematch`` places the free adepts, ``status`` reports every
pair's status. Import from here.
"""

from chefintro.followup.ending import EndedPair, active_pair_people, end_pair, end_reason
from chefintro.followup.meetings import (
    MAX_MINUTES,
    LoggedMeeting,
    MeetingChange,
    MeetingDays,
    MeetingPairs,
    check_meeting_day,
    check_minutes,
    log_meeting,
    meeting_rows,
    record_meeting,
)
from chefintro.followup.pairs import active_pairing, find_adept
from chefintro.followup.rematch import RematchResult, Unplaced, rematch
from chefintro.followup.status import (
    STATUS_NO_FIRST_MEETING,
    STATUS_OK,
    STATUS_ORDER,
    STATUS_QUIET,
    PairsReport,
    PairStatus,
    pair_statuses,
    status_of,
)

__all__ = [
    "MAX_MINUTES",
    "STATUS_NO_FIRST_MEETING",
    "STATUS_OK",
    "STATUS_ORDER",
    "STATUS_QUIET",
    "EndedPair",
    "LoggedMeeting",
    "MeetingChange",
    "MeetingDays",
    "MeetingPairs",
    "PairStatus",
    "PairsReport",
    "RematchResult",
    "Unplaced",
    "active_pair_people",
    "active_pairing",
    "check_meeting_day",
    "check_minutes",
    "end_pair",
    "end_reason",
    "find_adept",
    "log_meeting",
    "meeting_rows",
    "pair_statuses",
    "record_meeting",
    "rematch",
    "status_of",
]
