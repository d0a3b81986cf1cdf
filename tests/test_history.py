"""History that stays true when people move on: a cohort keeps what its people were then.

Karin Berg mentors for CSN in 2026. In 2027 she has moved to Försäkringskassan (same
e-mail), and the 2027 roster from FK's HR says so. Last year's figures, pair list and
export must still say CSN; only 2027 (and later) sees FK.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.conftest import Cli

KARIN = "karin.berg@csn.se"
OLLE = "olle.adept@bolagsverket.se"


@pytest.fixture
def last_year(cli: Cli, tmp_path: Path) -> Cli:
    """Cohort 2026 (closed): Karin (CSN) mentored Olle (BV). Cohort 2027 is open."""
    for code, name in (
        ("CSN", "Centrala studiestödsnämnden"),
        ("BV", "Bolagsverket"),
        ("FK", "Försäkringskassan"),
    ):
        cli("agency", "add", code, name)
    cli("person", "add", "--name", "Karin Berg", "--email", KARIN, "--agency", "CSN",
        "--unit", "IT-avdelningen", "--title", "Enhetschef",
        "--manager-since", "2015-01-01")  # fmt: skip
    cli("person", "add", "--name", "Olle Adept", "--email", OLLE, "--agency", "BV",
        "--manager-since", "2025-06-01")  # fmt: skip
    cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("--cohort", "2026", "participant", "add", KARIN, "--role", "mentor")
    cli("--cohort", "2026", "participant", "add", OLLE, "--role", "adept")
    cli("--cohort", "2026", "pair", "set", OLLE, KARIN)
    cli("--cohort", "2026", "pair", "apply")
    cli("--cohort", "2026", "cohort", "close", "--force", "--yes")
    cli("cohort", "use", "2027")
    return cli


def _fk_roster(tmp_path: Path) -> Path:
    """FK's HR list for 2027, typed as HR types it (Blad1, a title row)."""
    return hostile.openpyxl_workbook(
        tmp_path,
        "fk-2027.xlsx",
        {
            "Blad1": [
                ["Försäkringskassan – mentorer 2027"],
                ["Namn", "E-post", "Myndighet", "Roll", "Enhet", "Befattning", "Chef sedan"],
                [
                    "Karin Berg",
                    KARIN,
                    "FK",
                    "mentor",
                    "Digitalisering",
                    "Sektionschef",
                    date(2015, 1, 1),
                ],  # fmt: skip
            ]
        },
    )


def _history(cli: Cli) -> dict[str, dict[str, Any]]:
    data: dict[str, Any] = cli.json("report", "history")
    return {a["agency"]: a for a in data["agencies"]}


def test_a_move_reaches_the_coming_cohort_and_last_year_keeps_its_agency(
    last_year: Cli, tmp_path: Path
) -> None:
    before = _history(last_year)
    roster = _fk_roster(tmp_path)
    dry = last_year("roster", "import", str(roster), "--dry-run")
    moved = "Karin Berg (karin.berg@csn.se) moves from CSN to FK from cohort 2027; 2026 keeps CSN."
    assert moved in " ".join(dry.stderr.split()), dry.stderr
    done = last_year("roster", "import", str(roster))
    assert moved in " ".join(done.stderr.split())

    after = _history(last_year)
    assert after["CSN"]["per_cohort"]["2026"] == before["CSN"]["per_cohort"]["2026"]
    assert after["CSN"]["per_cohort"]["2026"]["mentors"] == 1
    assert (
        after.get("FK", {"per_cohort": {"2026": {"mentors": 0}}})["per_cohort"]["2026"]["mentors"]
        == 0
    )
    assert after["FK"]["per_cohort"]["2027"]["mentors"] == 1

    pairs_2026 = last_year.json("--cohort", "2026", "pair", "list", "--all")
    assert [(p["mentor"], p["mentor_agency"]) for p in pairs_2026] == [(KARIN, "CSN")]
    people_2026 = {p["email"]: p for p in last_year.json("--cohort", "2026", "participant", "list")}
    assert (people_2026[KARIN]["agency"], people_2026[KARIN]["unit"]) == ("CSN", "IT-avdelningen")
    people_2027 = {p["email"]: p for p in last_year.json("participant", "list")}
    assert (people_2027[KARIN]["agency"], people_2027[KARIN]["title"]) == ("FK", "Sektionschef")


