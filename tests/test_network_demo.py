"""The demo over two years (issue 35): 2027 runs its year and closes, 2028 follows from its
plan, and the network's directory (workbook and vCard), alumni, ideas per agency and
pipeline show real content — with consent respected in every one of them.

The demo is built once for the module; the tests read its store (one that changes it
works on a copy). Who may be listed is worked out here straight from the store's tables,
not through chefintro's own consent functions.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chefintro.cli.app import app
from tests.conftest import Cli

# The two-year demo takes about ten seconds to build: `make test` runs these, a mutation
# run (which leaves `slow` tests out) does not pay it for every mutant of every function
# the demo calls.
pytestmark = pytest.mark.slow

IDEA = "En idé jag tar med mig hem till min myndighet från programmet"


@dataclass(frozen=True)
class Demo:
    folder: Path
    store: Path
    stdout: str
    stderr: str
    #: The progress bar's steps as the demo moved it, and the total it was given.
    steps: list[str]
    total: list[int]

    @property
    def suggested(self) -> list[list[str]]:
        """The commands the demo printed after 'Try:', without the leading 'chefintro'."""
        return [line.split()[2:] for line in self.stderr.splitlines() if line.startswith("Try: ")]

    def said(self, command: str) -> str:
        """What the demo's table 'What the network shows' says for ``command``."""
        rows: dict[str, str] = {}
        key = ""
        for line in self.stdout.split("What the network shows", 1)[1].splitlines():
            if line.startswith("└"):
                break
            if not line.startswith("│"):
                continue
            first, second = (c.strip() for c in line.strip("│").split("│"))
            if first:
                key, rows[first] = first, second
            else:  # a wrapped cell goes on in the next line
                rows[key] += " " + second
        (found,) = [v for k, v in rows.items() if k.startswith(command)]
        return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    from chefintro.cli import output

    folder = tmp_path_factory.mktemp("two-years") / "demo"
    steps: list[str] = []
    total: list[int] = []

    @contextmanager
    def counted(count: int) -> Iterator[Callable[[str], None]]:
        total.append(count)
        yield steps.append

    with pytest.MonkeyPatch.context() as env:
        env.setenv("NO_COLOR", "1")
        env.setenv("COLUMNS", "200")
        env.setenv("CHEFINTRO_DB", str(folder.parent / "unused.db"))
        env.setattr(output, "steps", counted)  # the progress bar's steps, counted
        result = CliRunner().invoke(app, ["demo", "--years", "2", str(folder)])
    assert result.exit_code == 0, result.stderr
    yield Demo(folder, folder / "chefintro-demo.db", result.stdout, result.stderr, steps, total)


