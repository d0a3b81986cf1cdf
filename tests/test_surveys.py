"""Surveys: questions, the form workbook, importing answers (ours and Forms'), the report
with its group-size rule, and what erasing and anonymising do to answers."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from chefintro.surveys import BUILTIN_QUESTIONS, visible_groups
from tests.conftest import Cli, store_snapshot

SCALE = [q.text for q in BUILTIN_QUESTIONS if q.kind == "scale"]
FREE = [q.text for q in BUILTIN_QUESTIONS if q.kind == "text"]

# Adepts: five at CSN, five at BV, one at LST-Y; two mentors.
ADEPTS = [(f"Åsa Öberg {i}", f"asa{i}@csn.se", "CSN") for i in range(1, 6)]
ADEPTS += [(f"Örjan Sjöström {i}", f"orjan{i}@bolagsverket.se", "BV") for i in range(1, 6)]
ADEPTS += [("Élise Nordén", "elise.norden@lansstyrelsen.se", "LST-Y")]
MENTORS = [
    ("Björn Åkesson", "bjorn.akesson@lansstyrelsen.se", "LST-Y"),
    ("Märta Lind", "marta.lind@csn.se", "CSN"),
]
OUTSIDER = ("Kjell Utanför", "kjell@bolagsverket.se", "BV")


@pytest.fixture
def year(cli: Cli, backend: str) -> Cli:
    if cli.restore("test_surveys.year"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "LST-Y", "Länsstyrelsen Västernorrland")
    for name, email, agency in [*ADEPTS, *MENTORS, OUTSIDER]:
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("cohort", "use", "2027")
    for _, email, _ in ADEPTS:
        cli("participant", "add", email, "--role", "adept")
    for _, email, _ in MENTORS:
        cli("participant", "add", email, "--role", "mentor")
    cli.keep("test_surveys.year")
    return cli


def _answer_count() -> int:
    return len(store_snapshot()["survey_answer"])


# --- questions --------------------------------------------------------------------------


def test_a_survey_gets_the_built_in_questions(year: Cli) -> None:
    result = year("survey", "add", "start-2027", "--phase", "start")
    assert "with 8 questions" in result.stderr
    year("survey", "add", "slut-2027", "--phase", "slut")  # Swedish words work too
    listed: Any = year.json("survey", "list")
    assert [(s["name"], s["phase"], s["questions"], s["scale_questions"]) for s in listed] == [
        ("start-2027", "start", 8, 6),
        ("slut-2027", "end", 9, 6),  # and the idea taken home (report ideas)
    ]
    assert listed[0]["respondents"] == 0
    assert (
        "already has a survey"
        in year("survey", "add", "START-2027", "--phase", "mid", code=1).stderr
    )
    assert "not a phase" in year("survey", "add", "x", "--phase", "sometime", code=2).stderr
    assert len(SCALE) >= 5 and 1 <= len(FREE) <= 2


def test_a_questions_file_defines_other_questions(year: Cli, tmp_path: Path) -> None:
    good = tmp_path / "fragor.toml"
    good.write_text(
        '[[question]]\ntext = "Mentorn har gett mig nya perspektiv."\n\n'
        '[[question]]\ntext = "Vad tar du med dig?"\nkind = "fritext"\n',
        encoding="utf-8",
    )
    year("survey", "add", "halvtid", "--phase", "mid", "--questions", str(good))
    assert year.json("survey", "list")[0]["scale_questions"] == 1

    bad = tmp_path / "fel.toml"
    bad.write_text(
        '[[question]]\ntext = "Samma fråga."\n[[question]]\ntext = "samma  fråga"\n'
        '[[question]]\nkind = "betyg"\ntext = "X"\n[[question]]\nkind = "text"\n',
        encoding="utf-8",
    )
    result = year("survey", "add", "fel", "--phase", "end", "--questions", str(bad), code=65)
    assert "question 2" in result.stderr and "the same question as question 1" in result.stderr
    assert "kind 'betyg' is not scale or text" in result.stderr
    assert "question 4" in result.stderr and "needs text" in result.stderr
    year("survey", "add", "x", "--phase", "end", "--questions", str(tmp_path / "no.toml"), code=66)
    assert len(year.json("survey", "list")) == 1


# --- the form workbook: export, fill in as a person would, import -----------------------


def test_export_fill_import_and_import_again(year: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    year("participant", "withdraw", ADEPTS[-1][1], "--yes")
    year("survey", "add", "start-2027", "--phase", "start")
    form = tmp_path / "enkät.xlsx"
    result = year("survey", "export", "start-2027", str(form))
    assert "for 12 participants" in result.stderr
    assert form.stat().st_mode & 0o777 == 0o600

    book = load_workbook(form)
    sheet = book["Svar"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Namn", "E-post", "Myndighet", "Roll"]
    assert header[4:] == [q.text for q in BUILTIN_QUESTIONS]
    emails = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert len(emails) == 12 and ADEPTS[-1][1] not in emails  # withdrawn: no row
    scale_lists = [
        v for v in sheet.data_validations.dataValidation if v.formula1 == '"1,2,3,4,5,6,7"'
    ]
    assert scale_lists and all(v.type == "list" for v in scale_lists)
    assert "Instruktioner" in book.sheetnames

    # Fill in three people's answers, the way a coordinator would in Excel.
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2) if row[1].value}
    for email, base in ((ADEPTS[0][1], 3), (ADEPTS[5][1], 5), (MENTORS[0][1], 6)):
        for offset, cell in enumerate(rows[email][4 : 4 + len(SCALE)]):
            cell.value = base + offset % 2
        rows[email][4 + len(SCALE)].value = "Att leda tidigare kolleger."
    book.save(form)
    book.close()

    result = year("survey", "import", "start-2027", str(form))
    assert "3 respondents, 21 answers added" in result.stderr
    assert year.json("survey", "list")[0]["respondents"] == 3

    before = store_snapshot()
    again = year("survey", "import", "start-2027", str(form))
    assert "Nothing changed" in again.stderr
    assert store_snapshot() == before

    # A fresh export never carries the stored answers (a form sent on would disclose
    # them), and importing it blank changes nothing.
    second = tmp_path / "igen.xlsx"
    year("survey", "export", "start-2027", str(second), "--one-file")
    again_book = load_workbook(second, read_only=True)
    answered = [
        row[1]
        for row in again_book["Svar"].iter_rows(min_row=2, values_only=True)
        if any(v is not None for v in row[4:])
    ]
    again_book.close()
    assert answered == []
    assert "holds no answers" in year("survey", "import", "start-2027", str(second)).stderr
    assert _answer_count() == 21

    log: Any = year.json("db", "log")
    actions = [(e["action"], e["detail"]) for e in log]
    assert (
        "survey export",
        "survey start-2027 of cohort 2027: one form for 12 participants",
    ) in actions
    assert "Åsa" not in json.dumps(log, ensure_ascii=False)


def _forms_rows(people: list[tuple[str, str, str]], values: dict[str, int]) -> list[list[Any]]:
    questions = list(reversed(SCALE)) + ["  vad är din STÖRSTA utmaning som chef just nu  "]
    header = ["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", "Tid för senaste ändring"]
    rows: list[list[Any]] = [header + questions]
    for number, (name, email, _) in enumerate(people, start=1):
        rows.append(
            [number, "2027-01-30 10:00", "2027-01-30 10:05", f"mailto:{email}", name, None]
            + [values.get(q, 4) for q in reversed(SCALE)]
            + [f"Svar {number}"]
        )
    return rows


def test_a_forms_export_imports_in_another_column_order(year: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    year("survey", "add", "start-2027", "--phase", "start")
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in _forms_rows(ADEPTS[:4], {SCALE[0]: 2}):
        sheet.append(row)
    xlsx = tmp_path / "Enkät start(1-4).xlsx"
    book.save(xlsx)
    result = year("survey", "import", "start-2027", str(xlsx))
    assert "4 respondents, 28 answers added" in result.stderr
    assert "no column for: 'Övriga synpunkter på programmet'" in result.stderr

    # The same answers saved as CSV from Swedish Excel (semicolons) change nothing; new
    # people in the CSV are added.
    path = tmp_path / "enkat.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(_forms_rows(ADEPTS[:6], {SCALE[0]: 2}))
    result = year("survey", "import", "start-2027", str(path))
    assert "6 respondents, 14 answers added, 0 changed, 28 unchanged" in result.stderr
    assert _answer_count() == 42


def test_a_csv_saved_as_ansi_by_excel_imports(year: Cli, tmp_path: Path) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    path = tmp_path / "ansi.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-postadress", SCALE[0], FREE[0]])
        writer.writerow([ADEPTS[0][1], "6", "Att leda på distans – och nära."])
    result = year("survey", "import", "start-2027", str(path))
    assert "1 respondent, 2 answers added" in result.stderr
    report: Any = year.json("report", "survey")
    assert report["surveys"][0]["respondents"] == 1


def test_answer_e_mails_follow_the_one_e_mail_rule(year: Cli, tmp_path: Path) -> None:
    # Pasted from Outlook the way the roster takes them; the ones the roster refuses are
    # refused here too, with the same reason.
    year("survey", "add", "start-2027", "--phase", "start")
    pasted = [
        f"Åsa Öberg 1 <{ADEPTS[0][1]}>",
        f"mailto:{ADEPTS[1][1]}",
        f" {ADEPTS[2][1].upper()}; ",
    ]
    path = tmp_path / "klistrat.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-post", SCALE[0]])
        writer.writerows([email, "5"] for email in pasted)
    assert (
        "3 respondents, 3 answers added" in year("survey", "import", "start-2027", str(path)).stderr
    )

    bad = tmp_path / "fel.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-post", SCALE[0]])
        writer.writerow([f"{ADEPTS[3][1]}; {ADEPTS[4][1]}", "5"])
        writer.writerow([f"{ADEPTS[3][1][:4]}\u200b{ADEPTS[3][1][4:]}", "5"])
        writer.writerow(["asa.csn.se", "5"])
    before = store_snapshot()
    result = year("survey", "import", "start-2027", str(bad), code=65)
    err = " ".join(result.stderr.split())
    assert "row 2" in err and "holds more than one address; give one address" in err
    assert "row 3" in err and "contains invisible characters; retype the address" in err
    assert "row 4" in err and "'asa.csn.se' is not an e-mail address" in err
    assert store_snapshot() == before


def test_problems_are_located_and_nothing_is_imported(year: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    year("survey", "add", "start-2027", "--phase", "start")
    rows = _forms_rows(ADEPTS[:3], {})
    rows[1][6] = 8  # out of scale
    rows[2][7] = "fem"  # not a number
    rows.append(list(rows[3]))  # the same person twice
    rows.append([9, None, None, "okand@csn.se", "X", None, *[3] * len(SCALE), None])
    rows.append([10, None, None, OUTSIDER[1], "Y", None, *[3] * len(SCALE), None])
    book = Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    for row in rows:
        sheet.append(row)
    path = tmp_path / "fel.xlsx"
    book.save(path)
    before = store_snapshot()
    result = year("survey", "import", "start-2027", str(path), code=65)
    err = " ".join(result.stderr.split())
    assert "nothing was imported" in err
    assert "sheet 'Blad1', row 2, column 'G (Jag tar mig regelbundet tid att reflekt…)'" in err
    assert "'8' is outside the scale" in err
    assert "row 3" in err and "'fem' is outside the scale" in err
    assert "row 5" in err and "answered already on row 4" in err
    assert "row 6" in err and "okand@csn.se is not a registered person" in err
    assert "row 7" in err and "is not a participant in cohort 2027" in err
    assert store_snapshot() == before


def test_a_file_without_the_questions_is_refused(year: Cli, tmp_path: Path) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    path = tmp_path / "annat.csv"
    path.write_text("E-post,Betyg\nasa1@csn.se,5\n", encoding="utf-8")
    result = year("survey", "import", "start-2027", str(path), code=65)
    assert "no sheet has both an e-mail column" in result.stderr
    year("survey", "import", "start-2027", str(tmp_path / "saknas.xlsx"), code=66)
    year("survey", "import", "ingen", str(path), code=1)


# --- the report -------------------------------------------------------------------------


def _import(cli: Cli, tmp_path: Path, survey: str, answers: dict[str, tuple[int, str]]) -> None:
    """Import one survey's answers: e-mail → (value for every statement, free text)."""
    path = tmp_path / f"{survey}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["E-post", *SCALE, FREE[0]])
        for email, (value, text) in answers.items():
            writer.writerow([email, *[value] * len(SCALE), text])
    cli("survey", "import", survey, str(path))


