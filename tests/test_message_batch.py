"""What a batch of messages checks, fills and builds before anything goes (issue 25).

Each test here was first seen failing with its rule broken: a message to send filled
only when it goes, the sender left out of the drafts or of the address check, a
reminder's calendar made for the whole cohort, a sender's international domain in the
Message-ID as typed, a draft of a letter that reached some addressed to all again.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_message_streaming import LATE_FAILURE
from tests.test_messages import (  # noqa: F401  (the fixtures)
    ASA,
    ORJAN,
    ZACHARIAS,
    Recorder,
    _plant,
    _sent_rows,
    body,
    drafts,
    mail,
    parse,
    session_id,
    smtp_server,
    year,
)


def parse_bytes(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def test_every_message_to_send_is_filled_before_the_first_goes(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
) -> None:
    # The template fills the first introduction (Zacharias Ek has no unit) and stops on
    # the second: nothing may have gone by then.
    cli, server = mail
    folder = tmp_path / "mallar"
    folder.mkdir()
    (folder / "intro.txt").write_text(LATE_FAILURE, encoding="utf-8")
    result = cli("message", "intro", "--template", str(folder), "--send", "--yes", code=65)
    assert f"{folder / 'intro.txt'}, line 2" in result.stderr
    assert server.received == []
    assert _sent_rows() == []


def test_introduction_drafts_come_from_the_coordinators_address(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
) -> None:
    cli, _ = mail
    cli("message", "intro", "--out", str(tmp_path))
    written = drafts(tmp_path)
    assert len(written) == 2
    for path in written:
        sender = parse(path)["From"].addresses[0]
        assert (sender.display_name, sender.addr_spec) == ("Karin Berg", "karin.berg@example.se")


@pytest.mark.parametrize("send", [False, True])
def test_a_sender_at_a_domain_with_swedish_letters_writes_and_sends(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
    send: bool,
) -> None:
    # mail.from takes a domain with å, ä or ö (the rule writes it in ASCII); every header
    # of the message, the Message-ID too, carries it in ASCII (it stopped drafts and
    # sending as an internal error, exit 70).
    cli, server = mail
    cli("settings", "set", "mail.from", "Karin Berg <karin@exämple.se>")
    args = ["--send", "--yes"] if send else ["--out", str(tmp_path)]
    cli("message", "reminder", str(session_id(cli)), *args)
    if send:
        assert len(server.received) == 4
        messages = [parse_bytes(data) for _, _, data in server.received]
        assert {sender for sender, _, _ in server.received} == {"karin@xn--exmple-cua.se"}
    else:
        messages = [parse(path) for path in drafts(tmp_path)]
        assert len(messages) == 4
    for message in messages:
        assert message["From"].addresses[0].addr_spec == "karin@xn--exmple-cua.se"
        assert message["Message-ID"].endswith("@xn--exmple-cua.se>"), message["Message-ID"]


@pytest.mark.parametrize("send", [False, True])
def test_a_sender_address_kept_from_before_a_rule_tightened_fails_each_message(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
    backend: str,
    send: bool,
) -> None:
    # mail.from is checked when it is set; one stored by an older version (or by hand)
    # that the address rule now refuses fails every message by name, and none goes.
    if backend != "sqlite":
        pytest.skip("the setting is planted with sqlite3")
    cli, server = mail
    refused = cli("settings", "set", "mail.from", "Karin <kärin@example.se>", code=2)
    assert "outside ASCII before the @" in refused.stderr
    _plant("UPDATE setting SET value = ? WHERE key = ?", ("Karin <kärin@example.se>", "mail.from"))
    args = ["--send", "--yes"] if send else ["--out", str(tmp_path / "out")]
    result = cli("message", "reminder", str(session_id(cli)), *args, code=65)
    said = " ".join(result.stderr.split())
    assert said.count(": an address ") == 4, said
    assert server.received == []
    assert _sent_rows() == []
    assert not (tmp_path / "out").exists()


def test_a_blind_reminders_draft_checks_every_hidden_recipient(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
    backend: str,
) -> None:
    # One reminder to all in Bcc: the draft names them all, so a stored address the
    # rule now refuses fails that message by name, before anything is written.
    if backend != "sqlite":
        pytest.skip("the address is planted with sqlite3")
    cli, _ = mail
    cli("settings", "set", "mail.reminder_to", "bcc")
    stored = "z\u00e4charias.ek@csn.se"
    _plant(
        "UPDATE person SET email = ?, email_key = ? WHERE email = ?",
        (stored, stored.casefold(), ZACHARIAS),
    )
    result = cli("message", "reminder", str(session_id(cli)), "--out", str(tmp_path), code=65)
    said = " ".join(result.stderr.split())
    assert "Not written: " in said and ": an address " in said, said
    assert drafts(tmp_path) == []


def test_a_reminders_calendar_holds_its_own_day_only(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
) -> None:
    from icalendar import Calendar

    cli, server = mail
    cli(
        "session",
        "add",
        "Nätverksträff",
        "--start",
        "2027-03-02 09:00",
        "--end",
        "2027-03-02 12:00",
    )
    sessions = cli.json("session", "list")
    assert isinstance(sessions, list) and len(sessions) == 2
    later = next(s for s in sessions if s["title"] == "Nätverksträff")
    cli("message", "reminder", str(later["id"]), "--out", str(tmp_path))
    cli("message", "reminder", str(later["id"]), "--send", "--yes")
    messages = [parse(path) for path in drafts(tmp_path)]
    messages += [parse_bytes(data) for _, _, data in server.received]
    assert len(messages) == 8  # four drafts, four sent
    for message in messages:
        [attachment] = list(message.iter_attachments())
        payload = attachment.get_payload(decode=True)
        assert isinstance(payload, bytes)
        [event] = Calendar.from_ical(payload).walk("VEVENT")
        assert str(event["SUMMARY"]).startswith("Nätverksträff"), event["SUMMARY"]


def test_a_draft_of_a_letter_that_reached_some_is_addressed_to_the_rest_only(
    mail: tuple[Cli, Recorder],  # noqa: F811
    tmp_path: Path,
) -> None:
    # Åsa and the HR contact had the introduction; Örjan's address was refused. A draft
    # names whom the mail program sends to: Örjan alone, as the next --send would.
    cli, server = mail
    cli("agency", "edit", "BV", "--contact", "hr@bolagsverket.se")
    server.refuse = {ORJAN}
    cli("message", "intro", "--send", "--yes", "--cc-agency", code=75)
    written = cli("message", "intro", "--cc-agency", "--out", str(tmp_path / "intro"))
    assert "1 introduction draft for 1 recipient" in " ".join(written.stderr.split())
    [draft] = drafts(tmp_path / "intro")
    message = parse(draft)
    assert [a.addr_spec for a in message["To"].addresses] == [ORJAN]
    assert message["Cc"] is None
    assert "Örjan" in body(message, "plain")  # the same letter

    # One reminder to all in Bcc that reached all but Åsa: its draft hides Åsa alone.
    cli("settings", "set", "mail.reminder_to", "bcc")
    server.refuse = {ASA.casefold()}
    cli("message", "reminder", str(session_id(cli)), "--send", "--yes", code=75)
    cli("message", "reminder", str(session_id(cli)), "--out", str(tmp_path / "reminder"))
    [draft] = drafts(tmp_path / "reminder")
    message = parse(draft)
    assert [a.addr_spec for a in message["Bcc"].addresses] == [ASA]
    assert [a.addr_spec for a in message["To"].addresses] == ["karin.berg@example.se"]

    # Drafts of letters to be sent again name everyone, and the copy to HR.
    cli("message", "intro", "--cc-agency", "--again", "--out", str(tmp_path / "again"))
    messages = {path.name: parse(path) for path in drafts(tmp_path / "again")}
    assert all(len(m["To"].addresses) == 2 for m in messages.values())
    copied = messages["02-asa-oberg-orjan-sjostrom.eml"]["Cc"]
    assert [a.addr_spec for a in copied.addresses] == ["hr@bolagsverket.se"]
