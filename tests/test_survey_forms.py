"""Survey forms to send: one per participant (default) or per agency, never with answers
imported before, and every kind of form comes back through `survey import` — also after
LibreOffice has saved it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import Cli, store_snapshot
from tests.test_surveys import ADEPTS, MENTORS, SCALE, year  # noqa: F401

SOFFICE = shutil.which("soffice")


def _rows(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    rows = [r for r in book["Svar"].iter_rows(min_row=2, values_only=True) if any(r)]
    book.close()
    return rows


def _fill(path: Path, email: str, base: int, text: str) -> None:
    """Answer in ``email``'s row the way a participant does in Excel, and save."""
    book = load_workbook(path)
    sheet = book["Svar"]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == email:
            for offset, cell in enumerate(row[4 : 4 + len(SCALE)]):
                cell.value = base + offset % 2
            row[4 + len(SCALE)].value = text
    book.save(path)
    book.close()


def _answer_count() -> int:
    return len(store_snapshot()["survey_answer"])


def test_one_form_per_participant_without_earlier_answers(year: Cli, tmp_path: Path) -> None:  # noqa: F811
    year("survey", "add", "start-2027", "--phase", "start")
    # Someone answered already, on the coordinator's own form.
    own = tmp_path / "egen.xlsx"
    year("survey", "export", "start-2027", str(own), "--one-file")
    _fill(own, ADEPTS[0][1], 6, "Att leda tidigare kolleger.")
    year("survey", "import", "start-2027", str(own))
    assert _answer_count() == len(SCALE) + 1

    folder = tmp_path / "utskick"
    result = year("survey", "export", "start-2027", str(folder))
    assert "13 forms" in result.stderr and "one per participant" in result.stderr
    files = sorted(folder.iterdir())
    assert len(files) == len(ADEPTS) + len(MENTORS) == 13
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    # Each form holds its own person's row, and no answer (not even that person's own).
    by_email: dict[str, Path] = {}
    for path in files:
        rows = _rows(path)
        assert len(rows) == 1, path.name
        assert all(value is None for value in rows[0][4:]), path.name
        by_email[rows[0][1]] = path
    assert set(by_email) == {email for _, email, _ in [*ADEPTS, *MENTORS]}
    assert by_email[ADEPTS[0][1]].name == "enkat-start-2027-asa-oberg-1.xlsx"
    assert by_email["elise.norden@lansstyrelsen.se"].name == "enkat-start-2027-elise-norden.xlsx"

    # Three come back filled in; imported together, and again without change.
    returned = [by_email[ADEPTS[5][1]], by_email[MENTORS[0][1]], by_email[ADEPTS[0][1]]]
    for base, path in zip((3, 5, 6), returned, strict=True):
        email = _rows(path)[0][1]
        _fill(path, email, base, "Att leda på distans.")
    result = year("survey", "import", "start-2027", *map(str, returned))
    assert "3 respondents, 14 answers added, 1 changed, 6 unchanged" in result.stderr
    before = store_snapshot()
    again = year("survey", "import", "start-2027", *map(str, returned))
    assert "Nothing changed" in again.stderr
    assert store_snapshot() == before

    log: Any = year.json("db", "log")
    assert (
        "survey export",
        "survey start-2027 of cohort 2027: 13 forms, one per participant",
    ) in [(e["action"], e["detail"]) for e in log]


def test_the_same_person_in_two_returned_forms_is_refused(year: Cli, tmp_path: Path) -> None:  # noqa: F811
    year("survey", "add", "start-2027", "--phase", "start")
    folder = tmp_path / "utskick"
    year("survey", "export", "start-2027", str(folder))
    form = folder / "enkat-start-2027-asa-oberg-2.xlsx"
    _fill(form, ADEPTS[1][1], 4, "Första")
    copy = tmp_path / "kopia.xlsx"
    shutil.copy(form, copy)
    before = store_snapshot()
    result = year("survey", "import", "start-2027", str(form), str(copy), code=65)
    err = " ".join(result.stderr.split())
    assert "kopia.xlsx › Svar" in err and "answered already in" in err
    assert "enkat-start-2027-asa-oberg-2.xlsx › Svar, row 2" in err
    assert store_snapshot() == before


def test_names_that_make_the_same_file_name_get_their_own_files(
    year: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    # "Asa Oberg 1" and "Åsa Öberg 1" are two people whose names spell alike in a file name.
    year("person", "add", "--name", "Asa Oberg 1", "--email", "asa.o@csn.se", "--agency", "CSN")
    year("participant", "add", "asa.o@csn.se", "--role", "adept")
    year("survey", "add", "start-2027", "--phase", "start")
    folder = tmp_path / "utskick"
    year("survey", "export", "start-2027", str(folder))
    named = sorted(p.name for p in folder.glob("enkat-start-2027-asa-oberg-1*.xlsx"))
    assert named == ["enkat-start-2027-asa-oberg-1-2.xlsx", "enkat-start-2027-asa-oberg-1.xlsx"]
    emails = {_rows(folder / name)[0][1] for name in named}
    assert emails == {"asa.o@csn.se", ADEPTS[0][1]}


def test_one_form_per_agency_holds_only_its_people(year: Cli, tmp_path: Path) -> None:  # noqa: F811
    year("survey", "add", "start-2027", "--phase", "start")
    folder = tmp_path / "myndigheter"
    result = year("survey", "export", "start-2027", str(folder), "--per-agency")
    assert "one per agency" in result.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "enkat-start-2027-bv.xlsx",
        "enkat-start-2027-csn.xlsx",
        "enkat-start-2027-lst-y.xlsx",
    ]
    csn = _rows(folder / "enkat-start-2027-csn.xlsx")
    assert {r[2] for r in csn} == {"CSN"}
    assert {r[1] for r in csn} == {e for _, e, a in [*ADEPTS, *MENTORS] if a == "CSN"}
    _fill(folder / "enkat-start-2027-csn.xlsx", ADEPTS[2][1], 2, "Nätverket")
    result = year("survey", "import", "start-2027", str(folder / "enkat-start-2027-csn.xlsx"))
    assert "1 respondent, 7 answers added" in result.stderr
    # A second round of forms carries none of them.
    year("survey", "export", "start-2027", str(folder), "--per-agency")
    assert all(v is None for r in _rows(folder / "enkat-start-2027-csn.xlsx") for v in r[4:])
    year("survey", "export", "start-2027", str(folder), "--per-agency", "--one-file", code=2)


def test_a_file_target_is_refused_as_the_folder(year: Cli, tmp_path: Path) -> None:  # noqa: F811
    year("survey", "add", "start-2027", "--phase", "start")
    blocker = tmp_path / "utskick"
    blocker.write_text("not a folder")
    result = year("survey", "export", "start-2027", str(blocker), code=73)
    assert "not a folder" in result.stderr


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_again_by_libreoffice_imports(year: Cli, tmp_path: Path) -> None:  # noqa: F811
    year("survey", "add", "start-2027", "--phase", "start")
    folder = tmp_path / "utskick"
    year("survey", "export", "start-2027", str(folder))
    form = folder / "enkat-start-2027-bjorn-akesson.xlsx"
    _fill(form, MENTORS[0][1], 5, "Samtal med adepten – varje månad.")
    out = tmp_path / "lo"
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(form)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    saved = out / form.name
    assert saved.read_bytes() != form.read_bytes()
    result = year("survey", "import", "start-2027", str(saved))
    assert "1 respondent, 7 answers added" in result.stderr
    # The text came through LibreOffice as written (the dash and the Swedish letters).
    assert "Samtal med adepten – varje månad." in str(store_snapshot()["survey_answer"])