@pytest.fixture
def answered(year: Cli, tmp_path: Path) -> Cli:
    year("survey", "add", "start-2027", "--phase", "start")
    year("survey", "add", "slut-2027", "--phase", "end")
    # Start: CSN 3, BV 4, LST-Y 2 → mean 3. End: CSN 5, BV 5, LST-Y 6, and one CSN adept
    # did not answer the end survey.
    start = {e: ({"CSN": 3, "BV": 4, "LST-Y": 2}[a], f"Början {a}") for _, e, a in ADEPTS}
    end = {e: ({"CSN": 5, "BV": 5, "LST-Y": 6}[a], f"Slutet {a}") for _, e, a in ADEPTS[1:]}
    _import(year, tmp_path, "start-2027", start)
    _import(year, tmp_path, "slut-2027", end)
    return year


def test_report_shows_means_and_the_change_for_people_who_answered_both(answered: Cli) -> None:
    report: Any = answered.json("report", "survey")
    assert [s["name"] for s in report["surveys"]] == ["start-2027", "slut-2027"]
    assert report["change"] == {"from": "start-2027", "to": "slut-2027"}
    first = report["questions"][0]
    assert first["question"] == SCALE[0]
    (whole,) = first["groups"]
    assert whole["group"] is None
    assert whole["surveys"]["start-2027"] == {"count": 11, "mean": 3.36, "hidden": False}
    assert whole["surveys"]["slut-2027"] == {"count": 10, "mean": 5.1, "hidden": False}
    # Ten answered both: four CSN +2, five BV +1, one LST-Y +4.
    assert whole["change"] == {"count": 10, "mean": 1.7, "hidden": False}
    text = answered("report", "survey").stdout
    assert "3,4 (n = 11)" in text and "+1,7 (n = 10)" in text  # a decimal comma
    english = answered("report", "survey", "--lang", "en").stdout
    assert "3.4 (n = 11)" in english and "+1.7 (n = 10)" in english
    assert "Början CSN" in text
    assert "Åsa" not in text and "asa1@" not in text


