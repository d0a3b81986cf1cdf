"""All terminal output: messages to stderr, tables and JSON to stdout (the only rich importer)."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# rich loads on first use, so that --json output and quiet commands never import it
# (issue 16: a read command's cost is close to its Typer + SQLModel floor).

from chefintro.text import printable


def _stdout() -> Console:
    from rich.console import Console

    # Piped output is read by people in wide windows and by grep: do not wrap at 80.
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
    # Emoji codes are not looked for: a name such as ":fire:" is printed as it is.
    return Console(file=sys.stdout, highlight=False, soft_wrap=False, width=wide, emoji=False)


def _stderr() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True, emoji=False)


def _plain_width(stream: Any) -> int | None:
    """The width rich lays ``stream`` out at when it writes plain text there (no terminal,
    no colours forced), so that text can be written without rich; None when rich decides
    (a terminal, FORCE_COLOR or TTY_COMPATIBLE set, COLUMNS not a number, Windows)."""
    environ = os.environ
    if sys.platform == "win32" or "FORCE_COLOR" in environ or "TTY_COMPATIBLE" in environ:
        return None
    try:
        if stream.isatty():
            return None
    except ValueError:  # closed
        return None
    columns = environ.get("COLUMNS")
    if not columns:
        return 160  # as _stdout: piped output is not wrapped at 80
    return (int(columns) or 80) if columns.isdigit() else None


# JSON escapes C0 controls itself; these it would pass raw to a terminal (DEL, C1 controls
# such as CSI, and the bidirectional overrides), so they are written as \u escapes.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def emit_json(data: Any) -> None:
    """Write ``data`` as plain JSON to stdout, and nothing else."""
    text = _indented_json(data)
    if text is None:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _indented_json(value: Any, level: int = 0) -> str | None:
    """Return ``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it,
    character for character, if it is made of dicts with string keys, lists, strings,
    numbers, booleans and None; None for anything else (then json.dumps writes it).

    The read commands' JSON (20,000 people) is such data: written here in one pass with the
    C string encoder, where ``json.dumps`` with an indent encodes in Python.
    """
    text = _json_scalar(value)
    if text is not None:
        return text
    kind = type(value)
    if kind is not list and kind is not dict:
        return None
    if not value:
        return "[]" if kind is list else "{}"
    parts = []
    if kind is list:
        for item in value:
            text = _indented_json(item, level + 1)
            if text is None:
                return None
            parts.append(text)
    else:
        for key, item in value.items():
            text = _indented_json(item, level + 1)
            if text is None or type(key) is not str:
                return None
            parts.append(f"{_encode(key)}: {text}")
    inside = "\n" + "  " * (level + 1)
    opening, closing = ("[", "]") if kind is list else ("{", "}")
    return opening + inside + ("," + inside).join(parts) + "\n" + "  " * level + closing


_encode = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _json_scalar(value: Any) -> str | None:
    """Return a plain value as JSON (as json.dumps writes it); None if it is not one."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    return None


def error(message: str) -> None:
    _say([printable(message)], "Error:", "bold red")


def warning(message: str) -> None:
    _say([printable(message)], "Warning:", "yellow")


def consequences(lines: Iterable[str]) -> None:
    """Print what a change of pairs left behind (who lacks a mentor, whose place is free)."""
    for line in lines:
        warning(line)


def warnings(messages: Iterable[str], *, limit: int | None = None, more: str = "") -> None:
    """Print each message as :func:`warning` does, in one call (a roster has thousands).

    The same markup line by line, so the same output, without rich's per-call overhead.
    With ``limit``, only the first ``limit`` messages are printed, then one line saying how
    many more there are and ``more`` (where to read them all).
    """
    shown = list(messages)
    hidden = shown[limit:] if limit is not None else []
    texts = [printable(message) for message in shown[:limit]]
    if hidden:
        noun = "warning" if len(hidden) == 1 else "warnings"
        texts.append(printable(f"… and {len(hidden)} more {noun}{more}."))
    if texts:
        _say(texts, "Warning:", "yellow")


def success(message: str) -> None:
    _say([printable(message)], "✓", "green")


def info(message: str) -> None:
    _say([printable(message)])


def _say(texts: list[str], label: str = "", style: str = "") -> None:
    """Print each text on a line of stderr after ``label`` (in ``style`` on a terminal).

    Not a terminal, and texts that rich prints as they are: written as they are, without
    rich (the same text; a command that prints a table to a pipe never loads rich).
    """
    if _plain_width(sys.stderr) is not None and all(_as_it_is(t) for t in texts):
        head = f"{label} " if label else ""
        sys.stderr.write("".join([f"{head}{t}\n" for t in texts]))
        sys.stderr.flush()
        return
    from rich.markup import escape

    head = f"[{style}]{label}[/] " if label else ""
    _stderr().print("\n".join(f"{head}{escape(t)}" for t in texts))


