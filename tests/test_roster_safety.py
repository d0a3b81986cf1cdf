"""Hostile files are refused quickly, with the right exit code and a message naming the file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chefintro.errors import InvalidInputError, UnreadableInputError
from chefintro.roster import safety
from chefintro.roster.reader import read_roster
from tests import hostile

# Every refusal must come within a few seconds, however large the bomb.
SECONDS = 5.0


def refused(path: Path, error: type[Exception]) -> str:
    """Read ``path`` through the public reader; return the message of the expected error."""
    started = time.perf_counter()
    with pytest.raises(error) as caught:
        read_roster(path)
    assert time.perf_counter() - started < SECONDS
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


def test_wide_header_is_read_within_seconds_and_extra_columns_summarised(tmp_path: Path) -> None:
    path = hostile.huge_header(tmp_path)
    started = time.perf_counter()
    data = read_roster(path)
    assert time.perf_counter() - started < SECONDS
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
