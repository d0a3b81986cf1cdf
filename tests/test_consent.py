"""The mentor's consent (issue 34): proposals to mentors as drafts parsed back and sent
through a real SMTP server, answers recorded with their day, a decline that frees the adept
for a rematch that moves nobody else and never proposes that mentor again, the proposals
awaiting an answer in 'report pairs', and refusals that leave the store as it was.

The cohort: Åsa (CSN, IT) and Björn (CSN, HR) are adepts; Märta (BV, HR, Sundsvall), Örjan
(SPV, IT) and Karin (SPV, law) are mentors. 'pair suggest' proposes Åsa–Örjan and
Björn–Märta. Today is 11 January 2027 (the cohort starts on 26 January).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot
from tests.test_followup import _set_today
from tests.test_mentor_wishes import _people
from tests.test_messages import Recorder, body, drafts, parse, smtp_server  # noqa: F401

ASA, BJORN = "asa.oberg@csn.se", "bjorn.ek@csn.se"
MARTA, ORJAN, KARIN = "marta.sjo@bolagsverket.se", "orjan.berg@spv.se", "karin.lund@spv.se"
TODAY = date(2027, 1, 11)


def everyone(cli: Cli) -> None:
    """test_mentor_wishes' Åsa, Björn, Märta and Örjan, cohort 2027, and Karin."""
    _people(cli)
    cli(
        "person", "add", "--name", "Karin Lund", "--email", KARIN, "--agency", "SPV",
        "--field", "Juridik", "--location", "Umeå", "--manager-since", "2011-01-01",
    )  # fmt: skip