def _rows(store: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return list(db.execute(sql, args).fetchall())


def _answers(store: Path) -> list[tuple[str, str, str, int | None]]:
    """(cohort, e-mail, name, answer) for every participant not withdrawn; None: no answer."""
    return [
        (str(c), str(e), str(n), None if a is None else int(a))
        for c, e, n, a in _rows(
            store,
            "SELECT c.name, p.email, p.name, lc.listed FROM participant pa"
            " JOIN person p ON p.id = pa.person_id JOIN cohort c ON c.id = pa.cohort_id"
            " LEFT JOIN listing_consent lc ON lc.participant_id = pa.id"
            " WHERE pa.status != 'withdrawn' ORDER BY c.starts_on",
        )
    ]


def _latest(store: Path) -> dict[str, int]:
    """Each person's latest recorded answer, by cohort start."""
    latest: dict[str, int] = {}
    for _cohort, email, _name, answer in _answers(store):
        if answer is not None:
            latest[email] = answer
    return latest


def _may_list(store: Path, cohort: str | None) -> set[str]:
    """Who a listing may show: said yes (in ``cohort``, or ever for the alumni) and whose
    latest answer is not no."""
    latest = _latest(store)
    return {
        email
        for c, email, _name, answer in _answers(store)
        if (cohort is None or c == cohort) and answer == 1 and latest[email] == 1
    }


def _people(store: Path) -> dict[str, str]:
    return {str(e): str(n) for e, n in _rows(store, "SELECT email, name FROM person")}


def _absent(text: str, emails: set[str], store: Path) -> None:
    names = _people(store)
    for email in emails:
        assert email not in text, email
        assert names[email] not in text, names[email]


def test_the_demo_has_consent_of_every_kind_and_a_later_no(demo: Demo) -> None:
    answers = _answers(demo.store)
    for cohort in ("2027", "2028"):
        said = [a for c, _e, _n, a in answers if c == cohort]
        assert said.count(1) > 3 * said.count(0) > 0  # most say yes, some no
        assert said.count(None) > 0  # some never answered
    later_no = {
        e for c, e, _n, a in answers if c == "2027" and a == 1 and _latest(demo.store)[e] == 0
    }
    assert later_no, "the demo needs someone who says yes in 2027 and no in 2028"
    count = f"{len(later_no)} person" if len(later_no) == 1 else f"{len(later_no)} people"
    assert f"{count} said yes in one year and no in a later one" in demo.stderr
    # The demo's own words on the network name no one who said no or never answered.
    unlisted = {e for _c, e, _n, a in answers if a != 1} | later_no
    network = demo.stdout.split("The network: consent to be listed", 1)[1]
    _absent(network + demo.stderr.split("Demo finished")[0][-400:], unlisted, demo.store)


def test_every_suggested_command_runs_on_the_demo_store(demo: Demo, cli: Cli) -> None:
    commands = demo.suggested
    assert len(commands) >= 11
    shown = " ".join(demo.stdout.split())
    for words in commands:
        assert words[:2] == ["--db", str(demo.store)]
        result = cli(*words)  # exits 0, or the call fails the test
        if words[2:4] == ["report", "summary"]:  # the second year's summary, as shown
            assert " ".join(result.stdout.split()) in shown
            assert "Omgång 2028" in result.stdout


def _suggested(demo: Demo, *command: str) -> list[str]:
    """The suggested command that is ``command`` (or the one that starts so)."""
    exact = [w for w in demo.suggested if w[2:] == list(command)]
    (words,) = exact or [w for w in demo.suggested if w[2:][: len(command)] == list(command)]
    return words


def test_the_directory_commands_show_what_the_demo_says(demo: Demo, cli: Cli) -> None:
    listed = re.match(r"(\d+) listed, (\d+) left out", demo.said("network directory (cohort"))
    assert listed is not None
    found: Any = cli.json(*_suggested(demo, "network", "directory"))
    assert [found["cohort"], found["listed"], found["unlisted"]] == [
        "2028",
        int(listed.group(1)),
        int(listed.group(2)),
    ]
    assert {p["email"] for p in found["people"]} == _may_list(demo.store, "2028")
    alumni = re.match(r"(\d+) listed, (\d+) left out", demo.said("network directory --alumni"))
    assert alumni is not None
    every: Any = cli.json(*_suggested(demo, "network", "directory", "--alumni"))
    assert [every["listed"], every["unlisted"]] == [int(alumni.group(1)), int(alumni.group(2))]
    assert {p["email"] for p in every["people"]} == _may_list(demo.store, None)
    assert any(len(p["roles"]) == 2 for p in every["people"])  # years and roles over two


def test_the_vcards_and_the_workbook_hold_the_listed_and_no_one_else(demo: Demo, cli: Cli) -> None:
    vobject = pytest.importorskip("vobject")
    from openpyxl import load_workbook

    words = _suggested(demo, "network", "directory", "--xlsx")
    cli(*words)
    xlsx = Path(words[words.index("--xlsx") + 1])
    vcf = Path(words[words.index("--vcf") + 1])
    assert xlsx.parent == demo.folder and vcf.parent == demo.folder
    allowed = _may_list(demo.store, "2028")
    text = vcf.read_bytes().decode("utf-8")
    cards = list(vobject.readComponents(text))
    assert {c.email.value for c in cards} == allowed
    names = _people(demo.store)
    for card in cards:
        assert card.version.value == "4.0"
        assert card.fn.value == names[card.email.value]
        assert card.n.value.family == card.fn.value.split()[-1]
    book = load_workbook(xlsx)
    try:
        rows = [list(r) for r in book["Katalog"].iter_rows(values_only=True)]
    finally:
        book.close()
    assert rows[0][:6] == [
        "Namn",
        "Myndighet",
        "Myndighetens namn",
        "Enhet",
        "Befattning",
        "E-post",
    ]
    assert {r[5] for r in rows[1:]} == allowed
    everyone = {e for _c, e, _n, _a in _answers(demo.store)}
    _absent(
        text + json.dumps(rows, ensure_ascii=False, default=str), everyone - allowed, demo.store
    )


def test_a_later_no_keeps_someone_out_of_the_earlier_year_s_directory(demo: Demo, cli: Cli) -> None:
    found: Any = cli.json("--db", str(demo.store), "--cohort", "2027", "network", "directory")
    shown = {p["email"] for p in found["people"]}
    assert shown == _may_list(demo.store, "2027")
    said_yes = {e for c, e, _n, a in _answers(demo.store) if c == "2027" and a == 1}
    assert said_yes - shown  # the later no: said yes in 2027, and is not shown
    table = cli("--db", str(demo.store), "--cohort", "2027", "network", "directory").stdout
    _absent(table, said_yes - shown, demo.store)


def _expected_ideas(store: Path) -> dict[str, int]:
    """Ideas per the writer's agency, of writers who may be listed in their cohort."""
    counts: dict[str, int] = {}
    for cohort, code, email, answer in _rows(
        store,
        "SELECT c.name, ag.code, p.email, a.text FROM survey_answer a"
        " JOIN survey_question q ON q.id = a.question_id"
        " JOIN participant pa ON pa.id = a.participant_id"
        " JOIN person p ON p.id = pa.person_id JOIN agency ag ON ag.id = pa.agency_id"
        " JOIN cohort c ON c.id = pa.cohort_id WHERE q.text = ?",
        IDEA,
    ):
        if answer and email in _may_list(store, str(cohort)):
            counts[str(code)] = counts.get(str(code), 0) + 1
    return counts


def test_ideas_per_agency_are_the_consenting_writers_and_agree_with_the_demo(
    demo: Demo, cli: Cli
) -> None:
    report: Any = cli.json(*_suggested(demo, "report", "ideas", "--all"))
    expected = _expected_ideas(demo.store)
    minimum = report["min_group"]
    for agency in report["agencies"]:
        count = expected.get(agency["agency"], 0)
        assert agency["hidden"] == (0 < count < minimum), agency
        if not agency["hidden"]:
            assert agency["count"] == count, agency
    shown = [a for a in report["agencies"] if a["count"]]
    hidden = [a["agency"] for a in report["agencies"] if a["hidden"]]
    assert shown and hidden  # real content, and small groups held back
    said = demo.said("report ideas --all")
    assert said.startswith(f"{sum(a['count'] for a in shown)} ideas for {len(shown)} agencies")
    assert said.endswith(", ".join(hidden))
    assert sum(a["visits"] for a in report["agencies"]) > 0
    table = cli(*_suggested(demo, "report", "ideas", "--all")).stdout
    assert "Idéer att ta hem per myndighet, omgångarna 2027 – 2028" in table
    assert "Studiebesök" in table and f"färre än {minimum} idéer" in table


def test_the_pipeline_agrees_with_the_demo_and_names_only_the_listed(demo: Demo, cli: Cli) -> None:
    words = _suggested(demo, "report", "pipeline")
    assert "--as-of" in words
    result: Any = cli.json(*words)
    said = demo.said("report pipeline")
    eligible, mentors = len(result["eligible_adepts"]), len(result["active_mentors"])
    assert said.startswith(
        f"{eligible} former adepts eligible as mentors on {result['next_start']}"
    )
    assert f"{mentors} former mentors still managers" in said
    (done,) = [f for f in result["follow_ups"] if f["status"] == "done"]
    assert (done["cohort"], done["months"]) == ("2027", 12)
    assert f"12-month follow-up of 2027: {done['respondents']} answers" in said
    assert eligible > 0 and mentors > 0 and done["still_managers"] > 0
    allowed = _may_list(demo.store, None)
    named = {m["email"] for m in [*result["eligible_adepts"], *result["active_mentors"]]}
    assert named <= allowed
    everyone = {e for _c, e, _n, _a in _answers(demo.store)}
    _absent(cli(*words).stdout + json.dumps(result), everyone - allowed, demo.store)


def test_pipeline_and_ideas_are_swedish_unless_asked(demo: Demo, cli: Cli, tmp_path: Path) -> None:
    store = tmp_path / "copy.db"
    shutil.copy(demo.store, store)
    base = ("--db", str(store))
    sv = cli(*base, "report", "pipeline", "--as-of", "2028-12-07").stdout
    assert "Tidigare adepter som kan bli mentorer" in sv and "Månader som chef" in sv
    assert "Uppföljningsenkäter" in sv and "gjord" in sv and "kommande" in sv
    assert re.search(r"\d+ \(\d+ %\)", sv) and "Former" not in sv
    assert "2027 mentor, 2028 mentor" in sv
    en = cli(*base, "report", "pipeline", "--as-of", "2028-12-07", "--lang", "en").stdout
    assert "Former adepts eligible as mentors" in en and re.search(r"\d+ \(\d+%\)", en)
    assert "upcoming" in en and "Tidigare" not in en
    cli(*base, "settings", "set", "report.lang", "en")
    assert "Ideas taken home" in cli(*base, "report", "ideas", "--all").stdout
    assert "Idéer att ta hem" in cli(*base, "report", "ideas", "--all", "--lang", "sv").stdout


def test_empty_network_tables_say_so_in_words(cli: Cli) -> None:
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-07")
    cli("cohort", "use", "2027")
    ideas = cli("report", "ideas").stdout
    assert "Inga idéer ännu." in ideas and "Myndighet" not in ideas
    assert "No ideas yet." in cli("report", "ideas", "--lang", "en").stdout
    pipeline = cli("report", "pipeline").stdout
    assert "Ingen tidigare adept har varit chef länge nog ännu." in pipeline
    assert "Inga tidigare mentorer ännu." in pipeline and "E-post" not in pipeline
    directory = cli("network", "directory").stdout
    assert "Ingen har samtyckt till att listas ännu." in directory and "Namn" not in directory


def test_the_directory_workbook_prints_one_page_wide_with_its_headers(
    demo: Demo, cli: Cli, tmp_path: Path
) -> None:
    """A who's who is read across: name and e-mail on one page, at a readable scale, the
    header row on every page; printed by LibreOffice, the cohort's 37 fit one page."""
    from openpyxl import load_workbook

    from tests.test_workbook_print import _libreoffice, _scale, _words, needs_libreoffice

    paths = {"Katalog": tmp_path / "katalog.xlsx", "Alumner": tmp_path / "alumner.xlsx"}
    cli("--db", str(demo.store), "network", "directory", "--xlsx", str(paths["Katalog"]))
    cli(
        "--db", str(demo.store), "network", "directory", "--alumni", "--xlsx", str(paths["Alumner"])
    )
    for title, path in paths.items():
        book = load_workbook(path)
        sheet = book[title]
        assert sheet.page_setup.orientation == "landscape", title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, title
        assert _scale(sheet) >= 0.75, (title, _scale(sheet))
        assert sheet.print_title_rows == "$1:$1", title
        assert sheet.tables and sheet.freeze_panes == "A2", title
        book.close()
    if needs_libreoffice.args[0]:
        pytest.skip("LibreOffice and pdftotext are needed to print the workbook")
    pdf = _libreoffice(paths["Katalog"], "pdf", tmp_path / "pdf")
    words = [w[4] for w in _words(pdf, 1)]
    assert {"Namn", "E-post", "Nätverksgrupp", "Mentor", "Katalog"} <= set(words)
    assert "Sida 1 av 1" in " ".join(words)


def test_the_progress_bar_counts_both_years(demo: Demo) -> None:
    from chefintro.demo import demo_steps

    assert demo.total == [demo_steps(2)] and len(demo.steps) == demo_steps(2)
    assert demo_steps(2) > 2 * demo_steps(1) - 5
    assert demo.steps[-1] == "Answering the follow-up survey"


def test_the_demo_plays_one_or_two_years(bare_cli: Cli, tmp_path: Path) -> None:
    result = bare_cli("demo", "--years", "3", str(tmp_path / "demo"), code=2)
    assert "--years" in result.stderr
    assert not (tmp_path / "demo").exists()
