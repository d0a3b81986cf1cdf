"""A unique name works wherever a person is asked for; ambiguous names are listed;
`person find`; a namesake at the same agency is warned of."""

from __future__ import annotations

import pytest

from tests.conftest import Cli

ASA = "asa.oberg@csn.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"


@pytest.fixture
def year(cli: Cli) -> Cli:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("person", "add", "--name", "Örjan Sjöström", "--email", ORJAN, "--agency", "BV")
    cli("person", "add", "--name", "Anna Berg", "--email", "anna.berg@csn.se", "--agency", "CSN")
    cli("person", "add", "--name", "Anna Berg", "--email", "anna.berg@bv.se", "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    return cli


@pytest.mark.parametrize("ref", ["Åsa Öberg", "åsa öberg", "ASA OBERG", "  Asa   Oberg "])
def test_a_unique_name_works_like_an_e_mail(year: Cli, ref: str) -> None:
    assert year.json("person", "show", ref)["email"] == ASA


def test_names_work_in_every_command(year: Cli) -> None:
    year("participant", "add", "asa oberg", "--role", "adept")
    year("participant", "add", "Orjan Sjostrom", "--role", "mentor")
    year("pair", "set", "Åsa Öberg", "Örjan Sjöström")
    assert year.json("pair", "explain", "asa öberg")
    year("session", "add", "Dag", "--start", "2020-02-01 9:00", "--end", "16:00")
    year("session", "attend", "1", "Åsa Öberg", "--status", "närvarande")
    year("pair", "remove", "Åsa Öberg")
    year("participant", "withdraw", "Örjan Sjöström", "--yes")
    year("participant", "reinstate", "orjan sjöström")
    people = {p["email"]: p["status"] for p in year.json("participant", "list")}
    assert people == {ASA: "active", ORJAN: "active"}


def test_an_ambiguous_name_lists_the_matches(year: Cli) -> None:
    result = year("person", "show", "anna berg", code=1)
    assert "anna.berg@csn.se" in result.stderr and "anna.berg@bv.se" in result.stderr
    assert "CSN" in result.stderr and "BV" in result.stderr
    assert "e-mail" in result.stderr
    year("participant", "add", "anna berg", "--role", "adept", code=1)
    assert year.json("participant", "list") == []


def test_an_unknown_name_points_to_person_find(year: Cli) -> None:
    assert "person find" in year("person", "show", "Nils Holgersson", code=1).stderr


def test_person_find_searches_names_and_e_mails(year: Cli) -> None:
    found = year.json("person", "find", "berg")
    assert sorted(p["email"] for p in found) == ["anna.berg@bv.se", "anna.berg@csn.se", ASA]
    assert [p["email"] for p in year.json("person", "find", "SJOSTR")] == [ORJAN]
    assert (
        year.json("person", "find", "bolagsverket.se") == [year.json("person", "show", ORJAN)]
        or len(year.json("person", "find", "bolagsverket.se")) == 1
    )
    assert "No one" in year("person", "find", "xyz").stderr


def test_a_namesake_at_the_same_agency_is_warned_of(year: Cli) -> None:
    result = year(
        "person", "add", "--name", "ÅSA ÖBERG", "--email", "asa.o@csn.se", "--agency", "CSN"
    )
    assert "Warning" in result.stderr and ASA in result.stderr
    other = year("person", "add", "--name", "Åsa Öberg", "--email", "asa@bv.se", "--agency", "BV")
    assert "Warning" not in other.stderr
