"""Typed errors of the domain; each carries the exit code the command line uses."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_RULE = 1
EXIT_USAGE = 2
EXIT_DATAERR = 65
EXIT_NOINPUT = 66
EXIT_SOFTWARE = 70
EXIT_CANTCREAT = 73
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


class StoreBusyError(ChefintroError):
    """Another process holds the store longer than the busy timeout."""

    exit_code = EXIT_TEMPFAIL


class StoreError(ChefintroError):
    """The store cannot be opened or used (newer schema, corrupt file …)."""
