"""The hard rules and guarantees of `pair suggest`, each in a case where breaking it shows.

Every test is built so that the rule under test changes the answer: the forbidden mentor is
the best-scoring one, the kept pair is not the one the solver would choose, the withdrawn
adept would otherwise take the only good slot, and so on.
"""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

AGENCIES = [("CSN", "Centrala studiestödsnämnden"), ("BV", "Bolagsverket"), ("SPV", "SPV")]


def _agencies(cli: Cli) -> None:
    for code, name in AGENCIES:
        cli("agency", "add", code, name)


def _person(
    cli: Cli,
    email: str,
    agency: str,
    *,
    field: str | None = None,
    location: str | None = None,
    since: str = "2010-01-01",
) -> None:
    name = email.split("@")[0].replace(".", " ").title()
    args = ["person", "add", "--name", name, "--email", email, "--agency", agency]
    if field:
        args += ["--field", field]
    if location:
        args += ["--location", location]
    cli(*args, "--manager-since", since)


def _cohort(cli: Cli, name: str = "2027") -> None:
    cli("cohort", "create", name, "--start", f"{name}-01-26", "--end", f"{name}-12-09")
    cli("cohort", "use", name)


def _suggest(cli: Cli, *options: str) -> dict[str, str]:
    return {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest", *options)}


def _live_pairs(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["adept"]: p for p in cli.json("pair", "list")}


# --- exclusions ---------------------------------------------------------------------------


@pytest.mark.parametrize("mentor_named_first", [True, False])
def test_exclusion_holds_when_the_mentor_was_registered_first(
    cli: Cli, backend: str, mentor_named_first: bool
) -> None:
    # Exclusions are stored as a sorted pair of person ids; registering the mentor first
    # gives the mentor the lower id, so only a rule read in both directions sees it.
    _agencies(cli)
    _person(cli, "marta@bv.se", "BV", field="IT", location="Sundsvall")  # best, lowest id
    _person(cli, "asa@csn.se", "CSN", field="IT", location="Sundsvall")
    _person(cli, "orjan@spv.se", "SPV", field="HR", location="Umeå")
    _cohort(cli)
    cli("participant", "add", "marta@bv.se", "--role", "mentor")
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "orjan@spv.se", "--role", "mentor")
    pair = ["marta@bv.se", "asa@csn.se"] if mentor_named_first else ["asa@csn.se", "marta@bv.se"]
    cli("pair", "exclude", *pair, "--reason", "same management team")

    assert _suggest(cli) == {"asa@csn.se": "orjan@spv.se"}
    refused = cli("pair", "set", "asa@csn.se", "marta@bv.se", code=1)
    assert "excluded" in refused.stderr
    explanation: Any = cli.json("pair", "explain", "asa@csn.se")
    why = {a["mentor"]: a["why_not"] for a in explanation["alternatives"]}
    assert why["marta@bv.se"] == "forbidden: excluded (same management team)"


def test_exclusion_with_the_mentor_first_leaves_the_adept_unmatched_with_a_reason(
    cli: Cli,
) -> None:
    _agencies(cli)
    _person(cli, "marta@bv.se", "BV")
    _person(cli, "asa@csn.se", "CSN")
    _cohort(cli)
    cli("participant", "add", "marta@bv.se", "--role", "mentor")
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("pair", "exclude", "marta@bv.se", "asa@csn.se", "--reason", "jäv")

    assert _suggest(cli) == {}
    rows: Any = cli.json("pair", "unmatched")
    reasons = {r["email"]: r["reason"] for r in rows}
    assert reasons["asa@csn.se"] == "every mentor is forbidden (1 excluded)"


# --- same agency --------------------------------------------------------------------------


def test_same_agency_mentor_is_never_proposed_even_when_it_scores_best(
    cli: Cli, backend: str
) -> None:
    _agencies(cli)
    # Elise (CSN) shares Åsa's field, town and wish and is her first preference: the best
    # score by far. Örjan (SPV) shares nothing. Only the agency rule keeps Elise out.
    _person(cli, "asa@csn.se", "CSN", field="IT", location="Sundsvall")
    _person(cli, "elise@csn.se", "CSN", field="IT", location="Sundsvall", since="2000-01-01")
    _person(cli, "orjan@spv.se", "SPV", field="HR", location="Umeå", since="2025-01-01")
    _cohort(cli)
    cli("participant", "add", "elise@csn.se", "--role", "mentor")
    cli("participant", "add", "orjan@spv.se", "--role", "mentor")
    cli(
        "participant",
        "add",
        "asa@csn.se",
        "--role",
        "adept",
        "--wished-field",
        "IT",
        "--prefer",
        "elise@csn.se",
    )

    suggested: Any = cli.json("pair", "suggest")
    assert [(p["adept"], p["mentor"]) for p in suggested] == [("asa@csn.se", "orjan@spv.se")]
    assert suggested[0]["adept_agency"] != suggested[0]["mentor_agency"]
    refused = cli("pair", "set", "asa@csn.se", "elise@csn.se", code=1)
    assert "same agency" in refused.stderr


