"""Following the pairs through the year: pair meet, end, rematch, list --all, report pairs."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot

TODAY = date(2025, 6, 16)

ANNA = "anna.adept@csn.se"
BO = "bo.adept@bv.se"
CIA = "cia.adept@spv.se"
DAN = "dan.mentor@csn.se"
EVA = "eva.mentor@bv.se"
FIA = "fia.mentor@spv.se"
GUS = "gus.adept@spv.se"


def _set_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make it noon on ``day`` in Sweden for every module (they all ask chefintro.clock)."""
    from zoneinfo import ZoneInfo

    moment = datetime.combine(day, datetime.min.time()).replace(
        hour=12, tzinfo=ZoneInfo("Europe/Stockholm")
    )

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr("chefintro.clock.datetime", Frozen)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run on 16 June 2025, in the middle of cohort 2025."""
    _set_today(monkeypatch, TODAY)


def _person(cli: Cli, name: str, email: str, agency: str, field: str = "IT") -> None:
    cli("person", "add", "--name", name, "--email", email, "--agency", agency, "--field", field)


@pytest.fixture
def year(cli: Cli, backend: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Cohort 2025: three adepts and three mentors of three agencies, pairs made active on
    1 February (Anna–Eva, Bo–Fia, Cia–Dan)."""
    if cli.restore("test_followup.year"):
        return cli
    for code, name in (("CSN", "CSN"), ("BV", "Bolagsverket"), ("SPV", "Pensionsmyndigheten")):
        cli("agency", "add", code, name)
    for name, email, agency in (
        ("Anna Adept", ANNA, "CSN"),
        ("Bo Adept", BO, "BV"),
        ("Cia Adept", CIA, "SPV"),
        ("Dan Mentor", DAN, "CSN"),
        ("Eva Mentor", EVA, "BV"),
        ("Fia Mentor", FIA, "SPV"),
    ):
        _person(cli, name, email, agency)
    cli("cohort", "create", "2025", "--start", "2025-01-20", "--end", "2025-12-10")
    cli("cohort", "use", "2025")
    for email in (ANNA, BO, CIA):
        cli("participant", "add", email, "--role", "adept")
    for email in (DAN, EVA, FIA):
        cli("participant", "add", email, "--role", "mentor")
    cli("pair", "set", ANNA, EVA)
    cli("pair", "set", BO, FIA)
    cli("pair", "set", CIA, DAN)
    _set_today(monkeypatch, date(2025, 2, 1))
    cli("pair", "apply")
    _set_today(monkeypatch, TODAY)
    cli.keep("test_followup.year")
    return cli


