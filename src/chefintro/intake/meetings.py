"""The meeting intake: every rule a pair's meeting meets, as one list of checks.

``pair meet`` sends one meeting, a roster's Möten sheet all of its rows; each gets the
findings of :data:`CHECKS`, word for word the same. A meeting is a date and a length,
never its content. Pure: the pair a meeting belongs to is found first
(:func:`chefintro.followup.meetings.pair_on_day`), and its dates are part of the facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from chefintro.errors import UsageError
from chefintro.intake.findings import Finding, problem, until_refused, warning
from chefintro.rules import MAX_MEETING_MINUTES


class MeetingFacts(NamedTuple):
    """A meeting's day and length, today, its cohort's year and its pair's dates."""

    day: date
    minutes: int | None
    today: date
    cohort: str
    cohort_start: date
    cohort_end: date
    pair_started: date | None = None
    pair_ended: date | None = None


def taken_place(row: MeetingFacts) -> Iterator[Finding]:
    """A meeting is logged once it has taken place."""
    if row.day > row.today:
        yield problem(
            f"{row.day} is in the future; log a meeting once it has taken place.", "held_on"
        )


def within_the_year(row: MeetingFacts) -> Iterator[Finding]:
    """A meeting falls within its cohort's year (its first and last day included)."""
    if row.day < row.cohort_start:
        yield problem(
            f"{row.day} is before cohort {row.cohort} starts ({row.cohort_start}).", "held_on"
        )
    elif row.day > row.cohort_end:
        yield problem(f"{row.day} is after cohort {row.cohort} ends ({row.cohort_end}).", "held_on")


def while_paired(row: MeetingFacts) -> Iterator[Finding]:
    """Not after the pair ended; before it was made active is taken with a word (pairs
    often meet before the store is told)."""
    if row.pair_ended is not None and row.day > row.pair_ended:
        yield problem(f"{row.day} is after the pair ended ({row.pair_ended}).", "held_on")
    elif row.pair_started is not None and row.day < row.pair_started:
        yield warning(
            f"{row.day} is before the pair was made active ({row.pair_started}); the meeting "
            "was logged anyway.",
            "held_on",
        )


def length(row: MeetingFacts) -> Iterator[Finding]:
    """A meeting lasts 1 to :data:`MAX_MEETING_MINUTES` minutes (or its length is not given)."""
    if row.minutes is not None and not 1 <= row.minutes <= MAX_MEETING_MINUTES:
        yield problem(
            f"A meeting lasts 1 to {MAX_MEETING_MINUTES} minutes, not {row.minutes}.",
            "minutes",
            UsageError,
        )


#: Every rule a meeting meets, in the order its findings are shown.
CHECKS = (length, taken_place, within_the_year, while_paired)


def check_meeting(row: MeetingFacts) -> list[Finding]:
    """Run every check on one meeting; the first problem stops the rest (one reason a row)."""
    return until_refused(CHECKS, row)


#: A visit to the other agency (the programme's insight into other agencies).
VISIT = "visit"
#: The words a meeting's kind may be given in; None is an ordinary meeting.
MEETING_KIND_WORDS: dict[str, str | None] = {
    "meeting": None,
    "möte": None,
    "mote": None,
    "visit": VISIT,
    "besök": VISIT,
    "studiebesök": VISIT,
}
#: The Swedish word outputs use for each kind.
MEETING_KIND_LABELS: dict[str | None, str] = {None: "möte", VISIT: "studiebesök"}


def meeting_kind(word: str) -> str | None:
    """The kind a word names (``visit``/``studiebesök``, ``meeting``/``möte``)."""
    key = word.strip().casefold()  # no kind of meeting is two words
    if key not in MEETING_KIND_WORDS:
        raise UsageError(
            f"{word!r} is not a kind of meeting; use meeting (möte) or visit (studiebesök)."
        )
    return MEETING_KIND_WORDS[key]
