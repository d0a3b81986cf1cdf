"""Completion needs a share of the programme days, rounded up; checked where rounding matters.

Every case here gives a different answer when the share is rounded to the nearest whole
day (Python's round, or adding a half) instead of up, so each fails if the rule breaks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Cli

ASA = "asa@csn.se"


def _cohort_with_held_sessions(cli: Cli, *, minimum: str, sessions: int) -> list[str]:
    """A 2025 cohort (all its days in the past) with Åsa as adept; return the session ids."""
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli(
        "cohort",
        "create",
        "2025",
        "--start",
        "2025-01-20",
        "--end",
        "2025-12-10",
        "--min-attendance",
        minimum,
    )
    cli("cohort", "use", "2025")
    cli("participant", "add", ASA, "--role", "adept")
    for day in range(sessions):
        start = f"2025-{2 + day:02d}-10 09:00"
        cli("session", "add", f"Dag {day + 1}", "--start", start, "--end", "16:00")
    return [str(s["id"]) for s in cli.json("session", "list")]


def _attend(cli: Cli, ids: list[str], present: int) -> dict[str, Any]:
    for index, sid in enumerate(ids):
        status = "present" if index < present else "absent"
        cli("session", "attend", sid, ASA, "--status", status)
    report: dict[str, Any] = cli.json("report", "attendance")
    return report


@pytest.mark.parametrize(
    ("minimum", "sessions", "required"),
    [
        ("0.8", 3, 3),  # 2.4 days: nearest gives 2
        ("0.75", 6, 5),  # 4.5 days: Python's round gives 4
        ("0.8", 7, 6),  # 5.6: nearest gives 6 too, ceil must not give 7
        ("0.7", 10, 7),  # exactly 7 days: no rounding at all
        ("0.6", 4, 3),  # 2.4: nearest gives 2
    ],
)
def test_required_days_round_up(cli: Cli, minimum: str, sessions: int, required: int) -> None:
    ids = _cohort_with_held_sessions(cli, minimum=minimum, sessions=sessions)
    # One day short of the requirement: with every day held, she cannot complete.
    report = _attend(cli, ids, present=required - 1)
    assert (report["sessions_total"], report["sessions_held"]) == (sessions, sessions)
    assert report["required"] == required
    (row,) = report["participants"]
    assert (row["attended"], row["held"], row["required"], row["status"]) == (
        required - 1,
        sessions,
        required,
        "cannot_complete",
    )
    # Exactly the requirement: she completes.
    cli("session", "attend", ids[required - 1], ASA, "--status", "present")
    (row,) = cli.json("report", "attendance")["participants"]
    assert (row["attended"], row["status"]) == (required, "ok")


def test_required_days_shown_in_the_human_report(cli: Cli) -> None:
    ids = _cohort_with_held_sessions(cli, minimum="0.8", sessions=3)
    _attend(cli, ids, present=3)
    result = cli("report", "attendance")
    assert "3 av 3 träffar hållna; för att slutföra krävs 3 (80 %)" in result.stdout
    english = cli("report", "attendance", "--lang", "en")
    assert "3 of 3 sessions held; completing needs 3 (80%)" in english.stdout
