"""The register extract (``person export --format xlsx``, for a subject-access request)
holds everything the JSON holds, meetings and sent messages included, in Swedish words:
no raw JSON, no internal ids, no English status words."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from chefintro import texts
from tests.conftest import Cli
from tests.test_privacy import ASA, ORJAN, programme  # noqa: F401  (the fixture)


def _add_meetings_and_messages() -> None:
    """Åsa and Örjan met twice; Åsa got their introduction, the peer group's letter and a
    reminder of the kick-off (as 'message … --send' records them)."""
    from sqlmodel import select

    from chefintro.messages.content import GROUPS, INTRO, REMINDER
    from chefintro.messages.records import group_key, pair_key, session_key
    from chefintro.models import (
        Meeting,
        Pairing,
        Participant,
        PeerGroup,
        PeerGroupMember,
        ProgrammeSession,
        SentMessage,
    )
    from chefintro.registry import get_person
    from chefintro.store import open_store, resolve_location

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as s:
            asa, orjan = (get_person(db=s, email=e) for _, e in (ASA, ORJAN))
            pair = s.exec(
                select(Pairing)
                .join(Participant, Participant.id == Pairing.adept_id)  # type: ignore[arg-type]
                .where(Participant.person_id == asa.id)
            ).one()
            for day, minutes in ((date(2026, 2, 3), 60), (date(2026, 3, 10), 45)):
                s.add(Meeting(pairing_id=pair.id, held_on=day, minutes=minutes))  # type: ignore[arg-type]
            group = s.exec(select(PeerGroup).where(PeerGroup.name == "Grupp Norrsken")).one()
            members = s.exec(
                select(PeerGroupMember.participant_id).where(PeerGroupMember.group_id == group.id)
            ).all()
            kickoff = s.exec(select(ProgrammeSession)).first()
            assert kickoff is not None and asa.id is not None and orjan.id is not None
            for kind, key in (
                (INTRO, pair_key(asa.id, orjan.id)),
                (GROUPS, group_key(group.formation, members)),
                (REMINDER, session_key(kickoff.uid)),
            ):
                s.add(
                    SentMessage(
                        kind=kind,
                        cohort_id=group.cohort_id,
                        subject_key=key,
                        person_id=asa.id,
                        sent_at=datetime(2026, 1, 15, 8, 30),
                    )
                )
    finally:
        store.dispose()


@pytest.fixture
def exported(programme: Cli, tmp_path: Path) -> tuple[dict[str, Any], dict[str, list[Any]]]:  # noqa: F811
    _add_meetings_and_messages()
    from openpyxl import load_workbook

    data = json.loads(programme("person", "export", ASA[1]).stdout)
    xlsx = tmp_path / "registerutdrag.xlsx"
    programme("person", "export", ASA[1], "--format", "xlsx", "--output", str(xlsx))
    book = load_workbook(xlsx)
    try:
        sheets = {
            sheet.title: [row for row in sheet.iter_rows(values_only=True) if any(row)]
            for sheet in book.worksheets
        }
    finally:
        book.close()
    return data, sheets


def _sv(prefix: str, value: str) -> str:
    return texts.word(prefix, value, "sv")


def test_the_extract_holds_what_the_json_holds(
    exported: tuple[dict[str, Any], dict[str, list[Any]]],
) -> None:
    data, sheets = exported
    about = dict(sheets["Person"][1:])
    assert about["Namn"] == data["person"]["name"]
    assert about["E-post"] == data["person"]["email"]
    assert about["Enhet"] == data["person"]["unit"]

    parts = data["participations"]
    assert [row[:6] for row in sheets["Deltagande"][1:]] == [
        (
            p["cohort"],
            datetime.fromisoformat(p["cohort_starts_on"]),
            datetime.fromisoformat(p["cohort_ends_on"]),
            _sv("cohort", p["cohort_status"]),
            _sv("role", p["role"]),
            _sv("participant", p["status"]),
        )
        for p in parts
    ]

    pairs = [(p["cohort"], x) for p in parts for x in p["pairings"]]
    assert pairs, "the fixture gives Åsa a pair"
    facts = {row[0]: row[1:] for row in sheets["Par"][1:]}
    assert list(facts["Omgång"]) == [cohort for cohort, _ in pairs]
    assert list(facts["Mentorns namn"]) == [x["mentor_name"] for _, x in pairs]
    assert list(facts["Tillstånd"]) == [_sv("pairing", x["state"]) for _, x in pairs]
    assert list(facts["Låst"]) == [_sv("flag", "yes" if x["locked"] else "no") for _, x in pairs]
    assert list(facts["Poäng"]) == [x["score"] for _, x in pairs]
    assert list(facts["Möten"]) == [len(x["meetings"]) for _, x in pairs]
    (reasons,) = facts["Skäl"]
    assert reasons == f"samma verksamhetsområde 30 poäng, {ASA[0]} önskade {ORJAN[0]}"

    meetings = [
        (cohort, x["adept_name"], x["mentor_name"], datetime.fromisoformat(m["date"]), m["minutes"])
        for cohort, x in pairs
        for m in x["meetings"]
    ]
    assert len(meetings) == 2
    assert sheets["Möten"][1:] == meetings

    assert [(r[0], r[1], r[2], r[6]) for r in sheets["Närvaro"][1:]] == [
        (p["cohort"], a["session"], _sv("kind", a["kind"]), _sv("attendance", a["status"]))
        for p in parts
        for a in p["attendance"]
    ]
    assert sheets["Nätverksgrupper"][1:] == [
        (p["cohort"], g) for p in parts for g in p["peer_groups"]
    ]
    assert [r[3] for r in sheets["Undantag"][1:]] == [x["reason"] for x in data["exclusions"]]

    sent = data["sent_messages"]
    assert len(sent) == 3
    assert [(r[0], r[1], r[2]) for r in sheets["Skickade meddelanden"][1:]] == [
        (_sv("message", m["kind"]), m["cohort"], m["about_text"]) for m in sent
    ]
    about_texts = [m["about_text"] for m in sent]
    assert about_texts == [
        f"paret {ASA[0]} (adept) och {ORJAN[0]} (mentor)",
        "nätverksgruppen Grupp Norrsken",
        "Kick-off 2026-01-20",
    ]


def test_the_extract_has_no_json_no_ids_and_no_english_words(
    exported: tuple[dict[str, Any], dict[str, list[Any]]],
) -> None:
    data, sheets = exported
    cells = [str(v) for rows in sheets.values() for row in rows for v in row if v is not None]
    assert not [c for c in cells if "{" in c or "[" in c], "raw JSON in a cell"
    assert not [c for c in cells if c.startswith(("pair:", "group:", "session:"))]
    english = {"ended", "active", "completed", "excused", "present", "training", "intro"}
    english |= {"reminder", "groups", "closed", "True", "False", "same_field"}
    assert not [c for c in cells if c in english or "same_field" in c]
    # ... while the JSON itself keeps its machine words.
    assert data["participations"][0]["pairings"][0]["state"] == "ended"