def _question(report: Any, text: str) -> Any:
    """A question of the report by its text (the end survey asks one more than the start)."""
    return next(q for q in report["questions"] if q["question"] == text)


def test_small_groups_are_hidden_in_text_and_json(answered: Cli) -> None:
    report: Any = answered.json("report", "survey", "--by", "agency")
    groups = {g["group"]: g for g in report["questions"][0]["groups"]}
    hidden = {"count": None, "mean": None, "hidden": True}
    # LST-Y has one answer: hidden. BV (5) is hidden as well, or LST-Y's one answer could
    # be worked out from the total; CSN (5 at the start) is shown.
    assert groups["LST-Y"]["surveys"]["start-2027"] == hidden
    assert groups["BV"]["surveys"]["start-2027"] == hidden
    assert groups["CSN"]["surveys"]["start-2027"] == {"count": 5, "mean": 3.0, "hidden": False}
    # At the end CSN has four answers and LST-Y one: both hidden, together five, so BV
    # (five) is shown; the same for the change.
    assert groups["CSN"]["surveys"]["slut-2027"] == hidden
    assert groups["BV"]["surveys"]["slut-2027"] == {"count": 5, "mean": 5.0, "hidden": False}
    assert groups["BV"]["change"] == {"count": 5, "mean": 1.0, "hidden": False}
    assert groups["CSN"]["change"] == hidden
    free = {g["group"]: g for g in _question(report, FREE[0])["groups"]}
    assert free["CSN"]["surveys"]["start-2027"]["answers"] == ["Början CSN"] * 5
    assert free["LST-Y"]["surveys"]["start-2027"] == {
        "count": None,
        "answers": None,
        "hidden": True,
    }

    text = answered("report", "survey", "--by", "agency").stdout
    assert "färre än 5 svar" in text
    assert "Början CSN" in text
    assert "Början LST-Y" not in text and "Början BV" not in text
    assert "Slutet BV" in text and "Slutet CSN" not in text and "Slutet LST-Y" not in text

    answered("settings", "set", "survey.min_group", "3")
    lowered: Any = answered.json("report", "survey", "--by", "role")
    assert lowered["min_group"] == 3
    assert "färre än 3 svar" in answered("report", "survey", "--by", "agency").stdout


