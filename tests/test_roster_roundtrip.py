"""Property: whatever a roster holds, import → export → read gives the same rows back."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chefintro import cohorts
from chefintro.enums import Role
from chefintro.roster.columns import SheetKey
from chefintro.roster.load.roster_import import import_roster
from chefintro.roster.read.reader import read_roster
from chefintro.roster.read.rows import ParticipantRow, row_values
from chefintro.roster.write.collect import full_export
from chefintro.roster.write.specs import WorkbookSpec
from chefintro.roster.write.writer import standard_sheet, write_workbook
from chefintro.store import open_store
from chefintro.text import clean_text

AGENCIES = [("CSN", "Centrala studiestödsnämnden"), ("BV", "Bolagsverket"), ("SPV", "SPV")]
_TEXT = (
    st.text(alphabet=st.sampled_from(list("abcåäöéÅÄÖ XYZ-=+@'")), min_size=1, max_size=14)
    .map(clean_text)
    .filter(lambda t: t is not None)
)


@st.composite
def participants(draw: st.DrawFn) -> list[ParticipantRow]:
    count = draw(st.integers(min_value=1, max_value=8))
    rows = []
    for index in range(count):
        role = draw(st.sampled_from([Role.ADEPT, Role.MENTOR]))
        rows.append(
            ParticipantRow(
                row=index + 2,
                name=draw(_TEXT) or "x",
                email=f"person{index}@{draw(st.sampled_from(['csn.se', 'bv.se']))}",
                agency=draw(st.sampled_from([code for code, _ in AGENCIES])),
                role=role,
                unit=draw(st.none() | _TEXT),
                title=draw(st.none() | _TEXT),
                field=draw(st.none() | st.sampled_from(["IT", "HR", "juridik"])),
                location=draw(st.none() | st.sampled_from(["Sundsvall", "Härnösand"])),
                manager_since=draw(
                    st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 12, 1))
                ),
                capacity=draw(st.integers(1, 3)) if role == Role.MENTOR else None,
                wished_field=draw(st.none() | _TEXT) if role == Role.ADEPT else None,
            )
        )
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=participants())
def test_import_export_round_trip(rows: list[ParticipantRow]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        roster = base / "in.xlsx"
        write_workbook(
            roster,
            WorkbookSpec(
                [
                    standard_sheet(SheetKey.AGENCIES, AGENCIES),
                    standard_sheet(SheetKey.PARTICIPANTS, [row_values(r) for r in rows]),
                ]
            ),
        )
        store = open_store(str(base / "store.db"))
        try:
            with store.transaction() as db:
                cohorts.create_cohort(
                    db=db,
                    name="2027",
                    starts_on=date(2027, 1, 26),
                    ends_on=date(2027, 12, 9),
                )
            data = read_roster(roster)
            assert data.problems == []
            with store.transaction() as db:
                import_roster(db=db, data=data, cohort_name=None)
            exported = base / "out.xlsx"
            with store.transaction() as db:
                cohort = cohorts.current_cohort(db=db)
                write_workbook(exported, full_export(db=db, cohort=cohort))
        finally:
            store.dispose()
        back = read_roster(exported)
        assert back.problems == []

        original = sorted((row_values(r) for r in rows), key=repr)
        again = sorted((row_values(r) for r in back.participants), key=repr)
        assert again == original
