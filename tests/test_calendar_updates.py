"""A moved programme day stays the same calendar event: its .ics UID never changes.

Calendar clients match events by UID; a new UID for a moved day shows the old and the
new day side by side. SEQUENCE grows with each change so that the client takes the update.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.conftest import Cli


def _events(cli: Cli, path: Path) -> dict[str, Any]:
    cli("session", "ics", str(path))
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def _start(event: Any) -> datetime:
    value: datetime = event.decoded("DTSTART")
    return value.replace(tzinfo=None)


@pytest.fixture
def two_days(network: Cli) -> Cli:
    network("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "16:00")
    network("session", "add", "Nätverksdag", "--start", "2027-03-10 09:00", "--end", "15:00")
    return network


@pytest.mark.parametrize(
    "change",
    [
        ["--start", "2027-01-27 10:00"],  # another day, same length
        ["--start", "2027-04-06 09:00"],  # across the switch to summer time
        ["--start", "2027-01-26 08:30", "--end", "2027-01-26 15:00"],  # same day, both ends
    ],
)
def test_moving_the_start_keeps_the_uid_and_raises_the_sequence(
    two_days: Cli, tmp_path: Path, change: list[str]
) -> None:
    before = _events(two_days, tmp_path / "before.ics")
    (kickoff,) = [s for s in two_days.json("session", "list") if s["title"] == "Uppstart"]

    two_days("session", "edit", str(kickoff["id"]), *change)
    after = _events(two_days, tmp_path / "after.ics")

    assert set(after) == {"Uppstart", "Nätverksdag"}  # one event each, nothing doubled
    moved, other = after["Uppstart"], after["Nätverksdag"]
    assert _start(moved) == datetime.fromisoformat(change[1])
    assert _start(moved) != _start(before["Uppstart"])
    assert str(moved["UID"]) == str(before["Uppstart"]["UID"])
    assert moved.get("SEQUENCE") == before["Uppstart"].get("SEQUENCE", 0) + 1
    # The other day is untouched, UID and SEQUENCE alike.
    assert str(other["UID"]) == str(before["Nätverksdag"]["UID"])
    assert other.get("SEQUENCE", 0) == before["Nätverksdag"].get("SEQUENCE", 0)
    assert str(moved["UID"]) != str(other["UID"])


def test_moving_twice_keeps_the_uid_and_counts_both_changes(two_days: Cli, tmp_path: Path) -> None:
    before = _events(two_days, tmp_path / "before.ics")["Uppstart"]
    (kickoff,) = [s for s in two_days.json("session", "list") if s["title"] == "Uppstart"]
    two_days("session", "edit", str(kickoff["id"]), "--start", "2027-01-27 09:00")
    two_days("session", "edit", str(kickoff["id"]), "--start", "2027-01-26 09:00")  # and back
    after = _events(two_days, tmp_path / "after.ics")["Uppstart"]
    assert _start(after) == _start(before)
    assert str(after["UID"]) == str(before["UID"])
    assert after.get("SEQUENCE") == before.get("SEQUENCE", 0) + 2


def _session(cli: Cli, title: str) -> dict[str, Any]:
    sessions: list[dict[str, Any]] = cli.json("session", "list")
    (found,) = [s for s in sessions if s["title"] == title]
    return found


def test_an_edit_changes_only_what_it_names(network: Cli) -> None:
    network(
        "session",
        "add",
        "Uppstart",
        "--start",
        "2027-01-26 09:00",
        "--end",
        "16:00",
        "--kind",
        "kickoff",
        "--location",
        "Sundsvall",
        "--host",
        "BV",
    )
    before = _session(network, "Uppstart")
    sid = str(before["id"])
    network("session", "edit", sid, "--start", "2027-01-27 09:00")
    moved = _session(network, "Uppstart")
    kept = ("kind", "location", "host", "uid")
    assert {k: moved[k] for k in kept} == {k: before[k] for k in kept}
    network("session", "edit", sid, "--kind", "lecture")
    assert _session(network, "Uppstart")["kind"] == "lecture"
    network("session", "edit", sid, "--location", "Härnösand", "--host", "CSN")
    changed = _session(network, "Uppstart")
    assert (changed["location"], changed["host"], changed["kind"]) == (
        "Härnösand",
        "CSN",
        "lecture",
    )
    assert changed["sequence"] == 3


def test_an_edit_may_not_make_two_sessions_alike(network: Cli) -> None:
    network("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "16:00")
    network("session", "add", "Nätverk", "--start", "2027-03-10 09:00", "--end", "15:00")
    other = str(_session(network, "Nätverk")["id"])
    before = network.json("session", "list")
    result = network(
        "session", "edit", other, "--title", "Uppstart", "--start", "2027-01-26 09:00", code=1
    )
    assert "already has 'Uppstart' at 2027-01-26 09:00" in result.stderr
    assert network.json("session", "list") == before
    # The same title on another day, or another title at the same time, is fine.
    network("session", "edit", other, "--title", "Uppstart")
    network("session", "edit", other, "--title", "Nätverk", "--start", "2027-01-26 09:00")


def test_an_edit_may_not_move_a_day_more_than_a_year_outside_the_cohort(network: Cli) -> None:
    network("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "16:00")
    sid = str(_session(network, "Uppstart")["id"])
    before = network.json("session", "list")
    for start in ("2029-03-10 09:00", "2025-12-01 09:00"):
        refused = network("session", "edit", sid, "--start", start, code=2)
        assert "more than a year outside the cohort's dates" in refused.stderr
    assert network.json("session", "list") == before


@pytest.mark.parametrize("location", ["Sundsvall\x1b[2J", "Sundsvall \u202eлавсдн"])
def test_an_edit_refuses_a_location_with_control_characters(network: Cli, location: str) -> None:
    network("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "16:00")
    sid = str(_session(network, "Uppstart")["id"])
    before = network.json("session", "list")
    refused = network("session", "edit", sid, "--location", location, code=2)
    assert "The location " in refused.stderr and "is refused" in refused.stderr
    assert network.json("session", "list") == before