def test_a_whole_cohort_figure_below_the_minimum_is_hidden_without_by(answered: Cli) -> None:
    answered("settings", "set", "survey.min_group", "11")  # 11 answered the start, 10 the end
    report: Any = answered.json("report", "survey")
    assert report["min_group"] == 11
    (whole,) = report["questions"][0]["groups"]
    hidden = {"count": None, "mean": None, "hidden": True}
    assert whole["surveys"]["start-2027"] == {"count": 11, "mean": 3.36, "hidden": False}
    assert whole["surveys"]["slut-2027"] == hidden
    assert whole["change"] == hidden
    (free,) = _question(report, FREE[0])["groups"]
    assert len(free["surveys"]["start-2027"]["answers"]) == 11
    assert free["surveys"]["slut-2027"] == {"count": None, "answers": None, "hidden": True}

    text = answered("report", "survey").stdout
    assert "färre än 11 svar" in text
    assert "3,4 (n = 11)" in text and "Början CSN" in text
    assert "5,1" not in text and "+1,7" not in text and "Slutet" not in text


def test_report_by_role_and_unknown_names(answered: Cli) -> None:
    report: Any = answered.json("report", "survey", "--by", "role")
    assert [g["group"] for g in report["questions"][0]["groups"]] == ["adept"]
    answered("report", "survey", "nej", code=1)
    answered("report", "survey", "--by", "färg", code=2)