def problems(header: str, lines: Iterable[str]) -> None:
    """Print a validation report: a header and one indented line per problem."""
    console = _stderr()
    console.print(f"[bold red]Error:[/] {_escape(header)}")
    for line in lines:
        console.print(f"  • {_escape(line)}")


def plain(text: str) -> None:
    """Write plain text to stdout (for values meant for scripts, such as a path)."""
    sys.stdout.write(printable(text) + "\n")


#: The first columns of a table of participants, as JSON names them (``registry.who_json``).
WHO_HEADERS = ("Name", "E-mail", "Agency", "Role")


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    empty: str | None = None,
) -> None:
    """Print a table to stdout, readable in a narrow terminal (80 columns).

    A table without rows is not printed as bare headers: with ``empty`` (e.g. "Inga idéer
    ännu."), the title and that sentence are printed in its place.

    Text columns (names, questions) wrap between words; dates, numbers, counts and
    shares never break inside a value; a header breaks only between words. When that
    does not fit between borders, the borders go (columns apart by spaces, a rule under
    the header). A table too wide even so, whose words would break (ten columns at 80), is
    printed a record at a time instead: the first column as a heading, then one
    "Header: value" line per other column.

    A table whose every value fits on one line between borders (the common case, and a
    list of 20,000 people at 160 columns) is laid out by :func:`_framed`, a line of text
    per row; the others by rich's Table, which wraps (the same output, issue 32).
    """
    rows = list(rows)
    if not rows and empty is not None:
        _nothing(_stdout(), title, empty)
        return
    count = len(columns)
    plain = _plain_width(sys.stdout)
    if count and rows and all(len(row) == count for row in rows):
        # A column at a time: a list per column, not one per row (fewer objects to collect).
        values = [_texts(column) for column in zip(*rows, strict=True)]
        widths = _one_line_widths(columns, values, plain or _stdout().width)
        if widths is not None:
            frame = _plain_frame(columns, widths, title, caption) if plain else None
            if frame is None:
                frame = _rich_frame(_stdout(), columns, widths, title, caption)
            _framed(values, *frame)
            return
    texts = [[_text(v) for v in row] for row in rows]
    _wrapped(_stdout(), columns, texts, title=title, caption=caption)


def _wrapped(
    console: Console,
    columns: Sequence[str],
    texts: list[list[str]],
    *,
    title: str | None,
    caption: str | None,
) -> None:
    """Lay out a table with rich's Table: cells wrap to fit, or a record at a time."""
    from rich.text import Text

    cells = texts
    natural = [
        max([len(column), *(len(row[i]) for row in cells if i < len(row))])
        for i, column in enumerate(columns)
    ]
    widths: list[int | None] = [None] * len(columns)
    framed = sum(natural) + 3 * len(columns) + 1 <= console.width
    if not framed:  # measured further only when the table does not fit as it is
        shapes = [
            _column_shape(column, [row[i] for row in cells if i < len(row)])
            for i, column in enumerate(columns)
        ]
        widths, framed = _layout(shapes, console.width)
        if sum(max(s.atom, s.head, s.word) for s in shapes) + 2 * (len(shapes) - 1) > (
            console.width
        ):
            _stacked(console, columns, cells, title=title, caption=caption)
            return
    grid = _grid(framed, title=title, caption=caption)
    for column, width in zip(columns, widths, strict=True):
        grid.add_column(column, overflow="fold", width=width)
    for row in cells:
        grid.add_row(*(Text(v) for v in row))  # as they are: no markup
    console.print(grid)


def _grid(framed: bool, *, title: str | None, caption: str | None) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        caption=caption,
        header_style="bold",
        show_lines=False,
        box=box.HEAVY_HEAD if framed else box.SIMPLE_HEAD,
        collapse_padding=not framed,
        pad_edge=framed,
        show_edge=framed,
    )


#: Characters one terminal cell wide each (printable Latin-1 but the soft hyphen, and Latin
#: Extended): a column of only these is as wide as its longest value's len().
_NARROW = re.compile("[\x20-\x7e\xa0-\xac\xae-\u02ff]*")
#: What rich would print otherwise than as it is: a line break or a tab.
_SPECIAL = re.compile("[\n\t]")


