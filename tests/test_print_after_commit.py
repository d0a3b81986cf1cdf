"""A "✓" line promises that the change is stored: commands say it only after the commit."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tests.conftest import Cli

ASA = "asa.oberg@csn.se"
START = ("--start", "2027-02-01T09:00", "--end", "2027-02-01T16:00")


@pytest.fixture
def failing_commit(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A store with one cohort, a person and a session, whose next commits all fail busy."""
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("session", "add", "Uppstart", *START)

    def busy(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", busy)
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("agency", "add", "BV", "Bolagsverket"),
        ("agency", "edit", "CSN", "--name", "CSN"),
        ("person", "add", "--name", "Bo Ek", "--email", "bo@csn.se", "--agency", "CSN"),
        ("person", "edit", ASA, "--title", "Enhetschef"),
        ("participant", "add", ASA, "--role", "adept"),
        ("session", "add", "Dag två", "--start", "2027-03-01T09:00", "--end", "16:00"),
        ("session", "edit", "1", "--title", "Kick-off"),
        ("pair", "suggest", "--json"),
        ("survey", "add", "start-2027", "--phase", "start"),
        ("settings", "set", "programme.coordinator", "Helena Sjödin"),
    ],
)
def test_nothing_is_promised_when_the_commit_fails(failing_commit: Cli, args: tuple[str]) -> None:
    result = failing_commit(*args, code=75)
    assert "✓" not in result.stderr
    assert result.stdout == ""
    assert "busy" in result.stderr