def test_same_agency_only_mentor_leaves_the_adept_unmatched(cli: Cli) -> None:
    _agencies(cli)
    _person(cli, "asa@csn.se", "CSN", field="IT")
    _person(cli, "elise@csn.se", "CSN", field="IT")
    _cohort(cli)
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "elise@csn.se", "--role", "mentor")
    assert _suggest(cli) == {}
    reasons = {r["email"]: r["reason"] for r in cli.json("pair", "unmatched")}
    assert reasons["asa@csn.se"] == "every mentor is forbidden (1 same agency)"


# --- history ------------------------------------------------------------------------------


def _two_years(cli: Cli) -> None:
    """Cohort 2026 with Åsa's best mentor Märta; Örjan is the worse alternative."""
    _agencies(cli)
    _person(cli, "asa@csn.se", "CSN", field="IT", location="Sundsvall")
    _person(cli, "marta@bv.se", "BV", field="IT", location="Sundsvall")
    _person(cli, "orjan@spv.se", "SPV", field="HR", location="Umeå")
    _cohort(cli, "2026")
    for email, role in (
        ("asa@csn.se", "adept"),
        ("marta@bv.se", "mentor"),
        ("orjan@spv.se", "mentor"),
    ):
        cli("participant", "add", email, "--role", role)


def _next_year(cli: Cli) -> None:
    cli("cohort", "close", "--yes")
    _cohort(cli, "2027")
    for email, role in (
        ("asa@csn.se", "adept"),
        ("marta@bv.se", "mentor"),
        ("orjan@spv.se", "mentor"),
    ):
        cli("participant", "add", email, "--role", role)


def test_a_plans_suggestion_with_allow_repeat_proposes_an_earlier_pair_again(cli: Cli) -> None:
    """`cohort setup` suggests through ``pairing.suggest`` with the plan's
    ``[matching] allow_repeat``; asked to, it proposes last year's pair again."""
    from sqlmodel import select

    from chefintro import pairing
    from chefintro.models import Cohort
    from chefintro.store import open_store, resolve_location

    _two_years(cli)
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}
    cli("pair", "apply")
    _next_year(cli)
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = db.exec(select(Cohort).where(Cohort.name == "2027")).one()
            found = {
                allow: {
                    p.adept: p.mentor
                    for p in pairing.suggest(db=db, cohort=cohort, allow_repeat=allow)
                }
                for allow in (False, True)
            }
    finally:
        store.dispose()
    assert found == {False: {"asa@csn.se": "orjan@spv.se"}, True: {"asa@csn.se": "marta@bv.se"}}


@pytest.mark.parametrize("how", ["pair remove", "adept withdrew", "mentor withdrew"])
def test_an_ended_pair_of_an_earlier_cohort_is_not_proposed_again(
    cli: Cli, backend: str, how: str
) -> None:
    _two_years(cli)
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}
    cli("pair", "apply")
    if how == "pair remove":
        assert "ended" in cli("pair", "remove", "asa@csn.se").stderr
    elif how == "adept withdrew":
        cli("participant", "withdraw", "asa@csn.se", "--yes")
    else:
        cli("participant", "withdraw", "marta@bv.se", "--yes")
    assert cli.json("pair", "list") == []  # ended: no longer live, kept as history
    _next_year(cli)

    assert _suggest(cli) == {"asa@csn.se": "orjan@spv.se"}
    refused = cli("pair", "set", "asa@csn.se", "marta@bv.se", code=1)
    assert "earlier cohort" in refused.stderr
    # The coordinator may still say so.
    assert _suggest(cli, "--allow-repeat") == {"asa@csn.se": "marta@bv.se"}


def test_a_proposal_never_applied_is_not_history(cli: Cli) -> None:
    _two_years(cli)
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}  # proposed, never applied
    _next_year(cli)
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}


