"""Both sides heard: 'pair stability' and 'pair suggest --stable / --protect-first-wishes'.

The cohort is made so that the best total score and stability disagree: Åsa's first wish is
Märta, who likes Åsa best too, but the best total pairs Åsa with Örjan (same field) and Märta
with Björn (same field and town), so Åsa and Märta would both rather have each other.

Scores (both mentors manage since 2010: the same experience points e):
Åsa–Märta 50 + e (first wish), Åsa–Örjan 30 + e (same field),
Björn–Märta 40 + e (same field and town), Björn–Örjan e.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Cli, store_snapshot
from tests.test_mentor_wishes import ASA, BJORN, MARTA, ORJAN, _people


def _cohort(cli: Cli) -> None:
    _people(cli)  # the four people and cohort 2027 of the wishes tests
    cli("participant", "add", ASA, "--role", "adept", "--prefer", MARTA)
    cli("participant", "add", BJORN, "--role", "adept")
    cli("participant", "add", MARTA, "--role", "mentor")
    cli("participant", "add", ORJAN, "--role", "mentor")


def _pairs(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {p["adept"]: p["mentor"] for p in rows}


def test_stability_lists_the_pair_that_would_rather_have_each_other(cli: Cli) -> None:
    _cohort(cli)
    assert cli.json("pair", "stability") == {"pairs": 0, "blocking": []}
    assert "no pairs yet" in cli("pair", "stability").stderr
    assert _pairs(cli.json("pair", "suggest")) == {ASA: ORJAN, BJORN: MARTA}
    report: Any = cli.json("pair", "stability")
    assert report["pairs"] == 2
    [blocking] = report["blocking"]
    assert (blocking["adept"], blocking["mentor"]) == (ASA, MARTA)
    # Åsa: Märta scores higher than her own Örjan; Märta: Åsa higher than her own Björn.
    assert blocking["current_mentor_name"] == "Örjan Berg"
    assert blocking["score"] > blocking["current_score"]
    assert blocking["instead_of_name"] == "Björn Ek"
    assert blocking["score"] > blocking["instead_of_score"]
    assert blocking["reasons"]["preference_1"] == 50
    shown = cli("pair", "stability")
    text = shown.stdout + shown.stderr
    assert "Åsa Öberg" in text and "Märta Sjö" in text and "Björn Ek" in text
    assert "1 blocking pair" in text


def test_stable_within_the_allowed_cost_gives_the_stable_pairs(cli: Cli, backend: str) -> None:
    _cohort(cli)
    cli("settings", "set", "matching.stability_cost", "50")
    result: Any = cli.json("pair", "suggest", "--stable")
    assert _pairs(result["pairs"]) == {ASA: MARTA, BJORN: ORJAN}
    assert result["blocking_in_optimum"] == 1
    assert result["blocking"] == 0
    # The best total is 70 + 2e, the stable one 50 + 2e: stability costs 20 points.
    assert result["optimum_score"] - result["score"] == result["stability_cost"] == 20
    assert cli.json("pair", "stability")["blocking"] == []
    text = cli("pair", "suggest", "--stable").stderr
    assert "Stability cost 20 points of" in text
    assert "%" in text and "," in text.split("Stability cost", 1)[1].split("%")[0]


def test_stable_beyond_the_allowed_cost_keeps_the_best_pairs_and_says_why(cli: Cli) -> None:
    _cohort(cli)  # default matching.stability_cost: 1 % of about 110 points, not 20
    result: Any = cli.json("pair", "suggest", "--stable")
    assert _pairs(result["pairs"]) == {ASA: ORJAN, BJORN: MARTA}
    assert result["blocking"] == 1
    assert result["stability_cost"] == 0
    text = cli("pair", "suggest", "--stable").stderr
    assert "Kept the best pairs with 1 blocking pair:" in text
    assert "cost 20 points" in text


def test_a_pair_a_hard_rule_forbids_never_blocks(cli: Cli) -> None:
    _cohort(cli)
    cli("pair", "exclude", ASA, MARTA, "--reason", "jäv")
    assert _pairs(cli.json("pair", "suggest")) == {ASA: ORJAN, BJORN: MARTA}
    assert cli.json("pair", "stability")["blocking"] == []
    cli("settings", "set", "matching.stability_cost", "50")
    result: Any = cli.json("pair", "suggest", "--stable")
    assert _pairs(result["pairs"]) == {ASA: ORJAN, BJORN: MARTA}
    assert result["blocking_in_optimum"] == 0


def test_kept_pairs_stay_and_a_mentor_full_of_them_never_blocks(cli: Cli) -> None:
    _cohort(cli)
    cli("pair", "set", BJORN, MARTA, "--lock")
    cli("settings", "set", "matching.stability_cost", "50")
    result: Any = cli.json("pair", "suggest", "--stable")
    assert _pairs(result["pairs"]) == {ASA: ORJAN, BJORN: MARTA}
    assert result["blocking_in_optimum"] == 0
    assert cli.json("pair", "stability")["blocking"] == []


def test_a_locked_adept_never_blocks(cli: Cli) -> None:
    _cohort(cli)
    cli("pair", "set", ASA, ORJAN, "--lock")  # Åsa would rather have Märta, who agrees
    cli("settings", "set", "matching.stability_cost", "50")
    result: Any = cli.json("pair", "suggest", "--stable")
    assert _pairs(result["pairs"]) == {ASA: ORJAN, BJORN: MARTA}
    assert result["blocking_in_optimum"] == 0
    assert cli.json("pair", "stability")["blocking"] == []


def test_protect_first_wishes_grants_the_wish_within_the_allowed_cost(cli: Cli) -> None:
    _cohort(cli)
    result: Any = cli.json("pair", "suggest", "--protect-first-wishes")
    assert _pairs(result["pairs"]) == {ASA: ORJAN, BJORN: MARTA}  # 20 points is over 1 %
    assert (result["first_wishes_granted"], result["first_wishes"]) == (0, 1)
    cli("settings", "set", "matching.stability_cost", "30 %")
    result = cli.json("pair", "suggest", "--protect-first-wishes")
    assert _pairs(result["pairs"]) == {ASA: MARTA, BJORN: ORJAN}
    assert (result["first_wishes_granted"], result["first_wishes"]) == (1, 1)
    assert result["first_wishes_cost"] == 20
    assert (
        "First wishes granted: 1 of 1, for 20 points"
        in cli("pair", "suggest", "--protect-first-wishes").stderr
    )


def test_stability_cost_setting_takes_a_percentage_with_a_decimal_comma(cli: Cli) -> None:
    cli("settings", "set", "matching.stability_cost", "0,5")
    assert "0,5 %" in cli("settings", "list").stdout
    cli("settings", "set", "matching.stability_cost", "2.5 %")
    assert "2,5 %" in cli("settings", "list").stdout
    before = store_snapshot()
    for bad in ("lots", "150", "-1"):
        result = cli("settings", "set", "matching.stability_cost", bad, code=2)
        assert "percentage from 0 to 100" in result.stderr
    assert store_snapshot() == before


def test_a_stable_suggestion_is_undone_like_any_suggestion(cli: Cli) -> None:
    _cohort(cli)
    cli("settings", "set", "matching.stability_cost", "50")
    assert _pairs(cli.json("pair", "suggest")) == {ASA: ORJAN, BJORN: MARTA}
    assert _pairs(cli.json("pair", "suggest", "--stable")["pairs"]) == {ASA: MARTA, BJORN: ORJAN}
    cli("db", "undo", "--yes")
    assert _pairs(cli.json("pair", "list")) == {ASA: ORJAN, BJORN: MARTA}


def test_a_plans_suggestion_gives_the_best_total_whatever_the_allowed_cost(cli: Cli) -> None:
    """`cohort setup` suggests through ``pairing.suggest``, which has no --stable or
    --protect-first-wishes: with the cost set high enough for either to change the pairs,
    it still gives the best total, as `pair suggest` without them does."""
    from sqlmodel import select

    from chefintro import pairing
    from chefintro.models import Cohort
    from chefintro.store import open_store, resolve_location

    _cohort(cli)
    cli("settings", "set", "matching.stability_cost", "50")
    assert _pairs(cli.json("pair", "suggest", "--stable")["pairs"]) == {ASA: MARTA, BJORN: ORJAN}
    assert _pairs(cli.json("pair", "suggest", "--protect-first-wishes")["pairs"]) == {
        ASA: MARTA,
        BJORN: ORJAN,
    }
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = db.exec(select(Cohort)).one()
            pairs = pairing.suggest(db=db, cohort=cohort, allow_repeat=False)
    finally:
        store.dispose()
    assert {p.adept: p.mentor for p in pairs} == {ASA: ORJAN, BJORN: MARTA}
