"""A closed cohort can no longer change: each follow-up command that would change it is
refused with the reason, and the store is left as it was (``require_open``)."""

from __future__ import annotations

import pytest

from tests import test_followup
from tests.conftest import Cli, store_snapshot
from tests.test_followup import ANNA, BO

# test_followup's cohort 2025: three pairs made active on 1 February, today 16 June 2025.
year = test_followup.year


@pytest.mark.parametrize(
    "command",
    [
        ("pair", "end", ANNA, "--reason", "byter jobb", "--yes"),
        ("pair", "end", ANNA, "--reason", "byter jobb", "--no-repeat", "--yes"),
        ("pair", "rematch", "--apply"),
        ("pair", "meet", BO, "--date", "2025-06-10", "--minutes", "60"),
    ],
)
def test_a_closed_cohort_refuses_follow_up_changes_and_keeps_the_store(
    year: Cli, command: tuple[str, ...]
) -> None:
    year("cohort", "close", "2025", "--yes")
    before = store_snapshot()
    refused = year(*command, code=1)
    assert "Cohort 2025 is closed; it can no longer change." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert store_snapshot() == before


def test_closing_a_cohort_is_undone_under_its_own_words(year: Cli, backend: str) -> None:
    """`db undo` names each command it undoes by what it changed ("the cohort closed")."""
    if backend != "sqlite":
        pytest.skip("db undo exists on SQLite stores only")
    year("cohort", "close", "2025", "--yes")
    undone = year("db", "undo", "--yes")
    assert "  cohort close: the cohort closed\n" in undone.stderr
    assert year.json("cohort", "list")[0]["status"] == "active"