# --- kept pairs ---------------------------------------------------------------------------


def _three_by_two(cli: Cli) -> None:
    """Åsa's best mentor is Märta, Björn's is Örjan; Cecilia (BV) can only take Örjan."""
    _agencies(cli)
    _person(cli, "asa@csn.se", "CSN", field="IT", location="Sundsvall")
    _person(cli, "bjorn@csn.se", "CSN", field="HR", location="Umeå")
    _person(cli, "marta@bv.se", "BV", field="IT", location="Sundsvall")
    _person(cli, "orjan@spv.se", "SPV", field="HR", location="Umeå")
    _cohort(cli)
    for email, role in (
        ("asa@csn.se", "adept"),
        ("bjorn@csn.se", "adept"),
        ("marta@bv.se", "mentor"),
        ("orjan@spv.se", "mentor"),
    ):
        cli("participant", "add", email, "--role", role)


def test_manual_pair_without_lock_survives_suggest(cli: Cli, backend: str) -> None:
    _three_by_two(cli)
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se", "bjorn@csn.se": "orjan@spv.se"}
    # A manual pair the solver would not choose, not locked.
    cli("pair", "set", "asa@csn.se", "orjan@spv.se")
    for _ in range(2):
        pairs = _live_pairs(cli)
        assert pairs["asa@csn.se"]["mentor"] == "orjan@spv.se"
        assert pairs["asa@csn.se"]["manual"] is True
        assert pairs["asa@csn.se"]["locked"] is False
        assert _suggest(cli) == {"asa@csn.se": "orjan@spv.se", "bjorn@csn.se": "marta@bv.se"}


def test_applied_pair_survives_suggest(cli: Cli) -> None:
    _three_by_two(cli)
    cli("pair", "set", "asa@csn.se", "orjan@spv.se")
    cli("pair", "apply")
    cli("pair", "remove", "bjorn@csn.se", code=1)  # Björn has no pair yet
    # Active now; dropping the manual mark would not matter, the state keeps it.
    assert _suggest(cli) == {"asa@csn.se": "orjan@spv.se", "bjorn@csn.se": "marta@bv.se"}
    assert _live_pairs(cli)["asa@csn.se"]["state"] == "active"


# --- withdrawn people ---------------------------------------------------------------------


def test_withdrawn_adept_gets_no_proposal_and_takes_no_mentor_place(cli: Cli, backend: str) -> None:
    _agencies(cli)
    # Märta (capacity 1) is the best mentor for both adepts, and Åsa would win her.
    _person(cli, "asa@csn.se", "CSN", field="IT", location="Sundsvall")
    _person(cli, "bjorn@csn.se", "CSN", field="IT", location="Umeå")
    _person(cli, "marta@bv.se", "BV", field="IT", location="Sundsvall")
    _person(cli, "orjan@spv.se", "SPV", field="HR", location="Kiruna")
    _cohort(cli)
    for email, role in (
        ("asa@csn.se", "adept"),
        ("bjorn@csn.se", "adept"),
        ("marta@bv.se", "mentor"),
        ("orjan@spv.se", "mentor"),
    ):
        cli("participant", "add", email, "--role", role)
    cli("participant", "withdraw", "asa@csn.se", "--yes")

    assert _suggest(cli) == {"bjorn@csn.se": "marta@bv.se"}
    unmatched = {r["email"] for r in cli.json("pair", "unmatched")}
    assert "asa@csn.se" not in unmatched  # withdrawn: not waiting for a mentor either
    cli("pair", "set", "asa@csn.se", "orjan@spv.se", code=1)


def test_withdrawn_mentor_gets_no_proposal(cli: Cli, backend: str) -> None:
    _three_by_two(cli)
    cli("participant", "withdraw", "marta@bv.se", "--yes")
    assert _suggest(cli) == {"bjorn@csn.se": "orjan@spv.se"}  # Åsa scores less with Örjan
    reasons = {r["email"]: r["reason"] for r in cli.json("pair", "unmatched")}
    assert reasons == {"asa@csn.se": "every allowed mentor is at capacity"}


def test_withdrawing_after_suggest_frees_the_mentor_for_the_next_suggest(cli: Cli) -> None:
    _three_by_two(cli)
    cli("participant", "withdraw", "orjan@spv.se", "--yes")
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}
    cli("participant", "withdraw", "asa@csn.se", "--yes")
    assert _suggest(cli) == {"bjorn@csn.se": "marta@bv.se"}


