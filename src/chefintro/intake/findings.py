"""A check's answer as a value: a problem (the row is refused) or a warning (it is taken)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

from chefintro.errors import ChefintroError, RuleError


class Finding(NamedTuple):
    """What one check says of one row, in the words every door shows.

    ``column`` names the row's field the finding is about (a roster locates its problems
    by it); ``error`` is what a door that takes one row raises for a problem. A named
    tuple rather than a frozen dataclass: a large roster's rows get tens of thousands of
    findings, and a frozen dataclass's ``__init__`` costs one ``object.__setattr__`` per
    field (issue 26's import benchmark).
    """

    text: str
    column: str | None = None
    is_problem: bool = False
    error: type[ChefintroError] = RuleError


def problem(
    text: str, column: str | None = None, error: type[ChefintroError] = RuleError
) -> Finding:
    """A finding that refuses the row."""
    return Finding(text, column, True, error)


def warning(text: str, column: str | None = None) -> Finding:
    """A finding that takes the row and says what to look at."""
    return Finding(text, column)


Row = TypeVar("Row")


def until_refused(checks: Sequence[Callable[[Row], Iterable[Finding]]], row: Row) -> list[Finding]:
    """Run ``checks`` on one row in order; the first that refuses it is the last run (a row
    gets one reason, the first, rather than its consequences)."""
    findings: list[Finding] = []
    for check in checks:
        found = list(check(row))
        findings += found
        if any(finding.is_problem for finding in found):
            break
    return findings


def raise_first(findings: Iterable[Finding]) -> list[str]:
    """Raise the first problem as its error (a one-row door); return the warnings' texts."""
    found = list(findings)
    for finding in found:
        if finding.is_problem:
            raise finding.error(finding.text)
    return [finding.text for finding in found]
