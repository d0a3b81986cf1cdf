"""Checks an untrusted .xlsx file before any spreadsheet library parses it.

A roster arrives by e-mail from another organisation, so the file is hostile until shown
otherwise. :func:`check_workbook` reads the file once into memory (the reader then parses
those same bytes, so the file cannot change between check and parse) and refuses:

* a missing file, a directory or anything that is not a regular file, an empty file;
* an OLE compound file — an old .xls, or an .xlsx encrypted with a password;
* anything that is not a zip, a damaged zip, and a zip that is not an Excel workbook;
* zip bombs: too many entries, too much declared content, an entry compressed suspiciously
  well, entries that overlap, and any entry that unpacks to more (or less) than its header
  declares (the Rust zip reader behind python-calamine trusts the deflate stream, not the
  declared size, so a forged size would otherwise slip past the caps);
* any XML part with a DOCTYPE or ENTITY declaration ("billion laughs", external
  entities) — rosters never need them, so they are refused outright, in UTF-8 or UTF-16;
* a sheet or shared-string table in UTF-16, which python-calamine silently reads as empty;
* sheets whose cell references span more than :data:`MAX_SHEET_CELLS` cells, and a
  shared-string table announcing more than :data:`MAX_SHARED_STRINGS` strings:
  python-calamine allocates the whole rectangle between the outermost cells (and the
  announced string count) up front, so two cells at A1 and XFD1048576 in a 2 KB file
  would abort the process (calamine issue #693).

It also finds formula cells, which python-calamine would silently replace by their cached
values, so the reader can report them. Everything here works on zip headers and
decompressed bytes with C-speed searches; bombs are refused within a second or so.

The caps are module constants so a deployment (or a test) can change them.

The zip's entries are located, unpacked and recognised, and the small XML parts read,
by :mod:`chefintro.roster.read.workbook_parts`; the checks and their caps are here.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from chefintro.errors import InvalidInputError, UnreadableInputError
from chefintro.roster.read.cells import column_letters
from chefintro.roster.read.hidden import HiddenMarks, ods_marks, xlsx_marks
from chefintro.roster.read.workbook_parts import (
    SAVE_AS_XLSX,
    ZIP_MAGIC,
    column_number,
    entry_spans,
    exported_at,
    hyperlinks,
    inflate,
    local_name,
    ole_message,
    sheet_parts,
    split_reference,
    workbook_kind,
)
from chefintro.words import noun, plural

#: Largest file accepted at all; the whole file is held in memory while it is read.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Most entries a zip may hold (a roster has about a dozen).
MAX_ENTRIES = 10_000
#: Most bytes all entries together may unpack to.
MAX_TOTAL_UNCOMPRESSED = 500 * 1024 * 1024
#: Highest compression ratio allowed for an entry larger than RATIO_MIN_BYTES.
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
#: Largest rectangle (rows × columns) a worksheet's cells may span.
MAX_SHEET_CELLS = 5_000_000
#: Most strings a shared-string table may announce.
MAX_SHARED_STRINGS = 5_000_000
#: Most formula cells located per sheet; more would only flood the problem list.
MAX_FORMULAS_PER_SHEET = 1_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An XML prefix is any run of name characters; quick-xml (inside calamine) matches local
# names, so ``<x:f>`` is a formula just like ``<f>``.
_PREFIX = rb"(?:[^\s<>/:!?=\"']+:)?"
# Also the UTF-16 spellings, in case a part claims UTF-16 in its declaration but has no BOM.
_DECLARATION = re.compile(
    rb"<!\s*(?:doctype|entity)"
    rb"|<\x00!\x00(?:d\x00o\x00c\x00|e\x00n\x00t\x00)"
    rb"|\x00<\x00!\x00(?:d\x00o\x00c|e\x00n\x00t)",
    re.IGNORECASE,
)
_FORMULA_TAG = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
# "<f" or ":f", which every formula tag holds: one pass on the rarer letter (issue 16).
_FORMULA_CANDIDATE = re.compile(rb"f(?<=[<:]f)")
_SHEET_DATA = re.compile(rb"<" + _PREFIX + rb"sheetData[\s/>]")
_PREFIXED_CELL_TAG = re.compile(rb"<[^\s<>/:!?=\"']+:c[\s/>]")
_PREFIXED_ROW_TAG = re.compile(rb"<[^\s<>/:!?=\"']+:row[\s/>]")
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")  # what both of those contain
# Cell references (r="B7") and row numbers (r="7"); whitespace and quotes as XML allows.
# The literal "r" first lets the regex engine jump between candidates; the look-behind
# then insists it is a whole attribute name.
_REFERENCE = re.compile(rb"r(?<=\sr)\s*=\s*[\"']\s*([A-Za-z]*)([0-9]+)")
_EXTENT_CHUNK = 1 << 20  # bytes of sheet XML searched for references at a time
# Unprefixed <c> and <row> start tags: a name ends at whitespace, ">" or "/", which keeps
# <cols> out of <c. Each ends in an empty group, so findall (which only counts them) yields
# the one shared empty bytes object per tag instead of copying the tag out (issue 16).
_CELL_TAG = re.compile(rb"<c[ \t\n\r/>]()")
_ROW_TAG = re.compile(rb"<row[ \t\n\r/>]()")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
# The small extent (_within_small_extent): a <c> or <row> start tag that does not begin with
# a reference written as Excel writes it, within A1:Z99999; an r attribute, written any way
# XML allows, whose value is not at most one letter and five digits.
_SMALL_ROWS, _SMALL_COLUMNS = 99_999, 26
_UNUSUAL_CELL = re.compile(rb'<c(?! r="[A-Za-z][0-9]{1,5}")[\s/>]')
_UNUSUAL_ROW = re.compile(rb'<row(?! r="[0-9]{1,5}")[\s/>]')
_LARGE_REFERENCE = re.compile(rb"r(?<=\sr)\s*=\s*[\"'](?!\s*[A-Za-z]?[0-9]{1,5}[^0-9])")
_SST_TAG = re.compile(rb"<" + _PREFIX + rb"sst[\s>]([^>]*)>")
_UNIQUE_COUNT = re.compile(rb"\suniqueCount\s*=\s*[\"']\s*([0-9]+)")


@dataclass(frozen=True)
class FormulaCell:
    """A cell that holds a formula: 1-based row and column, and the formula text."""

    row: int
    column: int
    formula: str


@dataclass(frozen=True)
class CheckedWorkbook:
    """A workbook that passed the checks: its bytes, and where its formula cells are."""

    path: Path
    data: bytes
    formulas: dict[str, tuple[FormulaCell, ...]] = field(default_factory=dict)
    #: "xlsx" or "ods".
    kind: str = "xlsx"
    #: Per sheet name: (row, column) → hyperlink target, for e-mail cells showing a name.
    links: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    #: The export time chefintro wrote into the workbook's custom properties, if any.
    exported_at: str | None = None
    #: Per sheet name: its hidden and filtered-out rows and hidden columns.
    hidden: dict[str, HiddenMarks] = field(default_factory=dict)


def check_workbook(path: str | os.PathLike[str]) -> CheckedWorkbook:
    """Return the file's bytes once they are known safe to parse, or raise.

    Raises UnreadableInputError (exit 66) for files that are missing, not .xlsx, damaged
    or beyond the caps, and InvalidInputError (exit 65) for XML entity declarations.
    """
    source = Path(path)
    data = read_file(source)
    if data.startswith(OLE_MAGIC):
        raise UnreadableInputError(ole_message(source, data))
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableInputError(
            f"{source} is not an Excel workbook (.xlsx); {SAVE_AS_XLSX}, or export it as "
            ".xlsx from the program that made it."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
        struct.error,
    ) as error:
        raise UnreadableInputError(
            f"{source} is damaged or incomplete (its zip structure cannot be read: {error}); "
            "save it again from Excel."
        ) from None
    with archive:
        infos = archive.infolist()
        _check_entries(source, infos)
        kind = workbook_kind(source, archive, {info.filename for info in infos})
        spans = entry_spans(source, data, infos)
        formulas_by_part: dict[str, tuple[FormulaCell, ...]] = {}
        numbers_by_part: dict[str, list[tuple[int, int, str]]] = {}
        contents: dict[str, bytes] = {}
        marks_by_part: dict[str, HiddenMarks] = {}
        hidden: dict[str, HiddenMarks] = {}
        for info in infos:
            content = inflate(source, data, info, spans[info.filename])
            found = _scan_part(source, info.filename, content)
            if found:
                formulas_by_part[info.filename] = found
            if kind == "ods" and info.filename == "content.xml":
                _check_ods_extent(source, content)
                hidden = ods_marks(content)
            elif info.filename.startswith("xl/worksheets/"):
                if info.filename.endswith(".xml"):
                    numbers = _impossible_numbers(content)
                    if numbers:
                        numbers_by_part[info.filename] = numbers
                    if marks := xlsx_marks(content):
                        marks_by_part[info.filename] = marks
                if b"hyperlink" in content or info.filename.endswith(".rels"):
                    contents[info.filename] = content
            elif info.filename == "docProps/custom.xml":
                contents[info.filename] = content
        if kind == "ods":
            return CheckedWorkbook(source, data, kind="ods", hidden=hidden)
        wanted = formulas_by_part or numbers_by_part or contents or marks_by_part
        sheets = sheet_parts(archive) if wanted else {}
        hidden = {sheets[p]: m for p, m in marks_by_part.items() if p in sheets}
        formulas = {sheets[p]: f for p, f in formulas_by_part.items() if p in sheets}
        if numbers_by_part:
            _refuse_numbers(source, sheets, numbers_by_part)
        links = {
            sheets[part]: linked
            for part in sheets
            if part in contents and (linked := hyperlinks(part, contents))
        }
        exported = exported_at(contents.get("docProps/custom.xml"))
    return CheckedWorkbook(source, data, formulas, "xlsx", links, exported, hidden)


#: A numeric cell value with an exponent of two digits or more, or not a number at all:
#: the only values that can exceed the calendar (and make the Rust reader panic).
_LARGE_NUMBER = re.compile(
    rb"<"
    + _PREFIX
    + rb"v>\s*([-+]?(?:[0-9.]+[eE]\+?[0-9]{2,}|[0-9]{11,}(?:\.[0-9]*)?|inf|infinity))\s*</",
    re.IGNORECASE,
)
# What every _LARGE_NUMBER match (with a lower-case v) contains, from its "v>" on; a
# literal start makes this search several times faster than _LARGE_NUMBER's own.
_LARGE_CANDIDATE = re.compile(rb"v>\s*[-+]?(?:[0-9.]+[eE]\+?[0-9]{2,}|[0-9]{11,}|[iI][nN][fF])")
_CELL_START = re.compile(rb"<" + _PREFIX + rb"c\s([^>]*)>")
_STYLE_ATTRIBUTE = re.compile(rb"\ss\s*=\s*[\"']\s*[1-9]")
_TYPE_ATTRIBUTE = re.compile(rb"\st\s*=\s*[\"']\s*([a-zA-Z]*)")
#: Beyond this a styled (possibly date-formatted) cell makes python-calamine's date
#: conversion overflow; no roster column holds such a number (Excel's last date is 2958465).
_LARGEST_NUMBER = 1e10


def _impossible_numbers(content: bytes) -> list[tuple[int, int, str]]:
    """Return (row, column, value) of numeric cells beyond any date or count a roster holds.

    python-calamine turns a date-formatted cell into a date-time and panics (a Rust
    panic, printed to stderr) when the number lies outside the calendar, e.g. -1E+308;
    such cells are refused here, located, before the reader sees them.
    """
    if b"<v>" not in content and b":v>" not in content:
        return []
    if b"V>" not in content and _LARGE_CANDIDATE.search(content) is None:
        return []  # the usual sheet: one quick pass (a literal start) finds no candidate
    found: list[tuple[int, int, str]] = []
    for match in _LARGE_NUMBER.finditer(content):
        text = match.group(1).decode("ascii", "replace")
        try:
            number = float(text)
        except ValueError:
            continue
        if not abs(number) > _LARGEST_NUMBER:
            continue  # NaN comes back as a date of 1899-12-30 or a float: located later
        start = content.rfind(b"<c", 0, match.start())
        cell = _CELL_START.match(content, start) if start >= 0 else None
        if cell is None:
            continue
        kind = _TYPE_ATTRIBUTE.search(cell.group(0))
        if kind is not None and kind.group(1) not in (b"n", b""):
            continue  # a text or shared-string cell: its <v> is not a number
        if _STYLE_ATTRIBUTE.search(cell.group(0)) is None:
            continue  # no style, so no date format: calamine reads it as a plain number
        reference = _REFERENCE.search(cell.group(0))
        position = (
            split_reference((reference.group(1) + reference.group(2)).decode("ascii"))
            if reference is not None
            else None
        )
        row, column = position if position is not None else (0, 0)
        found.append((row, column, text))
        if len(found) >= MAX_FORMULAS_PER_SHEET:
            break
    return found


def _refuse_numbers(
    source: Path, sheets: dict[str, str], by_part: dict[str, list[tuple[int, int, str]]]
) -> None:
    from chefintro.errors import Problem

    problems = [
        Problem(
            f"the cell holds the number {value}, which is no date, time or count a roster "
            "can hold; type the value again",
            sheet=sheets.get(part, part),
            row=row or None,
            column=column_letters(column) if column else None,
        )
        for part, cells in by_part.items()
        for row, column, value in cells
    ]
    raise InvalidInputError(
        f"{source}: {plural(len(problems), 'cell')} {noun(len(problems), 'holds', 'hold')} "
        "impossible numbers; nothing was imported.",
        problems,
    )


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/?)>")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ROWS_REPEATED = re.compile(rb"table:number-rows-repeated\s*=\s*[\"']\s*([0-9]+)")
_COLUMNS_REPEATED = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']\s*([0-9]+)")


def _check_ods_extent(source: Path, content: bytes) -> None:
    """Refuse an OpenDocument sheet whose repeated rows and cells would span too much.

    LibreOffice writes runs of identical rows and cells once with a repeat count; a
    crafted file can repeat a filled cell a billion times in a few bytes.
    """
    if b"repeated" not in content:
        return
    total = 0
    rows = list(_ODS_ROW.finditer(content))
    for position, row in enumerate(rows):
        if row.group(2):  # <table:table-row/>: no cells
            continue
        end = rows[position + 1].start() if position + 1 < len(rows) else len(content)
        width = 0
        for cell in _ODS_CELL.finditer(content, row.end(), end):
            repeated = _COLUMNS_REPEATED.search(cell.group(1))
            count = int(repeated.group(1)) if repeated else 1
            if b"value-type" in cell.group(1) or b"formula" in cell.group(1):
                width += count
            elif count < 1024:
                width += count  # blank cells between filled ones still take places
        if not width:
            continue
        repeated_rows = _ROWS_REPEATED.search(row.group(1))
        total += width * (int(repeated_rows.group(1)) if repeated_rows else 1)
        if total > MAX_SHEET_CELLS:
            raise UnreadableInputError(
                f"{source} has a sheet whose repeated rows and cells span more than the "
                f"{MAX_SHEET_CELLS:,} cells a roster may span; delete the stray cells far "
                "from the data and save it again."
            )


def read_file(source: Path) -> bytes:
    try:
        info = source.stat()
    except FileNotFoundError:
        raise UnreadableInputError(f"{source} does not exist.") from None
    except OSError as error:
        raise UnreadableInputError(f"{source} cannot be read: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableInputError(f"{source} is a directory, not an Excel workbook.")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or never end; rosters are plain files.
        raise UnreadableInputError(f"{source} is not a regular file.")
    if info.st_size == 0:
        raise UnreadableInputError(f"{source} is empty (0 bytes), not an Excel workbook.")
    if info.st_size > MAX_FILE_BYTES:
        raise UnreadableInputError(
            f"{source} is {info.st_size // (1024 * 1024)} MB, more than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB a roster may be."
        )
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableInputError(f"{source} cannot be read: {error.strerror}.") from None
    if not data:
        raise UnreadableInputError(f"{source} is empty (0 bytes), not an Excel workbook.")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableInputError(f"{source} grew while being read; try again.")
    return data


def _check_entries(source: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise UnreadableInputError(
            f"{source} holds {len(infos)} zip entries, more than the {MAX_ENTRIES} allowed."
        )
    names: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in names:
            # Two readers may pick different copies of a duplicated name.
            raise UnreadableInputError(
                f"{source} is not a well-formed workbook: it holds {info.filename!r} twice."
            )
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnreadableInputError(
                f"{source} holds encrypted zip entries; remove the password and save it as "
                "Excel Workbook (.xlsx)."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableInputError(
                f"{source} uses a zip compression Excel never writes "
                f"(method {info.compress_type}); save it again from Excel."
            )
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise UnreadableInputError(
                f"{source} unpacks to more than {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB, "
                "far more than any roster; it looks like a zip bomb and was not read."
            )
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnreadableInputError(
                f"{source} has an entry ({info.filename}) compressed more than "
                f"{MAX_RATIO}:1; it looks like a zip bomb and was not read."
            )


def _as_scannable(source: Path, name: str, content: bytes) -> bytes:
    """Return ``content`` in an ASCII-compatible encoding so byte searches see all markup."""
    head = content[:4]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or head in (
        b"<\x00\x00\x00",
        b"\x00\x00\x00<",
    ):
        raise UnreadableInputError(
            f"{source} has an XML part ({name}) in UTF-32, which Excel never writes; "
            "save it again from Excel."
        )
    encoding = None
    if head.startswith(b"\xff\xfe") or head[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif head.startswith(b"\xfe\xff") or head[:2] == b"\x00<":
        encoding = "utf-16-be"
    if encoding is None:
        return content
    # Replace rather than refuse bad sequences: calamine's decoder replaces them too, and
    # the markup around them must still be seen.
    return content.decode(encoding, errors="replace").encode("utf-8")


def _scan_part(source: Path, name: str, content: bytes) -> tuple[FormulaCell, ...]:
    """Refuse DTDs and oversized sheets in one part; return the formula cells it holds.

    Each check starts with a plain substring test (fast C code) and runs its regular
    expression only when the substring is there, so an ordinary sheet costs a few scans.
    """
    text = _as_scannable(source, name, content)
    # Both spellings hold a "!", which a sheet seldom does: one byte search clears most.
    if b"!" in text and (b"<!" in text or b"<\x00!" in text) and _DECLARATION.search(text):
        raise InvalidInputError(
            f"{source}: the file contains XML entity declarations, which rosters never need "
            f"(found in {name}); it was not read. Save it again from Excel."
        )
    if text is not content and (b"sheetData" in text or b"sst" in text):
        # python-calamine silently reads a UTF-16 sheet as empty; say so instead.
        raise UnreadableInputError(
            f"{source} has a sheet or text table ({name}) encoded in UTF-16, which Excel never "
            "writes and which cannot be read reliably; save it again from Excel."
        )
    if b"sst" in text:
        for sst in _SST_TAG.finditer(text):
            announced = _UNIQUE_COUNT.search(sst.group(1))
            if announced is not None and int(announced.group(1)) > MAX_SHARED_STRINGS:
                raise UnreadableInputError(
                    f"{source} announces {int(announced.group(1)):,} different texts, more "
                    f"than the {MAX_SHARED_STRINGS:,} a roster may hold; it was not read."
                )
    sheet_data = _SHEET_DATA.search(text) if b"sheetData" in text else None
    if sheet_data is None:
        return ()
    _check_extent(source, name, text)
    # Formulas of cells live inside sheetData; <xm:f> in the extension list after it holds
    # data-validation sources, which Excel writes for every cross-sheet drop-down.
    start = sheet_data.end()
    end = text.rfind(b"sheetData", start)
    end = len(text) if end < 0 else end
    if _FORMULA_CANDIDATE.search(text, start, end) and _FORMULA_TAG.search(text, start, end):
        return _locate_formulas(source, name, text)
    return ()


def _count_tags(text: bytes, tag: re.Pattern[bytes], start: int = 0, end: int | None = None) -> int:
    """Count start tags matched by ``tag`` (unprefixed) in ``text[start:end]``."""
    return len(tag.findall(text, start, len(text) if end is None else end))


def _check_extent(source: Path, name: str, text: bytes) -> None:
    """Refuse a sheet whose cells span a rectangle too large to hold in memory."""
    if _within_small_extent(text):
        return
    max_row, max_column = _extent(text)
    if max_row * max_column > MAX_SHEET_CELLS:
        raise UnreadableInputError(
            f"{source} has a sheet ({name}) whose cells span {max_row:,} rows × "
            f"{max_column:,} columns, more than the {MAX_SHEET_CELLS:,} cells a roster may "
            "span; delete the stray cells far from the data and save it again."
        )


def _within_small_extent(text: bytes) -> bool:
    """Tell, in a few quick passes, that a sheet's cells lie within A1:Z99999.

    Nearly every roster's do: Excel, LibreOffice and openpyxl start each <c> and <row>
    tag with its reference. True only when :func:`_extent` would find at most
    ``_SMALL_ROWS`` rows × ``_SMALL_COLUMNS`` columns: no prefixed tag, every <c> and
    <row> starting with a one-letter, five-digit reference (a row's without the letter), and
    no r attribute anywhere naming more; any other sheet is counted in full (issue 16).
    """
    if _SMALL_ROWS * _SMALL_COLUMNS > MAX_SHEET_CELLS:
        return False
    return (
        _PREFIXED_TAG.search(text) is None
        and _UNUSUAL_CELL.search(text) is None
        and _UNUSUAL_ROW.search(text) is None
        and _LARGE_REFERENCE.search(text) is None
    )


def _extent(text: bytes) -> tuple[int, int]:
    """Return the rows and columns a sheet's cells span, counting as calamine places them."""
    max_row = max_column = explicit_cells = explicit_rows = cells = rows = 0
    # A slice at a time, each ending just before a "<" (no reference or tag name spans
    # one), so a large sheet's hundreds of thousands of references are never all held at
    # once; plain C-level passes (findall, map, set) rather than a loop per cell (issue 16).
    start = 0
    while start < len(text):
        end = text.find(b"<", start + _EXTENT_CHUNK)
        end = len(text) if end < 0 else end
        # Cells and rows without an r attribute take the next position, so each one can
        # stretch the rectangle by one.
        cells += _count_tags(text, _CELL_TAG, start, end)
        rows += _count_tags(text, _ROW_TAG, start, end)
        references = _REFERENCE.findall(text, start, end)
        start = end
        if not references:
            continue
        letters = list(map(_FIRST, references))
        blank = letters.count(b"")
        explicit_rows += blank
        explicit_cells += len(letters) - blank
        max_row = max(max_row, max(map(int, set(map(_SECOND, references)))))
        max_column = max(max_column, max(map(column_number, set(letters))))
    if _PREFIXED_TAG.search(text) is not None:  # one quick search for either prefixed tag
        cells += len(_PREFIXED_CELL_TAG.findall(text))
        rows += len(_PREFIXED_ROW_TAG.findall(text))
    max_column += max(cells - explicit_cells, 0)
    max_row += max(rows - explicit_rows, 0)
    return max_row, max_column


def _locate_formulas(source: Path, name: str, text: bytes) -> tuple[FormulaCell, ...]:
    """Return (row, column, formula) of each formula cell, counting positions as calamine does.

    Only sheets that contain a formula tag come here, so the slower XML pass is rare.
    """
    from defusedxml.ElementTree import iterparse

    found: list[FormulaCell] = []
    row = 1
    column = 1
    in_cell = False
    cell_position = (1, 1)
    try:
        for event, element in iterparse(io.BytesIO(text), events=("start", "end")):
            local = local_name(element.tag)
            if event == "start":
                if local == "row":
                    number = element.get("r")
                    if number is not None and number.strip().isdigit():
                        row = int(number)
                elif local == "c":
                    in_cell = True
                    reference = element.get("r")
                    position = split_reference(reference) if reference else None
                    if position is not None:
                        column = position[1]
                        cell_position = position
                    else:
                        cell_position = (row, column)
                continue
            if local == "f" and in_cell and len(found) < MAX_FORMULAS_PER_SHEET:
                formula = (element.text or "").strip()
                found.append(FormulaCell(cell_position[0], cell_position[1], "=" + formula))
            elif local == "c":
                in_cell = False
                column += 1
            elif local == "row":
                row += 1
                column = 1
                element.clear()
    except Exception:
        # defusedxml raises its own errors for anything DTD-like, expat for broken XML;
        # either way the sheet is not something we will parse.
        raise UnreadableInputError(
            f"{source} is damaged ({name} is not well-formed XML); save it again from Excel."
        ) from None
    return tuple(found)