# --- determinism --------------------------------------------------------------------------

# Six adepts and four mentors (one with room for two) with no field, town or experience
# difference: every allowed pair scores the same, so only the explicit tie-break decides.
TIED_PEOPLE = [
    ("a1@csn.se", "CSN", "adept"),
    ("a2@csn.se", "CSN", "adept"),
    ("a3@bv.se", "BV", "adept"),
    ("a4@bv.se", "BV", "adept"),
    ("a5@spv.se", "SPV", "adept"),
    ("a6@spv.se", "SPV", "adept"),
    ("m1@csn.se", "CSN", "mentor"),
    ("m2@bv.se", "BV", "mentor"),
    ("m3@spv.se", "SPV", "mentor"),
    ("m4@bv.se", "BV", "mentor"),
]


def _tied_cohort(cli: Cli, order: list[int]) -> dict[str, str]:
    _agencies(cli)
    for index in order:
        email, agency, _ = TIED_PEOPLE[index]
        _person(cli, email, agency)
    _cohort(cli)
    for index in reversed(order):  # participants in yet another order
        email, _, role = TIED_PEOPLE[index]
        extra = ["--capacity", "2"] if email == "m4@bv.se" else []
        cli("participant", "add", email, "--role", role, *extra)
    suggested: Any = cli.json("pair", "suggest")
    assert len({p["score"] for p in suggested}) == 1  # really a tie everywhere
    return {p["adept"]: p["mentor"] for p in suggested}


def test_ties_give_the_same_pairs_whatever_the_entry_order(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _tied_cohort(cli, list(range(len(TIED_PEOPLE))))
    assert len(first) == 5  # five mentor places for six adepts
    for seed in (1, 2, 3):
        order = list(range(len(TIED_PEOPLE)))
        random.Random(seed).shuffle(order)
        monkeypatch.setenv("CHEFINTRO_DB", str(db_path.with_name(f"shuffled-{seed}.db")))
        cli("init")
        assert _tied_cohort(cli, order) == first, f"order {order}"


def test_exclusion_mistakes_are_explained_and_a_reverse_duplicate_is_caught(cli: Cli) -> None:
    _agencies(cli)
    _person(cli, "marta@bv.se", "BV")
    _person(cli, "asa@csn.se", "CSN")
    same = cli("pair", "exclude", "asa@csn.se", "ASA@csn.se", "--reason", "x", code=2)
    assert " ".join(same.stderr.split()) == "Error: Give two different people."
    blank = cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "  ", code=2)
    assert " ".join(blank.stderr.split()) == (
        "Error: Give a --reason (kept for the record, e.g. 'same management team')."
    )
    cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "jäv")
    again = cli("pair", "exclude", "marta@bv.se", "asa@csn.se", "--reason", "igen", code=1)
    assert "Marta and Asa are already excluded." in again.stderr


def test_pair_remove_explains_itself(cli: Cli) -> None:
    _three_by_two(cli)
    cli("participant", "add", "cecilia@bv.se", "--role", "adept", code=1)  # not registered
    lonely = cli("pair", "remove", "marta@bv.se", code=1)
    assert (
        "marta@bv.se is a mentor in cohort 2027; 'pair remove' takes the adept's e-mail. "
        "They have no adepts in cohort 2027."
    ) in " ".join(lonely.stderr.split())
    nothing = cli("pair", "remove", " asa@csn.se ", code=1)
    assert "asa@csn.se has no pair in cohort 2027." in nothing.stderr

    cli("pair", "set", "asa@csn.se", "orjan@spv.se")
    cli("pair", "set", "bjorn@csn.se", "marta@bv.se")
    mentor = cli("pair", "remove", "Marta@BV.se", code=1)
    assert (
        "Marta@BV.se is a mentor in cohort 2027; 'pair remove' takes the adept's e-mail. "
        "Their adepts: Bjorn (bjorn@csn.se)."
    ) in " ".join(mentor.stderr.split())
    assert "was removed." in cli("pair", "remove", "bjorn@csn.se").stderr
    cli("pair", "apply")
    assert "The pair of asa@csn.se was ended." in cli("pair", "remove", "asa@csn.se").stderr
    assert cli.json("pair", "list") == []


