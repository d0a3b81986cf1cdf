"""The programme calendar: sessions, attendance, the attendance report and the .ics export."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from chefintro.attendance import (
    AT_RISK,
    CANNOT_COMPLETE,
    OK,
    attendance_standing,
    required_sessions,
)
from chefintro.clock import local_time, to_utc
from chefintro.clock import today as sweden_today
from chefintro.errors import UsageError
from tests.conftest import Cli, store_snapshot

ASA = "asa.oberg@csn.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
ELISE = "elise.norden@lansstyrelsen.se"
ZACH = "zacharias.ek@csn.se"


def _sessions(cli: Cli) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.json("session", "list")
    return rows


def _add(cli: Cli, title: str, start: str, end: str, *extra: str) -> dict[str, Any]:
    cli("session", "add", title, "--start", start, "--end", end, *extra)
    return next(
        s
        for s in _sessions(cli)
        if s["title"] == title and s["starts_at"] == datetime.fromisoformat(start).isoformat()
    )


# --- Stockholm wall-clock time ----------------------------------------------------------


def test_winter_and_summer_offsets() -> None:
    assert to_utc(datetime(2027, 3, 10, 9, 0)) == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    assert to_utc(datetime(2027, 6, 15, 9, 0)) == datetime(2027, 6, 15, 7, 0, tzinfo=UTC)


def test_spring_forward_gap_is_refused() -> None:
    with pytest.raises(UsageError, match="does not exist"):
        local_time(datetime(2027, 3, 28, 2, 30))
    assert local_time(datetime(2027, 3, 28, 3, 0)) == datetime(2027, 3, 28, 3, 0)


def test_ambiguous_autumn_time_is_the_first_occurrence() -> None:
    value = local_time(datetime(2027, 10, 31, 2, 30))
    assert to_utc(value) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still UTC+2


def test_aware_times_are_converted_to_stockholm() -> None:
    assert local_time(datetime(2027, 6, 15, 7, 0, tzinfo=UTC)) == datetime(2027, 6, 15, 9, 0)


# --- sessions ---------------------------------------------------------------------------


def test_session_lifecycle(network: Cli, backend: str) -> None:
    kickoff = _add(
        network,
        "Kick-off",
        "2027-01-26T09:00:00",
        "16:00",
        "--kind",
        "KICKOFF",
        "--location",
        "Bolagsverket, Sundsvall",
        "--host",
        "bv",
    )
    assert kickoff["ends_at"] == "2027-01-26T16:00:00"
    assert (kickoff["kind"], kickoff["host"], kickoff["sequence"]) == ("kickoff", "BV", 0)
    assert kickoff["uid"].endswith("@chefintro")
    _add(network, "Ledarskap i staten", "2027-03-10 09:00", "2027-03-10 15:30", "--kind", "lecture")
    assert [s["title"] for s in _sessions(network)] == ["Kick-off", "Ledarskap i staten"]

    sid = str(kickoff["id"])
    network("session", "edit", sid, "--start", "2027-01-27 10:00")
    moved = _sessions(network)[0]
    assert (moved["starts_at"], moved["ends_at"]) == ("2027-01-27T10:00:00", "2027-01-27T17:00:00")
    assert (moved["uid"], moved["sequence"]) == (kickoff["uid"], 1)
    network("session", "edit", sid, "--location", "", "--host", "")
    cleared = _sessions(network)[0]
    assert (cleared["location"], cleared["host"], cleared["sequence"]) == (None, None, 2)
    result = network("session", "edit", sid, "--kind", "kickoff")
    assert "nothing changed" in result.stderr
    assert _sessions(network)[0]["sequence"] == 2
    network("session", "edit", sid, code=2)

    network("session", "remove", sid)
    assert [s["title"] for s in _sessions(network)] == ["Ledarskap i staten"]
    network("session", "remove", sid, code=1)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--start", "2027-03-28 02:30", "--end", "16:00"], 2, "does not exist"),
        (["--start", "2027-03-10 09:00", "--end", "08:00"], 2, "must come after the start"),
        (
            ["--start", "2027-03-10 09:00", "--end", "2027-03-10T08:00"],
            2,
            "must come after the start",
        ),
        (["--start", "10 March", "--end", "16:00"], 2, "is not a time"),
        (["--start", "2027-03-10 09:00", "--end", "25:00"], 2, "not a time"),
        (["--start", "2027-03-10 09:00+01:00", "--end", "16:00"], 2, "without a time zone"),
        (["--start", "2027-03-10 09:00", "--end", "16:00", "--host", "NOPE"], 1, "No agency"),
        (["--start", "2027-03-10 09:00", "--end", "16:00", "--kind", "party"], 2, "party"),
    ],
)
def test_bad_session_input_changes_nothing(
    network: Cli, args: list[str], code: int, message: str
) -> None:
    before = store_snapshot()
    result = network("session", "add", "Dag", *args, code=code)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before


def test_duplicate_session_and_unknown_id(network: Cli) -> None:
    _add(network, "Dag 1", "2027-03-10 09:00", "16:00")
    result = network(
        "session", "add", "Dag 1", "--start", "2027-03-10 09:00", "--end", "15:00", code=1
    )
    assert "already has" in result.stderr
    assert "No session 999" in network("session", "edit", "999", "--title", "X", code=1).stderr


def test_closed_cohort_is_not_changed(network: Cli) -> None:
    network("cohort", "close", "--yes")
    result = network(
        "session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00", code=1
    )
    assert "closed" in result.stderr


# --- attendance -------------------------------------------------------------------------


def _cohort_around_today(cli: Cli) -> None:
    today = sweden_today()
    start, end = today - timedelta(days=120), today + timedelta(days=120)
    cli("cohort", "create", "Nu", "--start", start.isoformat(), "--end", end.isoformat())
    cli("cohort", "use", "Nu")


def _day(offset: int) -> str:
    return f"{sweden_today() + timedelta(days=offset)} 09:00"


def test_attendance_is_all_or_nothing(network: Cli, backend: str) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    network("participant", "add", ZACH, "--role", "adept")
    network("participant", "withdraw", "--yes", ZACH)
    sid = str(_add(network, "Dag 1", "2027-03-10T09:00:00", "16:00")["id"])
    before = store_snapshot()
    # Élise is registered but not in the cohort: nothing is written, not even for Åsa.
    result = network("session", "attend", sid, ASA, ELISE, "--status", "present", code=1)
    assert "not in cohort 2027" in result.stderr
    assert "Nothing was recorded" in result.stderr
    result = network("session", "attend", sid, ASA, "nobody@csn.se", "--status", "present", code=1)
    assert "not registered" in result.stderr
    result = network("session", "attend", sid, ASA, ZACH, "--status", "present", code=1)
    assert "withdrawn" in result.stderr
    network("session", "attend", "999", ASA, "--status", "present", code=1)
    network("session", "attend", sid, ASA, "--status", "maybe", code=2)
    assert store_snapshot() == before

    result = network("session", "attend", sid, "ASA.OBERG@csn.se", ORJAN, "--status", "excused")
    assert "2 new" in result.stderr
    result = network("session", "attend", sid, ASA, ASA, "--status", "present")
    assert "1 changed" in result.stderr
    assert "has not taken place yet" in result.stderr
    row = _sessions(network)[0]
    assert (row["present"], row["excused"], row["absent"]) == (1, 1, 0)
    assert len(store_snapshot()["attendance"]) == 2

    result = network("session", "remove", sid, code=1)
    assert "--force" in result.stderr
    network("session", "remove", sid, "--force", "--yes")
    assert store_snapshot()["attendance"] == []


def test_attendance_report(network: Cli, backend: str) -> None:
    _cohort_around_today(network)
    for email, role in ((ASA, "adept"), (ORJAN, "mentor"), (ELISE, "adept"), (ZACH, "adept")):
        network("participant", "add", email, "--role", role)
    # Five sessions: three held, two to come. 80 % of 5 means 4 are needed.
    ids = [
        str(_add(network, f"Dag {n}", _day(d), "16:00")["id"])
        for n, d in enumerate((-90, -60, -30, 30, 60), start=1)
    ]
    held = ids[:3]
    network("session", "attend", held[0], ASA, ORJAN, ELISE, ZACH, "--status", "present")
    network("session", "attend", held[1], ASA, ORJAN, ZACH, "--status", "present")
    network("session", "attend", held[1], ELISE, "--status", "absent")
    network("session", "attend", held[2], ASA, ELISE, "--status", "present")
    network("session", "attend", held[2], ORJAN, "--status", "excused")
    network("session", "attend", held[2], ZACH, "--status", "absent")

    report: Any = network.json("report", "attendance")
    assert (report["cohort"], report["sessions_total"], report["sessions_held"]) == ("Nu", 5, 3)
    assert report["required"] == 4
    by_email = {r["email"].casefold(): r for r in report["participants"]}
    assert by_email[ASA]["status"] == "ok"
    assert by_email[ASA]["rate"] == 1.0
    # Mentors are not held to the completion rule: attendance shown, no standing.
    assert (by_email[ORJAN]["attended"], by_email[ORJAN]["status"]) == (3, "not_required")
    assert (by_email[ELISE]["attended"], by_email[ELISE]["status"]) == (2, "at_risk")
    assert by_email[ZACH]["status"] == "at_risk"
    network("session", "attend", held[2], ZACH, "--status", "absent")
    network("session", "attend", held[0], ZACH, "--status", "absent")
    report = network.json("report", "attendance")
    zach = next(r for r in report["participants"] if r["email"] == ZACH)
    assert (zach["attended"], zach["status"]) == (1, "cannot_complete")
    assert {"name", "email", "agency", "role", "rate", "status"} <= set(zach)

    network("participant", "withdraw", "--yes", ZACH)
    table = network("report", "attendance")
    assert "i riskzonen" in table.stdout and "mentor (inget krav)" in table.stdout
    assert ZACH not in table.stdout
    assert "1 adept at risk" in table.stderr


def test_excused_need_not_count(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    today = sweden_today()
    cli(
        "cohort",
        "create",
        "Nu",
        "--start",
        str(today - timedelta(days=100)),
        "--end",
        str(today + timedelta(days=100)),
        "--excused-not-counted",
    )
    cli("participant", "add", ASA, "--role", "adept")
    sid = str(_add(cli, "Dag 1", _day(-10), "16:00")["id"])
    cli("session", "attend", sid, ASA, "--status", "excused")
    report: Any = cli.json("report", "attendance")
    row = report["participants"][0]
    assert (row["attended"], row["excused"], row["status"]) == (0, 1, "cannot_complete")


@pytest.mark.parametrize(
    ("attended", "held", "total", "minimum", "status"),
    [
        (0, 0, 0, 0.8, OK),
        (0, 0, 5, 0.8, OK),
        (3, 3, 5, 0.8, OK),
        (2, 3, 5, 0.8, AT_RISK),  # 67 % so far, but attending both remaining gives 4 of 5
        (1, 3, 5, 0.8, CANNOT_COMPLETE),  # at most 3 of 5
        (4, 5, 5, 0.8, OK),
        (3, 5, 5, 0.8, CANNOT_COMPLETE),
        (7, 10, 10, 0.7, OK),  # 0.7 × 10 is 7 exactly, not 7.000000000000001
        (3, 5, 10, 0.8, AT_RISK),
        (4, 5, 10, 0.8, OK),
        (0, 1, 10, 0.0, OK),
    ],
)
def test_attendance_standing(
    attended: int, held: int, total: int, minimum: float, status: str
) -> None:
    standing = attendance_standing(
        attended=attended, held=held, total=total, min_attendance=minimum
    )
    assert standing.status == status
    assert standing.rate == (attended / held if held else None)
    assert (standing.attended, standing.held, standing.total) == (attended, held, total)


def test_required_sessions_rounds_up_exact_shares() -> None:
    assert required_sessions(total=10, min_attendance=0.7) == 7
    assert required_sessions(total=5, min_attendance=0.8) == 4
    assert required_sessions(total=6, min_attendance=0.8) == 5
    assert required_sessions(total=0, min_attendance=0.8) == 0
    with pytest.raises(ValueError, match=r"need 0 <= attended <= held <= total, got 3, 2, 5"):
        attendance_standing(attended=3, held=2, total=5, min_attendance=0.8)


# --- iCalendar export -------------------------------------------------------------------


def _read_ics(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def _vtimezone_offset(calendar: Calendar, local: datetime) -> timedelta:
    """Return the UTC offset the file's own VTIMEZONE gives a local time."""
    (zone,) = calendar.timezones
    best: tuple[datetime, timedelta] | None = None
    for observance in zone.subcomponents:
        onsets = [observance.decoded("DTSTART")]
        rdates = observance.get("RDATE") or []
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets += [d.dt for d in rdate.dts]
        for onset in onsets:
            if onset <= local and (best is None or onset > best[0]):
                best = (onset, observance.decoded("TZOFFSETTO"))
    assert best is not None
    return best[1]


