"""Tables on the terminal (issue 32): a line of text per row, as rich's Table prints it.

``output.table`` lays out a table whose values fit on one line itself; rich's Table is
the reference it must match byte for byte (on a pipe and on a terminal), and still lays
out what wraps.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from chefintro.cli import output


class _Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _printed(
    capsys: pytest.CaptureFixture[str],
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    **kw: Any,
) -> str:
    output.table(columns, rows, **kw)
    return capsys.readouterr().out


def _rich(
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    title: str | None = None,
    caption: str | None = None,
    file: io.StringIO | None = None,
    width: int = 200,
) -> str:
    """The table as rich's Table prints it, each value as it is (the reference)."""
    target = file if file is not None else io.StringIO()
    console = Console(file=target, width=width, highlight=False, soft_wrap=False, emoji=False)
    grid = Table(title=title, caption=caption, header_style="bold", box=box.HEAVY_HEAD)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(Text(output._text(v)) for v in row))
    console.print(grid)
    return target.getvalue()


def test_swedish_and_east_asian_letters_keep_the_columns_straight(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """å, ä, ö take one cell, 李 and 香 two, a combining accent none."""
    rows = [("Åsa Öberg", "Umeå"), ("李小龍", "香港"), ("e\u0301", "")]
    printed = _printed(capsys, ["Namn", "Ort"], rows, title="Orter", caption="Två")
    assert printed == (
        "       Orter        \n"
        "┏━━━━━━━━━━━┳━━━━━━┓\n"
        "┃ Namn      ┃ Ort  ┃\n"
        "┡━━━━━━━━━━━╇━━━━━━┩\n"
        "│ Åsa Öberg │ Umeå │\n"
        "│ 李小龍    │ 香港 │\n"
        "│ e\u0301         │      │\n"
        "└───────────┴──────┘\n"
        "        Två         \n"
    )
    assert {cell_len(line) for line in printed.splitlines()} == {20}
    assert printed == _rich(["Namn", "Ort"], rows, title="Orter", caption="Två")


def test_a_table_without_rows_says_so_or_shows_its_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    said = _printed(capsys, ["Idé", "Av"], [], title="Idéer", empty="Inga idéer ännu.")
    assert said == "Idéer\nInga idéer ännu.\n"
    bare = _printed(capsys, ["Idé", "Av"], [], title="Idéer")
    assert bare == "   Idéer    \n┏━━━━━┳━━━━┓\n┃ Idé ┃ Av ┃\n┡━━━━━╇━━━━┩\n└─────┴────┘\n"
    assert bare == _rich(["Idé", "Av"], [], title="Idéer")


def test_line_breaks_and_control_characters_do_not_break_the_borders(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [("Åsa", "rad ett\nrad två"), ("Bo", "a\x1b[31mb\x07c\rd\u202eé")]
    printed = _printed(capsys, ["Namn", "Not"], rows)
    assert printed == (
        "┏━━━━━━┳━━━━━━━━━━━┓\n"
        "┃ Namn ┃ Not       ┃\n"
        "┡━━━━━━╇━━━━━━━━━━━┩\n"
        "│ Åsa  │ rad ett   │\n"
        "│      │ rad två   │\n"
        "│ Bo   │ a[31mbcdé │\n"
        "└──────┴───────────┘\n"
    )
    assert printed == _rich(["Namn", "Not"], rows)


def test_a_narrow_terminal_wraps_the_table_or_prints_records(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    people = [
        ("Anna-Karin Lindqvist Söderberg", "Försäkringskassan", "2026-01-26"),
        ("Bo Ek", "SCB", "2026-02-01"),
    ]
    wrapped = _printed(capsys, ["Namn", "Myndighet", "Sedan"], people)
    assert wrapped == (
        "Namn          Myndighet       Sedan     \n"
        "────────────────────────────────────────\n"
        "Anna-Karin    Försäkringskas  2026-01-26\n"
        "Lindqvist     san                       \n"
        "Söderberg                               \n"
        "Bo Ek         SCB             2026-02-01\n"
    )
    many = [f"Kolumn {i}" for i in range(8)]
    records = _printed(capsys, many, [tuple(f"värde {i}" for i in range(8))], title="Bred")
    assert records == "Bred\n\nvärde 0\n" + "".join(
        f"  Kolumn {i}: värde {i}\n" for i in range(1, 8)
    )


def test_on_a_terminal_the_header_is_bold_and_the_rows_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    rows = [("Åsa Öberg", 3, None), ("李小龍", 12, 0.5)]
    columns = ["Namn", "Möten", "Andel"]
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    output.table(columns, rows, title="Par", caption="Alla")
    printed = terminal.getvalue()
    assert "\x1b[1m" in printed and "\x1b[3m" in printed  # bold header, italic title
    assert "│ 李小龍    │ 12    │ 50%   │\n" in printed  # rows unstyled
    assert printed == _rich(columns, rows, title="Par", caption="Alla", file=_Terminal())


_CELL = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
_VALUE = _CELL | st.none() | st.booleans() | st.integers(-99, 9999) | st.floats(0, 3)
_HEADER = st.sampled_from(["Namn", "E-post", "Myndighet", "Möten", "Senaste möte", "李", ""])
_TITLE = st.sampled_from([None, "Par, omgång 2026", "Översikt", "ö", "李小龍"])


@settings(max_examples=150, deadline=None)
@given(
    columns=st.lists(_HEADER, min_size=1, max_size=5),
    data=st.data(),
    title=_TITLE,
    caption=_TITLE,
)
def test_a_table_that_fits_is_printed_as_richs_table_prints_it(
    columns: list[str], data: st.DataObject, title: str | None, caption: str | None
) -> None:
    rows = data.draw(st.lists(st.tuples(*([_VALUE] * len(columns))), min_size=1, max_size=4))
    expected = _rich(columns, rows, title=title, caption=caption)
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    try:
        output.table(columns, rows, title=title, caption=caption)
    finally:
        sys.stdout = saved
    assert out.getvalue() == expected


def test_emoji_codes_and_backslashes_in_values_are_printed_as_they_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(":fire: Ek", "a:b:c"), ("C:\\Users\\", "[bold]x[/]")]
    for width in ("200", "24", "12"):  # a line per row; wrapped; a record at a time
        monkeypatch.setenv("COLUMNS", width)
        printed = _printed(capsys, ["Namn", "Not"], rows, title=":fire: 2026")
        for value in (":fire: 2026", ":fire: Ek", "a:b:c", "C:\\Users\\", "[bold]x[/]"):
            assert value in printed, width
        assert "\\\\" not in printed, width
    output.warnings([":fire: brinner", "C:\\"])
    assert capsys.readouterr().err == "Warning: :fire: brinner\nWarning: C:\\\n"


def test_a_table_to_a_pipe_does_not_load_rich(tmp_path: Path) -> None:
    """What makes a list of 20,000 people as quick as its floor: no rich, no Table."""
    script = (
        "import sys\n"
        "from chefintro.cli import output\n"
        "output.table(['Namn', 'Ort'], [('Åsa', 'Umeå')] * 3, title='Orter', caption='Tre')\n"
        "output.warnings(['en', 'två'])\n"
        "output.success('klart')\n"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.startswith('rich'))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(Path(output.__file__).parents[2])
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    row = "│ Åsa  │ Umeå │\n"
    assert done.stdout == (
        "     Orter     \n┏━━━━━━┳━━━━━━┓\n┃ Namn ┃ Ort  ┃\n┡━━━━━━╇━━━━━━┩\n"
        + row * 3
        + "└──────┴──────┘\n      Tre      \n"
    )
    assert done.stderr == "Warning: en\nWarning: två\n✓ klart\n[]"
