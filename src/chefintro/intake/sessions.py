"""The programme-day intake: every rule a day's times meet, as one list of checks.

``session add`` and ``session edit`` send one day, a roster's Träffar sheet and a
yearly plan's ``[[session]]`` tables send all of theirs; each gets the findings of
:data:`CHECKS`, word for word the same. Pure: the roster's file layer and the plan's
reader call it before anything touches the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import NamedTuple

from chefintro.errors import UsageError
from chefintro.intake.findings import Finding, problem, until_refused, warning

#: How far from its cohort's dates a day may lie. A planning meeting the autumn before
#: the kick-off or a follow-up the year after is normal; a day further away is a
#: mistyped year (9999 for 2027), which no calendar can hold.
SESSION_MARGIN = timedelta(days=366)


class SessionFacts(NamedTuple):
    """A day's title and times, and the dates of the cohort it belongs to (None where a
    door does not know them yet: a roster's file layer)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    cohort: str | None = None
    cohort_start: date | None = None
    cohort_end: date | None = None


def _when(row: SessionFacts) -> str:
    first, last = row.starts_at.date(), row.ends_at.date()
    return f"{first}" if first == last else f"{first} – {last}"


def ends_after_start(row: SessionFacts) -> Iterator[Finding]:
    """A day ends after it starts."""
    if row.ends_at <= row.starts_at:
        yield problem(
            f"The day {row.title!r} ends ({row.ends_at:%Y-%m-%d %H:%M}) before it starts "
            f"({row.starts_at:%Y-%m-%d %H:%M}); the end must come after the start.",
            "ends_at",
            UsageError,
        )


def near_the_cohort(row: SessionFacts) -> Iterator[Finding]:
    """A day lies within a year (:data:`SESSION_MARGIN`) of its cohort's dates."""
    if row.cohort_start is None or row.cohort_end is None:
        return
    earliest = row.cohort_start - min(SESSION_MARGIN, row.cohort_start - date.min)
    latest = row.cohort_end + min(SESSION_MARGIN, date.max - row.cohort_end)
    if row.starts_at.date() < earliest or row.ends_at.date() > latest:
        yield problem(
            f"The day {row.title!r} ({_when(row)}) is more than a year outside the cohort's "
            f"dates ({row.cohort_start} – {row.cohort_end}); days go from {earliest} to "
            f"{latest}.",
            "starts_at",
            UsageError,
        )


def within_the_cohort(row: SessionFacts) -> Iterator[Finding]:
    """A day outside its cohort's own dates is taken, with a word: most often a mistyped year."""
    if row.cohort_start is None or row.cohort_end is None:
        return
    first, last = row.starts_at.date(), row.ends_at.date()
    if row.cohort_start <= first and last <= row.cohort_end:
        return
    yield warning(
        f"The day {row.title!r} ({_when(row)}) is outside cohort {row.cohort}'s dates "
        f"({row.cohort_start} – {row.cohort_end}); check the year.",
        "starts_at",
    )


#: Every rule a programme day meets, in the order its findings are shown.
CHECKS = (ends_after_start, near_the_cohort, within_the_cohort)


def check_session(row: SessionFacts) -> list[Finding]:
    """Run every check on one day; the first problem stops the rest (one reason a row)."""
    return until_refused(CHECKS, row)
