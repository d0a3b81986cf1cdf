"""A removed programme day is kept as cancelled, so calendars are told to remove it; the
calendar's time zone holds for every year it spans; exports are in the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.conftest import Cli

ASA = "asa.oberg@csn.se"


@pytest.fixture
def year(cli: Cli) -> Cli:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    cli("participant", "add", ASA, "--role", "adept")
    cli("session", "add", "Uppstart", "--start", "2020-02-01 09:00", "--end", "16:00")
    cli("session", "add", "Nätverk", "--start", "2020-03-01 09:00", "--end", "16:00")
    cli("session", "attend", "1", ASA, "--status", "present")
    cli("session", "attend", "2", ASA, "--status", "present")
    return cli


def _events(path: Path) -> dict[str, tuple[str, int]]:
    calendar: Any = Calendar.from_ical(path.read_bytes())
    return {
        str(e["summary"]): (str(e.get("status")), int(e["sequence"]))
        for e in calendar.walk("VEVENT")
    }


def test_a_removed_day_is_published_as_cancelled(year: Cli, tmp_path: Path) -> None:
    before = tmp_path / "before.ics"
    year("session", "ics", str(before))
    assert _events(before)["Nätverk"] == ("CONFIRMED", 0)

    year("session", "remove", "2", "--force", "--yes")
    assert [s["title"] for s in year.json("session", "list")] == ["Uppstart"]
    after = tmp_path / "after.ics"
    result = year("session", "ics", str(after))
    assert "1 session" in result.stderr
    status, sequence = _events(after)["Nätverk"]
    assert status == "CANCELLED" and sequence > 0
    # Hidden from attendance and completion: one day held, attended.
    report = year.json("report", "attendance")
    assert (report["sessions_total"], report["participants"][0]["attended"]) == (1, 1)
    assert "cancelled" in year("session", "attend", "2", ASA, "--status", "present", code=1).stderr


def test_adding_a_cancelled_day_again_brings_it_back(year: Cli, tmp_path: Path) -> None:
    year("session", "remove", "2", "--force", "--yes")
    year("session", "add", "Nätverk", "--start", "2020-03-01 09:00", "--end", "15:00")
    rows = year.json("session", "list")
    assert [(r["id"], r["title"]) for r in rows] == [(1, "Uppstart"), (2, "Nätverk")]
    path = tmp_path / "back.ics"
    year("session", "ics", str(path))
    status, sequence = _events(path)["Nätverk"]
    assert status == "CONFIRMED" and sequence >= 2


def test_the_time_zone_holds_for_every_year_the_calendar_spans(cli: Cli, tmp_path: Path) -> None:
    cli("cohort", "create", "2027", "--start", "2027-09-01", "--end", "2028-06-30")
    cli("session", "add", "Höst", "--start", "2027-09-10 09:00", "--end", "16:00")
    cli("session", "add", "Vår", "--start", "2028-05-10 09:00", "--end", "16:00")
    path = tmp_path / "two-years.ics"
    cli("session", "ics", str(path))
    calendar: Any = Calendar.from_ical(path.read_bytes())
    onsets: list[tuple[str, int]] = []
    observance: Any
    for observance in calendar.walk("DAYLIGHT"):
        start: Any = observance["DTSTART"].dt
        onsets.append((start.isoformat(), start.hour))
        rdates = observance.get("RDATE")
        for rdate in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            for value in rdate.dts:
                when: Any = value.dt
                onsets.append((when.isoformat(), when.hour))
    years = {when[:4] for when, _ in onsets}
    assert {"2027", "2028"} <= years
    # Spring forward happens at 02:00 local time before the change, in every year.
    assert {hour for _, hour in onsets} == {2}


def test_every_export_of_personal_data_is_in_the_log_without_names(
    year: Cli, tmp_path: Path
) -> None:
    year("roster", "export", str(tmp_path / "all.xlsx"))
    year("roster", "export", str(tmp_path / "csn.xlsx"), "--agency", "CSN")
    year("roster", "export-agencies", str(tmp_path / "agencies"))
    year("person", "export", ASA, "--output", str(tmp_path / "asa.json"))
    entries = [e for e in year.json("db", "log") if e["action"] == "export"]
    assert len(entries) == 4
    for entry in entries:
        for needle in ("Åsa", "Öberg", "asa.oberg"):
            assert needle not in entry["detail"]