def test_person_edit_moves_the_open_cohorts_only_and_says_so(last_year: Cli) -> None:
    last_year("participant", "add", KARIN, "--role", "mentor")  # 2027, still at CSN
    result = last_year("person", "edit", KARIN, "--agency", "FK")
    assert "Karin Berg moves from CSN to FK from cohort 2027; 2026 keeps CSN." in " ".join(
        result.stderr.split()
    )
    history = _history(last_year)
    assert history["CSN"]["per_cohort"]["2026"]["mentors"] == 1
    assert history["FK"]["per_cohort"]["2027"]["mentors"] == 1
    assert history["FK"]["per_cohort"]["2026"]["mentors"] == 0


PER_OLD = "per-erik.ater@csn.se"
PER_NEW = "per-erik.ater@forsakringskassan.se"
MAJA = "maja.mentor@bolagsverket.se"


def test_a_returner_with_a_new_address_is_suggested_a_link_and_linking_joins_the_years(
    last_year: Cli, tmp_path: Path
) -> None:
    """Per-Erik was an adept in 2026 at CSN; FK's 2027 roster has him with a new address."""
    cli = last_year
    cli("person", "add", "--name", "Per-Erik Åter", "--email", PER_OLD, "--agency", "CSN",
        "--manager-since", "2025-06-01")  # fmt: skip
    cli("person", "add", "--name", "Maja Mentor", "--email", MAJA, "--agency", "BV",
        "--manager-since", "2010-01-01")  # fmt: skip
    cli("--cohort", "2026", "cohort", "reopen", "2026")
    cli("--cohort", "2026", "participant", "add", PER_OLD, "--role", "adept")
    cli("--cohort", "2026", "participant", "add", MAJA, "--role", "mentor")
    cli("--cohort", "2026", "pair", "set", PER_OLD, MAJA)
    cli("--cohort", "2026", "pair", "apply")
    cli("--cohort", "2026", "cohort", "close", "--force", "--yes")
    roster = hostile.openpyxl_workbook(
        tmp_path,
        "fk.xlsx",
        {
            "Deltagare": [
                ["Förnamn", "Efternamn", "E-post", "Myndighet", "Roll"],
                ["Per-Erik", "Åter", PER_NEW, "FK", "adept"],
                ["Maja", "Mentor", MAJA, "BV", "mentor"],
            ]
        },
    )
    imported = cli("roster", "import", str(roster))
    suggestion = (
        f"Per-Erik Åter <{PER_NEW}> has the name of {PER_OLD}, who took part in cohort 2026; if "
        f"they are one person, join the records with 'chefintro person link {PER_OLD} "
        f"{PER_NEW}' (nothing was joined)."
    )
    assert suggestion in " ".join(imported.stderr.split())
    emails = {p["email"] for p in cli.json("person", "list")}
    assert {PER_OLD, PER_NEW} <= emails  # never joined silently
    # As two records, the rules cannot see that he was an adept, nor his earlier mentor.
    cli("pair", "set", PER_NEW, MAJA)
    cli("pair", "remove", PER_NEW)

    cli("person", "link", PER_OLD, PER_NEW, code=1)  # no terminal, no --yes
    linked = cli("person", "link", PER_OLD, PER_NEW, "--yes")
    assert f"Joined {PER_OLD} onto Per-Erik Åter <{PER_NEW}>: 2026 moved over" in linked.stderr
    assert "manager_since (2025-06-01)" in linked.stderr
    emails = {p["email"] for p in cli.json("person", "list")}
    assert PER_OLD not in emails and PER_NEW in emails
    warning = {p["email"]: p["warning"] for p in cli.json("participant", "list")}[PER_NEW]
    assert "was an adept in cohort 2026 already" in warning
    refused = cli("pair", "set", PER_NEW, MAJA, code=1)
    assert "paired before" in refused.stderr
    # 2026 reads as it did: Per-Erik there as a CSN adept, with Karin.
    pairs_2026 = cli.json("--cohort", "2026", "pair", "list", "--all")
    assert [(p["adept"], p["adept_agency"], p["mentor"]) for p in pairs_2026 if
            p["mentor"] == MAJA] == [(PER_NEW, "CSN", MAJA)]  # fmt: skip
    assert _history(cli)["CSN"]["per_cohort"]["2026"]["adepts"] == 1


def test_link_refuses_two_records_in_the_same_cohort(last_year: Cli) -> None:
    last_year("person", "add", "--name", "Karin Berg", "--email", "karin@fk.se", "--agency",
              "FK")  # fmt: skip
    last_year("--cohort", "2026", "cohort", "reopen", "2026")
    last_year("--cohort", "2026", "participant", "add", "karin@fk.se", "--role", "mentor")
    refused = last_year("person", "link", KARIN, "karin@fk.se", "--yes", code=1)
    assert "both take part in cohort 2026" in refused.stderr
    assert {KARIN, "karin@fk.se"} <= {p["email"] for p in last_year.json("person", "list")}