def test_ics_export(network: Cli, backend: str, tmp_path: Path) -> None:
    winter = _add(
        network, "Kick-off", "2027-03-10T09:00:00", "16:00", "--kind", "kickoff", "--host", "BV"
    )
    _add(network, "Nätverksdag", "2027-06-15T09:00:00", "15:00", "--location", "Härnösand, Åsa")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "program.ics"
    result = network("session", "ics", str(target))
    assert "Wrote 2 sessions" in result.stderr
    raw = target.read_bytes().decode("utf-8")
    assert raw.startswith("BEGIN:VCALENDAR\r\n")
    calendar = _read_ics(target)
    assert str(calendar["VERSION"]) == "2.0"
    assert "chefintro" in str(calendar["PRODID"])
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Stockholm"]
    events = calendar.events
    assert [str(e["SUMMARY"]) for e in events] == ["Kick-off", "Nätverksdag"]
    assert str(events[1]["LOCATION"]) == "Härnösand, Åsa"
    assert "Bolagsverket (BV)" in str(events[0]["DESCRIPTION"])
    assert "Typ: Uppstart" in str(events[0]["DESCRIPTION"])  # the workbook's word
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert len(re.findall(r"^DTSTAMP:\d{8}T\d{6}Z\r$", raw, flags=re.MULTILINE)) == 2

    march, june = (e.decoded("DTSTART") for e in events)
    assert march.utcoffset() == timedelta(hours=1)
    assert june.utcoffset() == timedelta(hours=2)
    assert march.astimezone(UTC) == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    assert june.astimezone(UTC) == datetime(2027, 6, 15, 7, 0, tzinfo=UTC)
    # The embedded VTIMEZONE agrees, for clients that use it instead of their own tz data.
    assert _vtimezone_offset(calendar, datetime(2027, 3, 10, 9, 0)) == timedelta(hours=1)
    assert _vtimezone_offset(calendar, datetime(2027, 6, 15, 9, 0)) == timedelta(hours=2)
    # RFC 5545 3.6.5: an observance starts at the local time in effect before it, so
    # summer time starts at 02:00 (as Outlook writes it) and winter time at 03:00.
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\n" in raw
    assert "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\n" in raw

    uids = [str(e["UID"]) for e in events]
    assert events[0].sequence == 0
    network("session", "edit", str(winter["id"]), "--end", "17:00", "--title", "Uppstart")
    network("session", "ics", str(target))
    again = _read_ics(target).events
    assert [str(e["UID"]) for e in again] == uids
    assert str(again[0]["SUMMARY"]) == "Uppstart"
    assert again[0].sequence == 1
    assert again[1].sequence == 0
    assert [p.name for p in out.iterdir()] == ["program.ics"]