def _one_line_widths(
    columns: Sequence[str], values: list[list[str]], width: int
) -> list[int] | None:
    """Return each column's values' widest width in terminal cells, if every value is one
    line that rich prints as it is and the table fits ``width`` between borders at these
    widths; None otherwise (the table wraps). ``values`` are the table's columns."""
    widths = []
    for column in values:
        joined = "".join(column)
        if _NARROW.fullmatch(joined):
            widest = max(map(len, column))
        elif _SPECIAL.search(joined):
            return None
        else:
            widest = max(map(_cells, column))
        widths.append(widest)
    headers = [max(_cells(c), w) for c, w in zip(columns, widths, strict=True)]
    return widths if sum(headers) + 3 * len(columns) + 1 <= width else None


def _framed(values: list[list[str]], above: list[str], widths: list[int], below: list[str]) -> None:
    """Print a table whose values (a list per column) each fit on one line at ``widths``,
    a line of text per row, between the lines ``above`` and ``below`` them."""
    formats = []
    for index, width in enumerate(widths):
        if _NARROW.fullmatch("".join(values[index])):
            formats.append(f"%-{width}s")  # padded by the % operator
        else:
            formats.append("%s")
            values[index] = [v + " " * (width - _cells(v)) for v in values[index]]
    line = "│ " + " │ ".join(formats) + " │"
    body = [line % row for row in zip(*values, strict=True)]
    sys.stdout.write("\n".join([*above, *body, *below]) + "\n")
    sys.stdout.flush()


def _rich_frame(
    console: Console,
    columns: Sequence[str],
    widths: list[int],
    title: str | None,
    caption: str | None,
) -> tuple[list[str], list[int], list[str]]:
    """The lines above a framed table's rows (title, header, the rule under it), the
    columns' widths and the lines below the rows, as rich's Table prints them (styled on a
    terminal): laid out by rich around one empty row, whose line the rows then replace."""
    grid = _grid(True, title=title, caption=caption)
    for column, least in zip(columns, widths, strict=True):
        grid.add_column(column, overflow="fold", min_width=least)
    grid.add_row(*("" for _ in columns))
    with console.capture() as captured:
        console.print(grid)
    lines = captured.get().split("\n")[:-1]
    rule = next(i for i, line in enumerate(lines) if _HEAD_RULE.fullmatch(line))
    widths = [len(part) - 2 for part in lines[rule][1:-1].split("╇")]
    return lines[: rule + 1], widths, lines[rule + 2 :]


def _plain_frame(
    columns: Sequence[str], widths: list[int], title: str | None, caption: str | None
) -> tuple[list[str], list[int], list[str]] | None:
    """What :func:`_rich_frame` returns when the table is printed as plain text, made
    without rich; None if rich has more to do (markup, a control character or surrounding
    spaces in a header, the title or the caption; a title wider than the table)."""
    texts = (*columns, title or "x", caption or "x")
    if not all(_as_it_is(text) and "[" not in text for text in texts):
        return None
    widths = [max(_cells(column), width) for column, width in zip(columns, widths, strict=True)]
    total = sum(widths) + 3 * len(widths) + 1
    above: list[str] = []
    below: list[str] = []
    for text, lines in ((title, above), (caption, below)):
        if text:
            size = _cells(text)
            if size > total:
                return None
            left = (total - size) // 2
            lines.append(" " * left + text + " " * (total - size - left))
    heavy = ["━" * (width + 2) for width in widths]
    header = [c + " " * (w - _cells(c)) for c, w in zip(columns, widths, strict=True)]
    above.extend(
        ["┏" + "┳".join(heavy) + "┓", "┃ " + " ┃ ".join(header) + " ┃", "┡" + "╇".join(heavy) + "┩"]
    )
    below.insert(0, "└" + "┴".join("─" * (width + 2) for width in widths) + "┘")
    return above, widths, below


def _as_it_is(text: str) -> bool:
    """Whether rich prints ``text`` (a title, a header, a message) as it is: printable and
    without surrounding spaces. Markup is not looked for."""
    return text.isprintable() and text == text.strip()


