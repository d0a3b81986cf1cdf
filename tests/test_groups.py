"""Peer groups: the balanced, agency-capped deal, the local search, and the commands."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chefintro.groups import (
    Candidate,
    agency_caps,
    assign_groups,
    cap_violations,
    deal_groups,
    group_count,
    grouping_cost,
    respects_agency_cap,
)
from tests.conftest import Cli, store_snapshot

# --- the pure part ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "size", "groups"),
    [(0, 6, 1), (3, 6, 1), (9, 6, 2), (12, 6, 2), (14, 6, 2), (15, 6, 3), (30, 5, 6)],
)
def test_group_count_rounds_half_up(people: int, size: int, groups: int) -> None:
    assert group_count(people, size) == groups


def test_cap_is_ceil_of_agency_share() -> None:
    assert agency_caps(["CSN"] * 5 + ["BV"] * 2 + ["SPV"], 2) == {"CSN": 3, "BV": 1, "SPV": 1}


def test_cap_violations_name_the_group_and_agency() -> None:
    assert respects_agency_cap([["CSN", "BV"], ["CSN", "BV"]])
    problems = cap_violations([["CSN", "CSN"], ["BV", "BV"]])
    assert problems == [
        "group 1 has 2 from CSN; at most 1 allowed",
        "group 2 has 2 from BV; at most 1 allowed",
    ]
    assert not respects_agency_cap([["CSN", "CSN"], ["BV", "BV"]])


def test_deal_spreads_the_largest_agency_first() -> None:
    people = [Candidate(f"csn{i}", "CSN") for i in range(4)]
    people += [Candidate("bv0", "BV"), Candidate("bv1", "BV"), Candidate("lst0", "LST-Y")]
    groups = deal_groups(people, 2)
    assert [sorted(c.key for c in g) for g in groups] == [
        ["bv0", "csn0", "csn2", "lst0"],
        ["bv1", "csn1", "csn3"],
    ]


def test_local_search_separates_a_shared_field() -> None:
    # The deal puts A and C (both IT) together; one swap fixes it.
    people = [
        Candidate("a", "A", "it"),
        Candidate("b", "B", "hr"),
        Candidate("c", "C", "it"),
        Candidate("d", "D", "hr"),
    ]
    assert grouping_cost(deal_groups(people, 2)) == 2
    groups = assign_groups(people, 2)
    assert grouping_cost(groups) == 0
    assert [sorted(c.field or "" for c in g) for g in groups] == [["hr", "it"], ["hr", "it"]]


def test_local_search_avoids_earlier_groupmates_but_keeps_the_cap() -> None:
    people = [
        Candidate("a", "A"),
        Candidate("b", "B"),
        Candidate("c", "C"),
        Candidate("d", "D"),
    ]
    met = {frozenset(("a", "c")), frozenset(("b", "d"))}
    groups = assign_groups(people, 2, met)
    assert grouping_cost(groups, met) == 0
    # Two from one agency may not share a group, even to split a shared field.
    same = [Candidate("a", "A", "it"), Candidate("b", "A", "hr"), Candidate("c", "B", "it")]
    same.append(Candidate("d", "B", "hr"))
    groups = assign_groups(same, 2)
    assert respects_agency_cap([[c.agency for c in g] for g in groups])


AGENCIES = ["BV", "CSN", "HNN", "LST-Y", "MIUN", "SPV"]
FIELDS = [None, "it", "hr", "ekonomi", "juridik"]


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Candidate], int, set[frozenset[str]]]:
    n = draw(st.integers(min_value=1, max_value=28))
    people = [
        Candidate(
            key=f"p{i:02d}@example.se",
            agency=draw(st.sampled_from(AGENCIES[: draw(st.integers(1, len(AGENCIES)))])),
            field=draw(st.sampled_from(FIELDS)),
        )
        for i in range(n)
    ]
    count = draw(st.integers(min_value=1, max_value=max(1, n // 2)))
    pairs = list(combinations(sorted(c.key for c in people), 2))
    met = draw(st.sets(st.sampled_from(pairs), max_size=10)) if pairs else set()
    return people, count, {frozenset(p) for p in met}


@settings(max_examples=150, deadline=None)
@given(populations(), st.randoms(use_true_random=False))
def test_grouping_properties(
    population: tuple[list[Candidate], int, set[frozenset[str]]], rng: Any
) -> None:
    people, count, met = population
    groups = assign_groups(people, count, met)

    assert len(groups) == count
    placed = [c.key for g in groups for c in g]
    assert sorted(placed) == sorted(c.key for c in people)  # everyone exactly once
    sizes = [len(g) for g in groups]
    assert max(sizes) - min(sizes) <= 1
    assert respects_agency_cap([[c.agency for c in g] for g in groups])
    assert grouping_cost(groups, met) <= grouping_cost(deal_groups(people, count), met)

    shuffled = list(people)
    rng.shuffle(shuffled)
    assert assign_groups(shuffled, count, met) == groups  # deterministic


@given(populations())
def test_the_deal_alone_already_holds_the_cap(
    population: tuple[list[Candidate], int, set[frozenset[str]]],
) -> None:
    people, count, _ = population
    groups = deal_groups(people, count)
    assert respects_agency_cap([[c.agency for c in g] for g in groups])
    sizes = [len(g) for g in groups]
    assert max(sizes) - min(sizes) <= 1


# --- the commands -----------------------------------------------------------------------

ROSTER = [
    # name, agency, field
    ("Anna Berg", "CSN", "IT"),
    ("Björn Dahl", "CSN", "HR"),
    ("Cecilia Ek", "CSN", "IT"),
    ("David Fors", "BV", "IT"),
    ("Eva Gran", "BV", "ekonomi"),
    ("Fredrik Hall", "BV", "HR"),
    ("Greta Isaksson", "LST-Y", "juridik"),
    ("Hanna Jonsson", "LST-Y", "IT"),
    ("Ivar Kjellberg", "MIUN", "HR"),
    ("Johanna Lund", "MIUN", "ekonomi"),
    ("Karl Månsson", "SPV", "IT"),
    ("Lena Nyström", "SPV", "juridik"),
]


def _email(name: str) -> str:
    # As agencies make them: Swedish letters (and é) folded to ASCII before the @.
    local = name.lower().replace(" ", ".").translate(str.maketrans("åäöé", "aaoe"))
    return local + "@example.se"


def _register(cli: Cli, roster: list[tuple[str, str, str | None]]) -> None:
    for name, agency, field in roster:
        extra = ["--field", field] if field else []
        cli("person", "add", "--name", name, "--email", _email(name), "--agency", agency, *extra)


@pytest.fixture
def big_cohort(network: Cli) -> Cli:
    """Cohort 2027 with the twelve adepts of ROSTER and two mentors."""
    if network.restore("test_groups.big_cohort"):
        return network
    network("agency", "add", "MIUN", "Mittuniversitetet")
    network("agency", "add", "SPV", "Statens tjänstepensionsverk")
    _register(network, list(ROSTER))
    for name, _, _ in ROSTER:
        network("participant", "add", _email(name), "--role", "adept")
    network("participant", "add", "elise.norden@lansstyrelsen.se", "--role", "mentor")
    network("participant", "add", "orjan.sjostrom@bolagsverket.se", "--role", "mentor")
    network.keep("test_groups.big_cohort")
    return network


def _check(groups: list[dict[str, Any]]) -> None:
    members = [m["email"] for g in groups for m in g["members"]]
    assert len(members) == len(set(members))
    assert respects_agency_cap([[m["agency"] for m in g["members"]] for g in groups])
    sizes = [g["size"] for g in groups]
    assert max(sizes) - min(sizes) <= 1
    for group in groups:
        assert group["agencies"] == dict(
            sorted(Counter(m["agency"] for m in group["members"]).items())
        )


def test_form_and_list_groups(big_cohort: Cli, backend: str) -> None:
    assert big_cohort.json("group", "list") == []
    assert "no peer groups yet" in big_cohort("group", "list").stderr

    result = big_cohort("group", "form", "--yes")
    assert "Formed 2 groups of 6 from 12 adepts" in result.stderr
    assert "Grupp 1" in result.stdout
    groups: Any = big_cohort.json("group", "list")
    assert [g["name"] for g in groups] == ["Grupp 1", "Grupp 2"]
    _check(groups)
    assert {m["role"] for g in groups for m in g["members"]} == {"adept"}
    assert {"name", "email", "agency", "role", "field"} <= set(groups[0]["members"][0])
    # Twelve people, five with IT among them: the search leaves no group over-full of one field.
    assert sum(g["shared_field_pairs"] for g in groups) <= 5

    big_cohort("group", "form", "--yes")
    assert big_cohort.json("group", "list") == groups  # deterministic
    assert len(store_snapshot()["peergroup"]) == 2  # re-forming replaces

    big_cohort("group", "form", "--yes", "--size", "4")
    groups = big_cohort.json("group", "list")
    assert [g["size"] for g in groups] == [4, 4, 4]
    _check(groups)

    big_cohort("participant", "withdraw", "--yes", _email("Anna Berg"))
    big_cohort("group", "form", "--yes", "--size", "5", "--include-mentors")
    groups = big_cohort.json("group", "list")
    _check(groups)
    members = {m["email"] for g in groups for m in g["members"]}
    assert _email("Anna Berg") not in members
    assert len(members) == 13
    assert {m["role"] for g in groups for m in g["members"]} == {"adept", "mentor"}
    assert len(store_snapshot()["peergroupmember"]) == 13


def test_earlier_groupmates_are_kept_apart(cli: Cli, backend: str) -> None:
    for code in ("A", "B", "C", "D"):
        cli("agency", "add", code, f"Myndighet {code}")
    roster: list[tuple[str, str, str | None]] = [
        ("Adam Ås", "A", None),
        ("Bodil Bå", "B", None),
        ("Cilla Cé", "C", None),
        ("Dan Dö", "D", None),
    ]
    _register(cli, roster)
    cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    for cohort in ("2026", "2027"):
        for name, _, _ in roster:
            cli("--cohort", cohort, "participant", "add", _email(name), "--role", "adept")
    cli("--cohort", "2026", "group", "form", "--yes", "--size", "2")
    before: Any = cli.json("--cohort", "2026", "group", "list")
    cli("--cohort", "2027", "group", "form", "--yes", "--size", "2")
    after: Any = cli.json("--cohort", "2027", "group", "list")

    def pairs(groups: Any) -> set[frozenset[str]]:
        return {frozenset(m["email"] for m in g["members"]) for g in groups}

    assert pairs(before).isdisjoint(pairs(after))
    assert [g["repeat_pairs"] for g in after] == [0, 0]
    assert "Grupp 1" in cli("--cohort", "2026", "group", "list").stdout


def test_group_errors_change_nothing(network: Cli) -> None:
    before = store_snapshot()
    assert "no active adepts" in network("group", "form", "--yes", code=1).stderr
    network("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    before = store_snapshot()
    assert "--size" in network("group", "form", "--yes", "--size", "1", code=2).stderr
    assert store_snapshot() == before
    network("group", "form", "--yes")
    network("cohort", "close", "--yes")
    before = store_snapshot()
    assert "closed" in network("group", "form", "--yes", code=1).stderr
    assert store_snapshot() == before
