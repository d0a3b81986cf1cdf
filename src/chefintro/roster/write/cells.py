"""Python values as the roster writer's cells: text made safe (never a formula, always
valid XML), booleans and enums as their Swedish words, dates with a date format, wrapping."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Any

from chefintro.clock import wall_clock
from chefintro.roster.columns import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    FORMULA_TRIGGERS,
    display_value,
    escape_text,
)

if TYPE_CHECKING:
    from chefintro.roster.write.specs import ColumnSpec

#: The font of every cell, header and body alike: one that Excel has and LibreOffice
#: replaces by a metric-compatible one (Carlito) or a sans-serif, never by a serif.
FONT_NAME = "Calibri"
FONT_SIZE = 11
TIME_FORMAT = "hh:mm"
# Excel escapes characters XML cannot hold as _xHHHH_ and readers decode it, so literal
# text of that shape must have its underscore escaped to survive (openpyxl does not).
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# XML 1.0 cannot hold these at all; openpyxl refuses the whole workbook if one slips in.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def safe_text(text: str) -> str:
    """Return ``text`` as written to a cell: XML-safe, formula-escaped, Excel-escape-safe."""
    # Illegal characters go first: removing one must not expose a leading "=".
    if not text.isprintable() and _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == "'"):
        text = escape_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(lambda match: "_x005F" + match.group(0), text)
    return text


class CellValues:
    """Turns Python values into what openpyxl's write-only ``append`` takes."""

    def __init__(self, worksheet: Any, columns: Sequence[ColumnSpec]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        self.worksheet = worksheet
        self.cell_type = WriteOnlyCell
        self.formats = [column.number_format for column in columns]
        self.wrap = [column.wrap for column in columns]
        self.alignment = Alignment(wrap_text=True, vertical="top")
        self.any_wrap = any(self.wrap)

    def row(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for index, value in enumerate(values):
            kind = type(value)
            if kind is str:
                append(safe_text(value) if value else None)
            elif value is None or kind is int or kind is float:
                append(value)
            else:
                append(self.other(index, value))
        if self.any_wrap:
            for index, wrap in enumerate(self.wrap):
                if wrap and index < len(out) and isinstance(out[index], str):
                    cell = self.cell_type(self.worksheet, value=out[index])
                    cell.alignment = self.alignment
                    out[index] = cell
        return out

    def other(self, index: int, value: Any) -> Any:
        if isinstance(value, (bool, Enum)):
            shown = display_value(value)
            if isinstance(shown, Enum):
                shown = shown.value
            return safe_text(str(shown))
        if isinstance(value, (datetime, date, time)):
            return self.dated(index, value)
        if isinstance(value, (list, tuple)):
            return safe_text("; ".join(str(item) for item in value)) or None
        if isinstance(value, str):
            return safe_text(str(value))
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return safe_text(str(value))

    def dated(self, index: int, value: datetime | date | time) -> Any:
        number_format = self.formats[index] if index < len(self.formats) else None
        if isinstance(value, datetime):
            value = wall_clock(value)
            number_format = number_format or DATETIME_FORMAT
        elif isinstance(value, date):
            number_format = number_format or DATE_FORMAT
        else:
            number_format = number_format or TIME_FORMAT
        cell = self.cell_type(self.worksheet, value=value)
        cell.number_format = number_format
        return cell


def width_of(value: Any) -> int:
    """Return how many characters wide ``value`` shows (its longest line)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, (list, tuple)):
        return sum(len(str(item)) + 2 for item in value)
    text = str(display_value(value))
    return max((len(line) for line in text.splitlines()), default=0)