@pytest.mark.parametrize("applied", [False, True])
def test_an_exclusion_undoes_the_live_pair_between_them_only(cli: Cli, applied: bool) -> None:
    _three_by_two(cli)
    _suggest(cli)
    if applied:
        cli("pair", "apply")
    cli("pair", "exclude", "asa@csn.se", "orjan@spv.se", "--reason", "x")  # not a pair
    quiet = cli("pair", "exclude", "bjorn@csn.se", "marta@bv.se", "--reason", "x")
    assert "undone" not in quiet.stderr
    loud = cli("pair", "exclude", "marta@bv.se", "asa@csn.se", "--reason", "jäv")
    assert "1 existing pair between them was undone." in loud.stderr
    pairs = _live_pairs(cli)
    assert {a: p["mentor"] for a, p in pairs.items()} == {"bjorn@csn.se": "orjan@spv.se"}
    assert pairs["bjorn@csn.se"]["state"] == ("active" if applied else "proposed")
    # An applied pair ends (it stays as history, so it also blocks a repeat next year);
    # a mere proposal is deleted.
    exported: Any = json.loads(cli("person", "export", "asa@csn.se").stdout)
    (participation,) = exported["participations"]
    states = [p["state"] for p in participation["pairings"]]
    assert states == (["ended"] if applied else [])
    refused = cli("pair", "set", "asa@csn.se", "marta@bv.se", "--allow-repeat", code=1)
    assert "excluded" in refused.stderr


def test_an_exclusion_undoes_their_pairs_in_every_open_cohort(cli: Cli) -> None:
    _two_years(cli)
    cli("pair", "set", "asa@csn.se", "marta@bv.se")
    cli("pair", "apply")
    _cohort(cli, "2027")  # 2026 is still open
    for email, role in (("asa@csn.se", "adept"), ("marta@bv.se", "mentor")):
        cli("participant", "add", email, "--role", role)
    cli("pair", "set", "asa@csn.se", "marta@bv.se", "--allow-repeat")

    loud = cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "jäv")
    assert "2 existing pairs between them were undone." in loud.stderr
    assert _live_pairs(cli) == {}  # the 2027 proposal is deleted
    cli("cohort", "use", "2026")
    assert _live_pairs(cli) == {}
    (ended,) = cli.json("pair", "list", "--all")
    assert (ended["state"], ended["end_reason"]) == ("ended", "excluded: jäv")
    assert ended["ended_on"] is not None and ended["ended_on"] >= ended["since"]


def test_an_exclusion_reason_with_control_characters_is_refused(cli: Cli) -> None:
    _three_by_two(cli)
    hidden = cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "jäv\x1b[2J", code=2)
    assert "The reason 'jäv\\x1b[2J' is refused" in hidden.stderr
    assert cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "jäv").exit_code == 0


def test_exclusions_with_people_outside_the_matching_change_nothing(cli: Cli) -> None:
    _three_by_two(cli)
    _person(cli, "cecilia@bv.se", "BV")  # registered, not in the cohort
    cli("pair", "exclude", "asa@csn.se", "bjorn@csn.se", "--reason", "two adepts")
    cli("pair", "exclude", "cecilia@bv.se", "marta@bv.se", "--reason", "an outsider")
    cli("pair", "exclude", "orjan@spv.se", "cecilia@bv.se", "--reason", "an outsider")
    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se", "bjorn@csn.se": "orjan@spv.se"}


# --- spreading adepts over mentors ------------------------------------------------------


def _one_mentor_slightly_better(cli: Cli) -> None:
    """Two CSN adepts in IT, Sundsvall; Märta (capacity 2) shares field and town, Örjan
    only the field: 10 points apart, less than the default cost of a second mentee (15)."""
    _agencies(cli)
    for email in ("asa@csn.se", "bjorn@csn.se"):
        _person(cli, email, "CSN", field="IT", location="Sundsvall")
    _person(cli, "marta@bv.se", "BV", field="IT", location="Sundsvall")
    _person(cli, "orjan@spv.se", "SPV", field="IT", location="Umeå")
    _cohort(cli)
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "bjorn@csn.se", "--role", "adept")
    cli("participant", "add", "marta@bv.se", "--role", "mentor", "--capacity", "2")
    cli("participant", "add", "orjan@spv.se", "--role", "mentor", "--capacity", "2")