def test_the_group_rule_hides_what_the_total_would_give_away() -> None:
    assert visible_groups({"A": 9, "B": 5, "C": 2}, 5) == {"A"}
    assert visible_groups({"A": 9, "B": 5, "C": 0}, 5) == {"A", "B"}
    assert visible_groups({"A": 9, "B": 6, "C": 5}, 5) == {"A", "B", "C"}
    assert visible_groups({"A": 4}, 5) == set()
    assert visible_groups({"A": 5, "B": 1}, 5) == set()
    assert visible_groups({None: 5}, 5) == {None}


# --- privacy ----------------------------------------------------------------------------


def test_erase_removes_answers_and_anonymise_unlinks_them(answered: Cli, tmp_path: Path) -> None:
    assert _answer_count() == 21 * 7
    result = answered("person", "erase", ADEPTS[0][1], "--yes")
    assert _answer_count() == 20 * 7
    log: Any = answered.json("db", "log")
    assert "7 survey answers" in log[-1]["detail"]

    answered("cohort", "close", "--yes")
    answered("cohort", "anonymise", "2027", "--archive", str(tmp_path / "arkiv.xlsx"), "--yes")
    rows = store_snapshot()["survey_answer"]
    assert len(rows) == 20 * 7
    # id, survey, question, participant, value, text, agency, role
    assert all(r[3] is None and r[6] in {"CSN", "BV", "LST-Y"} and r[7] == "adept" for r in rows)
    report: Any = answered.json("report", "survey", "--by", "agency")
    groups = {g["group"]: g for g in report["questions"][0]["groups"]}
    assert groups["BV"]["surveys"]["start-2027"] == {"count": 5, "mean": 4.0, "hidden": False}
    # Unlinked answers no longer tell who answered both surveys.
    assert groups["BV"]["change"]["hidden"] is True
    assert result.exit_code == 0


@pytest.mark.parametrize("text", ["Anna \x1b[2J\x1b[31mEk", "Anna \u202eкE"])
def test_the_text_rule_holds_at_the_survey_doors(year: Cli, tmp_path: Path, text: str) -> None:
    """Control characters and bidi overrides are refused as by every other front door."""
    year("survey", "add", "start-2027", "--phase", "start")
    before = store_snapshot()
    result = year("survey", "add", f"slut {text}", "--phase", "end", code=2)
    assert "invisible control character" in result.stderr
    result = year("settings", "set", "programme.coordinator", text, code=2)
    assert "invisible control character" in result.stderr
    questions = tmp_path / "fragor.toml"
    questions.write_text(f"[[question]]\ntext = {json.dumps(text)}\n", encoding="utf-8")
    result = year("survey", "add", "mitt", "--phase", "mid", "--questions", str(questions), code=65)
    assert "invisible control character" in result.stderr
    path = tmp_path / "svar.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-postadress", SCALE[0], FREE[0]])
        writer.writerow([ADEPTS[0][1], "6", text])
    result = year("survey", "import", "start-2027", str(path), code=65)
    assert "invisible control character" in result.stderr
    assert store_snapshot() == before


# --- files too big or too deep to be what they say ---------------------------------------


def test_a_questions_file_nested_too_deep_is_refused_clearly(year: Cli, tmp_path: Path) -> None:
    deep = tmp_path / "djup.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = year("survey", "add", "djup", "--phase", "end", "--questions", str(deep), code=65)
    assert "nests arrays or tables too deep" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    inline = tmp_path / "inline.toml"
    inline.write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    year("survey", "add", "djup", "--phase", "end", "--questions", str(inline), code=65)
    assert year.json("survey", "list") == []


