"""The agreement intake: the rules a pair's mentoring agreement (agreed yes/no, on a day)
meets, from ``pair agree`` and from a check-in alike.

An agreement is a yes or no and the day it was reported; the day has happened, and falls
within the pair's time (not before its cohort starts, not after the pair ended).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from chefintro.intake.findings import Finding, problem, until_refused


class AgreementFacts(NamedTuple):
    day: date
    today: date
    cohort: str
    cohort_start: date
    cohort_end: date
    pair_ended: date | None = None


def has_happened(row: AgreementFacts) -> Iterator[Finding]:
    """An agreement is recorded on a day that has come."""
    if row.day > row.today:
        yield problem(f"{row.day} is in the future; record an agreement once it is made.", "date")


def within_the_pair(row: AgreementFacts) -> Iterator[Finding]:
    """Within the cohort's year, and not after the pair ended."""
    if row.day < row.cohort_start:
        yield problem(
            f"{row.day} is before cohort {row.cohort} starts ({row.cohort_start}).", "date"
        )
    elif row.day > row.cohort_end:
        yield problem(f"{row.day} is after cohort {row.cohort} ends ({row.cohort_end}).", "date")
    elif row.pair_ended is not None and row.day > row.pair_ended:
        yield problem(f"{row.day} is after the pair ended ({row.pair_ended}).", "date")


#: Every rule an agreement meets, in the order its findings are shown.
CHECKS = (has_happened, within_the_pair)


def check_agreement(row: AgreementFacts) -> list[Finding]:
    """Run every check on one agreement; the first problem stops the rest."""
    return until_refused(CHECKS, row)
