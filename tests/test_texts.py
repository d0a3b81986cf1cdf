"""What people read: one catalogue of Swedish and English texts, report tables in Swedish
by default with a decimal comma, --as-of on the year's reports, and tables that stay
readable at 80 columns."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any

import pytest

from chefintro import texts
from tests.conftest import Cli
from tests.test_followup import _set_today


def test_every_text_has_swedish_and_english_with_the_same_fields() -> None:
    for key, languages in texts.CATALOGUE.items():
        assert set(languages) == set(texts.LANGS), key
        for lang in texts.LANGS:
            assert languages[lang].strip(), f"{key} has no {lang} text"
        sv, en = (texts.fields_of(languages[lang]) for lang in texts.LANGS)
        assert sv == en, f"{key}: the Swedish fills in {sorted(sv)}, the English {sorted(en)}"


def test_every_status_and_kind_has_a_word() -> None:
    from chefintro.attendance import STANDINGS
    from chefintro.followup.status import STATUS_ORDER
    from chefintro.matching.scoring import CRITERIA
    from chefintro.messages.content import GROUPS, INTRO, REMINDER
    from chefintro.yearend import COMPLETION_STATUSES

    vocabularies: dict[str, list[str]] = {
        prefix: [member.value for member in enum] for prefix, enum in texts.VOCABULARIES.items()
    }
    vocabularies.update(
        standing=list(STANDINGS),
        completion=list(COMPLETION_STATUSES),
        pair_status=list(STATUS_ORDER),
        criterion=list(CRITERIA),
        message=[INTRO, GROUPS, REMINDER],
    )
    for prefix, values in vocabularies.items():
        for value in values:
            for lang in texts.LANGS:
                assert texts.word(prefix, value, lang), f"{prefix}.{value} in {lang}"
    # Every closed vocabulary of the domain is one of them.
    import chefintro.enums as enums

    closed = {
        obj
        for obj in vars(enums).values()
        if isinstance(obj, type) and issubclass(obj, StrEnum) and obj.__module__ == enums.__name__
    }
    assert closed - {enums.QuestionKind} <= set(texts.VOCABULARIES.values())


def test_swedish_numbers_have_a_decimal_comma_and_a_true_minus() -> None:
    assert texts.decimal(3.84, "sv") == "3,8"
    assert texts.decimal(2.2, "sv", signed=True) == "+2,2"
    assert texts.decimal(-0.5, "sv", signed=True) == "\u22120,5"
    assert texts.decimal(3.84, "en") == "3.8"
    assert texts.percent(0.962, "sv") == "96 %"
    assert texts.percent(0.962, "en") == "96%"


def test_a_language_is_named_in_either_language() -> None:
    assert texts.parse_lang(" Svenska ") == "sv"
    assert texts.parse_lang("EN") == "en"
    with pytest.raises(ValueError, match="sv or en"):
        texts.parse_lang("de")


# --- a cohort with long names, for tables and --as-of ----------------------------------------

ADEPTS = (
    ("Anna-Karin Åkerström-Lindqvist", "anna-karin.akerstrom@lansstyrelsen.se", "LST-Y"),
    ("Carl-Johan Wikström", "carl-johan.wikstrom@csn.se", "CSN"),
)
MENTORS = (
    ("Margareta Östlund-Bergqvist", "margareta.ostlund@bolagsverket.se", "BV"),
    ("Per-Erik Sjöström", "per-erik.sjostrom@bolagsverket.se", "BV"),
)
DAYS = ["2026-02-10", "2026-03-17", "2026-04-21", "2026-05-19", "2026-06-09"]


@pytest.fixture
def cohort(cli: Cli, backend: str) -> Cli:
    """Cohort 2026 (10 February – 30 June 2026), five programme days; Anna-Karin attends
    them all, Carl-Johan the first two; two pairs made active, one has met."""
    if cli.restore("test_texts.cohort"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "LST-Y", "Länsstyrelsen Västernorrland")
    for name, email, agency in (*ADEPTS, *MENTORS):
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("cohort", "create", "2026", "--start", "2026-02-10", "--end", "2026-06-30")
    cli("cohort", "use", "2026")
    for _, email, _ in ADEPTS:
        cli("participant", "add", email, "--role", "adept")
    for _, email, _ in MENTORS:
        cli("participant", "add", email, "--role", "mentor")
    for day in DAYS:
        cli("session", "add", f"Programdag {day}", "--start", f"{day} 09:00", "--end", "16:00")
    ids = [str(s["id"]) for s in cli.json("session", "list")]
    for sid in ids:
        cli("session", "attend", sid, ADEPTS[0][1], "--status", "present")
    for sid in ids[:2]:
        cli("session", "attend", sid, ADEPTS[1][1], "--status", "present")
    cli("pair", "set", ADEPTS[0][1], MENTORS[0][1])
    cli("pair", "set", ADEPTS[1][1], MENTORS[1][1])
    with pytest.MonkeyPatch.context() as patch:
        _set_today(patch, date(2026, 2, 12))  # the pairs start on the day they are made
        cli("pair", "apply")
    cli("pair", "meet", ADEPTS[0][1], "--date", "2026-03-02", "--minutes", "60")
    cli.keep("test_texts.cohort")
    return cli


def test_as_of_judges_the_year_on_that_day(cohort: Cli, tmp_path: Any) -> None:
    """The programme days lie behind today; as of 30 April three are held, and
    Carl-Johan (2 of 3) can still make 4 of 5."""
    early: Any = cohort.json("report", "completion", "--as-of", "2026-04-30")
    assert (early["sessions_held"], early["as_of"]) == (3, "2026-04-30T23:59:59")
    assert {a["email"]: a["status"] for a in early["adepts"]} == {
        ADEPTS[0][1]: "in_progress",
        ADEPTS[1][1]: "in_progress",
    }
    late: Any = cohort.json("report", "completion", "--as-of", "2026-06-09")
    assert {a["email"]: a["status"] for a in late["adepts"]} == {
        ADEPTS[0][1]: "completed",
        ADEPTS[1][1]: "not_completed",
    }
    attendance: Any = cohort.json("report", "attendance", "--as-of", "2026-03-17")
    assert attendance["sessions_held"] == 2  # the day itself counts
    summary = " ".join(cohort("report", "summary", "--as-of", "2026-04-30").stdout.split())
    assert "0 av 2 adepter (0 %) uppfyllde närvarokravet" in summary
    assert "för 2 återstår programdagar" in summary
    out = tmp_path / "intyg"
    assert cohort("certificate", "--out", str(out), "--as-of", "2026-04-30").stdout == ""
    written = cohort("certificate", "--out", str(out), "--as-of", "2026-06-30").stdout
    assert written.strip().endswith(".pdf") and len(written.splitlines()) == 1
    result = cohort("report", "attendance", "--as-of", "30/4", code=2)
    assert "YYYY-MM-DD" in result.stderr


def test_report_words_are_swedish_and_english_on_request(cohort: Cli) -> None:
    sv = cohort("report", "attendance", "--as-of", "2026-06-30").stdout
    assert "Närvaro, omgång 2026" in sv and "Namn" in sv and "E-post" in sv
    assert "uppfyller kravet" in sv and "kan inte slutföra" in sv
    assert "mentor (inget krav)" in sv
    assert "100 %" in sv
    assert "ok" not in sv.split() and "mentor (not required)" not in sv
    days = cohort("session", "list").stdout
    assert "Träffar, omgång 2026" in days and "utbildning" in days and "training" not in days
    assert "training" in cohort("session", "list", "--lang", "en").stdout
    en = cohort("report", "attendance", "--as-of", "2026-06-30", "--lang", "en").stdout
    assert "Attendance, cohort 2026" in en and "mentor (not required)" in en
    assert "100%" in en


def _words_of(text: str) -> list[str]:
    return re.findall(r"[\w@.()-]+", text)


def test_report_pairs_stays_whole_at_80_columns(
    cohort: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    rows: Any = cohort.json("report", "pairs", "--as-of", "2026-04-30")
    table = cohort("report", "pairs", "--as-of", "2026-04-30").stdout
    lines = table.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    body = " ".join(lines)
    for row in rows:
        for day in (row["since"], row["last_meeting"]):
            if day:
                assert day in body, f"{day} is broken across lines"
    # Headers break only between words; names wrap between words.
    for word in ("Adept", "Mentor", "Sedan", "Möten", "Minuter", "Senaste", "möte", "Status"):
        assert re.search(rf"(?<![\w-]){word}(?![\w-])", body), word
    # Names wrap between words; a word up to 14 letters stays whole (a longer one, such as
    # a double surname, may fold rather than squeeze the dates).
    words = _words_of(body)
    checked = [p for name, _, _ in (*ADEPTS, *MENTORS) for p in name.split() if len(p) <= 14]
    assert len(checked) >= 5
    for part in checked:
        assert part in words, f"{part} is broken"


def test_a_table_too_wide_for_80_columns_is_printed_a_record_at_a_time(
    cohort: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    table = cohort("report", "attendance", "--as-of", "2026-06-30").stdout
    lines = table.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    # Ten columns cannot keep their words side by side: each person is a small record, with
    # every name and e-mail address whole on its own line.
    words = _words_of(table)
    for name, email, *_ in (*ADEPTS, *MENTORS):
        assert name in table, f"{name} is broken"
        assert email in words, f"{email} is broken"
    assert "  Närvarat: " in table and "  Status: " in table


def test_the_survey_forms_title_names_the_phase_in_swedish(cohort: Cli, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    cohort("survey", "add", "slut-2026", "--phase", "end")
    form = tmp_path / "enkat.xlsx"
    cohort("survey", "export", "slut-2026", str(form))
    book = load_workbook(form)
    try:
        title = book["Instruktioner"]["A2"].value
    finally:
        book.close()
    assert title == "slut-2026 (i slutet av programmet), omgång 2026"


def test_a_report_table_without_rows_says_so_in_words(cli: Cli) -> None:
    """Not bare headers: the title and a sentence, in the table's language."""
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-07")
    cli("cohort", "use", "2027")
    for command, said in (
        (("report", "attendance"), "Omgången har inga deltagare ännu."),
        (("report", "completion"), "Omgången har inga deltagare ännu."),
        (("session", "list"), "Omgången har inga träffar ännu."),
    ):
        out = cli(*command).stdout
        assert said in out and "E-post" not in out and "Plats" not in out, command
    assert "The cohort has no sessions yet." in cli("session", "list", "--lang", "en").stdout