def test_a_second_mentee_costs_what_the_setting_says(cli: Cli) -> None:
    _one_mentor_slightly_better(cli)
    # 40 + 30 beats 40 + 40 - 15: the adepts are spread over both mentors.
    assert sorted(_suggest(cli).values()) == ["marta@bv.se", "orjan@spv.se"]
    cli("settings", "set", "weights.extra_mentee_cost", "5")
    # 40 + 40 - 5 beats 40 + 30: Märta takes both.
    assert sorted(_suggest(cli).values()) == ["marta@bv.se", "marta@bv.se"]


def test_kept_pairs_over_a_mentors_capacity_are_refused_with_the_reason(
    cli: Cli, db_path: Path
) -> None:
    _one_mentor_slightly_better(cli)
    cli("pair", "set", "asa@csn.se", "marta@bv.se", "--lock")
    cli("pair", "set", "bjorn@csn.se", "marta@bv.se", "--lock")
    # Her capacity lowered under the store's feet (an older store or another tool).
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("UPDATE participant SET capacity = 1 WHERE capacity = 2")
    before = cli.json("pair", "list")
    refused = cli("pair", "suggest", code=1)
    said = " ".join(refused.stderr.split())
    assert said.startswith("Error: The kept pairs cannot all stay: ")
    assert len(said) > len("Error: The kept pairs cannot all stay: ")
    assert cli.json("pair", "list") == before


# --- pair rematch: only the free adepts, only the places left ---------------------------


def test_rematch_places_only_the_freed_adept_in_a_place_left(cli: Cli) -> None:
    _one_mentor_slightly_better(cli)  # Märta and Örjan take two adepts each
    _person(cli, "cecilia@csn.se", "CSN", field="IT", location="Sundsvall")
    cli("participant", "add", "cecilia@csn.se", "--role", "adept")
    cli("pair", "set", "asa@csn.se", "marta@bv.se")
    cli("pair", "set", "bjorn@csn.se", "marta@bv.se")
    cli("pair", "set", "cecilia@csn.se", "orjan@spv.se")
    cli("pair", "apply")
    cli("pair", "end", "asa@csn.se", "--reason", "bytte jobb", "--yes")

    result: Any = cli.json("pair", "rematch")
    # Åsa is the one free adept; Björn and Cecilia keep their pairs and are not proposed.
    # Märta has one place left and suits Åsa best, but their pair has just ended (history).
    assert [(p["adept"], p["mentor"]) for p in result["pairs"]] == [("asa@csn.se", "orjan@spv.se")]
    assert result["free_adepts"] == 1
    live = {a: p["mentor"] for a, p in _live_pairs(cli).items()}
    assert live == {"bjorn@csn.se": "marta@bv.se", "cecilia@csn.se": "orjan@spv.se"}


def test_a_rematch_counts_only_this_cohorts_live_pairs_against_a_mentors_places(
    cli: Cli, backend: str
) -> None:
    """Who a rematch may use: adepts without a live pair, and mentors with a place left,
    counting only this cohort's live (proposed or active) pairs, and how many each holds."""
    from chefintro.cohorts import get_cohort
    from chefintro.pairing import load_problem
    from chefintro.store import open_store, resolve_location

    _agencies(cli)
    for email, agency in [
        ("doris@bv.se", "BV"),
        ("orjan@spv.se", "SPV"),
        ("asa@csn.se", "CSN"),
        ("bjorn@csn.se", "CSN"),
        ("cecilia@csn.se", "CSN"),
        ("david@bv.se", "BV"),
        ("erik@bv.se", "BV"),
        ("marta@bv.se", "BV"),
        ("karin@spv.se", "SPV"),
        ("lena@csn.se", "CSN"),
    ]:
        _person(cli, email, agency)
    # Last year's pair of Örjan's is still live in that cohort; it takes no place this year.
    _cohort(cli, "2026")
    cli("participant", "add", "doris@bv.se", "--role", "adept")
    cli("participant", "add", "orjan@spv.se", "--role", "mentor")
    cli("pair", "set", "doris@bv.se", "orjan@spv.se")
    cli("pair", "apply")
    _cohort(cli, "2027")
    for adept in ("asa@csn.se", "bjorn@csn.se", "cecilia@csn.se", "david@bv.se", "erik@bv.se"):
        cli("participant", "add", adept, "--role", "adept")
    for mentor, capacity in [("marta@bv.se", 2), ("orjan@spv.se", 1), ("karin@spv.se", 2)]:
        cli("participant", "add", mentor, "--role", "mentor", "--capacity", str(capacity))
    cli("participant", "add", "lena@csn.se", "--role", "mentor")
    cli("pair", "set", "asa@csn.se", "marta@bv.se")
    cli("pair", "set", "cecilia@csn.se", "karin@spv.se")
    cli("pair", "set", "david@bv.se", "karin@spv.se")
    cli("pair", "apply")
    cli("pair", "set", "bjorn@csn.se", "marta@bv.se")  # proposed: live, holds a place
    cli("pair", "end", "cecilia@csn.se", "--reason", "bytte jobb", "--yes")
    states = {p["adept"]: p["state"] for p in cli.json("pair", "list")}
    assert states == {"asa@csn.se": "active", "bjorn@csn.se": "proposed", "david@bv.se": "active"}

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            problem = load_problem(db=db, cohort=get_cohort(db=db, name="2027"), free_only=True)
            adepts = problem.adepts.email_keys
            held = problem.mentors.held
            assert held is not None
            mentors = dict(zip(problem.mentors.email_keys, held.tolist(), strict=True))
    finally:
        store.dispose()
    # Cecilia's pair ended and Erik never had one; Märta's two places are taken (one by a
    # proposal), Karin holds one of two (the ended pair frees its place), Örjan and Lena none.
    assert adepts == ["cecilia@csn.se", "erik@bv.se"]
    assert mentors == {"karin@spv.se": 1, "lena@csn.se": 0, "orjan@spv.se": 0}


