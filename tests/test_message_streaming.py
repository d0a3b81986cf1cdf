"""Drafts are made one at a time (issue 32), and a run that stops half-way writes nothing."""

from __future__ import annotations

import gc
import weakref
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from chefintro.messages import content, mime, service
from tests.conftest import Cli
from tests.test_messages import year  # noqa: F401  (the fixture)


def test_each_draft_is_let_go_before_the_next_is_written(
    year: Cli,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alive: weakref.WeakSet[EmailMessage] = weakref.WeakSet()
    seen: list[int] = []
    build, to_bytes = mime.build_message, mime.to_bytes

    def building(*args: Any, **kwargs: Any) -> EmailMessage:
        message = build(*args, **kwargs)
        alive.add(message)
        return message

    def writing(message: EmailMessage) -> bytes:
        gc.collect()
        seen.append(len(alive))
        return to_bytes(message)

    monkeypatch.setattr(service, "build_message", building)
    monkeypatch.setattr(mime, "to_bytes", writing)
    year("message", "intro", "--out", str(tmp_path / "out"))
    assert seen == [1, 1]  # all built first would be [2, 2]
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2


# Stops on the second pair only (Åsa Öberg's unit; Zacharias Ek has none).
LATE_FAILURE = "Hej\n{{ 1 // (0 if adept.unit else 1) }}\n"


def test_a_template_that_stops_on_a_later_message_leaves_the_folder_as_it_was(
    year: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    year("message", "intro", "--out", str(out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 2
    folder = tmp_path / "mallar"
    folder.mkdir()
    (folder / "intro.txt").write_text(LATE_FAILURE, encoding="utf-8")
    year("person", "edit", "zacharias.ek@csn.se", "--name", "Zacharias Eklund")
    result = year("message", "intro", "--template", str(folder), "--out", str(out), code=65)
    assert f"{folder / 'intro.txt'}, line 2" in result.stderr
    assert "Nothing was written or sent" in result.stderr
    # The first draft was made before the second stopped the run: it is not left behind,
    # nor any temporary file, and the earlier drafts are as they were.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    fresh = tmp_path / "new" / "out"
    year("message", "intro", "--template", str(folder), "--out", str(fresh), code=65)
    assert not (tmp_path / "new").exists()


def test_each_pairs_fields_are_read_when_its_draft_is_made(
    year: Cli,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One pair a slice: the check reads both pairs, then the writing reads each pair's
    # fields again just before its draft, never all of them before the first (issue 32).
    events: list[str] = []
    read, to_bytes = content._pair_people, mime.to_bytes

    def reading(*args: Any) -> Any:
        events.append("read")
        return read(*args)

    def writing(message: EmailMessage) -> bytes:
        events.append("write")
        return to_bytes(message)

    monkeypatch.setattr(content, "INTRO_SLICE", 1, raising=False)
    monkeypatch.setattr(content, "_pair_people", reading)
    monkeypatch.setattr(mime, "to_bytes", writing)
    year("message", "intro", "--out", str(tmp_path / "out"))
    assert events[events.index("write") :] == ["write", "read", "write"]
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2


def _change_store(sql: str) -> None:
    from sqlalchemy import text

    from chefintro.store import open_store, resolve_location

    engine = open_store(resolve_location(None)).engine
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.mark.parametrize("change", ["address", "person"])
def test_pairs_changed_between_the_check_and_the_drafts_write_nothing(
    year: Cli,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    year("person", "add", "--name", "Zacharias Ek", "--email", "z.ek@csn.se", "--agency", "CSN")
    write_drafts = mime.write_drafts
    if change == "address":  # an address the check would refuse
        sql = "UPDATE person SET email = 'inte en adress' WHERE email = 'zacharias.ek@csn.se'"
    else:  # the adept is another person now (the sent records' keys name people)
        sql = (
            "UPDATE participant SET person_id = (SELECT id FROM person WHERE email = "
            "'z.ek@csn.se') WHERE person_id = (SELECT id FROM person WHERE email = "
            "'zacharias.ek@csn.se')"
        )

    def changed_first(built: Any, directory: Path, tag: str) -> Any:
        _change_store(sql)
        return write_drafts(built, directory, tag)

    monkeypatch.setattr(service, "write_drafts", changed_first)
    out = tmp_path / "out"
    result = year("message", "intro", "--out", str(out), code=75)
    assert "The pairs changed while the introductions were being made" in result.stderr
    assert not out.exists()
