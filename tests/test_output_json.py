"""The read commands' JSON: the one-pass writer is json.dumps to the character."""

from __future__ import annotations

import json
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chefintro.cli import output

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
ROWS = st.lists(
    st.dictionaries(st.text(), SCALARS | st.lists(SCALARS, max_size=3), max_size=6), max_size=5
)
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


class Colour(StrEnum):
    RED = "röd"


class Size(IntEnum):
    BIG = 3


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@given(ROWS)
def test_flat_rows_are_written_as_json_dumps_writes_them(rows: list[dict[str, Any]]) -> None:
    assert output._indented_json(rows) == _dumps(rows)


@given(NESTED)
def test_nested_data_is_written_as_json_dumps_writes_it(data: Any) -> None:
    assert output._indented_json(data) == _dumps(data)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{}],
        [{}, {"a": None}],
        [{"namn": 'Åsa "Ö" \\ \n\t\x00\x1f\x7f\u2028', "på": True, "av": False}],
        [{"roll": Colour.RED, "storlek": Size.BIG, "tal": 1e300, "liten": -0.0}],
        [{"önskade": [], "mentorer": ["a@x.se", None, 1, True]}],
        {"kohort": "2027", "deltagare": [{"namn": "Åsa", "andel": 0.8}], "tom": {}},
    ],
)
def test_the_edges_of_flat_rows(rows: list[dict[str, Any]]) -> None:
    assert output._indented_json(rows) == _dumps(rows)


@pytest.mark.parametrize(
    "data",
    [
        [{1: "x"}],
        {"a": [{"b": {2: 1}}]},
        [{"a": float("nan")}],
        [{"a": float("inf")}],
        [{"a": object()}],
        {"a": (1, 2)},
        [{"a": date(2027, 1, 26)}],
    ],
)
def test_anything_else_is_left_to_json_dumps(data: Any) -> None:
    assert output._indented_json(data) is None


def test_emit_json_writes_control_characters_as_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_json([{"namn": "a\x9bb\u202ec"}])
    assert capsys.readouterr().out == '[\n  {\n    "namn": "a\\u009bb\\u202ec"\n  }\n]\n'