def _cells(text: str) -> int:
    """The terminal cells ``text`` takes."""
    if _NARROW.fullmatch(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


#: The rule under a framed table's header (box.HEAVY_HEAD).
_HEAD_RULE = re.compile("┡━[━╇]*┩")


def _nothing(console: Console, title: str | None, empty: str) -> None:
    """A table with no rows: its title, then the sentence that says there is nothing."""
    from rich.markup import escape

    if title:
        console.print(f"[bold]{escape(title)}[/bold]")
    console.print(escape(empty))


def _stacked(
    console: Console,
    columns: Sequence[str],
    cells: list[list[str]],
    *,
    title: str | None,
    caption: str | None,
) -> None:
    """Print each row as a small record: the first cell, then "Header: value" lines."""
    from rich.markup import escape
    from rich.text import Text

    if title:
        console.print(f"[bold]{escape(title)}[/bold]")
    for row in cells:
        console.print()
        console.print(Text(row[0] if row else "", style="bold"))
        for column, value in zip(columns[1:], row[1:], strict=False):
            if value:
                console.print(Text(f"  {column}: {value}"))
    if caption:
        console.print()
        console.print(escape(caption))


@dataclass(frozen=True)
class _Shape:
    """What a column needs: its widest line (header or value), its unbreakable values'
    width (dates, numbers; 0 for text), its header's and its values' longest word."""

    natural: int
    atom: int
    head: int
    word: int


def _column_shape(header: str, values: list[str]) -> _Shape:
    from rich.cells import cell_len

    filled = [v for v in values if v]
    whole = bool(filled) and all(_unbreakable(v) for v in filled)
    return _Shape(
        natural=max([cell_len(header), *(cell_len(v) for v in filled)]),
        atom=max((len(v) for v in filled), default=0) if whole else 0,
        head=max((len(w) for w in header.split()), default=0),
        word=min(max((len(w) for v in filled for w in v.split()), default=0), _LONGEST_WORD),
    )


#: A word longer than this (an e-mail address) may fold rather than widen its column.
_LONGEST_WORD = 14


def _layout(shapes: list[_Shape], width: int) -> tuple[list[int | None], bool]:
    """Return each column's width (None: as wide as it needs) and whether the table has
    borders. The least widths are the first of (whole words everywhere, whole headers,
    whole dates and numbers, nothing) that fits, framed if it can; the widest columns
    give up what else does not fit, so narrow ones keep their words."""
    count = len(shapes)
    framed, bare = 3 * count + 1, 2 * (count - 1)
    if sum(s.natural for s in shapes) + framed <= width:
        return [None] * count, True
    words = [max(s.atom, s.head, s.word) for s in shapes]
    headers = [max(s.atom, s.head) for s in shapes]
    least, overhead = [1] * count, bare
    for widths, room in (
        (words, framed),
        (words, bare),
        (headers, framed),
        (headers, bare),
        ([s.atom for s in shapes], bare),
    ):
        if sum(widths) + room <= width:
            least, overhead = widths, room
            break
    fitted = [max(s.natural, low, 1) for s, low in zip(shapes, least, strict=True)]
    excess = sum(fitted) + overhead - width
    while excess > 0:
        index = max(range(count), key=lambda i: fitted[i] if fitted[i] > least[i] else -1)
        if fitted[index] <= max(least[index], 1):
            break
        fitted[index] -= 1
        excess -= 1
    return [*fitted], overhead == framed


#: A value that reads wrong when broken across lines: a date or time, a number, a count
#: such as "6/6", a share such as "96 %" or "+2,2 (n = 18)".
_UNBREAKABLE = re.compile(r"[0-9+\u2212-][0-9 ,.:/%+\-\u2212–()n=T]{0,24}")


def _unbreakable(text: str) -> bool:
    return _UNBREAKABLE.fullmatch(text) is not None


def record(fields: Sequence[tuple[str, Any]], *, title: str | None = None) -> None:
    """Print one record as a two-column key/value table."""
    from rich.table import Table
    from rich.text import Text

    grid = Table(title=title, show_header=False, box=None, pad_edge=False)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in fields:
        grid.add_row(Text(printable(key)), Text(_text(value)))
    _stdout().print(grid)


def progress_enabled() -> bool:
    """Progress bars only on an interactive terminal, never in scripts or tests."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def steps(total: int) -> Iterator[Callable[[str], None]]:
    """Yield a callback that moves a progress bar on stderr one step (a no-op off a terminal)."""
    if not progress_enabled():
        yield lambda _label: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=_stderr(),
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=total)

        def advance(label: str) -> None:
            bar.update(task, description=label, advance=1)

        yield advance


def _texts(values: Sequence[Any]) -> list[str]:
    """:func:`_text` of each value (printable strings as they are, None as "")."""
    if all(v.__class__ is str for v in values) and "".join(values).isprintable():
        return list(values)
    return [
        v if v.__class__ is str and v.isprintable() else "" if v is None else _text(v)
        for v in values
    ]


def _text(value: Any) -> str:
    """A value as a table shows it: no control characters, a float as a share."""
    if value.__class__ is str:
        return printable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0%}" if 0 <= value <= 1 else f"{value:g}"
    return printable(str(value))


def _escape(text: str) -> str:
    """Return ``text`` safe for a terminal and for rich: no control characters, no markup."""
    from rich.markup import escape

    return escape(printable(text))
