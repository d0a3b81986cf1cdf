"""Workbooks finished on paper and for screen readers: every sheet a defined Excel table
whose columns are named by the header, readable print scales (never a wide sheet squeezed
onto one page at 6 pt), long names wrapped, charts with alternative text — and the export
still imports back, also after LibreOffice has saved it."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import Cli, store_snapshot

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler (pdftotext) is not installed",
)

LONG_NAME = "Olle Karl-Johan Åberg-Lindqvist von Düben af Ekenstam Östergren-Bäckström Nyed"
PEOPLE = [
    (LONG_NAME, "olle.aberg@pensionsmyndigheten.se", "PM", "adept"),
    ("Åsa Öberg", "asa.oberg@csn.se", "CSN", "adept"),
    ("Örjan Sjöström", "orjan.sjostrom@forsakringskassan.se", "FK", "mentor"),
    ("Märta Lind", "marta.lind@csn.se", "CSN", "mentor"),
]


@pytest.fixture
def year(cli: Cli) -> Cli:
    if cli.restore("test_workbook_print.year"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "PM", "Pensionsmyndigheten")
    cli("agency", "add", "FK", "Försäkringskassan")
    for name, email, agency, _ in PEOPLE:
        cli(
            "person", "add", "--name", name, "--email", email, "--agency", agency,
            "--unit", "Ekonomienheten", "--title", "Enhetschef", "--field", "ekonomi",
            "--location", "Sundsvall",
        )  # fmt: skip
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("cohort", "use", "2027")
    for _, email, _, role in PEOPLE:
        cli("participant", "add", email, "--role", role)
    cli("session", "add", "Uppstart", "--start", "2027-01-26 09:00", "--end", "16:00")
    cli("session", "add", "Att leda i staten", "--start", "2027-03-16 09:00", "--end", "16:00")
    for session in cli.json("session", "list"):
        cli("session", "attend", str(session["id"]), *[p[1] for p in PEOPLE], "--status", "present")
    cli.keep("test_workbook_print.year")
    return cli


# A4 less the 0.5" side margins, in points, and a column's printed width (Calibri 11).
PRINTABLE = {"portrait": 595.3 - 72, "landscape": 841.9 - 72}


def _points(width: float) -> float:
    return (width * 7 + 5) * 0.75


def _scale(sheet: Any) -> float:
    """The scale a spreadsheet prints the sheet at: fitted to fitToWidth pages across,
    the repeated first column taking its room on every page after the first."""
    widths = [
        (sheet.column_dimensions[letter].width or 8.43)
        for letter in (openpyxl.utils.get_column_letter(i) for i in range(1, sheet.max_column + 1))
        if not sheet.column_dimensions[letter].hidden
    ]
    pages = sheet.page_setup.fitToWidth
    repeated = _points(widths[0]) * (pages - 1) if sheet.print_title_cols else 0.0
    needed = sum(_points(w) for w in widths) + repeated
    return float(min(1.0, pages * PRINTABLE[sheet.page_setup.orientation] / needed))


def _workbooks(year: Cli, tmp_path: Path) -> list[Path]:
    full, agency, template = tmp_path / "full.xlsx", tmp_path / "csn.xlsx", tmp_path / "mall.xlsx"
    year("roster", "export", str(full))
    year("roster", "export", str(agency), "--agency", "CSN")
    year("roster", "template", str(template))
    year("survey", "add", "start-2027", "--phase", "start")
    forms = tmp_path / "enkater"
    year("survey", "export", "start-2027", str(forms))
    year("survey", "export", "start-2027", str(tmp_path / "alla.xlsx"), "--one-file")
    return [full, agency, template, *sorted(forms.iterdir()), tmp_path / "alla.xlsx"]


def test_every_sheet_is_a_table_that_prints_readably(year: Cli, tmp_path: Path) -> None:
    checked = 0
    for path in _workbooks(year, tmp_path):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            where = f"{path.name}:{sheet.title}"
            assert sheet.tables, where
            for table in sheet.tables.values():
                first = openpyxl.utils.cell.range_boundaries(table.ref)
                header = [c.value for c in sheet[first[1]]][first[0] - 1 : first[2]]
                assert [c.name for c in table.tableColumns] == header, where
            assert sheet.auto_filter.ref is None, where  # a table brings its own filter
            assert sheet.page_setup.fitToHeight == 0 and sheet.page_setup.paperSize == 9
            assert _scale(sheet) >= 0.7, (where, round(_scale(sheet), 2))
            if sheet.title != "Översikt":
                assert sheet.print_title_rows == "$1:$1", where
            checked += 1
        book.close()
    assert checked >= 15

    full = openpyxl.load_workbook(tmp_path / "full.xlsx")
    people = full["Deltagare"]
    assert people.page_setup.orientation == "landscape"
    assert people.page_setup.fitToWidth >= 2 and people.print_title_cols == "$A:$A"
    # A long name wraps in Deltagare and Närvaro, and its row grows to show every line.
    for title, column in (("Deltagare", "A"), ("Närvaro", "B")):
        sheet = full[title]
        (row,) = [c.row for c in sheet[column] if c.value == LONG_NAME]
        assert sheet[f"{column}{row}"].alignment.wrap_text, title
        assert sheet.row_dimensions[row].height >= 30, title
    full.close()


def test_charts_have_alternative_text(year: Cli, tmp_path: Path) -> None:
    path = tmp_path / "full.xlsx"
    year("roster", "export", str(path))
    with zipfile.ZipFile(path) as archive:
        drawings = [archive.read(n).decode() for n in archive.namelist() if "drawings/draw" in n]
    frames = re.findall(r"<cNvPr [^>]*>", "".join(drawings))
    assert len(frames) == 2
    texts = [dict(re.findall(r'(\w+)="([^"]*)"', frame)) for frame in frames]
    assert [t.get("title") for t in texts] == ["Deltagare per myndighet", "Närvaro per träff"]
    assert texts[0]["descr"].startswith("Stapeldiagram: Deltagare per myndighet. ")
    assert "CSN: Adepter 1, Mentorer 1" in texts[0]["descr"]
    assert "Uppstart: Närvarande 4, Anmält förhinder 0, Frånvarande 0" in texts[1]["descr"]


def _libreoffice(source: Path, kind: str, out: Path) -> Path:
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", kind, "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(out), "PATH": "/usr/bin:/bin"},
    )
    return out / f"{source.stem}.{kind}"


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    html = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, html)
    ]


@needs_libreoffice
def test_printed_by_libreoffice_the_text_is_readable_and_names_whole(
    year: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "full.xlsx"
    year("roster", "export", str(path))
    pdf = _libreoffice(path, "pdf", tmp_path / "pdf")
    pages = int(re.findall(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
    ).stdout)[0])  # fmt: skip
    by_page = {page: _words(pdf, page) for page in range(1, pages + 1)}
    people = [p for p, words in by_page.items() if any(w[4] == "Befattning" for w in words)]
    assert people
    for page in people:
        # Cell text, not the page header and footer: 11 pt printed at 75 % or more makes
        # words at least 8 pt tall (at one page wide they were under 7).
        heights = [w[3] - w[1] for w in by_page[page] if 60 < w[1] < 540]
        assert statistics.median(heights) >= 8, (page, statistics.median(heights))
    # The page whose running head names the sheet Närvaro.
    (attendance,) = [
        p for p, words in by_page.items() if any(w[4] == "Närvaro" and w[1] < 50 for w in words)
    ]
    words = by_page[attendance]
    name_left = min(w[0] for w in words if w[4] == "Namn")
    next_left = min(w[0] for w in words if w[4].startswith("Uppstart"))
    name_words = [w for w in words if w[4] in LONG_NAME.split() and name_left - 1 <= w[0]]
    # Every word of the long name is printed, inside its own column: wrapped, not cut.
    assert {w[4] for w in name_words} == set(LONG_NAME.split())
    assert max(w[2] for w in name_words) <= next_left


@needs_libreoffice
def test_an_export_saved_again_by_libreoffice_imports_unchanged(year: Cli, tmp_path: Path) -> None:
    path = tmp_path / "full.xlsx"
    year("roster", "export", str(path))
    saved = _libreoffice(path, "xlsx", tmp_path / "lo")
    with zipfile.ZipFile(saved) as archive:  # LibreOffice kept the tables
        assert any(n.startswith("xl/tables/") for n in archive.namelist())
    before = store_snapshot()
    result: Any = year.json("roster", "import", str(saved))
    assert all(c["added"] == 0 and c["updated"] == 0 for c in result["sheets"].values())
    assert store_snapshot() == before
