"""Drafts are made one at a time (issue 32), and a run that stops half-way writes nothing."""

from __future__ import annotations

import gc
import weakref
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from chefintro.messages import mime, service
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