# --- the rule itself ----------------------------------------------------------------------


@pytest.mark.parametrize("allow_repeat", [False, True])
def test_the_problems_allowed_matrix_is_pair_rule_on_every_pair(allow_repeat: bool) -> None:
    import itertools

    import numpy as np

    from chefintro.pairing.problem import (
        RULE_EARLIER,
        RULE_EXCLUDED,
        RULE_SAME_AGENCY,
        MatchingProblem,
        pair_rule,
    )

    # One adept per combination of facts, against one mentor.
    facts = list(itertools.product([False, True], repeat=3))
    column = [[same, excluded, earlier] for same, excluded, earlier in facts]
    same, excluded, earlier = (np.array([[row[i]] for row in column]) for i in range(3))
    problem = MatchingProblem(
        cohort=None,  # type: ignore[arg-type]
        adepts=None,  # type: ignore[arg-type]
        mentors=None,  # type: ignore[arg-type]
        scores=np.zeros((len(facts), 1), dtype=np.int64),
        excluded=excluded,
        earlier=earlier,
        same_agency=same,
        weights={},
        allow_repeat=allow_repeat,
    )
    expected = {
        (True, False, False): RULE_SAME_AGENCY,
        (True, True, True): RULE_SAME_AGENCY,
        (False, True, True): RULE_EXCLUDED,
        (False, False, True): None if allow_repeat else RULE_EARLIER,
        (False, False, False): None,
    }
    for a, (s, x, e) in enumerate(facts):
        rule = pair_rule(same_agency=s, excluded=x, earlier=e, allow_repeat=allow_repeat)
        assert problem.rule(a, 0) == rule
        assert bool(problem.allowed[a, 0]) == (rule is None)
        if (s, x, e) in expected:
            assert rule == expected[(s, x, e)]


# --- experience ---------------------------------------------------------------------------


def test_experience_counts_the_whole_years_managed_when_the_cohort_starts(cli: Cli) -> None:
    """A mentor's experience points are for the whole years they have managed staff on the
    cohort's first day (2027-01-26): three years to the day give three years' points, a
    day less gives two. Everything else about the two mentors is the same."""
    _agencies(cli)
    _person(cli, "asa@csn.se", "CSN", since="2026-06-01")
    _person(cli, "marta@bv.se", "BV", since="2024-01-26")  # 36 months: 3 years
    _person(cli, "orjan@spv.se", "SPV", since="2024-01-27")  # 35 months: 2 years
    _cohort(cli)
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "marta@bv.se", "--role", "mentor")
    cli("participant", "add", "orjan@spv.se", "--role", "mentor")

    assert _suggest(cli) == {"asa@csn.se": "marta@bv.se"}
    explanation: Any = cli.json("pair", "explain", "asa@csn.se")
    [pair] = explanation["pairs"]
    assert pair["reasons"] == {"experience": 6}  # 2 points a year (matching.weights)
    [other] = explanation["alternatives"]
    assert (other["mentor"], other["reasons"]) == ("orjan@spv.se", {"experience": 4})
