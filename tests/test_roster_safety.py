"""Hostile files are refused, with the right exit code and a message naming the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chefintro.errors import InvalidInputError, UnreadableInputError
from chefintro.roster.read import safety
from chefintro.roster.read.reader import read_roster
from tests import hostile


def refused(path: Path, error: type[Exception]) -> str:
    """Read ``path`` through the public reader; return the message of the expected error.

    Each caller checks the words of the check that refuses its bomb before anything
    expands it, so a bomb that got past the checks fails the test by its message. How
    fast the reader is stays in the benchmarks (benchmarks/bench_roster.py, the wide
    header), never in a timed test: a CPU limit here failed a mutation run's first run,
    whose line recording slows every test down."""
    with pytest.raises(error) as caught:
        read_roster(path)
    message = str(caught.value)
    assert str(path) in message or path.name in message
    return message


@pytest.mark.parametrize(
    "build",
    [
        hostile.billion_laughs_shared_strings,
        hostile.billion_laughs_sheet,
        hostile.external_entity,
        hostile.doctype_after_long_prolog,
        hostile.doctype_in_utf16,
    ],
)
def test_xml_entity_declarations_are_refused_as_invalid_data(
    tmp_path: Path, build: Callable[[Path], Path]
) -> None:
    message = refused(build(tmp_path), InvalidInputError)
    assert "XML entity declarations, which rosters never need" in message
    assert InvalidInputError.exit_code == 65


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (hostile.ole_xls, "old-style Excel file (.xls)"),
        (hostile.encrypted_xlsx, "remove the password"),
        (hostile.truncated, "damaged or incomplete"),
        (hostile.zero_bytes, "empty"),
        (hostile.text_renamed, "not an Excel workbook"),
        (hostile.zip_not_workbook, "not an Excel workbook"),
        (hostile.zip_bomb, "zip bomb"),
        (hostile.forged_size_bomb, "more than its header declares"),
        (hostile.overlapping_entries, "overlap"),
        (hostile.duplicate_entry, "twice"),
        (hostile.sparse_cells, "1,048,576 rows × 16,384 columns"),
        (hostile.implicit_positions, "rows ×"),
        (hostile.shared_string_count_bomb, "4,000,000,000 different texts"),
        (hostile.utf16_sheet, "encoded in UTF-16"),
    ],
)
def test_unreadable_files_are_refused_with_exit_66(
    tmp_path: Path, build: Callable[[Path], Path], words: str
) -> None:
    message = refused(build(tmp_path), UnreadableInputError)
    assert words in message
    assert UnreadableInputError.exit_code == 66


def test_old_xls_and_encrypted_files_get_save_as_advice(tmp_path: Path) -> None:
    assert "save it as Excel Workbook (.xlsx)" in refused(
        hostile.ole_xls(tmp_path), UnreadableInputError
    )
    assert "Excel Workbook (.xlsx)" in refused(
        hostile.encrypted_xlsx(tmp_path), UnreadableInputError
    )


def test_missing_file_and_directory_are_unreadable(tmp_path: Path) -> None:
    assert "does not exist" in refused(tmp_path / "nowhere.xlsx", UnreadableInputError)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "is a directory" in refused(folder, UnreadableInputError)


def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo, UnreadableInputError)


def test_total_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", 10_000)
    path = hostile.minimal_xlsx(tmp_path, extra={"docProps/big.xml": b"<a/>" * 5_000})
    assert "unpacks to more than" in refused(path, UnreadableInputError)


def test_entry_count_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_ENTRIES", 20)
    assert "zip entries" in refused(hostile.many_entries(tmp_path, 30), UnreadableInputError)


def test_sheet_cell_cap_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hostile.minimal_xlsx(tmp_path)
    safety.check_workbook(path)
    monkeypatch.setattr(safety, "MAX_SHEET_CELLS", 4)
    assert "cells a roster may span" in refused(path, UnreadableInputError)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_implicit_cells_and_rows_count_with_or_without_a_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    """Cells and rows without r each stretch the rectangle, prefixed (x:c, x:row) or not.

    Each of the 90 cells without r may add a column and each of the 3 rows a row.
    """
    namespace = f' xmlns:x="{hostile.MAIN_NS}"' if prefix else ""
    cells = f"<{prefix}c><{prefix}v>1</{prefix}v></{prefix}c>" * 30
    rows = f"<{prefix}row>{cells}</{prefix}row>" * 3
    path = hostile.minimal_xlsx(tmp_path, sheet=hostile.sheet_xml(rows, root_attrs=namespace))
    monkeypatch.setattr(safety, "MAX_SHEET_CELLS", 3 * 90)
    safety.check_workbook(path)  # exactly the cap
    monkeypatch.setattr(safety, "MAX_SHEET_CELLS", 3 * 90 - 1)
    assert "cells a roster may span" in refused(path, UnreadableInputError)


def test_a_declaration_in_a_part_with_other_exclamation_marks_is_found(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Hej!</t></is></c></row>'
    sheet = hostile.sheet_xml(rows, prolog='<!DOCTYPE x [<!ENTITY e "e">]>')
    path = hostile.minimal_xlsx(tmp_path, sheet=sheet)
    assert "XML entity declarations" in refused(path, InvalidInputError)


def test_wide_header_is_read_and_extra_columns_summarised(tmp_path: Path) -> None:
    path = hostile.huge_header(tmp_path)  # its time: benchmarks/bench_roster.py
    data = read_roster(path)
    assert [p.email for p in data.participants] == ["anna@csn.se"]
    assert data.problems == []
    (warning,) = data.warnings
    assert "and 15988 more" in warning


def test_checked_bytes_are_what_gets_parsed(tmp_path: Path) -> None:
    path = hostile.minimal_xlsx(tmp_path)
    checked = safety.check_workbook(path)
    assert checked.data == path.read_bytes()
    assert checked.formulas == {}


def test_formula_cells_are_located_with_prefixes_and_implicit_positions(tmp_path: Path) -> None:
    rows = (
        '<x:row r="3"><x:c r="B3"><x:f>SUM(1,2)</x:f><x:v>3</x:v></x:c>'
        '<x:c><x:f t="shared" si="0"/><x:v>3</x:v></x:c></x:row>'
    )
    sheet = (
        '<?xml version="1.0"?>\n'
        f'<x:worksheet xmlns:x="{hostile.MAIN_NS}"><x:sheetData>{rows}</x:sheetData>'
        "</x:worksheet>"
    ).encode()
    checked = safety.check_workbook(hostile.minimal_xlsx(tmp_path, sheet=sheet))
    assert checked.formulas == {
        "Deltagare": (
            safety.FormulaCell(3, 2, "=SUM(1,2)"),
            safety.FormulaCell(3, 3, "="),
        )
    }


@pytest.mark.parametrize(
    "producer", ["openpyxl", "openpyxl-write-only", "xlsxwriter", "xlsxwriter-cm"]
)
def test_ordinary_producers_pass(tmp_path: Path, producer: str) -> None:
    rows = [["Namn", "E-post", "Myndighet", "Roll"], ["Anna Ek", "anna@csn.se", "CSN", "adept"]]
    if producer.startswith("openpyxl"):
        path = hostile.openpyxl_workbook(
            tmp_path, "p.xlsx", {"Deltagare": rows}, write_only=producer.endswith("only")
        )
    else:
        path = hostile.xlsxwriter_workbook(
            tmp_path, "p.xlsx", {"Deltagare": rows}, constant_memory=producer.endswith("cm")
        )
    checked = safety.check_workbook(path)
    assert checked.formulas == {}
    assert [p.name for p in read_roster(path).participants] == ["Anna Ek"]


# --- the small-extent shortcut (issue 16) ------------------------------------------------------
# Sheets as writers spell them, and as crafted files might: each fragment is one tag.
_CANONICAL_CELLS = ['<c r="A1"/>', '<c r="N20001" t="s"><v>1</v></c>', '<c r="Z99999"/>']
# Tags the shortcut lets pass: a canonical row, tags that are neither <c> nor <row>.
_HARMLESS = ['<row r="1">', '<row r="99999">', '<cols><col min="1" max="16384"/></cols>', ""]
_OTHER_TAGS = [
    '<c r="AA1"/>',  # a second letter: may reach column 702
    '<c r="A100000"/>',  # a sixth digit
    "<c/>",  # no reference: takes the next column
    "<c><v>1</v></c>",
    '<c s="1" r="B2"/>',  # the reference not first
    "<c r='B2'/>",  # another quote
    '<c r = "B2"/>',  # spaces around =
    '<c\tr="B2"/>',
    '<c r="7"/>',  # a cell without its letter
    '<c r="B2" r="XFD1048576"/>',  # a second reference (not well-formed, but seen)
    '<x:c r="B2"/>',  # a prefix
    '<row r="100000">',
    "<row>",
    '<row spans="1:3" r="2">',
    '<row r="A2">',
    '<x:row r="2">',
    '<hyperlink r="XFD1048576"/>',  # an r attribute on another tag
]


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@pytest.mark.parametrize("fragment", _HARMLESS + _OTHER_TAGS)
def test_the_small_extent_is_taken_only_for_references_as_writers_spell_them(
    fragment: str,
) -> None:
    canonical = "".join(_CANONICAL_CELLS).encode()
    assert safety._within_small_extent(canonical)
    text = canonical + fragment.encode()
    assert safety._within_small_extent(text) == (fragment in _HARMLESS)


@given(
    st.lists(st.sampled_from(_CANONICAL_CELLS + _HARMLESS + _OTHER_TAGS), max_size=12),
    st.integers(min_value=1, max_value=120_000),
    st.integers(min_value=1, max_value=30),
)
@example(["<c/>"] * 3, 99_999, 26)
@example(['<row r="99999">', '<c r="Z99999"/>'], 1, 1)
@example(['<c r="A1"/>'], 99_999, 26)
def test_the_small_extent_holds_whatever_the_sheet(
    fragments: list[str], row: int, column: int
) -> None:
    # Any mix of tags, plus one cell somewhere. The shortcut accepts only sheets whose full
    # count stays within A1:Z99999, so it never lets through what the count would refuse;
    # and it accepts every sheet made only of references as writers spell them.
    text = f'<row r="1">{"".join(fragments)}<c r="{_letters(column)}{row}"/></row>'.encode()
    rows, columns = safety._extent(text)
    if safety._within_small_extent(text):
        assert rows <= 99_999 and columns <= 26
    usual = all(f in _CANONICAL_CELLS + _HARMLESS for f in fragments)
    assert safety._within_small_extent(text) == (usual and row <= 99_999 and column <= 26)


def test_a_reference_beyond_the_small_extent_is_counted_in_full(tmp_path: Path) -> None:
    # One stray cell at AA200000 sends the sheet past the shortcut to the full count, which
    # refuses it at the real cap (200,000 × 27 is more than 5,000,000 cells).
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="200000"><c r="AA200000"><v>1</v></c></row>'
    )
    path = hostile.minimal_xlsx(tmp_path, sheet=hostile.sheet_xml(rows))
    assert "200,000 rows × 27 columns" in refused(path, UnreadableInputError)
    within = '<row r="1"><c r="A1"><v>1</v></c></row><row r="99999"><c r="Z99999"/></row>'
    safety.check_workbook(
        hostile.minimal_xlsx(tmp_path, "ok.xlsx", sheet=hostile.sheet_xml(within))
    )
