"""Which rows and columns of a workbook's sheets are hidden or filtered out.

python-calamine reads every cell, hidden or not, and does not say which rows a person
hid (a struck-out participant) or which an autofilter left out; the sheet XML does. This
module reads that state from the parts :mod:`chefintro.roster.read.safety` has already
checked: ``<row hidden="1">`` and ``<col hidden="1">`` in an .xlsx worksheet (Excel and
openpyxl write ``1``, LibreOffice ``true``), a row hidden inside the range of an
``<autoFilter>`` with a filter set counting as filtered out; and ``table:visibility``
(``collapse`` hidden, ``filter`` filtered out) on an .ods sheet's rows and columns.

The reader decides what to do with them (``roster import --hidden skip|include``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from chefintro.roster.read.workbook_parts import split_reference

#: Most hidden rows or columns remembered per sheet; past this a sheet is broken anyway.
MAX_HIDDEN = 100_000


class HiddenPolicy(StrEnum):
    """What an import does with hidden and filtered-out rows and columns."""

    SKIP = "skip"
    INCLUDE = "include"


@dataclass
class HiddenMarks:
    """One sheet's hidden rows (1-based row → "hidden" or "filtered") and hidden columns."""

    rows: dict[int, str] = field(default_factory=dict)
    columns: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.rows or self.columns)


@dataclass(frozen=True)
class HiddenLine:
    """A hidden or filtered-out row, or a hidden column, that holds roster data."""

    sheet: str
    how: str  # "hidden" or "filtered"
    row: int | None = None
    column: str | None = None  # the column's letter and header, e.g. "F (Roll)"
    subject: str | None = None  # what the row holds, e.g. its e-mail address

    def describe(self) -> str:
        """``sheet 'Blad1' row 7 (Per Ny) is hidden`` — where, and what it holds."""
        if self.row is not None:
            about = f" ({self.subject})" if self.subject else ""
            return f"sheet {self.sheet!r} row {self.row}{about} is {self.state}"
        return f"sheet {self.sheet!r} column {self.column} is hidden"

    def what(self) -> str:
        """As :meth:`describe` without the place (for a located problem)."""
        if self.row is not None:
            about = f" ({self.subject})" if self.subject else ""
            return f"the row{about} is {self.state} in the workbook"
        return "the column is hidden in the workbook"

    @property
    def state(self) -> str:
        return "filtered out" if self.how == "filtered" else "hidden"

    def to_json(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "how": self.how,
            "subject": self.subject,
        }


_TRUE = (b"1", b"true")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>")
_AUTOFILTER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?autoFilter\b([^>]*?)(/?)>")
_FILTER_SET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:filterColumn|sortState)\b")


def _attribute(attributes: bytes, name: bytes) -> bytes | None:
    match = re.search(rb"(?:^|\s)" + name + rb"\s*=\s*[\"']\s*([^\"']*?)\s*[\"']", attributes)
    return match.group(1) if match else None


def xlsx_marks(content: bytes) -> HiddenMarks:
    """Return a worksheet part's hidden rows and columns (rows in a set filter: filtered)."""
    marks = HiddenMarks()
    if b"hidden" not in content:
        return marks
    filtered = _filter_rows(content)
    for attributes in _hidden_tags(content, _ROW_TAG):
        number = _attribute(attributes, b"r")
        if number is None or not number.isdigit():
            continue
        row = int(number)
        marks.rows[row] = "filtered" if filtered[0] <= row <= filtered[1] else "hidden"
        if len(marks.rows) >= MAX_HIDDEN:
            break
    for attributes in _hidden_tags(content, _COL_TAG):
        low, high = _attribute(attributes, b"min"), _attribute(attributes, b"max")
        if low is None or not low.isdigit():
            continue
        first = int(low)
        last = int(high) if high is not None and high.isdigit() else first
        marks.columns.update(range(first, min(last, first + 1000) + 1))
    return marks


#: A hidden="1" (or "true") attribute: the literal start lets the search skip through a
#: large sheet at C speed, visiting only the few tags that hide something (issue 16).
_HIDDEN_TRUE = re.compile(rb"hidden\s*=\s*[\"']\s*(?:1|true)\s*[\"']")


def _hidden_tags(content: bytes, tag: re.Pattern[bytes]) -> list[bytes]:
    """Return the attributes of each ``tag`` (row or col) that says hidden="1" or "true"."""
    found: list[bytes] = []
    for match in _HIDDEN_TRUE.finditer(content):
        start = content.rfind(b"<", 0, match.start())
        element = tag.match(content, start) if start >= 0 else None
        if element is not None and element.end() > match.start():
            attributes = element.group(1)
            if _attribute(attributes, b"hidden") in _TRUE:
                found.append(attributes)
    return found


def _filter_rows(content: bytes) -> tuple[int, int]:
    """Return the data rows (first, last) of an autofilter with a filter set, else (0, -1)."""
    if b"autoFilter" not in content:
        return 0, -1
    match = _AUTOFILTER.search(content)
    if match is None:
        return 0, -1
    if not match.group(2):
        end = content.find(b"autoFilter", match.end())
        body = content[match.end() : end if end >= 0 else len(content)]
        if _FILTER_SET.search(body) is None:
            return 0, -1
    else:
        return 0, -1  # a filter with no criteria: the arrows only
    reference = _attribute(match.group(1), b"ref") or b""
    corners = [split_reference(part) for part in reference.decode("ascii", "replace").split(":")]
    if not corners or corners[0] is None:
        return 0, -1
    last = corners[-1] if corners[-1] is not None else corners[0]
    return corners[0][0] + 1, max(last[0], 1_048_576 if len(corners) == 1 else last[0])


_ODS_LINE = re.compile(
    rb"<table:(table-row|table-column)(?=[\s/>])([^>]*?)/?>|(</table:table>)"
    rb"|<table:table(?=[\s>])([^>]*)>"
)


def ods_marks(content: bytes) -> dict[str, HiddenMarks]:
    """Return each sheet's hidden and filtered rows and hidden columns of an .ods content.xml."""
    if b"visibility" not in content:
        return {}
    result: dict[str, HiddenMarks] = {}
    marks: HiddenMarks | None = None
    row = column = 0
    for match in _ODS_LINE.finditer(content):
        if match.group(4) is not None:  # a sheet starts
            name = _attribute(match.group(4), b"table:name") or b""
            marks = HiddenMarks()
            result[_unescape(name)] = marks
            row = column = 0
            continue
        if match.group(3) is not None or marks is None:
            marks = None
            continue
        kind, attributes = match.group(1), match.group(2)
        if kind == b"table-row":
            repeated = _attribute(attributes, b"table:number-rows-repeated")
        else:
            repeated = _attribute(attributes, b"table:number-columns-repeated")
        count = int(repeated) if repeated is not None and repeated.isdigit() else 1
        visibility = _attribute(attributes, b"table:visibility")
        hidden = visibility in (b"collapse", b"filter")
        if kind == b"table-row":
            if hidden and len(marks.rows) < MAX_HIDDEN:
                how = "filtered" if visibility == b"filter" else "hidden"
                for number in range(row + 1, row + 1 + min(count, MAX_HIDDEN)):
                    marks.rows[number] = how
            row += count
        else:
            if hidden:
                marks.columns.update(range(column + 1, column + 1 + min(count, 1000)))
            column += count
    return {name: found for name, found in result.items() if found}


def _unescape(name: bytes) -> str:
    from xml.sax.saxutils import unescape

    return unescape(name.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
