"""What the participant intake says, whole lines, word for word (issue 25).

tests/test_intake.py shows that every door gives the same findings; these pin down the
findings themselves, so a changed word, a lost hint ("write the e-mail address instead")
or a warning turned into a refusal fails here. Found by the whole mutation run: the
doors' tests matched the start of each warning only.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Cli, store_snapshot
from tests.test_followup import _set_today

ASA, BJORN, CECILIA = "asa.oberg@csn.se", "bjorn.ek@csn.se", "cecilia.ny@csn.se"
ORJAN, KARIN_SPV, KARIN_BV = "orjan.berg@spv.se", "karin.lund@spv.se", "karin.lund@bolagsverket.se"
TODAY = date(2027, 1, 11)


@pytest.fixture
def cohort(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Three adepts' people; mentors Örjan (withdrawn) and two Karin Lunds."""
    _set_today(monkeypatch, TODAY)
    if cli.restore("test_intake_words.cohort"):
        return cli
    for code, name in (("CSN", "Centrala studiestödsnämnden"), ("BV", "Bolagsverket"),
                       ("SPV", "Statens tjänstepensionsverk")):  # fmt: skip
        cli("agency", "add", code, name)
    for name, email, agency, since in (
        ("Åsa Öberg", ASA, "CSN", "2026-03-01"),
        ("Björn Ek", BJORN, "CSN", "2026-03-01"),
        ("Cecilia Ny", CECILIA, "CSN", "2026-09-01"),
        ("Örjan Berg", ORJAN, "SPV", "2010-01-01"),
        ("Karin Lund", KARIN_SPV, "SPV", "2011-01-01"),
        ("Karin Lund", KARIN_BV, "BV", "2012-01-01"),
    ):
        cli("person", "add", "--name", name, "--email", email, "--agency", agency,
            "--manager-since", since)  # fmt: skip
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    for mentor in (ORJAN, KARIN_SPV, KARIN_BV):
        cli("participant", "add", mentor, "--role", "mentor")
    cli("participant", "withdraw", ORJAN, "--yes")
    cli.keep("test_intake_words.cohort")
    return cli


def _warnings(stderr: str) -> list[str]:
    return [
        line.removeprefix("Warning: ")
        for line in stderr.splitlines()
        if line.startswith("Warning: ")
    ]


def test_an_adepts_wishes_that_play_no_part_are_each_said_whole(cohort: Cli) -> None:
    added = cohort("participant", "add", ASA, "--role", "adept", "--prefer", ORJAN,
                   "--prefer", "Karin Lund", "--prefer", "Nils Holm")  # fmt: skip
    assert _warnings(added.stderr) == [
        "Åsa Öberg wishes for Örjan Berg, who has withdrawn from cohort 2027; the wish plays "
        "no part in matching.",
        "Åsa Öberg wishes for 'Karin Lund', but 2 mentors of cohort 2027 have that name; "
        "write the mentor's e-mail address instead. The wish was left out.",
        "Åsa Öberg wishes for 'Nils Holm', but no mentor of cohort 2027 has that name; write "
        "the mentor's e-mail address instead. The wish was left out.",
    ]


def test_a_wish_for_a_mentor_of_the_same_agency_is_said_whole(cohort: Cli) -> None:
    cohort("person", "add", "--name", "Sara Spv", "--email", "sara.spv@spv.se",
           "--agency", "SPV", "--manager-since", "2026-03-01")  # fmt: skip
    added = cohort(
        "participant", "add", "sara.spv@spv.se", "--role", "adept", "--prefer", KARIN_SPV
    )
    assert _warnings(added.stderr) == [
        "Sara Spv wishes for Karin Lund, who is from the same agency (SPV); a mentor is always "
        "from another agency, so the wish plays no part in matching."
    ]


def test_a_mentors_wishes_given_to_an_adept_are_refused_whole(cohort: Cli) -> None:
    before = store_snapshot()
    for option in ("--wish-adept", "--not-adept", "--wished-location"):
        refused = cohort("participant", "add", BJORN, "--role", "adept", option, "Umeå", code=2)
        assert refused.stderr.strip() == (
            "Error: Wished towns, wished adepts and adepts not to mentor are a mentor's; an "
            "adept wishes for mentors."
        )
    after = store_snapshot()
    after.pop("command_journal", None), before.pop("command_journal", None)
    assert after == before


def test_a_mentors_adepts_that_are_not_found_are_each_said_whole(cohort: Cli) -> None:
    cohort("participant", "add", ASA, "--role", "adept")
    cohort("participant", "add", BJORN, "--role", "adept")
    cohort("person", "add", "--name", "Björn Ek", "--email", "bjorn.ek@bolagsverket.se",
           "--agency", "BV", "--manager-since", "2026-03-01")  # fmt: skip
    cohort("participant", "add", "bjorn.ek@bolagsverket.se", "--role", "adept")
    said = cohort("participant", "wishes", KARIN_SPV, "--wish-adept", "Björn Ek",
                  "--wish-adept", "Nils Holm", "--wish-adept", "Åsa Öberg (CSN)",
                  "--not-adept", f"{CECILIA} (chef)")  # fmt: skip
    assert _warnings(said.stderr) == [
        "Karin Lund names 'Björn Ek', but 2 adepts of cohort 2027 have that name; write the "
        "adept's e-mail address instead. It was left out.",
        "Karin Lund names 'Nils Holm', but no adept of cohort 2027 has that name; write the "
        "adept's e-mail address instead. It was left out.",
        # Brackets are a reason only after an adept not to mentor: here they are the name.
        "Karin Lund names 'Åsa Öberg (CSN)', but no adept of cohort 2027 has that name; write "
        "the adept's e-mail address instead. It was left out.",
        f"Karin Lund names {CECILIA}, who is not an adept of cohort 2027; it was left out.",
    ]


def test_a_manager_since_date_after_today_is_said_whole(cohort: Cli) -> None:
    cohort("person", "add", "--name", "Dan Snart", "--email", "dan.snart@csn.se",
           "--agency", "CSN", "--manager-since", "2027-01-12")  # fmt: skip
    added = cohort("participant", "add", "dan.snart@csn.se", "--role", "adept")
    assert _warnings(added.stderr) == [
        "Dan Snart becomes a manager on 2027-01-12, after today; check the manager-since date "
        "(Chef sedan).",
        "Dan Snart (adept) has managed staff for 0 months at the cohort's start; the programme "
        "asks for 6 months.",
    ]
    # Today itself is not ahead (only the months are said).
    cohort("person", "add", "--name", "Eva Idag", "--email", "eva.idag@csn.se",
           "--agency", "CSN", "--manager-since", "2027-01-11")  # fmt: skip
    added = cohort("participant", "add", "eva.idag@csn.se", "--role", "adept")
    assert _warnings(added.stderr) == [
        "Eva Idag (adept) has managed staff for 0 months at the cohort's start; the programme "
        "asks for 6 months."
    ]