def test_ics_of_an_empty_cohort_still_has_its_timezone(network: Cli, tmp_path: Path) -> None:
    target = tmp_path / "tom.ics"
    network("session", "ics", str(target))
    calendar = _read_ics(target)
    assert calendar.events == []
    assert len(calendar.timezones) == 1


def test_ics_export_is_stable_until_something_changes(network: Cli, tmp_path: Path) -> None:
    _add(network, "Dag 1", "2027-03-10 09:00", "16:00")
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    network("session", "ics", str(first))
    network("session", "ics", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_unwritable_ics_exits_73_and_keeps_the_old_file(
    network: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(network, "Dag 1", "2027-03-10 09:00", "16:00")
    result = network("session", "ics", str(tmp_path / "missing" / "x.ics"), code=73)
    assert "Cannot write" in result.stderr
    network("session", "ics", str(tmp_path), code=73)

    out = tmp_path / "out"
    out.mkdir()
    target = out / "program.ics"
    target.write_text("old", encoding="utf-8")

    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refuse)
        result = network("session", "ics", str(target), code=73)
    assert "Permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in out.iterdir()] == ["program.ics"]


def test_end_may_be_a_time_of_day() -> None:
    from chefintro.cli.session import _parse_end

    assert _parse_end("9:30") == time(9, 30)
    assert _parse_end("2027-03-10 16:00") == datetime(2027, 3, 10, 16, 0)
    assert _parse_end(None) is None


# --- session dates outside the cohort, and the counts of a future session -------------

OUTSIDE = "is outside cohort 2027's dates (2027-01-26 – 2027-12-09)"


def test_session_outside_the_cohort_is_accepted_with_a_warning(network: Cli) -> None:
    inside = network("session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00")
    assert "outside" not in inside.stderr
    late = network("session", "add", "Sen", "--start", "2028-03-10 09:00", "--end", "16:00")
    assert OUTSIDE in late.stderr
    early = network("session", "add", "Tidig", "--start", "2027-01-25 09:00", "--end", "16:00")
    assert OUTSIDE in early.stderr
    titles = [s["title"] for s in network.json("session", "list")]
    assert titles == ["Tidig", "Dag", "Sen"]


def test_session_edit_outside_the_cohort_warns(network: Cli) -> None:
    network("session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00")
    sid = str(network.json("session", "list")[0]["id"])
    moved = network("session", "edit", sid, "--start", "2026-12-01 09:00")
    assert OUTSIDE in moved.stderr
    assert network.json("session", "list")[0]["starts_at"] == "2026-12-01T09:00:00"
    back = network("session", "edit", sid, "--start", "2027-03-10 09:00")
    assert "outside" not in back.stderr


def test_session_edit_refuses_an_end_before_the_start_naming_the_day(network: Cli) -> None:
    network("session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00")
    sid = str(network.json("session", "list")[0]["id"])
    refused = network("session", "edit", sid, "--end", "08:00", code=2)
    assert " ".join(refused.stderr.split()) == (
        "Error: The day 'Dag' ends (2027-03-10 08:00) before it starts (2027-03-10 09:00); "
        "the end must come after the start."
    )
    renamed = network(
        "session", "edit", sid, "--title", "Kväll", "--start", "2029-03-10 09:00", code=2
    )
    assert "The day 'Kväll' (2029-03-10) is more than a year outside" in renamed.stderr
    assert network.json("session", "list")[0]["title"] == "Dag"


def test_session_list_table_matches_json_for_a_future_session(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    start = sweden_today() + timedelta(days=30)
    network("session", "add", "Framtid", "--start", f"{start} 09:00", "--end", "16:00")
    sid = str(network.json("session", "list")[0]["id"])
    network("session", "attend", sid, ASA, ORJAN, "--status", "present")
    row = network.json("session", "list")[0]
    assert (row["held"], row["present"], row["excused"], row["absent"]) == (False, 2, 0, 0)
    table = network("session", "list").stdout
    line = next(line for line in table.splitlines() if "Framtid" in line)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[-3:] == ["2", "0", "0"]
