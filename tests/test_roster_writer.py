"""Writing roster workbooks: styling, formula-safe text, template, charts, atomic saves,
and the round trip write_workbook → read_roster."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chefintro.enums import AttendanceStatus, Role, SessionKind
from chefintro.errors import InvalidInputError, OutputError
from chefintro.roster.columns import SheetKey, attendance_header
from chefintro.roster.read.reader import read_roster
from chefintro.roster.read.rows import (
    AgencyRow,
    PairRow,
    ParticipantRow,
    ProgrammeSessionRow,
    row_values,
)
from chefintro.roster.write.specs import (
    BarChartSpec,
    ColumnSpec,
    OverviewSheet,
    SheetSpec,
    TableSpec,
    WorkbookSpec,
)
from chefintro.roster.write.writer import standard_sheet, write_template, write_workbook
from chefintro.text import clean_text, email_key


def load(path: Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path)


def sheet_xml(path: Path, index: int = 1) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


PEOPLE = [
    ParticipantRow(
        0,
        "Åsa Öberg",
        "asa@csn.se",
        "CSN",
        Role.ADEPT,
        unit="IT",
        manager_since=date(2026, 3, 1),
        preferred_mentors=("bo@bv.se", "cia@lst.se"),
    ),
    ParticipantRow(0, "Bo Ek", "bo@bv.se", "BV", Role.MENTOR, capacity=2),
]


# --- styling ------------------------------------------------------------------------------------


def test_sheets_are_styled_for_people(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    sheet = standard_sheet(
        SheetKey.PARTICIPANTS, [row_values(p) for p in PEOPLE], agency_codes=["CSN", "BV"]
    )
    write_workbook(path, WorkbookSpec([sheet]))
    workbook = load(path)
    ws = workbook["Deltagare"]
    assert [c.value for c in ws[1]][:4] == ["Namn", "E-post", "Myndighet", "Roll"]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    # A defined table with its own filter buttons, over the header and the rows.
    (table,) = ws.tables.values()
    assert table.ref == "A1:P3" and table.autoFilter.ref == "A1:P3"
    assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
    assert ws.auto_filter.ref is None  # no second filter over the same cells
    assert ws.column_dimensions["B"].width == 32
    assert ws["I2"].value == datetime(2026, 3, 1) and ws["I2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == "adept" and ws["L2"].value == "bo@bv.se; cia@lst.se"
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations == {
        "C2:C503": '"CSN,BV"',
        "D2:D503": '"adept,mentor"',
        "M2:M503": '"ja,nej"',
    }
    workbook.close()


def test_datetimes_get_a_date_time_format_and_aware_ones_local_time(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    start = datetime(2027, 1, 26, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm
    rows = [("Uppstart", SessionKind.KICKOFF, start, start + timedelta(hours=7), None, None)]
    write_workbook(path, WorkbookSpec([standard_sheet(SheetKey.SESSIONS, rows)]))
    ws = load(path)["Träffar"]
    assert ws["C2"].value == datetime(2027, 1, 26, 9, 0)
    assert ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["B2"].value == "uppstart"
    (session,) = read_roster(path).sessions
    assert (session.starts_at, session.ends_at) == (
        datetime(2027, 1, 26, 9),
        datetime(2027, 1, 26, 16),
    )


def test_generic_values_widths_and_booleans(tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    spec = SheetSpec(
        "Data",
        [ColumnSpec("Vad"), ColumnSpec("Antal", width=9), ColumnSpec("Klart")],
        iter([("en ganska lång text här", 3, True), ("kort", 2.5, False), (None, None, None)]),
    )
    write_workbook(path, WorkbookSpec([spec]))
    ws = load(path)["Data"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        ["en ganska lång text här", 3, "ja"],
        ["kort", 2.5, "nej"],
    ]
    assert ws.column_dimensions["A"].width == len("en ganska lång text här") + 2
    assert ws.column_dimensions["B"].width == 9


# --- formula-safe text --------------------------------------------------------------------------

DANGEROUS = ["=SUM(A1:A9)", "+46 70", "-2", "@cmd", "\tx", "'=x", "''", "'", "=", "_x0041_"]


def test_text_can_never_run_as_a_formula_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    spec = SheetSpec("Data", [ColumnSpec("Text")], [(text,) for text in DANGEROUS])
    write_workbook(path, WorkbookSpec([spec]))
    xml = sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    ws = load(path)["Data"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells][:6] == [
        "'=SUM(A1:A9)",
        "'+46 70",
        "'-2",
        "'@cmd",
        "'\tx",
        "''=x",
    ]


def test_formula_like_participants_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    person = ParticipantRow(
        2, "=Anna", "-anna@csn.se", "@CSN", Role.ADEPT, unit="+IT", title="'=x", field="_x0041_"
    )
    write_workbook(
        path, WorkbookSpec([standard_sheet(SheetKey.PARTICIPANTS, [row_values(person)])])
    )
    data = read_roster(path)
    assert data.problems == []
    assert data.participants == [person]


def test_characters_xml_cannot_hold_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    spec = SheetSpec("Data", [ColumnSpec("Text")], [("a\x00b\x07c",), ("\x01=x",)])
    write_workbook(path, WorkbookSpec([spec]))
    assert [row[0].value for row in load(path)["Data"].iter_rows(min_row=2)] == ["abc", "'=x"]


# --- template -----------------------------------------------------------------------------------


def test_template_has_every_sheet_instructions_and_drop_downs(tmp_path: Path) -> None:
    path = tmp_path / "mall.xlsx"
    agencies = [(f"MYND-{i:02}", f"Myndighet nummer {i}") for i in range(60)]
    write_template(path, agencies, sessions=[("Uppstart", datetime(2027, 1, 26, 9))])
    workbook = load(path)
    assert workbook.sheetnames == [
        "Instruktioner",
        "Myndigheter",
        "Deltagare",
        "Träffar",
        "Par",
        "Närvaro",
        "Möten",
        "Listor",
    ]
    assert workbook["Listor"].sheet_state == "hidden"
    participants = workbook["Deltagare"]
    assert [c.value for c in participants[1]] == [
        "Namn",
        "E-post",
        "Myndighet",
        "Roll",
        "Enhet",
        "Befattning",
        "Verksamhetsområde",
        "Ort",
        "Chef sedan",
        "Kapacitet",
        "Önskat område",
        "Önskade mentorer",
        "Samtycke",
        "Önskad ort",
        "Önskade adepter",
        "Jäv",
    ]
    assert participants.freeze_panes == "A2"
    formulas = {str(dv.sqref): dv.formula1 for dv in participants.data_validations.dataValidation}
    # 60 codes are too long for an inline list, so they live on the hidden Listor sheet.
    assert formulas == {
        "C2:C1001": "Listor!$A$1:$A$60",
        "D2:D1001": '"adept,mentor"',
        "M2:M1001": '"ja,nej"',
    }
    assert workbook["Listor"]["A60"].value == "MYND-59"
    sessions = workbook["Träffar"]
    kinds = {str(dv.sqref): dv.formula1 for dv in sessions.data_validations.dataValidation}
    assert kinds["B2:B1001"] == '"uppstart,utbildning,föreläsning,nätverk,avslutning"'
    assert kinds["F2:F1001"] == "Listor!$A$1:$A$60"
    attendance = workbook["Närvaro"]
    assert [c.value for c in attendance[1]] == ["E-post", "Uppstart (2027-01-26 09:00)"]
    instructions = [[c.value for c in row] for row in workbook["Instruktioner"].iter_rows()]
    assert instructions[0] == ["Blad", "Kolumn", "Förklaring"]
    assert ["Deltagare", "Roll", "adept eller mentor. Obligatorisk."] in instructions
    assert ["Myndighetskoder", "MYND-07", "Myndighet nummer 7"] in instructions
    workbook.close()

    data = read_roster(path)
    assert data.problems == [] and data.warnings == []
    assert data.participants == [] and len(data.sheets) == 6
    assert data.attendance_sessions[0].title == "Uppstart"


# --- overview -----------------------------------------------------------------------------------


def test_overview_sheet_with_tables_and_bar_charts(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    overview = OverviewSheet(
        "Översikt",
        [
            TableSpec(
                "Deltagare per myndighet",
                ["Myndighet", "Adepter", "Mentorer"],
                [("CSN", 3, 1), ("BV", 2, 4)],
            ),
            TableSpec("Närvaro per träff", ["Träff", "Närvarande"], [("Uppstart", 20)]),
        ],
        [
            BarChartSpec(0, "Deltagare per myndighet", y_title="Antal"),
            BarChartSpec(1, "Närvaro", horizontal=True),
        ],
    )
    write_workbook(path, WorkbookSpec([overview]))
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        chart_xml = archive.read(charts[0]).decode()
    assert "'Översikt'!$A$3:$A$4" in chart_xml  # categories: the first column
    assert "'Översikt'!$C$3:$C$4" in chart_xml  # one series per further column
    assert '<delete val="0" />' in chart_xml  # axes visible in Excel
    ws = load(path)["Översikt"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "Deltagare per myndighet"
    assert rows[1][:3] == ["Myndighet", "Adepter", "Mentorer"]
    assert rows[5][:2] == ["Närvaro per träff", None]
    assert len(ws._charts) == 2
    # Exported overview sheets are for people; a file holding nothing else has nothing to
    # import, and says so instead of "importing" nothing.
    with pytest.raises(InvalidInputError, match="no roster sheet.*'Översikt'"):
        read_roster(path)


# --- saving -------------------------------------------------------------------------------------


def test_unwritable_destinations_raise_output_error(tmp_path: Path) -> None:
    book = WorkbookSpec([standard_sheet(SheetKey.AGENCIES)])
    with pytest.raises(OutputError) as caught:
        write_workbook(tmp_path / "missing" / "x.xlsx", book)
    assert caught.value.exit_code == 73
    assert str(tmp_path / "missing" / "x.xlsx") in str(caught.value)
    with pytest.raises(OutputError, match="is a directory"):
        write_workbook(tmp_path, book)


def test_failed_save_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"old")

    def refuse(source: str, target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="Permission denied"):
        write_workbook(path, WorkbookSpec([standard_sheet(SheetKey.AGENCIES)]))
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


def _unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record exceptions Python would print as "Exception ignored in …" (and pytest warn on)."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(repr(u.exc_value)))
    return seen


def test_a_temporary_file_that_cannot_be_made_leaves_no_noise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("chefintro.files.tempfile.mkstemp", refuse)
    seen = _unraisable(monkeypatch)
    rows = [row_values(AgencyRow(0, f"A{n}", "Myndighet")) for n in range(300)]
    book = WorkbookSpec([standard_sheet(SheetKey.AGENCIES, rows), standard_sheet(SheetKey.PAIRS)])
    with pytest.raises(OutputError, match="Permission denied") as caught:
        write_workbook(tmp_path / "x.xlsx", book)
    assert caught.value.exit_code == 73
    del caught
    gc.collect()
    assert seen == []
    assert list(tmp_path.iterdir()) == []


def test_a_build_that_fails_midway_leaves_no_noise_and_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rows() -> Iterator[tuple[str, str]]:
        for n in range(300):  # past the rows sampled for widths: rows are streaming
            yield (f"A{n}", "Myndighet")
        raise RuntimeError("the data source failed")

    seen = _unraisable(monkeypatch)
    scratch = tempfile.gettempdir()
    before = {p for p in os.listdir(scratch) if p.startswith("openpyxl.")}
    book = WorkbookSpec([standard_sheet(SheetKey.PAIRS), standard_sheet(SheetKey.AGENCIES, rows())])
    with pytest.raises(RuntimeError, match="data source failed") as caught:
        write_workbook(tmp_path / "x.xlsx", book)
    del caught
    gc.collect()
    assert seen == []
    assert list(tmp_path.iterdir()) == []
    assert {p for p in os.listdir(scratch) if p.startswith("openpyxl.")} <= before


def test_existing_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"old")
    rows = [row_values(AgencyRow(0, "CSN", "Centrala studiestödsnämnden"))]
    write_workbook(path, WorkbookSpec([standard_sheet(SheetKey.AGENCIES, rows)]))
    assert read_roster(path).agencies == [AgencyRow(2, "CSN", "Centrala studiestödsnämnden")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


# --- round trip ---------------------------------------------------------------------------------

_PLAIN = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Cf")), min_size=1, max_size=24
)


def _cleaned(text: str) -> str:
    return clean_text(text) or ""


# Texts as the reader gives them back (trimmed, NFC), many starting like a formula.
_TEXT = (
    st.one_of(_PLAIN, st.tuples(st.sampled_from(list("=+-@'")), _PLAIN).map("".join))
    .map(_cleaned)
    .filter(bool)
)
_OPTIONAL_TEXT = st.none() | _TEXT
# A name with one comma is read as "Efternamn, Förnamn" and turned round (the roster's rule
# for HR exports), so the names that round trip unchanged hold no comma.
_NAME = _TEXT.map(lambda text: _cleaned(text.replace(",", " "))).filter(bool)
# A dot-atom before the @ (RFC 5321: no leading, trailing or double dot), IDN after it.
_EMAIL = st.from_regex(
    r"[a-z0-9+\-_=]{1,5}(\.[a-z0-9+\-_=]{1,3})?@[a-zåäö0-9]{1,8}\.se", fullmatch=True
)
# Starts at exactly 00:00 are excluded: Excel stores them like a bare date, and the reader
# refuses a start without a time of day (see test_session_times).
_MINUTE = (
    st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31))
    .map(lambda moment: moment.replace(second=0, microsecond=0))
    .filter(lambda moment: moment.hour or moment.minute)
)


@st.composite
def participants(draw: st.DrawFn) -> list[ParticipantRow]:
    emails = draw(st.lists(_EMAIL, min_size=1, max_size=6, unique_by=email_key))
    rows = []
    for number, email in enumerate(emails, start=2):
        others = [e for e in emails if email_key(e) != email_key(email)]
        rows.append(
            ParticipantRow(
                number,
                draw(_NAME),
                email,
                draw(_TEXT),
                draw(st.sampled_from(Role)),
                draw(_OPTIONAL_TEXT),
                draw(_OPTIONAL_TEXT),
                draw(_OPTIONAL_TEXT),
                draw(_OPTIONAL_TEXT),
                draw(st.none() | st.dates(date(1950, 1, 1), date(2025, 12, 31))),
                draw(st.none() | st.integers(1, 20)),
                draw(_OPTIONAL_TEXT),
                tuple(draw(st.lists(st.sampled_from(others), unique=True, max_size=3)))
                if others
                else (),
            )
        )
    return rows


@st.composite
def sessions(draw: st.DrawFn) -> list[ProgrammeSessionRow]:
    rows: list[ProgrammeSessionRow] = []
    keys: set[tuple[str, datetime]] = set()
    for _ in range(draw(st.integers(0, 4))):
        title = draw(_TEXT)
        start = draw(_MINUTE)
        if (title.casefold(), start) in keys:
            continue
        keys.add((title.casefold(), start))
        end = start + timedelta(minutes=draw(st.integers(1, 24 * 60)))
        kind = draw(st.none() | st.sampled_from(SessionKind))
        rows.append(
            ProgrammeSessionRow(
                len(rows) + 2, title, start, end, kind, draw(_OPTIONAL_TEXT), draw(_OPTIONAL_TEXT)
            )
        )
    return rows


@settings(max_examples=30, deadline=None)
@given(people=participants(), meetings=sessions(), locked=st.booleans())
def test_round_trip_write_then_read_gives_the_same_rows(
    people: list[ParticipantRow], meetings: list[ProgrammeSessionRow], locked: bool
) -> None:
    adepts = [p.email for p in people]
    pairs = [PairRow(2, adepts[0], "mentor@bv.se", locked)] if adepts[0] != "mentor@bv.se" else []
    agencies = [AgencyRow(2 + i, f"A{i}", p.agency) for i, p in enumerate(people)]
    headers = [attendance_header(s.title, s.starts_at) for s in meetings]
    statuses = list(AttendanceStatus)
    attendance = [
        (p.email, *(statuses[(i + j) % 3] for j in range(len(meetings))))
        for i, p in enumerate(people)
    ]
    book = WorkbookSpec(
        [
            standard_sheet(SheetKey.AGENCIES, [row_values(a) for a in agencies]),
            standard_sheet(SheetKey.PARTICIPANTS, [row_values(p) for p in people]),
            standard_sheet(SheetKey.SESSIONS, [row_values(s) for s in meetings]),
            standard_sheet(SheetKey.PAIRS, [row_values(p) for p in pairs]),
            standard_sheet(SheetKey.ATTENDANCE, attendance, session_headers=headers),
        ]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.xlsx"
        write_workbook(path, book)
        data = read_roster(path)
    assert data.problems == [] and data.warnings == []
    assert data.agencies == [dataclasses.replace(a, code=a.code.upper()) for a in agencies]
    assert data.participants == people
    assert data.sessions == meetings
    assert data.pairs == pairs
    assert [s.title for s in data.attendance_sessions] == [s.title for s in meetings]
    assert [(row.email, tuple(m.status for m in row.marks)) for row in data.attendance] == [
        (row[0], tuple(row[1:])) for row in attendance
    ]