@pytest.fixture
def round_(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The cohort with its two suggested pairs, not yet proposed to the mentors."""
    _set_today(monkeypatch, TODAY)
    if cli.restore("test_consent.round"):
        return cli
    everyone(cli)
    cli("settings", "set", "mail.from", "Karin Berg <karin.berg@example.se>")
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", BJORN, "--role", "adept")
    for mentor in (MARTA, ORJAN, KARIN):
        cli("participant", "add", mentor, "--role", "mentor")
    cli("pair", "suggest")
    cli.keep("test_consent.round")
    return cli


def _pairs(cli: Cli, *more: str) -> dict[str, dict[str, Any]]:
    return {p["adept"]: p for p in cli.json("pair", "list", *more)}


def _proposed(cli: Cli, tmp_path: Path) -> Cli:
    cli("pair", "propose", "--out", str(tmp_path / "forslag"))
    return cli


def test_proposals_are_drafted_to_each_mentor_and_recorded(round_: Cli, tmp_path: Path) -> None:
    result = round_("pair", "propose", "--out", str(tmp_path / "forslag"))
    assert "Wrote 2 proposal drafts for 2 recipients" in result.stderr
    assert "Åsa Öberg: no mentor → Örjan Berg?" in result.stderr
    files = drafts(tmp_path / "forslag")
    assert [f.name for f in files] == ["01-marta-sjo-bjorn-ek.eml", "02-orjan-berg-asa-oberg.eml"]
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    letter = parse(files[1])
    assert [a.addr_spec for a in letter["To"].addresses] == [ORJAN]
    assert letter["Subject"] == "Chefsintroduktionen 2027: vill du vara mentor för Åsa Öberg?"
    assert letter["X-Chefintro-Draft"] == "proposal 2027"
    text = body(letter, "plain")
    assert "Hej Örjan!" in text
    assert "Vill du ta dig an Åsa?" in text
    assert "måndag 18 januari 2027" in text
    assert "Åsa Öberg" in body(letter, "html")
    # The pairs are locked while the mentors answer, and wait for them in 'report pairs'.
    assert all(p["locked"] and p["state"] == "proposed" for p in _pairs(round_).values())
    rows = round_.json("report", "pairs", "--as-of", "2027-01-16")
    assert [(r["adept"], r["status"], r["days_waiting"], r["proposed_on"]) for r in rows] == [
        (BJORN, "awaiting_answer", 5, "2027-01-11"),
        (ASA, "awaiting_answer", 5, "2027-01-11"),
    ]
    swedish = round_("report", "pairs", "--as-of", "2027-01-16").stdout
    assert "väntar på svar, 5 dagar" in swedish
    english = round_("report", "pairs", "--as-of", "2027-01-12", "--lang", "en").stdout
    assert "awaiting answer, 1 day" in english
    # A new suggestion keeps the pairs proposed to their mentors.
    round_("pair", "suggest")
    assert {a: p["mentor"] for a, p in _pairs(round_).items()} == {ASA: ORJAN, BJORN: MARTA}


def test_drafting_again_keeps_the_day_the_proposal_went_out(
    round_: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _proposed(round_, tmp_path)
    _set_today(monkeypatch, date(2027, 1, 14))
    again = round_("pair", "propose", "--out", str(tmp_path / "forslag"))
    assert "Proposed, awaiting" not in again.stderr  # nothing new
    rows = round_.json("report", "pairs", "--as-of", "2027-01-14")
    assert {r["proposed_on"] for r in rows} == {"2027-01-11"}


def test_pair_apply_waits_for_the_mentors_answers(round_: Cli, tmp_path: Path) -> None:
    _proposed(round_, tmp_path)
    result = round_("pair", "apply")
    assert "0 pairs are now active" in result.stderr
    assert "2 proposals still await the mentor's answer and stay proposed" in result.stderr
    assert {p["state"] for p in _pairs(round_).values()} == {"proposed"}


def test_accept_makes_the_pair_active_from_the_day_of_the_answer(
    round_: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _proposed(round_, tmp_path)
    _set_today(monkeypatch, date(2027, 2, 1))
    result = round_("pair", "accept", "Åsa Öberg", "--date", "2027-01-28")
    assert (
        "Örjan Berg accepted Åsa Öberg on 2027-01-28: the pair Åsa Öberg – Örjan Berg "
        "proposed → active (proposed on 2027-01-11)." in result.stderr
    )
    pair = _pairs(round_)[ASA]
    assert (pair["state"], pair["since"]) == ("active", "2027-01-28")
    proposal = store_snapshot()["pair_proposal"]
    assert sorted((r[5], str(r[6])) for r in proposal if r[5]) == [("accepted", "2027-01-28")]
    # Björn's proposal still waits; 'db undo' takes the answer back.
    [waiting] = [r for r in round_.json("report", "pairs") if r["status"] == "awaiting_answer"]
    assert waiting["adept"] == BJORN
    undone = round_("db", "undo", "--yes")
    assert "pair accept" in undone.stderr
    assert _pairs(round_)[ASA]["state"] == "proposed"
    # Only the answer is undone: both proposals still await their mentors.
    assert {r["adept"] for r in round_.json("report", "pairs")} == {ASA, BJORN}


def test_a_decline_frees_the_adept_and_the_rematch_moves_nobody_else(
    round_: Cli, tmp_path: Path
) -> None:
    _proposed(round_, tmp_path)
    bjorn_before = _pairs(round_)[BJORN]
    result = round_("pair", "decline", ASA, "--reason", "känner adepten privat")
    assert (
        "Örjan Berg declined Åsa Öberg on 2027-01-11 (känner adepten privat): the pair "
        "Åsa Öberg – Örjan Berg proposed → removed" in result.stderr
    )
    assert "Left without a mentor: Åsa Öberg" in result.stderr
    assert ASA not in _pairs(round_)
    [exclusion] = store_snapshot()["exclusion"]
    assert exclusion[3] == "declined the proposal 2027-01-11: känner adepten privat"
    # The same hard rules everywhere: never that mentor for that adept again.
    refused = round_("pair", "set", ASA, ORJAN, code=1)
    assert "excluded" in refused.stderr
    explained: Any = round_.json("pair", "explain", ASA)
    why = {x["mentor"]: x["why_not"] for x in explained["alternatives"]}[ORJAN]
    assert why == "forbidden: excluded (declined the proposal 2027-01-11: känner adepten privat)"
    rematch = round_.json("pair", "rematch")
    assert [(p["adept"], p["mentor"]) for p in rematch["pairs"]] == [(ASA, KARIN)]
    round_("pair", "rematch", "--propose")
    after = _pairs(round_)
    assert after[BJORN] == bjorn_before  # nobody else moved
    assert (after[ASA]["mentor"], after[ASA]["state"]) == (KARIN, "proposed")
    round_("pair", "suggest")
    assert _pairs(round_)[ASA]["mentor"] != ORJAN
    # Only Karin is asked now.
    again = round_("pair", "propose", "--out", str(tmp_path / "forslag2"))
    assert "Åsa Öberg: no mentor → Karin Lund?" in again.stderr
    round_("pair", "accept", ASA)
    assert _pairs(round_)[ASA]["state"] == "active"


def test_undo_takes_a_decline_back(round_: Cli, tmp_path: Path) -> None:
    _proposed(round_, tmp_path)
    before = store_snapshot()
    round_("pair", "decline", ASA, "--reason", "ingen tid")
    round_("db", "undo", "--yes")
    after = store_snapshot()
    for table in ("pairing", "pair_proposal", "exclusion"):
        assert after[table] == before[table], table


@pytest.mark.parametrize(
    ("steps", "args", "code", "message"),
    [
        ([], ("accept", ASA), 1, "has not been proposed to Örjan Berg yet"),
        (["propose"], ("accept", MARTA), 2, "Märta Sjö is a mentor in cohort 2027"),
        (["propose", "decline"], ("decline", ASA, "--reason", "igen"), 1, "Örjan Berg declined"),
        (["propose", "decline"], ("accept", ASA), 1, "has no proposal awaiting an answer"),
        (["propose", "accept"], ("accept", ASA), 1, "already active"),
        (["propose", "withdraw"], ("accept", ASA), 1, "has withdrawn from cohort 2027"),
        (["propose", "mentor-withdraws"], ("accept", ASA), 1, "has no proposed pair"),
        (["propose", "close"], ("accept", ASA), 1, "closed"),
        (["propose"], ("decline", ASA, "--reason", "  "), 2, "Give the mentor's --reason"),
        (["propose"], ("accept", ASA, "--date", "2027-01-10"), 2, "before the proposal"),
        (["propose"], ("accept", ASA, "--date", "2027-01-12"), 2, "is in the future"),
        (["propose"], ("accept", "nobody@csn.se"), 1, "No person"),
    ],
    ids=[
        "never-proposed", "a-mentor", "declined-twice", "accept-after-decline",
        "accepted-twice", "withdrawn", "mentor-withdrew", "closed", "blank-reason",
        "before-proposal", "future", "unknown",
    ],
)  # fmt: skip
def test_a_refused_answer_says_why_and_changes_nothing(
    round_: Cli,
    tmp_path: Path,
    steps: list[str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    for step in steps:
        if step == "propose":
            _proposed(round_, tmp_path)
        elif step == "decline":
            round_("pair", "decline", ASA, "--reason", "ingen tid")
        elif step == "accept":
            round_("pair", "accept", ASA)
        elif step == "withdraw":
            round_("participant", "withdraw", ASA, "--yes")
        elif step == "mentor-withdraws":
            round_("participant", "withdraw", ORJAN, "--yes")
        elif step == "close":
            round_("cohort", "close", "--yes", "--force")
    before = store_snapshot()
    result = round_("pair", *args, code=code)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    after = store_snapshot()
    after.pop("command_journal", None), before.pop("command_journal", None)
    assert after == before


def test_erasing_a_mentor_forgets_their_proposals(round_: Cli, tmp_path: Path) -> None:
    _proposed(round_, tmp_path)
    round_("pair", "decline", ASA, "--reason", "Märta Sjö passar bättre")
    assert len(store_snapshot()["pair_proposal"]) == 2
    round_("person", "erase", MARTA, "--yes")
    [left] = store_snapshot()["pair_proposal"]
    assert left[7] == "[raderad] passar bättre"  # Örjan's reason named Märta
    round_("person", "erase", ASA, "--yes")
    assert store_snapshot()["pair_proposal"] == []


# --- sending ------------------------------------------------------------------------------


@pytest.fixture
def mail(round_: Cli, smtp_server: tuple[Recorder, int]) -> Iterator[tuple[Cli, Recorder]]:  # noqa: F811
    recorder, port = smtp_server
    round_("settings", "set", "mail.smtp_host", "127.0.0.1")
    round_("settings", "set", "mail.smtp_port", str(port))
    round_("settings", "set", "mail.starttls", "false")
    yield round_, recorder


def test_proposals_are_sent_once_and_recorded_when_the_server_took_them(
    mail: tuple[Cli, Recorder],
) -> None:
    cli, server = mail
    result = cli("pair", "propose", "--send", "--yes")
    assert "Sent 2 proposals to 2 recipients" in result.stderr
    assert sorted(r for _, rs, _ in server.received for r in rs) == [MARTA, ORJAN]
    letter = next(m for m in server.messages() if m["To"].addresses[0].addr_spec == ORJAN)
    assert letter["X-Chefintro-Draft"] is None
    assert "Vill du ta dig an Åsa?" in body(letter, "plain")
    sent = store_snapshot()["sent_message"]
    assert {(r[1], r[6]) for r in sent} == {("proposal", "sent")}
    assert len(store_snapshot()["pair_proposal"]) == 2
    again = cli("pair", "propose", "--send", "--yes")
    assert "No proposal is left to send (2 already sent" in again.stderr
    assert len(server.received) == 2


def test_a_refused_mentor_has_no_proposal_recorded(mail: tuple[Cli, Recorder]) -> None:
    cli, server = mail
    server.refuse.add(MARTA)
    cli("pair", "propose", "--send", "--yes", code=75)
    rows = cli.json("report", "pairs")
    assert [r["adept"] for r in rows] == [ASA]  # Björn's letter to Märta never went


def test_a_whole_round_on_every_backend(
    cli: Cli, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_today(monkeypatch, TODAY)
    everyone(cli)
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", BJORN, "--role", "adept")
    for mentor in (MARTA, ORJAN, KARIN):
        cli("participant", "add", mentor, "--role", "mentor")
    cli("participant", "wishes", KARIN, "--wish-adept", "Björn Ek", "--not-adept", "Åsa Öberg")
    cli("pair", "suggest")
    assert {a: p["mentor"] for a, p in _pairs(cli).items()} == {ASA: ORJAN, BJORN: KARIN}
    _proposed(cli, tmp_path)
    cli("pair", "accept", BJORN)
    cli("pair", "decline", ASA, "--reason", "ingen tid")
    cli("pair", "rematch", "--propose")
    assert _pairs(cli)[ASA]["mentor"] == MARTA
    cli("pair", "propose", "--out", str(tmp_path / "igen"))
    [waiting] = [r for r in cli.json("report", "pairs") if r["status"] == "awaiting_answer"]
    assert (waiting["adept"], waiting["mentor"], waiting["days_waiting"]) == (ASA, MARTA, 0)
    assert cli("db", "check").exit_code == 0


def test_anonymising_the_cohort_drops_why_mentors_declined_and_their_wishes(
    round_: Cli, tmp_path: Path
) -> None:
    round_("participant", "wishes", KARIN, "--wish-adept", BJORN, "--wished-location", "Umeå")
    _proposed(round_, tmp_path)
    round_("pair", "decline", ASA, "--reason", "Åsa är min granne")
    round_("cohort", "close", "--yes", "--force")
    round_("cohort", "anonymise", "--yes", "2027", "--archive", str(tmp_path / "arkiv.xlsx"))
    snapshot = store_snapshot()
    assert snapshot["mentor_wish"] == []
    answers = sorted((str(row[5]), row[7]) for row in snapshot["pair_proposal"])
    assert answers == [("None", None), ("declined", None)]


def test_a_persons_export_holds_their_proposals_and_wishes(round_: Cli, tmp_path: Path) -> None:
    round_("participant", "wishes", ORJAN, "--wish-adept", ASA, "--wished-location", "Umeå")
    _proposed(round_, tmp_path)
    round_("pair", "decline", ASA, "--reason", "ingen tid")
    mentor: Any = json.loads(round_("person", "export", ORJAN).stdout)
    part = mentor["participations"][0]
    assert (part["wished_locations"], part["wished_adepts"]) == (["Umeå"], [ASA])
    assert part["proposals"] == [
        {
            "adept": ASA,
            "mentor": ORJAN,
            "proposed_on": "2027-01-11",
            "answer": "declined",
            "answered_on": "2027-01-11",
            "reason": "ingen tid",
        }
    ]
    adept: Any = json.loads(round_("person", "export", ASA).stdout)
    assert [p["answer"] for p in adept["participations"][0]["proposals"]] == ["declined"]


def test_no_proposal_goes_out_for_a_closed_cohort(round_: Cli, tmp_path: Path) -> None:
    round_("cohort", "close", "--yes", "--force")
    before = store_snapshot()
    result = round_("pair", "propose", "--out", str(tmp_path / "forslag"), code=1)
    assert "closed" in result.stderr
    assert not (tmp_path / "forslag").exists()
    after = store_snapshot()
    after.pop("command_journal"), before.pop("command_journal")
    assert after == before


def test_linking_two_records_of_a_mentor_keeps_their_proposals_and_wishes(
    round_: Cli, tmp_path: Path
) -> None:
    round_("participant", "wishes", ORJAN, "--wish-adept", ASA)
    _proposed(round_, tmp_path)
    round_("pair", "decline", ASA, "--reason", "ingen tid")
    new = "orjan.berg@pensionsmyndigheten.se"
    round_("person", "add", "--name", "Örjan Berg", "--email", new, "--agency", "SPV")
    round_("person", "link", ORJAN, new, "--yes")
    mentor: Any = json.loads(round_("person", "export", new).stdout)
    part = mentor["participations"][0]
    assert [(p["mentor"], p["answer"]) for p in part["proposals"]] == [(new, "declined")]
    assert part["wished_adepts"] == [ASA]
    round_("person", "add", "--name", "Åsa Öberg", "--email", "asa@csn.se", "--agency", "CSN")
    round_("person", "link", ASA, "asa@csn.se", "--yes")
    assert _wished(round_, new) == ["asa@csn.se"]


def _wished(cli: Cli, mentor: str) -> list[str]:
    listed = {p["email"]: p for p in cli.json("participant", "list")}
    wished: list[str] = listed[mentor]["wished_adepts"]
    return wished
