"""Typed errors of the domain; each carries the exit code the command line uses."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_RULE = 1
EXIT_USAGE = 2
EXIT_DATAERR = 65
EXIT_NOINPUT = 66
EXIT_SOFTWARE = 70
EXIT_CANTCREAT = 73
EXIT_IOERR = 74
EXIT_TEMPFAIL = 75


class ChefintroError(Exception):
    """Base of every error a user can cause; the CLI turns it into a message and exit code."""

    exit_code: int = EXIT_RULE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(ChefintroError):
    """A named thing (agency, person, cohort, session …) does not exist."""


class DuplicateError(ChefintroError):
    """Creating something whose natural key is already taken."""


class RuleError(ChefintroError):
    """A programme rule forbids the action (same-agency pair, removing a used agency …)."""


class UsageError(ChefintroError):
    """Bad option values that the command line could not catch by itself."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located as precisely as the file allows."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def location(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


#: How many lines a problem report shows on screen; ``--json`` carries every problem.
SHOWN_PROBLEMS = 50


def _row_ranges(rows: list[int]) -> str:
    """``[2, 3, 4, 9]`` → ``"2–4, 9"`` (at most a few ranges, then "…")."""
    ordered = sorted(set(rows))
    ranges: list[str] = []
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        ranges.append(str(start) if start == previous else f"{start}–{previous}")
        if row is not None:
            start = previous = row
    shown = ", ".join(ranges[:6])
    return shown + (", …" if len(ranges) > 6 else "")


def summarise_problems(problems: list[Problem], limit: int = SHOWN_PROBLEMS) -> list[str]:
    """Return the lines a person reads: identical problems grouped, at most ``limit`` lines.

    Problems with the same sheet, column and message are one line naming how many rows
    and which ("unknown agency 'X' in 20,000 rows: 2–20001"); past ``limit`` lines the
    rest is counted ("… and N more (see --json)").
    """
    groups: dict[tuple[str | None, str | None, str], list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.sheet, problem.column, problem.message), []).append(problem)
    lines: list[str] = []
    for (sheet, column, message), found in groups.items():
        rows = [p.row for p in found if p.row is not None]
        if len(found) == 1 or not rows:
            lines.append(str(found[0]))
            continue
        where = Problem("", sheet=sheet, column=column).location()
        lines.append(f"{where}: {message} (in {len(rows):,} rows: {_row_ranges(rows)})")
    if len(lines) > limit:
        rest = len(lines) - limit
        lines = lines[:limit] + [f"… and {rest:,} more (see --json)"]
    return lines


class InvalidInputError(ChefintroError):
    """The input file's data is invalid; carries every problem found."""

    exit_code = EXIT_DATAERR

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class UnreadableInputError(ChefintroError):
    """The input file is missing, unreadable or not of a format we read."""

    exit_code = EXIT_NOINPUT


class OutputError(ChefintroError):
    """The output file cannot be written."""

    exit_code = EXIT_CANTCREAT


class StoreIOError(ChefintroError):
    """Reading or writing failed below chefintro: a full disk, an I/O error, a store that
    cannot be opened. The message names the path; nothing was changed."""

    exit_code = EXIT_IOERR


class StorePathError(ChefintroError):
    """The store's folder cannot be entered or written (permissions, a read-only mount)."""

    exit_code = EXIT_CANTCREAT


class StoreBusyError(ChefintroError):
    """Another process holds the store longer than the busy timeout."""

    exit_code = EXIT_TEMPFAIL


class StoreError(ChefintroError):
    """The store cannot be opened or used (newer schema, corrupt file …)."""
