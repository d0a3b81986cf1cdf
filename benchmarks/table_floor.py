"""The floor of a read command's plain form (issue 32): the same tables, written without rich.

``TABLE_FLOOR`` is a Typer + SQLModel process that runs one ``SELECT *`` on the command's
table (as bench_speed's JSON floor does), loads the tables' cells from a JSON file and
prints them as chefintro prints them: a centred title, heavy borders round the header,
light ones round the rows, each column as wide as its widest value, padded with
``str.ljust``, a centred caption; and what the command wrote to stderr (its warnings).
Character widths come from ``unicodedata`` (East Asian wide and full-width characters take
two cells, combining marks none), not from rich.

:func:`cells_of` reads a command's plain output back into those cells (outside the
timing); the benchmark then checks that the floor prints the command's output byte for
byte before it times either. Not a benchmark of its own: bench_year.py's reads use it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLE_FLOOR = """
import json
import sys
import unicodedata
from pathlib import Path

import typer
from sqlmodel import Session, create_engine, text

app = typer.Typer(add_completion=False)


def cells(character):
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


def padded(values, width=None):
    values = list(values)
    if all(cells(c) == 1 for c in set("".join(values))):
        width = max(map(len, values)) if width is None else width
        return width, [v.ljust(width) for v in values]
    sizes = [sum(map(cells, v)) for v in values]
    width = max(sizes) if width is None else width
    return width, [v + " " * (width - size) for v, size in zip(values, sizes)]


def centred(line, width):
    size = sum(map(cells, line))
    left = (width - size) // 2
    return " " * left + line + " " * (width - size - left)


def table(out, block):
    columns, rows = block["columns"], block["rows"]
    widths, shown = [], []
    for header, values in zip(columns, zip(*rows) if rows else [()] * len(columns)):
        width, values = padded([header, *values])
        widths.append(width)
        shown.append(values)
    total = sum(widths) + 3 * len(widths) + 1
    if block["title"]:
        out.append(centred(block["title"], total))
    out.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    out.append("┃ " + " ┃ ".join(v[0] for v in shown) + " ┃")
    out.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    out.extend("│ " + " │ ".join(row) + " │" for row in zip(*(v[1:] for v in shown)))
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    if block["caption"]:
        out.append(centred(block["caption"], total))


@app.command()
def main(db: str, name: str, expected: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        rows = session.exec(text(f"SELECT * FROM {name}")).all()
    printed = json.loads(Path(expected).read_text(encoding="utf-8"))
    out = []
    for block in printed["blocks"]:
        if "line" in block:
            out.append(block["line"])
        else:
            table(out, block)
    sys.stdout.write("".join(line + "\\n" for line in out))
    sys.stderr.write(printed["stderr"])
    assert rows is not None


app()
"""


def cells_of(text: str) -> list[dict[str, Any]]:
    """Read a command's plain output back into blocks: a table (its title, headers, rows
    and caption) or a line of other text. Only one-line headers and values, as a table
    with more than a few rows has at 160 columns."""
    from rich.cells import cell_len

    lines = text.split("\n")[:-1]
    blocks: list[dict[str, Any]] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        if not line.startswith("┏"):
            blocks.append({"line": line})
            number += 1
            continue
        width = len(line)
        title = None
        before = blocks[-1].get("line", "") if blocks else ""
        if before.strip() and cell_len(before) == width:
            title = blocks.pop()["line"].strip()
        columns = [c.strip() for c in lines[number + 1][1:-1].split("┃")]
        if not lines[number + 2].startswith("┡"):
            raise ValueError(f"not a one-line header: {lines[number + 2]!r}")
        number += 3
        rows = []
        while not lines[number].startswith("└"):
            rows.append([c.strip() for c in lines[number][1:-1].split("│")])
            number += 1
        number += 1
        caption = None
        after = lines[number] if number < len(lines) else ""
        if after.strip() and cell_len(after) == width:
            caption = after.strip()
            number += 1
        blocks.append({"title": title, "columns": columns, "rows": rows, "caption": caption})
    return blocks


def write_cells(stdout: str, stderr: str, cells: Path) -> None:
    """Write the cells of a command's plain output, and what it wrote to stderr (its
    warnings), to ``cells`` (JSON)."""
    printed = {"blocks": cells_of(stdout), "stderr": stderr}
    cells.write_text(json.dumps(printed, ensure_ascii=False), encoding="utf-8")