def _pairs(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.json("pair", "list", *args)
    return {f"{r['adept']}|{r['mentor']}": r for r in rows}


def _report(cli: Cli, as_of: str | None = None) -> dict[str, dict[str, Any]]:
    args = ("report", "pairs") + (("--as-of", as_of) if as_of else ())
    rows: list[dict[str, Any]] = cli.json(*args)
    return {r["adept"]: r for r in rows}


def test_report_pairs_lists_equal_pairs_by_the_adepts_names_in_swedish_order(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs of one status and one wait are listed by the adept's name (Å after Z), not
    by address: Östen's address sorts first, his name last."""
    _person(year, "Östen Adept", "aaa.osten@spv.se", "SPV")
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV")
    year("participant", "add", "aaa.osten@spv.se", "--role", "adept")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    year("pair", "set", "aaa.osten@spv.se", "hugo.mentor@bv.se")
    _set_today(monkeypatch, date(2025, 2, 1))  # made active with the others
    year("pair", "apply")
    _set_today(monkeypatch, TODAY)
    rows: list[dict[str, Any]] = year.json("report", "pairs")
    assert len({(r["status"], r["days_waiting"]) for r in rows}) == 1
    assert [r["adept"] for r in rows] == [ANNA, BO, CIA, "aaa.osten@spv.se"]


# --- pair apply sets the start -------------------------------------------------------------


def test_apply_sets_the_day_the_pairs_start(year: Cli) -> None:
    pairs = _pairs(year)
    assert {r["since"] for r in pairs.values()} == {"2025-02-01"}
    assert {r["state"] for r in pairs.values()} == {"active"}


def test_pairs_applied_before_the_programme_start_on_its_first_day(year: Cli) -> None:
    year("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    year("--cohort", "2026", "participant", "add", ANNA, "--role", "adept")
    year("--cohort", "2026", "participant", "add", FIA, "--role", "mentor")
    year("--cohort", "2026", "pair", "suggest")
    year("--cohort", "2026", "pair", "apply")
    pairs = year.json("--cohort", "2026", "pair", "list")
    assert [(p["mentor"], p["since"]) for p in pairs] == [(FIA, "2026-01-20")]


# --- pair meet ------------------------------------------------------------------------------


def test_meet_logs_a_meeting_then_changes_only_its_length(year: Cli) -> None:
    result = year("pair", "meet", ANNA, "--date", "2025-02-10", "--minutes", "60")
    assert "Meeting logged for Anna Adept – Eva Mentor on 2025-02-10, 60 min (1 in all)" in (
        result.stderr
    )
    again = year("pair", "meet", "Anna Adept", "--date", "2025-02-10", "--minutes", "75")
    assert "minutes 60 → 75" in again.stderr
    same = year("pair", "meet", ANNA, "--date", "2025-02-10")
    assert "already logged; nothing changed" in same.stderr
    today = year("pair", "meet", ANNA)
    assert "on 2025-06-16" in today.stderr
    row = _report(year)[ANNA]
    assert (row["meetings"], row["minutes"], row["last_meeting"]) == (2, 75, "2025-06-16")
    meetings = store_snapshot()["meeting"]
    assert sorted((m[2], m[3]) for m in meetings) == [
        (date(2025, 2, 10), 75),
        (date(2025, 6, 16), None),
    ]


def test_meet_again_with_a_kind_changes_the_kind_and_keeps_the_length(year: Cli) -> None:
    year("pair", "meet", ANNA, "--date", "2025-02-10", "--minutes", "60")
    visit = year("pair", "meet", ANNA, "--date", "2025-02-10", "--kind", "studiebesök")
    assert "already logged; nothing changed" not in visit.stderr
    again = year("pair", "meet", ANNA, "--date", "2025-02-10", "--kind", "visit")
    assert "already logged; nothing changed" in again.stderr
    year("pair", "meet", ANNA, "--date", "2025-02-10", "--minutes", "45")  # no kind: kept
    meetings = store_snapshot()["meeting"]
    assert [(m[2], m[3], m[4]) for m in meetings] == [(date(2025, 2, 10), 45, "visit")]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-06-17", "in the future"),
        ("2025-01-19", "before cohort 2025 starts (2025-01-20)"),
    ],
)
def test_meet_refuses_a_day_outside_the_year_or_in_the_future(
    year: Cli, day: str, message: str
) -> None:
    before = store_snapshot()
    result = year("pair", "meet", ANNA, "--date", day, code=1)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before


def test_a_meeting_on_the_cohorts_first_day_is_taken_and_the_day_before_refused(
    year: Cli,
) -> None:
    before = store_snapshot()
    refused = year("pair", "meet", BO, "--date", "2025-01-19", code=1)
    assert "before cohort 2025 starts (2025-01-20)" in refused.stderr
    assert store_snapshot() == before
    result = year("pair", "meet", BO, "--date", "2025-01-20")
    assert "Meeting logged for Bo Adept – Fia Mentor on 2025-01-20" in result.stderr
    assert [m[2] for m in store_snapshot()["meeting"]] == [date(2025, 1, 20)]


def test_meet_refuses_a_day_after_the_cohort_ends(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_today(monkeypatch, date(2026, 1, 5))
    before = store_snapshot()
    result = year("pair", "meet", ANNA, "--date", "2025-12-11", code=1)
    assert "after cohort 2025 ends (2025-12-10)" in result.stderr
    assert store_snapshot() == before
    year("pair", "meet", ANNA, "--date", "2025-12-10")  # the last day itself is in


def test_meet_before_the_pair_started_is_taken_with_a_warning(year: Cli) -> None:
    result = year("pair", "meet", BO, "--date", "2025-01-25")
    assert "before the pair was made active (2025-02-01)" in result.stderr
    assert _report(year)[BO]["meetings"] == 1


@pytest.mark.parametrize(
    ("adept", "message"),
    [
        ("nobody@csn.se", "No person with e-mail 'nobody@csn.se'"),
        ("Nobody Atall", "No person named 'Nobody Atall'"),
        (EVA, "is a mentor in cohort 2025"),
    ],
)
def test_meet_and_end_refuse_an_unknown_adept_or_a_mentor(
    year: Cli, adept: str, message: str
) -> None:
    before = store_snapshot()
    assert message in year("pair", "meet", adept, code=1).stderr
    assert message in year("pair", "end", adept, "--reason", "x", code=1).stderr
    assert store_snapshot() == before


def test_a_name_two_people_share_is_ambiguous(year: Cli) -> None:
    _person(year, "Anna Adept", "anna.adept@spv.se", "SPV")
    year("participant", "add", "anna.adept@spv.se", "--role", "adept")
    before = store_snapshot()
    result = year("pair", "meet", "anna adept", code=1)
    assert "2 people are named 'anna adept'" in result.stderr
    assert ANNA in result.stderr and "anna.adept@spv.se" in result.stderr
    assert store_snapshot() == before


def test_meet_and_end_need_an_active_pair(year: Cli) -> None:
    _person(year, "Gus Adept", GUS, "SPV")
    year("participant", "add", GUS, "--role", "adept")
    before = store_snapshot()
    for command in (("pair", "meet", GUS), ("pair", "end", GUS, "--reason", "x")):
        assert "has no live pair in cohort 2025" in year(*command, code=1).stderr
    assert store_snapshot() == before
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    year("pair", "set", GUS, "hugo.mentor@bv.se")
    before = store_snapshot()
    assert "only a proposed pair" in year("pair", "meet", GUS, code=1).stderr
    assert "only a proposed pair" in year("pair", "end", GUS, "--reason", "x", code=1).stderr
    assert store_snapshot() == before


def test_meet_refuses_a_length_out_of_range(year: Cli) -> None:
    assert year("pair", "meet", ANNA, "--minutes", "0", code=2)
    assert year("pair", "meet", ANNA, "--minutes", "601", code=2)
    assert year("pair", "meet", ANNA, "--date", "16/6", code=2)


# --- pair end and pair list --all ------------------------------------------------------------


def test_end_keeps_the_pair_in_history_with_its_date_and_reason(year: Cli) -> None:
    year("pair", "meet", ANNA, "--date", "2025-03-01")
    result = year("pair", "end", ANNA, "--reason", "mentor changed job", "--yes")
    assert "Anna Adept – Eva Mentor: active → ended on 2025-06-16 (mentor changed job)" in (
        result.stderr
    )
    assert "Free mentor place: Eva Mentor" in result.stderr and "1 of 1 place free" in result.stderr
    assert "Left without a mentor: Anna Adept" in result.stderr
    assert f"{ANNA}|{EVA}" not in _pairs(year)
    ended = _pairs(year, "--all")[f"{ANNA}|{EVA}"]
    assert (ended["state"], ended["since"], ended["ended_on"], ended["end_reason"]) == (
        "ended",
        "2025-02-01",
        "2025-06-16",
        "mentor changed job",
    )
    table = year("pair", "list", "--all").stdout
    assert "mentor changed job" in table and "2025-06-16" in table
    # Its meetings stay with it; the report no longer shows it.
    assert len(store_snapshot()["meeting"]) == 1
    assert ANNA not in _report(year)
    assert ANNA in _report(year, "2025-06-15")
    assert "has no live pair" in year("pair", "end", ANNA, "--reason", "again", code=1).stderr
    assert store_snapshot()["exclusion"] == []


def test_end_asks_first_and_can_be_undone(year: Cli, backend: str) -> None:
    before = store_snapshot()
    result = year("pair", "end", ANNA, "--reason", "moved", code=1)
    assert "Ending a pair needs a confirmation" in result.stderr
    assert "--yes" in result.stderr
    assert store_snapshot() == before
    year("pair", "end", ANNA, "--reason", "moved", "--yes")
    assert f"{ANNA}|{EVA}" not in _pairs(year)
    if backend != "sqlite":
        return  # snapshots (and 'db undo') are SQLite's
    assert year.json("db", "snapshots")[0]["command"] == "pair end"
    year("db", "undo", "--yes")
    after = store_snapshot()
    after.pop("audit_log", None)  # 'db undo' may log itself
    before.pop("audit_log", None)
    assert after == before


def test_end_needs_a_reason(year: Cli) -> None:
    before = store_snapshot()
    assert "--reason" in year("pair", "end", ANNA, "--reason", "  ", code=2).stderr
    year("pair", "end", ANNA, code=2)
    assert store_snapshot() == before


def test_end_no_repeat_excludes_the_two(year: Cli) -> None:
    year("pair", "end", BO, "--reason", "conflict", "--no-repeat", "--yes")
    exclusions = store_snapshot()["exclusion"]
    assert [e[3] for e in exclusions] == ["pair ended: conflict"]
    result = year("pair", "set", BO, FIA, "--allow-repeat", code=1)
    assert "excluded" in result.stderr


def test_end_no_repeat_excludes_exactly_those_two_people_in_a_later_cohort_too(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanna = "hanna.mentor@bv.se"
    _person(year, "Gus Adept", GUS, "SPV")  # person 7
    _person(year, "Hanna Mentor", hanna, "BV")  # person 8
    _set_today(monkeypatch, date(2026, 3, 2))
    year("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    # 2026's participants are numbered after 2025's six: Eva is participant 7 (person 5),
    # Gus participant 8 (person 7), so a participant id names another person.
    year("--cohort", "2026", "participant", "add", EVA, "--role", "mentor")
    year("--cohort", "2026", "participant", "add", GUS, "--role", "adept")
    year("--cohort", "2026", "pair", "set", GUS, EVA)
    year("--cohort", "2026", "pair", "apply")
    year("--cohort", "2026", "pair", "end", GUS, "--reason", "conflict", "--no-repeat", "--yes")

    emails = {p[0]: str(p[2]) for p in store_snapshot()["person"]}
    excluded = [{emails[e[1]], emails[e[2]]} for e in store_snapshot()["exclusion"]]
    assert excluded == [{EVA, GUS}]

    year("cohort", "create", "2027", "--start", "2027-01-19", "--end", "2027-12-09")
    year("--cohort", "2027", "participant", "add", GUS, "--role", "adept")
    for mentor in (EVA, hanna):
        year("--cohort", "2027", "participant", "add", mentor, "--role", "mentor")
    result = year("--cohort", "2027", "pair", "set", GUS, EVA, "--allow-repeat", code=1)
    assert "excluded" in result.stderr
    proposals = year.json("--cohort", "2027", "pair", "suggest")
    assert [(p["adept"], p["mentor"]) for p in proposals] == [(GUS, hanna)]


def test_pair_end_says_whether_the_two_may_meet_again_and_undo_names_it(
    year: Cli, backend: str
) -> None:
    before = store_snapshot()
    plain = year("pair", "end", ANNA, "--reason", "flyttat", "--yes")
    assert "Anna Adept – Eva Mentor: active → ended on" in " ".join(plain.stderr.split())
    assert "will not be paired again" not in plain.stderr
    assert store_snapshot()["exclusion"] == before["exclusion"]
    if backend == "sqlite":  # undo keeps snapshots of SQLite stores only
        undone = year("db", "undo", "--yes")
        assert undone.stderr.splitlines()[1].endswith("  pair end: a pair ended")
        assert store_snapshot()["pairing"] == before["pairing"]
    never = year("pair", "end", BO, "--reason", "flyttat", "--no-repeat", "--yes")
    assert "Bo Adept and Fia Mentor will not be paired again." in never.stderr
    assert [row[3] for row in store_snapshot()["exclusion"]] == ["pair ended: flyttat"]


def test_ending_with_no_repeat_keeps_an_exclusion_already_there(year: Cli) -> None:
    """A store whose two people are excluded already (typed before the pair was made, by
    an older version) gets no second exclusion row: the first, with its reason, stays."""
    from sqlmodel import select

    from chefintro import followup
    from chefintro.models import Cohort, Exclusion, Person
    from chefintro.store import open_store, resolve_location

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            ids = sorted(
                p.id for p in db.exec(select(Person)).all() if p.email in (ANNA, EVA) and p.id
            )
            db.add(Exclusion(person_a_id=ids[0], person_b_id=ids[1], reason="jäv"))
        with store.transaction() as db:
            cohort = db.exec(select(Cohort)).one()
            ended = followup.end_pair(
                db=db, cohort=cohort, adept=ANNA, reason="flyttat", no_repeat=True
            )
            assert ended.excluded
        with store.transaction() as db:
            rows = [(e.person_a_id, e.person_b_id, e.reason) for e in db.exec(select(Exclusion))]
    finally:
        store.dispose()
    assert rows == [(ids[0], ids[1], "jäv")]


def test_a_pair_another_run_ended_first_is_refused_naming_the_adept(year: Cli) -> None:
    """`pair end` finds the pair, asks, then ends it in a transaction of its own; when
    another run ended it in between, the refusal still names the adept."""
    from sqlmodel import select

    from chefintro import followup
    from chefintro.errors import RuleError
    from chefintro.models import Cohort
    from chefintro.store import open_store, resolve_location

    year("pair", "end", ANNA, "--reason", "moved", "--yes")
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = db.exec(select(Cohort)).one()
            with pytest.raises(RuleError, match=rf"^Anna Adept \({ANNA}\) has no live pair"):
                followup.end_pair(db=db, cohort=cohort, adept=ANNA, reason="x", no_repeat=False)
    finally:
        store.dispose()


def test_a_pair_ended_on_a_day_nobody_recorded_is_left_out_of_the_report_and_not_the_rest(
    year: Cli,
) -> None:
    """A store written by an older version can hold an ended pair without its end date: it
    was active on no day the report can name, and the pairs after it are still reported."""
    from sqlalchemy import text

    from chefintro.store import open_store, resolve_location

    year("pair", "end", ANNA, "--reason", "moved", "--yes")
    store = open_store(resolve_location(None))
    try:
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE pairing SET ended_on = NULL WHERE state = 'ended'"))
    finally:
        store.dispose()
    assert sorted(_report(year)) == [BO, CIA]


def test_an_ended_pair_is_not_made_again_this_year_nor_next(year: Cli) -> None:
    year("pair", "end", ANNA, "--reason", "moved", "--yes")
    assert "paired before" in year("pair", "set", ANNA, EVA, code=1).stderr
    rematched: dict[str, Any] = year.json("pair", "rematch")
    assert [p["mentor"] for p in rematched["pairs"]] != [EVA]
    year("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    year("--cohort", "2026", "participant", "add", ANNA, "--role", "adept")
    year("--cohort", "2026", "participant", "add", EVA, "--role", "mentor")
    result = year("--cohort", "2026", "pair", "set", ANNA, EVA, code=1)
    assert "paired before" in result.stderr
    proposals = year.json("--cohort", "2026", "pair", "suggest")
    assert proposals == []


# --- pair rematch -----------------------------------------------------------------------------


def test_a_late_joiner_shows_as_unmatched_and_rematch_places_them(year: Cli) -> None:
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    _person(year, "Gus Adept", GUS, "SPV")
    year("participant", "add", GUS, "--role", "adept")
    unmatched = year.json("pair", "unmatched")
    gus = next(u for u in unmatched if u["email"] == GUS)
    assert "pair rematch" in gus["reason"]

    before = store_snapshot()
    proposal: dict[str, Any] = year.json("pair", "rematch")
    assert store_snapshot() == before  # without --apply nothing is stored
    assert proposal["applied"] is False
    assert [(p["adept"], p["mentor"], p["state"]) for p in proposal["pairs"]] == [
        (GUS, "hugo.mentor@bv.se", "proposed")
    ]
    assert proposal["unplaced"] == []
    shown = year("pair", "rematch")
    assert "Gus Adept" in shown.stdout and "Hugo Mentor" in shown.stdout
    assert "Nothing was stored" in shown.stderr

    applied = year("pair", "rematch", "--apply")
    assert "Gus Adept: no mentor → Hugo Mentor" in applied.stderr
    pairs = _pairs(year)
    assert pairs[f"{GUS}|hugo.mentor@bv.se"]["state"] == "active"
    assert pairs[f"{GUS}|hugo.mentor@bv.se"]["since"] == "2025-06-16"
    for key in (f"{ANNA}|{EVA}", f"{BO}|{FIA}", f"{CIA}|{DAN}"):
        assert pairs[key]["since"] == "2025-02-01"
    assert "Every active adept of cohort 2025 has a pair" in year("pair", "rematch").stderr


def test_rematch_uses_the_place_an_ended_pair_freed(year: Cli) -> None:
    _person(year, "Gus Adept", GUS, "SPV")
    year("participant", "add", GUS, "--role", "adept")
    nobody: dict[str, Any] = year.json("pair", "rematch")
    assert nobody["pairs"] == [] and nobody["free_places"] == 0
    assert nobody["unplaced"][0]["reason"].startswith("no mentor has a free place")
    assert "Nobody could be placed" in year("pair", "rematch").stderr

    year("pair", "end", ANNA, "--reason", "mentor left", "--yes")
    result: dict[str, Any] = year.json("pair", "rematch")
    # Eva's freed place goes to Gus; Anna may not have Eva again, nor Dan (same agency).
    assert [(p["adept"], p["mentor"]) for p in result["pairs"]] == [(GUS, EVA)]
    [anna] = result["unplaced"]
    assert (anna["email"], anna["name"], anna["agency"]) == (ANNA, "Anna Adept", "CSN")
    assert "forbidden" in anna["reason"] and "paired before" in anna["reason"]


def test_rematch_apply_gives_no_second_pair_to_an_adept_with_a_proposed_pair(year: Cli) -> None:
    _person(year, "Gus Adept", GUS, "SPV")
    year("participant", "add", GUS, "--role", "adept")
    for name, email, agency in (
        ("Hugo Mentor", "hugo.mentor@bv.se", "BV"),
        ("Ivar Mentor", "ivar.mentor@csn.se", "CSN"),
    ):
        _person(year, name, email, agency)
        year("participant", "add", email, "--role", "mentor")
    year("pair", "set", GUS, "hugo.mentor@bv.se")  # proposed, not yet applied

    result = year("pair", "rematch", "--apply")
    assert "Every active adept of cohort 2025 has a pair" in result.stderr
    gus = [(p["mentor"], p["state"]) for p in year.json("pair", "list") if p["adept"] == GUS]
    assert gus == [("hugo.mentor@bv.se", "proposed")]


def test_rematch_keeps_the_scores_and_reasons_of_suggest(year: Cli) -> None:
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV", field="HR")
    _person(year, "Ivar Mentor", "ivar.mentor@csn.se", "CSN", field="IT")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    year("participant", "add", "ivar.mentor@csn.se", "--role", "mentor")
    _person(year, "Gus Adept", GUS, "SPV", field="IT")
    year("participant", "add", GUS, "--role", "adept")
    result: dict[str, Any] = year.json("pair", "rematch")
    [pair] = result["pairs"]
    assert pair["mentor"] == "ivar.mentor@csn.se"
    assert pair["reasons"] == {"same_field": 30}
    assert pair["score"] == 30


def test_rematch_weighs_a_second_mentee_and_counts_the_places_left(year: Cli) -> None:
    """Ivar (IT, as Gus) mentors Jon and has one place left; Hugo (HR) has his one place.
    A second mentee on one mentor costs 100 here, more than the shared field's 30."""
    _person(year, "Ivar Mentor", "ivar.mentor@csn.se", "CSN", field="IT")
    year("participant", "add", "ivar.mentor@csn.se", "--role", "mentor", "--capacity", "2")
    _person(year, "Jon Adept", "jon.adept@bv.se", "BV", field="HR")
    year("participant", "add", "jon.adept@bv.se", "--role", "adept")
    year("pair", "set", "jon.adept@bv.se", "ivar.mentor@csn.se")
    year("pair", "apply")
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV", field="HR")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    _person(year, "Gus Adept", GUS, "SPV", field="IT")
    year("participant", "add", GUS, "--role", "adept")
    year("settings", "set", "weights.extra_mentee_cost", "100")
    result: dict[str, Any] = year.json("pair", "rematch")
    assert (result["cohort"], result["applied"], result["proposed"]) == ("2025", False, False)
    assert (result["free_adepts"], result["free_places"]) == (1, 2)
    assert [(p["adept"], p["mentor"]) for p in result["pairs"]] == [(GUS, "hugo.mentor@bv.se")]

    year("settings", "set", "weights.extra_mentee_cost", "0")  # no cost: the field decides
    again: dict[str, Any] = year.json("pair", "rematch")
    assert [(p["adept"], p["mentor"]) for p in again["pairs"]] == [(GUS, "ivar.mentor@csn.se")]


def test_rematch_lists_its_pairs_by_the_adepts_names_in_swedish_order(year: Cli) -> None:
    """Östen's address sorts first, his name last (Ö after Z in Swedish)."""
    for name, email, agency in (
        ("Ivar Mentor", "ivar.mentor@csn.se", "CSN"),
        ("Hugo Mentor", "hugo.mentor@bv.se", "BV"),
    ):
        _person(year, name, email, agency)
        year("participant", "add", email, "--role", "mentor")
    for name, email in (("Östen Adept", "a.osten@spv.se"), ("Bo Zeta", "z.bo@spv.se")):
        _person(year, name, email, "SPV")
        year("participant", "add", email, "--role", "adept")
    result: dict[str, Any] = year.json("pair", "rematch")
    assert [p["adept_name"] for p in result["pairs"]] == ["Bo Zeta", "Östen Adept"]


def test_rematch_names_every_adept_left_after_one_it_placed(year: Cli) -> None:
    """One place for two freed adepts: Gus (IT, as the mentor, and first in address order)
    gets it; Olle, after him, is named as left."""
    _person(year, "Ivar Mentor", "ivar.mentor@csn.se", "CSN", field="IT")
    year("participant", "add", "ivar.mentor@csn.se", "--role", "mentor")
    _person(year, "Gus Adept", "a.gus@spv.se", "SPV", field="IT")
    _person(year, "Olle Adept", "z.olle@spv.se", "SPV", field="HR")
    year("participant", "add", "a.gus@spv.se", "--role", "adept")
    year("participant", "add", "z.olle@spv.se", "--role", "adept")
    result: dict[str, Any] = year.json("pair", "rematch")
    assert [(p["adept"], p["mentor"]) for p in result["pairs"]] == [
        ("a.gus@spv.se", "ivar.mentor@csn.se")
    ]
    assert [u["email"] for u in result["unplaced"]] == ["z.olle@spv.se"]


def test_rematch_takes_apply_or_propose_not_both(year: Cli) -> None:
    before = store_snapshot()
    refused = year("pair", "rematch", "--apply", "--propose", code=2)
    assert refused.stderr == "Error: Give --apply or --propose, not both.\n"
    assert store_snapshot() == before


def test_rematch_propose_stores_a_proposal_that_has_not_started(year: Cli) -> None:
    _person(year, "Ivar Mentor", "ivar.mentor@csn.se", "CSN", field="IT")
    year("participant", "add", "ivar.mentor@csn.se", "--role", "mentor")
    _person(year, "Gus Adept", GUS, "SPV", field="IT")
    year("participant", "add", GUS, "--role", "adept")
    result: dict[str, Any] = year.json("pair", "rematch", "--propose")
    assert (result["applied"], result["proposed"]) == (False, True)
    [shown] = result["pairs"]
    assert (shown["state"], shown["since"]) == ("proposed", None)
    stored = {p["adept"]: p for p in year.json("pair", "list", "--all")}[GUS]
    assert (stored["mentor"], stored["state"], stored["since"]) == (
        "ivar.mentor@csn.se",
        "proposed",
        None,
    )


def test_rematch_apply_shows_and_stores_the_pair_as_suggest_would_and_undo_takes_it_back(
    year: Cli, backend: str
) -> None:
    _person(year, "Ivar Mentor", "ivar.mentor@csn.se", "CSN", field="IT")
    year("participant", "add", "ivar.mentor@csn.se", "--role", "mentor")
    _person(year, "Gus Adept", GUS, "SPV", field="IT")
    year("participant", "add", GUS, "--role", "adept")
    [dry] = year.json("pair", "rematch")["pairs"]
    assert (dry["state"], dry["since"]) == ("proposed", None)  # nothing starts on a look
    before = store_snapshot()
    result: dict[str, Any] = year.json("pair", "rematch", "--apply")
    [shown] = result["pairs"]
    assert {
        k: shown[k] for k in ("adept_agency", "mentor_agency", "state", "locked", "manual")
    } == {
        "adept_agency": "SPV",
        "mentor_agency": "CSN",
        "state": "active",
        "locked": False,
        "manual": False,
    }
    assert shown["since"] is not None
    assert (shown["score"], shown["reasons"]) == (30, {"same_field": 30})
    stored = {p["adept"]: p for p in year.json("pair", "list")}[GUS]
    assert (stored["state"], stored["since"], stored["score"]) == ("active", shown["since"], 30)
    assert stored["reasons"] == {"same_field": 30}
    if backend != "sqlite":
        return  # undo keeps snapshots of SQLite stores only
    undone = year("db", "undo", "--yes")
    assert undone.stderr.splitlines()[1].endswith("  pair rematch --apply: 1 adept re-paired")
    assert store_snapshot()["pairing"] == before["pairing"]


# --- report pairs -----------------------------------------------------------------------------


def test_report_pairs_counts_a_pair_from_its_first_day_and_lists_the_longest_waiting_first(
    year: Cli,
) -> None:
    # Made active 2025-02-01: on that very day the pairs are in the report (not the day before).
    assert set(_report(year, "2025-02-01")) == {ANNA, BO, CIA}
    assert _report(year, "2025-01-31") == {}
    # Cia met first, Anna later: both quiet on 2025-06-01, Cia the longer (listed first,
    # though Anna comes first by name), Bo never met (a worse status: listed before both).
    year("pair", "meet", CIA, "--date", "2025-03-10")
    year("pair", "meet", ANNA, "--date", "2025-03-20")
    rows: list[dict[str, Any]] = year.json("report", "pairs", "--as-of", "2025-06-01")
    assert [(r["adept"], r["status"]) for r in rows] == [
        (BO, "no_first_meeting"),
        (CIA, "quiet"),
        (ANNA, "quiet"),
    ]
    text = " ".join(year("report", "pairs", "--as-of", "2025-06-01").stdout.split())
    assert "Par, omgång 2025, per 2025-06-01" in text


def test_report_statuses_at_their_boundaries(year: Cli) -> None:
    # Started 2025-02-01: a first meeting is due within 6 weeks, by 2025-03-15.
    assert {r["status"] for r in _report(year, "2025-03-15").values()} == {"ok"}
    late = _report(year, "2025-03-16")
    assert {r["status"] for r in late.values()} == {"no_first_meeting"}
    year("pair", "meet", ANNA, "--date", "2025-03-10", "--minutes", "45")
    # Quiet after 8 weeks without a meeting: 2025-05-05 is the last day in time.
    assert _report(year, "2025-05-05")[ANNA]["status"] == "ok"
    row = _report(year, "2025-05-06")[ANNA]
    assert row == {
        "adept": ANNA,
        "adept_name": "Anna Adept",
        "adept_agency": "CSN",
        "mentor": EVA,
        "mentor_name": "Eva Mentor",
        "mentor_agency": "BV",
        "since": "2025-02-01",
        "meetings": 1,
        "minutes": 45,
        "last_meeting": "2025-03-10",
        "status": "quiet",
        "days_waiting": 57,
        "agreed": None,
        "agreed_on": None,
    }
    # Meetings after the day asked about do not count.
    assert _report(year, "2025-03-09")[ANNA]["meetings"] == 0
    # Before the pairs started there is nothing to report.
    assert _report(year, "2025-01-31") == {}


def test_a_pair_that_met_before_it_started_counts_quiet_from_its_start(year: Cli) -> None:
    year("pair", "meet", BO, "--date", "2025-01-25")  # a week before the pairs started
    # Quiet after 8 weeks from the start (2025-02-01), not from that meeting (2025-03-22).
    row = _report(year, "2025-03-29")[BO]
    assert (row["status"], row["last_meeting"], row["days_waiting"]) == ("ok", "2025-01-25", 56)
    row = _report(year, "2025-03-30")[BO]
    assert (row["status"], row["days_waiting"]) == ("quiet", 57)


def test_report_settings_change_the_limits(year: Cli) -> None:
    year("settings", "set", "followup.first_meeting_weeks", "2")
    assert {r["status"] for r in _report(year, "2025-02-16").values()} == {"no_first_meeting"}
    year("pair", "meet", BO, "--date", "2025-02-10")
    year("settings", "set", "followup.quiet_weeks", "1")
    assert _report(year, "2025-02-18")[BO]["status"] == "quiet"
    assert _report(year, "2025-02-17")[BO]["status"] == "ok"


def test_report_table_puts_the_pairs_needing_attention_first(year: Cli) -> None:
    year("pair", "meet", ANNA, "--date", "2025-06-01")
    year("pair", "meet", BO, "--date", "2025-03-01")
    result = year("report", "pairs")
    lines = [line for line in result.stdout.splitlines() if "Adept (" in line]
    assert [line.split("│")[1].strip() for line in lines] == [
        "Cia Adept (SPV)",
        "Bo Adept (BV)",
        "Anna Adept (CSN)",
    ]
    assert "inget första möte" in lines[0] and "tyst" in lines[1] and "i gång" in lines[2]
    assert "1 pair without a first meeting, 1 quiet" in result.stderr


# --- the Möten sheet ---------------------------------------------------------------------------


def _book_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()


def _write_meetings(path: Path, rows: list[tuple[Any, ...]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Möten"
    sheet.append(("Adept", "Mentor", "Datum", "Minuter"))
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_meetings_round_trip_through_the_roster(year: Cli, tmp_path: Path) -> None:
    year("pair", "meet", ANNA, "--date", "2025-02-10", "--minutes", "60")
    year("pair", "meet", CIA, "--date", "2025-03-05")
    year("pair", "end", ANNA, "--reason", "moved", "--yes")  # its meetings stay in the workbook
    exported = tmp_path / "roster.xlsx"
    year("roster", "export", str(exported))
    assert _book_rows(exported, "Möten") == [
        ("Adept", "Mentor", "Datum", "Minuter"),
        (ANNA, EVA, datetime(2025, 2, 10), 60),
        (CIA, DAN, datetime(2025, 3, 5), None),
    ]
    # A pair whose meetings have no length yet has met for 0 minutes, not 1 or none.
    assert (_report(year)[CIA]["meetings"], _report(year)[CIA]["minutes"]) == (1, 0)
    before = store_snapshot()
    summary: dict[str, Any] = year.json("roster", "import", str(exported))
    assert summary["sheets"]["Möten"] == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert store_snapshot() == before

    incoming = tmp_path / "moten.xlsx"
    _write_meetings(
        incoming,
        [
            (BO, None, "2025-04-01", 30),  # mentor left out: Bo's live pair
            (CIA, DAN, date(2025, 3, 5), 50),  # a length for a meeting already logged
            (BO, FIA, "2025-01-25", None),  # before the pair started: taken, warned
        ],
    )
    result = year("roster", "import", str(incoming))
    assert "1 meeting on 'Möten' is dated before its pair was made active" in result.stderr
    report = _report(year)
    assert (report[BO]["meetings"], report[BO]["minutes"]) == (2, 30)
    assert report[CIA]["minutes"] == 50


def test_bad_meeting_rows_are_all_reported_and_nothing_is_stored(year: Cli, tmp_path: Path) -> None:
    _person(year, "Gus Adept", GUS, "SPV")
    year("participant", "add", GUS, "--role", "adept")
    incoming = tmp_path / "moten.xlsx"
    _write_meetings(
        incoming,
        [
            (ANNA, None, "2025-03-01", 30),  # fine on its own
            (ANNA, FIA, "2025-03-02", None),  # not a pair
            (GUS, None, "2025-03-03", None),  # no live pair
            (BO, None, "2025-07-01", None),  # in the future
            ("nobody@csn.se", None, "2025-03-05", None),
        ],
    )
    before = store_snapshot()
    result = year("roster", "import", str(incoming), code=65)
    assert "row 3" in result.stderr and "are not a pair" in result.stderr
    assert "row 4" in result.stderr and "no live pair" in result.stderr
    assert "row 5" in result.stderr and "in the future" in result.stderr
    assert "row 6" in result.stderr and "not in cohort 2025" in result.stderr
    assert "nothing was imported" in result.stderr
    assert store_snapshot() == before
    _write_meetings(incoming, [(CIA, None, "2025-03-04", 900), (CIA, None, "2025-03-04", 5)])
    result = year("roster", "import", str(incoming), code=65)
    assert "row 2, column 'Minuter'" in result.stderr and "1 to 600" in result.stderr
    assert "rows 2 and 3 both have the meeting" in result.stderr
    assert store_snapshot() == before


def test_a_persons_export_holds_their_pairs_meetings(year: Cli) -> None:
    year("pair", "meet", ANNA, "--date", "2025-02-10", "--minutes", "60")
    year("pair", "end", ANNA, "--reason", "moved", "--yes")
    exported: dict[str, Any] = json.loads(year("person", "export", EVA).stdout)
    [pair] = exported["participations"][0]["pairings"]
    assert (pair["started_on"], pair["ended_on"], pair["end_reason"]) == (
        "2025-02-01",
        "2025-06-16",
        "moved",
    )
    assert pair["meetings"] == [{"date": "2025-02-10", "minutes": 60, "kind": None}]


def test_pair_set_replace_over_an_active_pair_ends_it_and_keeps_its_meetings(year: Cli) -> None:
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor")
    year("pair", "meet", CIA, "--date", "2025-03-01")
    # Since issue 11 an active pair is replaced only when asked to.
    assert "--replace" in year("pair", "set", CIA, "hugo.mentor@bv.se", code=1).stderr
    assert _pairs(year)[f"{CIA}|{DAN}"]["state"] == "active"
    year("pair", "set", CIA, "hugo.mentor@bv.se", "--replace")
    pairs = _pairs(year, "--all")
    old = pairs[f"{CIA}|{DAN}"]
    assert (old["state"], old["ended_on"], old["end_reason"]) == (
        "ended",
        "2025-06-16",
        "replaced with 'pair set'",
    )
    assert pairs[f"{CIA}|hugo.mentor@bv.se"]["state"] == "proposed"
    assert len(store_snapshot()["meeting"]) == 1


def test_rematch_solves_only_the_free_adepts_and_the_mentors_with_room(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chefintro.matching import solver

    shapes: list[tuple[int, int]] = []
    real = solver.solve

    def spy(scores: Any, *args: Any, **kwargs: Any) -> dict[int, int]:
        shapes.append(scores.shape)
        return real(scores, *args, **kwargs)

    monkeypatch.setattr(solver, "solve", spy)
    _person(year, "Hugo Mentor", "hugo.mentor@bv.se", "BV")
    year("participant", "add", "hugo.mentor@bv.se", "--role", "mentor", "--capacity", "2")
    year("pair", "end", CIA, "--reason", "moved", "--yes")
    year("pair", "rematch", "--apply")
    # Cia is the one free adept; Dan (freed) and Hugo have room; Eva and Fia are full.
    assert shapes == [(1, 2)]
    assert {p["adept"] for p in _pairs(year).values()} == {ANNA, BO, CIA}


# --- a meeting belongs to the pair live on its day -------------------------------------------

HEDDA = "hedda.mentor@spv.se"


def _rematched(year: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anna–Eva from 1 February, ended on 1 May; Anna–Hedda from 1 May (a rematch)."""
    _person(year, "Hedda Mentor", HEDDA, "SPV")
    year("participant", "add", HEDDA, "--role", "mentor")
    _set_today(monkeypatch, date(2025, 5, 1))
    year("pair", "end", ANNA, "--reason", "Eva byter tjänst", "--yes")
    year("pair", "rematch", "--apply")
    _set_today(monkeypatch, TODAY)
    assert {(r["mentor"], r["state"]) for r in year.json("pair", "list", "--all")
            if r["adept"] == ANNA} == {(EVA, "ended"), (HEDDA, "active")}  # fmt: skip


def test_pair_meet_logs_a_meeting_on_the_pair_live_that_day(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rematched(year, monkeypatch)
    before = year("pair", "meet", ANNA, "--date", "2025-04-10", "--minutes", "45")
    assert "Anna Adept – Eva Mentor on 2025-04-10" in before.stderr
    after = year("pair", "meet", ANNA, "--date", "2025-05-20")
    assert "Anna Adept – Hedda Mentor on 2025-05-20" in after.stderr
    assert "logged anyway" not in before.stderr + after.stderr
    # The day of the change is the new pair's first day.
    first = year("pair", "meet", ANNA, "--date", "2025-05-01")
    assert "Anna Adept – Hedda Mentor on 2025-05-01" in first.stderr
    report = _report(year)
    assert report[ANNA]["mentor"] == HEDDA and report[ANNA]["meetings"] == 2


def test_the_moten_sheet_attributes_a_meeting_to_the_pair_live_that_day(
    year: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _rematched(year, monkeypatch)
    incoming = tmp_path / "moten.xlsx"
    _write_meetings(incoming, [(ANNA, None, "2025-04-12", 60), (ANNA, None, "2025-06-02", 30)])
    year("roster", "import", str(incoming))
    exported = tmp_path / "roster.xlsx"
    year("roster", "export", str(exported))
    rows = [r for r in _book_rows(exported, "Möten") if r[0] == ANNA]
    assert rows == [(ANNA, EVA, datetime(2025, 4, 12), 60), (ANNA, HEDDA, datetime(2025, 6, 2), 30)]


def test_a_meeting_between_two_pairs_is_refused_with_their_dates(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _person(year, "Hedda Mentor", HEDDA, "SPV")
    year("participant", "add", HEDDA, "--role", "mentor")
    _set_today(monkeypatch, date(2025, 4, 1))
    year("pair", "end", ANNA, "--reason", "paus", "--yes")
    _set_today(monkeypatch, date(2025, 5, 1))
    year("pair", "rematch", "--apply")
    _set_today(monkeypatch, TODAY)
    before = store_snapshot()
    refused = year("pair", "meet", ANNA, "--date", "2025-04-15", code=1)
    assert (
        "Anna Adept (anna.adept@csn.se) had no pair on 2025-04-15 in cohort 2025: their pairs "
        "ran 2025-02-01 – 2025-04-01 (paus); 2025-05-01 – now."
    ) in " ".join(refused.stderr.split())
    assert store_snapshot() == before