def test_an_answers_file_with_too_many_rows_is_refused(year: Cli, tmp_path: Path) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    path = tmp_path / "massor.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-post", *SCALE])
        for number in range(5001):
            writer.writerow([f"person{number}@csn.se", *([4] * len(SCALE))])
    result = year("survey", "import", "start-2027", str(path), code=65)
    assert "row 5002" in result.stderr and "more than 5,000 answer rows" in result.stderr
    assert "internal error" not in result.stderr
    assert _answer_count() == 0


def test_a_changed_answer_is_updated_in_place_and_counted(year: Cli, tmp_path: Path) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    path = tmp_path / "svar.csv"

    def write(value: str, text: str) -> None:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["E-postadress", SCALE[0], FREE[0]])
            writer.writerow([ADEPTS[0][1], value, text])
            writer.writerow([ADEPTS[1][1], "4", "Samma svar."])

    write("6", "Att leda på distans.")
    year("survey", "import", "start-2027", str(path))
    write("2", "Att leda nära.")
    result = year("survey", "import", "start-2027", str(path))
    assert "2 respondents, 0 answers added, 2 changed, 2 unchanged" in result.stderr
    # survey_answer: id, survey, question, participant, value, text, …
    stored = {(row[4], row[5]) for row in store_snapshot()["survey_answer"]}
    assert stored == {(2, None), (4, None), (None, "Att leda nära."), (None, "Samma svar.")}


# --- what an import says, records and lets undo (gaps mutation testing found) -----------


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


def test_a_refused_import_names_its_file_or_files_and_counts_the_problems(
    year: Cli, tmp_path: Path
) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    header = ["E-postadress", SCALE[0]]
    bad = _csv(tmp_path / "svar.csv", [header, ["okand@csn.se", "3"], [ADEPTS[0][1], "9"]])
    err = " ".join(year("survey", "import", "start-2027", str(bad), code=65).stderr.split())
    assert "svar.csv: 2 problems; nothing was imported." in err
    # The unknown respondent is placed on the e-mail column of its sheet.
    assert "sheet 'svar.csv', row 2, column 'A (E-post)': okand@csn.se is not a" in err
    assert "sheet 'svar.csv', row 2" in err
    good = _csv(tmp_path / "andra.csv", [header, [ADEPTS[1][1], "4"]])
    err = " ".join(
        year("survey", "import", "start-2027", str(good), str(bad), code=65).stderr.split()
    )
    assert "2 files: 2 problems; nothing was imported." in err
    assert _answer_count() == 0


def test_an_import_is_logged_and_undone_as_one_command(
    year: Cli, tmp_path: Path, backend: str
) -> None:
    year("survey", "add", "start-2027", "--phase", "start")
    path = _csv(
        tmp_path / "svar.csv",
        [
            ["E-postadress", SCALE[0], FREE[0]],
            [ADEPTS[0][1], "6", "Att leda."],
            [ADEPTS[1][1], "5", ""],
        ],
    )
    before = store_snapshot()
    year("survey", "import", "start-2027", str(path))
    assert _answer_count() == 3
    log: Any = year.json("db", "log")
    assert (
        "survey import",
        "survey start-2027 of cohort 2027: 2 respondents, 3 answers added, 0 changed",
    ) in [(entry["action"], entry["detail"]) for entry in log]
    if backend != "sqlite":
        return  # undo keeps snapshots of SQLite stores only
    undone = year("db", "undo", "--yes")
    assert undone.stderr.splitlines()[1].endswith("  survey import: survey answers imported")
    assert store_snapshot()["survey_answer"] == before["survey_answer"] == []


def test_a_column_that_is_no_question_is_named_as_ignored(year: Cli, tmp_path: Path) -> None:
    # A header typed wrong loses that column's answers: the import must say which.
    year("survey", "add", "start-2027", "--phase", "start")
    path = _csv(
        tmp_path / "svar.csv",
        [["E-postadress", SCALE[0], "Jag trivs bra (stavat fel)"], [ADEPTS[0][1], "5", "6"]],
    )
    result = year("survey", "import", "start-2027", str(path))
    err = " ".join(result.stderr.split())
    assert "Columns that are no question of the survey were ignored: 'Jag trivs bra" in err
    assert "1 respondent, 1 answer added" in err
    summary: Any = year.json("survey", "import", "start-2027", str(path))
    assert summary["ignored_columns"] == ["Jag trivs bra (stavat fel)"]
