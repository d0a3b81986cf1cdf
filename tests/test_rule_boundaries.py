"""The boundaries of the year's second-half rules, asked of each rule directly.

The CLI tests (test_followup, test_surveys, test_undo, test_confirmations) show these
rules at work; here each boundary day, length and count is asked on both sides. They are
fast, so a mutation run (docs/mutation-testing.md) tries them first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import astuple
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chefintro.clock import now_local
from chefintro.clock import today as sweden_today
from chefintro.enums import Role
from chefintro.errors import RuleError, UsageError
from chefintro.followup import check_meeting_day, end_reason, status_of
from chefintro.followup.meetings import check_minutes
from chefintro.messages.content import ROLES_SV
from chefintro.models import Cohort, Pairing
from chefintro.store.backup import undo
from chefintro.store.snapshots import (
    KEEP,
    Snapshot,
    list_snapshots,
    snapshot_folder,
    take_snapshot,
)
from chefintro.surveys import visible_groups
from chefintro.text import swedish_key
from tests.conftest import Cli

START, END = date(2025, 1, 20), date(2025, 12, 10)
DAY = timedelta(days=1)


# --- report pairs: when a pair counts as waiting for its first meeting, or quiet ----------


def _status(since: date, last: date | None, as_of: date) -> str:
    return status_of(
        since=since, last_meeting=last, as_of=as_of, first_meeting_weeks=6, quiet_weeks=8
    )


def test_no_first_meeting_only_after_the_weeks_allowed() -> None:
    since = date(2025, 2, 1)
    assert _status(since, None, since + timedelta(weeks=6)) == "ok"
    assert _status(since, None, since + timedelta(weeks=6) + DAY) == "no_first_meeting"


def test_quiet_only_after_the_weeks_allowed_since_the_last_meeting() -> None:
    since, met = date(2025, 2, 1), date(2025, 3, 3)
    assert _status(since, met, met + timedelta(weeks=8)) == "ok"
    assert _status(since, met, met + timedelta(weeks=8) + DAY) == "quiet"


def test_a_meeting_before_the_start_is_measured_from_the_start() -> None:
    since, met = date(2025, 2, 1), date(2025, 1, 25)
    assert _status(since, met, since + timedelta(weeks=8)) == "ok"
    assert _status(since, met, since + timedelta(weeks=8) + DAY) == "quiet"


# --- pair meet: the days and lengths a meeting may have -------------------------------------


def _cohort() -> Cohort:
    return Cohort(name="2025", starts_on=START, ends_on=END)


@pytest.mark.parametrize(
    ("day", "today", "started", "ended"),
    [
        (START, END, None, None),  # the cohort's first day
        (END, END, None, None),  # its last day
        (date(2025, 6, 16), date(2025, 6, 16), None, None),  # today
        (date(2025, 6, 1), END, None, date(2025, 6, 1)),  # the day the pair ended
        (date(2025, 2, 1), END, date(2025, 2, 1), None),  # the day it was made active
    ],
)
def test_a_meeting_day_inside_every_limit_is_taken_without_a_warning(
    day: date, today: date, started: date | None, ended: date | None
) -> None:
    pairing = Pairing(cohort_id=1, adept_id=1, mentor_id=2, started_on=started, ended_on=ended)
    assert check_meeting_day(cohort=_cohort(), pairing=pairing, day=day, today=today) is None


@pytest.mark.parametrize(
    ("day", "today", "ended", "why"),
    [
        (START - DAY, END, None, "2025-01-19 is before cohort 2025 starts (2025-01-20)."),
        (END + DAY, END + DAY, None, "2025-12-11 is after cohort 2025 ends (2025-12-10)."),
        (
            date(2025, 6, 17),
            date(2025, 6, 16),
            None,
            "2025-06-17 is in the future; log a meeting once it has taken place.",
        ),
        (
            date(2025, 6, 2),
            END,
            date(2025, 6, 1),
            "2025-06-02 is after the pair ended (2025-06-01).",
        ),
    ],
)
def test_a_meeting_day_past_a_limit_is_refused_and_says_which(
    day: date, today: date, ended: date | None, why: str
) -> None:
    pairing = Pairing(cohort_id=1, adept_id=1, mentor_id=2, ended_on=ended)
    with pytest.raises(RuleError) as refused:
        check_meeting_day(cohort=_cohort(), pairing=pairing, day=day, today=today)
    assert str(refused.value) == why


def test_a_meeting_the_day_before_the_pair_started_is_taken_with_a_warning() -> None:
    pairing = Pairing(cohort_id=1, adept_id=1, mentor_id=2, started_on=date(2025, 2, 1))
    warning = check_meeting_day(cohort=_cohort(), pairing=pairing, day=date(2025, 1, 31), today=END)
    assert warning == (
        "2025-01-31 is before the pair was made active (2025-02-01); the meeting was logged anyway."
    )


def test_a_meeting_lasts_one_to_six_hundred_minutes() -> None:
    for minutes in (None, 1, 600):
        check_minutes(minutes)
    for minutes in (0, 601, -5):
        with pytest.raises(UsageError) as refused:
            check_minutes(minutes)
        assert str(refused.value) == f"A meeting lasts 1 to 600 minutes, not {minutes}."


# --- pair end: the reason kept with an ended pair ----------------------------------------


def test_an_end_reason_is_cleaned_and_up_to_500_characters() -> None:
    assert end_reason("  mentor  changed job ") == "mentor changed job"
    assert end_reason("x" * 500) == "x" * 500
    for blank in ("", "   "):
        with pytest.raises(UsageError) as empty:
            end_reason(blank)
        assert str(empty.value) == (
            "Give a --reason (kept with the ended pair, e.g. 'mentor changed job')."
        )
    with pytest.raises(UsageError) as long:
        end_reason("x" * 501)
    assert str(long.value) == "Keep the --reason under 500 characters."


# --- report survey: which groups may be shown -------------------------------------------


def test_of_two_equal_groups_the_first_by_name_is_hidden_to_protect_a_small_one() -> None:
    # D (2) alone could be worked out from the total, so one more group goes: of B and C,
    # both 6, the first in Swedish order.
    assert visible_groups({"A": 9, "C": 6, "B": 6, "D": 2}, 5) == {"A", "C"}
    assert visible_groups({"F": 6, "É": 6, "A": 9, "D": 2}, 5) == {"A", "F"}  # É as E
    # The whole cohort (no groups) is shown from the minimum on.
    assert visible_groups({None: 4}, 5) == set()
    assert visible_groups({None: 5}, 5) == {None}


def test_among_many_equal_groups_the_one_hidden_never_depends_on_the_set_order() -> None:
    """Two tied groups leave a rule that picks by set order a fair chance to be right (a
    string's hash, so a set's order, changes from run to run); ten ties, eight times over,
    leave it none worth counting."""
    for round_ in range(8):
        names = [f"{letter}-gruppen {round_}" for letter in "ÄLKJHGFDCB"]
        counts: dict[str | None, int] = {"Åland": 2, **dict.fromkeys(names, 6)}
        # Of the ten, B's is the first in Swedish order (Ä comes after Z), so it is hidden.
        assert visible_groups(counts, 5) == set(names) - {f"B-gruppen {round_}"}


# --- db undo: the snapshots kept, newest first -------------------------------------------


def test_the_newest_snapshots_are_kept_and_undo_takes_the_newest(cli: Cli, db_path: Path) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    location = str(db_path)
    for n in range(KEEP + 2):
        take_snapshot(location, f"command {n}")
    kept = list_snapshots(location)
    assert [s.command for s in kept] == [f"command {n}" for n in range(KEEP + 1, 1, -1)]
    assert _newest(location).command == f"command {KEEP + 1}"
    assert len(list(kept[0].path.parent.glob("snapshot-*.db"))) == KEEP


def _newest(location: str) -> Snapshot:
    """The snapshot the next undo takes: the newest kept."""
    return list_snapshots(location)[0]


def _agencies(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM agency ORDER BY code")]


def test_each_undo_keeps_the_store_it_replaced_and_the_newest_ten_of_those(
    cli: Cli, db_path: Path
) -> None:
    location = str(db_path)
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    kept = []
    for n in range(KEEP + 2):
        take_snapshot(location, "agency add")
        cli("agency", "add", f"A{n:02d}", f"Myndighet {n}")
        result = undo(location, _newest(location).path)
        assert result.kept is not None
        kept.append(result.kept)
        assert _agencies(db_path) == ["CSN"]  # the snapshot is back in place
        assert list_snapshots(location) == []  # and used up
    # Each undo kept the store it replaced, with that round's agency; the newest ten stay.
    folder = snapshot_folder(db_path)
    assert sorted(folder.glob("before-undo-*.db")) == kept[-KEEP:]
    assert [_agencies(p) for p in kept[-KEEP:]] == [
        ["A" + f"{n:02d}", "CSN"] for n in range(2, KEEP + 2)
    ]


def test_undo_hands_back_the_audit_entries_made_after_the_snapshot(cli: Cli, db_path: Path) -> None:
    from chefintro import audit
    from chefintro.store import open_store

    location = str(db_path)
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    assert list_snapshots(location) == []
    take_snapshot(location, "agency remove")
    store = open_store(location)
    try:
        with store.transaction() as db:
            audit.log(db=db, action="certificates", detail="cohort 2027: 1 certificate(s) written")
    finally:
        store.dispose()
    result = undo(location, _newest(location).path)
    assert [entry[1:] for entry in result.later_entries] == [
        ("certificates", "cohort 2027: 1 certificate(s) written")
    ]


def test_undo_puts_a_snapshot_back_where_the_store_was_removed(cli: Cli, db_path: Path) -> None:
    location = str(db_path)
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    take_snapshot(location, "agency remove")
    db_path.unlink()
    result = undo(location, _newest(location).path)
    assert result.kept is None  # there was no store to keep
    assert _agencies(db_path) == ["CSN"]


# --- cohort reopen: back to planned or active by its first day --------------------------


def test_a_reopened_cohort_is_planned_before_its_first_day_and_active_from_it(cli: Cli) -> None:
    today = sweden_today()
    cli("cohort", "create", "later", "--start", str(today + DAY), "--end", str(today + 300 * DAY))
    cli("cohort", "create", "now", "--start", str(today), "--end", str(today + 300 * DAY))
    for name, status in (("later", "planned"), ("now", "active")):
        cli("--cohort", name, "cohort", "close", "--yes")
        cli("cohort", "reopen", name)
        assert cli.json("--cohort", name, "cohort", "show")["status"] == status


def test_an_anonymised_cohort_cannot_be_reopened_and_says_why() -> None:
    from typing import cast

    from sqlmodel import Session

    from chefintro.cohorts import reopen_cohort
    from chefintro.enums import CohortStatus

    gone = Cohort(name="2020", starts_on=START, ends_on=END, status=CohortStatus.ANONYMISED)
    with pytest.raises(RuleError) as refused:
        reopen_cohort(db=cast(Session, None), cohort=gone)  # refused before the store is asked
    assert str(refused.value) == (
        "Cohort 2020 is anonymised; its personal data is gone, so it cannot be reopened."
    )


# --- cohort close: the days ahead that keep a cohort open -------------------------------


def test_close_names_the_first_five_days_ahead_in_date_order_and_counts_the_rest(
    cli: Cli,
) -> None:
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    for month in (7, 3, 1, 5, 2, 6, 4):  # added out of order
        cli(
            "session",
            "add",
            f"Dag {month}",
            "--start",
            f"2099-{month:02d}-01 09:00",
            "--end",
            "16:00",
        )
    cli("session", "add", "Förr", "--start", "2020-02-01 09:00", "--end", "16:00")
    refused = cli("cohort", "close", "--yes", code=1)
    days = "; ".join(
        f"Dag {m} (2099-{m:02d}-01 09:00, session {sid})"
        for m, sid in ((1, 3), (2, 5), (3, 2), (4, 7), (5, 4))
    )
    expected = (
        f"Cohort 2027 still has 7 programme days ahead: {days}; and 2 more. Close it after "
        "the last day, or use --force to close it now."
    )
    assert expected in " ".join(refused.stderr.split())
    cli("session", "remove", "1")  # Dag 7: six days ahead, the sixth counted
    six = " ".join(cli("cohort", "close", "--yes", code=1).stderr.split())
    assert f"still has 6 programme days ahead: {days}; and 1 more. Close it" in six
    cli("session", "remove", "6")  # Dag 6: five days ahead are named, and no "more"
    five = " ".join(cli("cohort", "close", "--yes", code=1).stderr.split())
    assert f"still has 5 programme days ahead: {days}. Close it" in five
    cli("cohort", "close", "--yes", "--force")
    again = cli("cohort", "close", "--yes", "--force", code=1)
    assert "Cohort 2027 is already closed." in again.stderr


# --- report completion: every row, in the order the coordinator reads them -------------

_PEOPLE = [  # name, e-mail, agency, role, attendance at the five days ("" for none)
    ("Élise Nordén", "elise.norden@csn.se", "CSN", "adept", "pppap"),
    ("Fia Berg", "fia.berg@bolagsverket.se", "BV", "adept", "ppppp"),
    ("Örjan Sjöström", "orjan.sjostrom@bolagsverket.se", "BV", "adept", "ppapa"),
    ("Cia Östlund", "ostlund.cia@csn.se", "CSN", "adept", "aaaaa"),  # her e-mail after his
    ("Zacharias Ek", "zacharias.ek@csn.se", "CSN", "adept", ""),
    ("Dan Mentor", "dan.mentor@bolagsverket.se", "BV", "mentor", "paaaa"),
    ("Märta Lind", "marta.lind@bolagsverket.se", "BV", "mentor", ""),
]


def _completion(cli: Cli, name: str, now: datetime) -> list[tuple[object, ...]]:
    from chefintro.cohorts import get_cohort
    from chefintro.store import open_store, resolve_location
    from chefintro.yearend import completion_report

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            report = completion_report(db=db, cohort=get_cohort(db=db, name=name), now=now)
    finally:
        store.dispose()
    assert (report.cohort, report.excused_counts) == (name, True)
    return [astuple(row) for row in (*report.adepts, *report.mentors)]


def test_completion_lists_every_adept_and_mentor_by_status_then_name(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    for name, email, agency, _, _ in _PEOPLE:
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("cohort", "create", "2026", "--start", "2026-02-10", "--end", "2026-06-30")
    cli("cohort", "use", "2026")
    for day in ("2026-02-10", "2026-03-17", "2026-04-21", "2026-05-19", "2026-06-09"):
        cli("session", "add", "Dag", "--start", f"{day} 09:00", "--end", "16:00")
    mark = {"p": "present", "a": "absent"}
    for _, email, _, role, days in _PEOPLE:
        cli("participant", "add", email, "--role", role)
        for sid, status in enumerate(days, start=1):
            cli("session", "attend", str(sid), email, "--status", mark[status])
    for email in ("zacharias.ek@csn.se", "marta.lind@bolagsverket.se"):
        cli("participant", "withdraw", email, "--yes")
    # Cohort 2027 has no programme days yet: nobody is judged complete on nothing.
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("--cohort", "2027", "participant", "add", "fia.berg@bolagsverket.se", "--role", "adept")

    def row(who: int, status: str, attended: int | None, held: int | None) -> tuple[object, ...]:
        name, email, agency, role, _ = _PEOPLE[who]
        return (name, email, agency, role, status, attended, held)

    assert _completion(cli, "2026", datetime(2026, 7, 1)) == [
        row(0, "completed", 4, 5),  # Élise before Fia: É is an E
        row(1, "completed", 5, 5),
        row(3, "not_completed", 0, 5),
        row(2, "not_completed", 3, 5),
        row(4, "withdrawn", None, None),
        row(5, "mentor", 1, 5),
        row(6, "withdrawn", None, None),
    ]
    # After three days: Cia can no longer make four of five; the others still can.
    assert _completion(cli, "2026", datetime(2026, 4, 30, 12)) == [
        row(0, "in_progress", 3, 3),
        row(1, "in_progress", 3, 3),
        row(2, "in_progress", 2, 3),
        row(3, "not_completed", 0, 3),
        row(4, "withdrawn", None, None),
        row(5, "mentor", 1, 3),
        row(6, "withdrawn", None, None),
    ]
    # After four days Fia has completed; those who still can are in progress, after her.
    assert _completion(cli, "2026", datetime(2026, 5, 20, 12)) == [
        row(1, "completed", 4, 4),
        row(0, "in_progress", 3, 4),
        row(2, "in_progress", 3, 4),
        row(3, "not_completed", 0, 4),
        row(4, "withdrawn", None, None),
        row(5, "mentor", 1, 4),
        row(6, "withdrawn", None, None),
    ]
    assert _completion(cli, "2027", datetime(2027, 7, 1)) == [
        ("Fia Berg", "fia.berg@bolagsverket.se", "BV", "adept", "in_progress", 0, 0)
    ]


# --- messages: who each letter goes to, copied to whom, in which order ------------------


def _outgoing(kind: str, cohort_name: str | None = None, **options: Any) -> list[Any]:
    from chefintro.cohorts import current_cohort
    from chefintro.messages import content
    from chefintro.store import open_store, resolve_location

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = current_cohort(db=db, name=cohort_name)
            if kind == "intro":
                return content.intro_messages(db=db, cohort=cohort, **options)
            if kind == "groups":
                return content.group_messages(db=db, cohort=cohort)
            return content.reminder_messages(db=db, cohort=cohort, **options)
    finally:
        store.dispose()


def _to(item: Any) -> list[str]:
    return [r.email for r in item.to]


_STAFF = [  # name, e-mail, agency, role
    ("Örjan Sjöström", "orjan@bv.se", "BV", "mentor"),
    ("Åsa Öberg", "asa@csn.se", "CSN", "adept"),
    ("Élise Nordén", "elise@lst.se", "LST", "mentor"),
    ("Ärla Ek", "arla@csn.se", "CSN", "adept"),
    ("Cia Berg", "cia@bv.se", "BV", "adept"),
    ("Dan Wik", "dan@lst.se", "LST", "adept"),
]


def test_letters_go_to_the_active_in_name_order_and_copy_each_hr_contact_once(
    cli: Cli,
) -> None:
    # The agencies' names sort the other way from their people's names.
    for code, name, contact in (
        ("CSN", "Arbetsgivarverket", "hr@csn.se"),
        ("BV", "Örnsköldsviks kommun", "hr@csn.se"),
        ("LST", "Länsstyrelsen", ""),
    ):
        cli("agency", "add", code, name)
        if contact:
            cli("agency", "edit", code, "--contact", contact)
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    for name, email, agency, role in _STAFF:
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
        cli("participant", "add", email, "--role", role)
    cli("pair", "set", "asa@csn.se", "orjan@bv.se")
    cli("pair", "set", "arla@csn.se", "elise@lst.se")
    cli("pair", "apply")
    cli("session", "add", "Förr", "--start", "2020-02-01 09:00", "--end", "16:00")
    cli("session", "add", "Sedan", "--start", "2099-03-01 09:00", "--end", "16:00")
    cli("session", "add", "Sist", "--start", "2099-11-01 09:00", "--end", "16:00")
    cli("session", "attend", "2", "cia@bv.se", "--status", "excused")
    today = now_local().date()  # a day today is still the next one, whatever its hour
    cli("session", "add", "I dag", "--start", f"{today} 00:00", "--end", "00:30")
    with pytest.raises(RuleError) as no_groups:
        _outgoing("groups")
    assert str(no_groups.value) == (
        "Cohort 2027 has no peer groups; form them with 'chefintro group form'."
    )
    cli("group", "form", "--size", "2")  # the adepts only, Dan among them
    cli("participant", "withdraw", "dan@lst.se", "--yes")

    intro = _outgoing("intro", cc_agency=True)
    assert [(i.label, _to(i), i.cc) for i in intro] == [
        ("Åsa Öberg & Örjan Sjöström", ["asa@csn.se", "orjan@bv.se"], ["hr@csn.se"]),
        ("Ärla Ek & Élise Nordén", ["arla@csn.se", "elise@lst.se"], ["hr@csn.se"]),
    ]  # Å before Ä in Swedish
    assert [i.file_stem for i in intro] == [
        "01-asa-oberg-orjan-sjostrom",
        "02-arla-ek-elise-norden",
    ]
    assert [i.cc for i in _outgoing("intro")] == [[], []]
    assert {(i.kind, i.context["adept"]["role"], i.context["mentor"]["role"]) for i in intro} == {
        ("intro", "adept", "mentor")
    }

    # One reminder per person (mail.reminder_to each): Cia is excused and Dan withdrew; the
    # rest in Swedish name order (Å, Ä, Ö last), each letter knowing only its own reader.
    reminder = _outgoing("reminder", session_id=2)
    assert [(r.kind, r.file_stem, r.session_id) for r in reminder] == [
        ("reminder", "01-2099-03-01-sedan-elise-norden", 2),
        ("reminder", "02-2099-03-01-sedan-asa-oberg", 2),
        ("reminder", "03-2099-03-01-sedan-arla-ek", 2),
        ("reminder", "04-2099-03-01-sedan-orjan-sjostrom", 2),
    ]
    assert [_to(r) for r in reminder] == [
        ["elise@lst.se"],
        ["asa@csn.se"],
        ["arla@csn.se"],
        ["orjan@bv.se"],
    ]
    assert [[(m["email"], m["role"]) for m in r.context["recipients"]] for r in reminder] == [
        [("elise@lst.se", "mentor")],
        [("asa@csn.se", "adept")],
        [("arla@csn.se", "adept")],
        [("orjan@bv.se", "mentor")],
    ]

    letters = _outgoing("groups")
    members = sorted(e for g in letters for e in _to(g))
    assert members == ["arla@csn.se", "asa@csn.se", "cia@bv.se"]  # not Dan, who withdrew
    # Each letter goes to its own group's members, in Swedish name order.
    groups = {
        g["name"]: sorted(
            (m for m in g["members"] if m["email"] != "dan@lst.se"),
            key=lambda m: swedish_key(m["name"]),
        )
        for g in cli.json("group", "list")
    }
    assert sorted(len(g) for g in groups.values()) == [1, 2]
    for number, letter in enumerate(letters, start=1):
        assert letter.file_stem.startswith(f"{number:02d}-")
        assert _to(letter) == [m["email"] for m in groups[letter.label]]
        assert [m["name"] for m in letter.context["members"]] == [
            m["name"] for m in groups[letter.label]
        ]
        assert letter.context["group"]["size"] == len(letter.to)
        assert letter.context["next_session"]["iso_date"] == today.isoformat()
        assert (letter.kind, letter.subject_key.startswith("group:")) == ("groups", True)
        assert {m["role"] for m in letter.context["members"]} == {ROLES_SV[Role.ADEPT]}
    assert len({letter.subject_key for letter in letters}) == len(letters)
    for sid in ("2", "3", "4"):  # no day ahead any more: no next day in the letters
        cli("session", "remove", sid, "--force", "--yes")
    assert [letter.context["next_session"] for letter in _outgoing("groups")] == [None, None]
    # A cohort without participants has no one to remind.
    cli("cohort", "create", "2028", "--start", "2028-01-25", "--end", "2028-12-07")
    cli(
        "--cohort",
        "2028",
        "session",
        "add",
        "Start",
        "--start",
        "2028-02-01 09:00",
        "--end",
        "16:00",
    )
    with pytest.raises(RuleError) as nobody:
        _outgoing("reminder", "2028", session_id=5)
    assert str(nobody.value) == "Cohort 2028 has no active participants to remind."
    with pytest.raises(RuleError) as no_pairs:
        _outgoing("intro", "2028")
    assert str(no_pairs.value) == (
        "Cohort 2028 has no active pairs to introduce; apply the pairs with "
        "'chefintro pair apply' first."
    )


def test_a_day_that_starts_this_moment_is_no_longer_ahead(cli: Cli) -> None:
    from chefintro.cohorts import days_ahead, get_cohort
    from chefintro.store import open_store, resolve_location

    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("session", "add", "Uppstart", "--start", "2027-03-01 09:00", "--end", "16:00")
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = get_cohort(db=db, name="2027")
            just_before = days_ahead(db=db, cohort=cohort, now=datetime(2027, 3, 1, 8, 59, 59))
            starting = days_ahead(db=db, cohort=cohort, now=datetime(2027, 3, 1, 9, 0))
    finally:
        store.dispose()
    assert just_before == ["Uppstart (2027-03-01 09:00, session 1)"]
    assert starting == []


# --- pair meet and the Möten sheet: one meeting per pair and day ------------------------


def test_a_meeting_day_recorded_again_changes_only_its_length(cli: Cli) -> None:
    from sqlmodel import select

    from chefintro.followup.meetings import MeetingPairs, record_meeting
    from chefintro.store import open_store, resolve_location

    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", "asa@csn.se", "--agency", "CSN")
    cli("person", "add", "--name", "Örjan Sjöström", "--email", "orjan@bv.se", "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "orjan@bv.se", "--role", "mentor")
    cli("pair", "set", "asa@csn.se", "orjan@bv.se")
    cli("pair", "apply")
    day = date(2021, 3, 1)
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            pairing = db.exec(select(Pairing)).one()
            for _ in range(2):  # the lengths checked are remembered, a refusal is not
                with pytest.raises(UsageError, match="not 601"):
                    record_meeting(db=db, pairing=pairing, day=day, minutes=601)
            # One by one, as `pair meet` records them.
            first = record_meeting(db=db, pairing=pairing, day=day, minutes=60)
            same = record_meeting(db=db, pairing=pairing, day=day, minutes=60)
            blank = record_meeting(db=db, pairing=pairing, day=day, minutes=None)
            longer = record_meeting(db=db, pairing=pairing, day=day, minutes=90)
            # Many at once, as an import does, with the meetings it already knows.
            cohort = db.get_one(Cohort, pairing.cohort_id)
            known = MeetingPairs(db=db, cohort=cohort).meetings
            later = date(2021, 4, 1)
            new = record_meeting(db=db, pairing=pairing, day=later, minutes=30, known=known)
            again = record_meeting(db=db, pairing=pairing, day=later, minutes=45, known=known)
    finally:
        store.dispose()
    assert [(c.outcome, c.minutes_before) for c in (first, same, blank, longer)] == [
        ("added", None),
        ("unchanged", 60),
        ("unchanged", 60),
        ("updated", 60),
    ]
    assert [(c.outcome, c.minutes_before) for c in (new, again)] == [
        ("added", None),
        ("updated", 30),
    ]


def test_the_days_present_come_in_date_order_whatever_order_they_were_added(cli: Cli) -> None:
    from chefintro.cohorts import get_cohort
    from chefintro.store import open_store, resolve_location
    from chefintro.yearend import days_present

    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", "asa@csn.se", "--agency", "CSN")
    cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    for n, day in enumerate(("2026-05-19", "2026-02-10", "2026-03-17"), start=1):
        cli("session", "add", f"Dag {n}", "--start", f"{day} 09:00", "--end", "16:00")
        cli("session", "attend", str(n), "asa@csn.se", "--status", "present")
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            found = days_present(db=db, cohort=get_cohort(db=db, name="2026"), participant_ids=[1])
    finally:
        store.dispose()
    assert found == {
        1: [
            (date(2026, 2, 10), "Dag 2"),
            (date(2026, 3, 17), "Dag 3"),
            (date(2026, 5, 19), "Dag 1"),
        ]
    }


def test_an_address_of_the_longest_length_is_taken_and_one_more_is_not() -> None:
    from chefintro import rules

    longest = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".se"
    assert len(longest) == rules.MAX_EMAIL_LENGTH
    assert rules.email_problem(longest) is None
    assert rules.email_problem("x" + longest) == rules.NOT_AN_EMAIL
    # What mail_address refuses, it refuses in the rule's words.
    with pytest.raises(rules.NotAnEmail, match=f"^{rules.NOT_AN_EMAIL}$"):
        rules.mail_address("x" + longest)


def test_the_local_part_is_everything_before_the_last_at() -> None:
    from chefintro import rules

    assert rules.email_problem("a@ö@x.se") == rules.NON_ASCII_LOCAL


def test_a_peer_group_may_have_two_to_the_largest_size_and_no_more() -> None:
    from chefintro import rules

    largest = rules.MAX_GROUP_SIZE
    assert rules.group_size_problem(2) is None
    assert rules.group_size_problem(largest) is None
    for size in (1, largest + 1):
        assert rules.group_size_problem(size) == (
            f"a peer group has 2 to {largest} members, not {size}"
        )
