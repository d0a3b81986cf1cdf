"""The participants' and agencies' own voice (issue 33): nudges to flagged pairs, survey
reminders, agency digests — as drafts parsed back and sent through a real SMTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from chefintro.surveys.questions import BUILTIN_QUESTIONS
from tests.conftest import Cli, store_snapshot
from tests.test_followup import _set_today
from tests.test_messages import (  # noqa: F401
    Recorder,
    SlowRecorder,
    _chefintro,
    _free_port,
    body,
    parse,
    serving_slowly,
    smtp_server,
)

ASA = "Asa.Oberg@CSN.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
ELISE = "elise.norden@lansstyrelsen.se"
ZACHARIAS = "zacharias.ek@csn.se"
ANNA_CSN = "anna.berg@csn.se"
ANNA_BV = "anna.berg@bolagsverket.se"
BO = "bo.lind@csn.se"


#: After the tests' days: every meeting they log has taken place.
LATER = date(2027, 6, 1)


def _add(cli: Cli, name: str, email: str, agency: str, *more: str) -> None:
    cli("person", "add", "--name", name, "--email", email, "--agency", agency, *more)


@pytest.fixture
def year(network: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Cohort 2027 with four pairs made active on its first day (26 January), two of them
    across CSN and BV, with an Anna Berg at each; the first day held, the agencies' contacts.
    Today is 1 June 2027."""
    cli = network
    if cli.restore("test_own_voice.year"):
        _set_today(monkeypatch, LATER)
        return cli
    _set_today(monkeypatch, date(2027, 1, 10))
    full = ("--unit", "Enhet", "--title", "Chef", "--field", "IT", "--location", "Sundsvall")
    _add(cli, "Anna Berg", ANNA_CSN, "CSN", *full, "--manager-since", "2026-05-01")
    # The other Anna Berg: a BV adept with no title, absent from the first day.
    _add(
        cli,
        "Anna Berg",
        ANNA_BV,
        "BV",
        "--unit",
        "Tillsyn BV",
        "--field",
        "IT",
        "--location",
        "Stockholm",
        "--manager-since",
        "2026-04-01",
    )
    _add(cli, "Bo Lind", BO, "CSN", *full, "--manager-since", "2001-01-01")
    for email in (ASA, ZACHARIAS, ANNA_CSN, ANNA_BV):
        cli("participant", "add", email, "--role", "adept")
    for email in (ORJAN, ELISE, BO):
        cli("participant", "add", email, "--role", "mentor", "--capacity", "2")
    cli("pair", "set", ASA, ELISE)
    cli("pair", "set", ZACHARIAS, ELISE)
    cli("pair", "set", ANNA_CSN, ORJAN)
    cli("pair", "set", ANNA_BV, BO)
    cli("pair", "apply")
    _set_today(monkeypatch, LATER)
    cli(
        "session",
        "add",
        "Uppstart",
        "--start",
        "2027-01-26 09:00",
        "--end",
        "2027-01-26 16:00",
        "--kind",
        "kickoff",
    )
    session: Any = cli.json("session", "list")
    day = str(session[0]["id"])
    cli("session", "attend", day, ASA, ZACHARIAS, ANNA_CSN, "--status", "present")
    cli("session", "attend", day, ANNA_BV, "--status", "absent")
    cli("agency", "edit", "CSN", "--contact", '"HR CSN" <hr@csn.se>')
    cli("agency", "edit", "BV", "--contact", "personal@bolagsverket.se")
    cli("settings", "set", "programme.coordinator", "Karin Berg")
    cli("settings", "set", "survey.min_group", "3")
    cli.keep("test_own_voice.year")
    return cli


@pytest.fixture
def mail(year: Cli, smtp_server: tuple[Recorder, int]) -> tuple[Cli, Recorder]:  # noqa: F811
    recorder, port = smtp_server
    year("settings", "set", "mail.smtp_host", "127.0.0.1")
    year("settings", "set", "mail.smtp_port", str(port))
    year("settings", "set", "mail.starttls", "false")
    year("settings", "set", "mail.from", "Karin Berg <karin.berg@example.se>")
    return year, recorder


def _drafts(cli: Cli, tmp_path: Path, *args: str) -> list[EmailMessage]:
    folder = tmp_path / "-".join(a.strip("-") for a in args)
    cli("message", *args, "--out", str(folder))
    return [parse(p) for p in sorted(folder.glob("*.eml"))]


def _to(message: EmailMessage) -> set[str]:
    return {a.addr_spec.casefold() for a in message["To"].addresses}


def _whole(message: EmailMessage) -> str:
    """Every header and both bodies, as one text to search for what must not be there."""
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return "\n".join((headers, body(message, "plain"), body(message, "html")))


# --- nudges ------------------------------------------------------------------------------


def test_nudge_drafts_go_to_each_flagged_pair_worded_for_its_status(
    year: Cli, tmp_path: Path
) -> None:
    # In time on the last day of the first six weeks: nobody is nudged.
    assert "No nudge is left to write" in year("message", "nudge", "--as-of", "2027-03-09").stderr
    year("pair", "meet", ASA, "--date", "2027-02-01", "--minutes", "60")
    # 2027-03-30: Åsa's pair met on 1 February and is quiet (8 weeks on 29 March); the
    # three others never met.
    messages = _drafts(year, tmp_path, "nudge", "--as-of", "2027-03-30")
    assert len(messages) == 4
    by_pair = {frozenset(_to(m)): m for m in messages}
    quiet = by_pair[frozenset({ASA.casefold(), ELISE})]
    assert quiet["Subject"].startswith("Hur går det för er?")
    assert "måndag 1 februari 2027" in body(quiet, "plain")
    assert "Det är ett tag sedan ni två sågs" in body(quiet, "html")
    first = by_pair[frozenset({ZACHARIAS, ELISE})]
    assert first["Subject"] == "Har ni hunnit ses? Zacharias Ek och Élise Nordén"
    assert "Zacharias, som adept bokar du mötet" in body(first, "plain")
    assert first["X-Unsent"] == "1"


def _nudge_rows() -> list[tuple[Any, ...]]:
    return [r for r in store_snapshot()["sent_message"] if r[1] == "nudge"]


def test_a_nudge_is_sent_once_per_status_period(mail: tuple[Cli, Recorder]) -> None:
    cli, server = mail
    sent = cli("message", "nudge", "--as-of", "2027-03-15", "--send", "--yes")
    assert "Sent 4 nudges to 8 recipients" in sent.stderr
    assert len(server.received) == 4
    assert all(m["X-Unsent"] is None for m in server.messages())
    # The same day, and later in the same period: nothing again.
    for day in ("2027-03-15", "2027-04-06"):
        again = cli("message", "nudge", "--as-of", day, "--send", "--yes")
        assert "No nudge is left to send (4 already sent" in again.stderr
    assert len(server.received) == 4
    # followup.nudge_weeks (4) after the status began (10 March): nudged again.
    cli("message", "nudge", "--as-of", "2027-04-07", "--send", "--yes")
    assert len(server.received) == 8
    assert len(_nudge_rows()) == 16


def test_a_pair_whose_status_changed_is_nudged_in_its_new_status(
    mail: tuple[Cli, Recorder],
) -> None:
    cli, server = mail
    cli("settings", "set", "followup.nudge_weeks", "20")
    cli("message", "nudge", "--as-of", "2027-03-15", "--send", "--yes")
    assert len(server.received) == 4
    # Zacharias and Élise tell us they met on 20 January... of the pair's first week.
    cli("pair", "meet", ZACHARIAS, "--date", "2027-01-28")
    # 2027-03-26: they have been quiet since 25 March (8 weeks after the 28 January).
    cli("message", "nudge", "--as-of", "2027-03-26", "--send", "--yes")
    assert len(server.received) == 5
    quiet = server.messages()[-1]
    assert _to(quiet) == {ZACHARIAS, ELISE}
    assert quiet["Subject"].startswith("Hur går det för er?")


def test_nudge_weeks_is_a_setting_with_bounds(year: Cli) -> None:
    year("settings", "set", "followup.nudge_weeks", "0", code=2)
    year("settings", "set", "followup.nudge_weeks", "6")


# --- survey reminders ----------------------------------------------------------------------


def _answer_start_survey(cli: Cli, tmp_path: Path, *emails: str) -> None:
    cli("survey", "add", "start-2027", "--phase", "start")
    questions = [q.text for q in BUILTIN_QUESTIONS]
    header = ["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", *questions]
    lines = [";".join(header)]
    for number, email in enumerate(emails, start=1):
        answers = ["5" if q.kind == "scale" else "" for q in BUILTIN_QUESTIONS]
        lines.append(
            ";".join([str(number), "2027-02-01 10:00", "2027-02-01 10:05", email, "X", *answers])
        )
    path = tmp_path / "Enkät start(1-2).csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    cli("survey", "import", "start-2027", str(path))


def test_a_survey_reminder_goes_to_those_who_have_not_answered(year: Cli, tmp_path: Path) -> None:
    _answer_start_survey(year, tmp_path, ASA, ANNA_BV)
    link = "https://forms.office.com/r/Start2027"
    messages = _drafts(year, tmp_path, "survey-reminder", "start-2027", "--link", link)
    recipients = [_to(m) for m in messages]
    assert all(len(r) == 1 for r in recipients)  # one letter per person
    assert set().union(*recipients) == {ZACHARIAS, ANNA_CSN, ORJAN, ELISE, BO}
    for message in messages:
        assert link in body(message, "plain")
        assert f'href="{link}"' in body(message, "html")
        assert message["Subject"] == "Påminnelse: enkäten start-2027 i chefsintroduktionen 2027"


def test_a_survey_reminder_without_a_link_asks_them_to_reply(year: Cli, tmp_path: Path) -> None:
    _answer_start_survey(year, tmp_path, ASA)
    messages = _drafts(year, tmp_path, "survey-reminder", "start-2027")
    assert len(messages) == 6
    assert "Svara på det här brevet, så skickar jag enkäten" in body(messages[0], "plain")
    year("message", "survey-reminder", "start-2027", "--link", "forms/x", code=2)
    year("message", "survey-reminder", "no-such-survey", code=1)


def test_a_survey_reminder_is_sent_once_a_day_and_never_to_who_answered(
    mail: tuple[Cli, Recorder], tmp_path: Path
) -> None:
    cli, server = mail
    _answer_start_survey(cli, tmp_path, ASA, ZACHARIAS, ANNA_CSN)
    args = ("message", "survey-reminder", "start-2027", "--as-of", "2027-02-10", "--send")
    cli(*args, "--yes")
    assert sorted(r[0].casefold() for _, r, _ in server.received) == sorted(
        [ORJAN, ELISE, ANNA_BV, BO]
    )
    assert "No survey reminder is left to send" in cli(*args, "--yes").stderr
    # Anna at BV answers; the next reminder leaves her out.
    path = tmp_path / "late.csv"
    questions = [q.text for q in BUILTIN_QUESTIONS]
    path.write_text(
        ";".join(["E-post", *questions]) + "\n" + ";".join([ANNA_BV, "6"]) + "\n", encoding="utf-8"
    )
    cli("survey", "import", "start-2027", str(path))
    cli("message", "survey-reminder", "start-2027", "--as-of", "2027-02-17", "--send", "--yes")
    assert sorted(r[0].casefold() for _, r, _ in server.received[4:]) == sorted([ORJAN, ELISE, BO])


# --- agency digests ----------------------------------------------------------------------


def _digest_of(messages: list[EmailMessage], address: str) -> EmailMessage:
    found = [m for m in messages if _to(m) == {address}]
    assert len(found) == 1
    return found[0]


def _lines_naming(text: str, name: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if name in line}


def test_a_digest_names_its_own_agencys_people_and_nobody_elses(year: Cli, tmp_path: Path) -> None:
    _answer_start_survey(year, tmp_path, ASA)
    messages = _drafts(year, tmp_path, "agency-digest", "--as-of", "2027-03-15")
    # LST-Y has no contact: no letter, and a warning says so.
    assert len(messages) == 2
    csn = _digest_of(messages, "hr@csn.se")
    text = body(csn, "plain")
    # The CSN Anna Berg only: an adept, with all her fields and at the first day.
    assert _lines_naming(text, "Anna Berg") == {
        "Anna Berg, adept",
        "Anna Berg (adept, i par med en mentor från Bolagsverket): inget första möte ännu",
    }
    assert "Bo Lind (mentor, i par med en adept från Bolagsverket)" in text
    assert "Ingen av era deltagare ligger under närvarokravet." in text
    whole = _whole(csn)
    for other in ("Örjan", "Élise", "Sjöström", "Nordén", "bolagsverket.se", "Tillsyn BV"):
        assert other not in whole
    assert "lansstyrelsen" not in whole.casefold()
    # Three CSN people: the survey count is shown (1 of the 3 answered).
    assert "start-2027: 1 av 4 har svarat." in text

    bv = body(_digest_of(messages, "personal@bolagsverket.se"), "plain")
    assert _lines_naming(bv, "Anna Berg") == {
        "Anna Berg, adept",
        "Anna Berg (adept, i par med en mentor från Centrala studiestödsnämnden): inget första "
        "möte ännu",
        "Anna Berg: kan inte längre nå närvarokravet",
        "Uppgifter som saknas för Anna Berg: befattning.",
    }
    for other in ("Åsa", "Zacharias", "Bo Lind", "csn.se", "Sundsvall"):
        assert other not in _whole(_digest_of(messages, "personal@bolagsverket.se"))
    # Two BV people, fewer than survey.min_group (3): no count that points at a person.
    assert "start-2027: svaren redovisas per myndighet först när minst 3 deltar." in bv
    assert "av 2 har svarat" not in bv


def test_a_digest_asks_for_a_mentor_for_adepts_without_one(year: Cli, tmp_path: Path) -> None:
    _add(year, "Cecilia Ek", "cecilia.ek@csn.se", "CSN", "--manager-since", "2026-06-01")
    year("participant", "add", "cecilia.ek@csn.se", "--role", "adept")
    csn = body(
        _digest_of(_drafts(year, tmp_path, "agency-digest", "--as-of", "2027-03-15"), "hr@csn.se"),
        "plain",
    )
    assert "Adepter som ännu saknar mentor: Cecilia Ek." in csn
    assert "Uppgifter som saknas för Cecilia Ek: enhet, befattning, verksamhetsområde, ort." in csn


def test_a_digest_is_sent_once_per_agency_and_day(mail: tuple[Cli, Recorder]) -> None:
    cli, server = mail
    result = cli("message", "agency-digest", "--as-of", "2027-03-15", "--send", "--yes")
    assert "Sent 2 agency digests to 2 recipients" in result.stderr
    assert "No contact to write to for LST-Y" in result.stderr
    assert sorted(r for _, r, _ in server.received) == [["hr@csn.se"], ["personal@bolagsverket.se"]]
    again = cli("message", "agency-digest", "--as-of", "2027-03-15", "--send", "--yes")
    assert "No agency digest is left to send (2 already sent" in again.stderr
    cli("message", "agency-digest", "--as-of", "2027-03-22", "--send", "--yes")
    assert len(server.received) == 4
    letters = store_snapshot()["agency_letter"]
    assert len(letters) == 4
    assert {r[3] for r in letters} == {
        "digest:CSN:2027-03-15",
        "digest:BV:2027-03-15",
        "digest:CSN:2027-03-22",
        "digest:BV:2027-03-22",
    }


def test_a_digest_needs_a_contact(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    result = network("message", "agency-digest", code=1)
    assert "agency edit CODE --contact" in result.stderr


def test_erasing_a_person_removes_the_nudges_naming_them(mail: tuple[Cli, Recorder]) -> None:
    cli, _ = mail
    cli("message", "nudge", "--as-of", "2027-03-15", "--send", "--yes")
    people = {str(p[2]).casefold(): p[0] for p in store_snapshot()["person"]}
    elise = str(people[ELISE])
    naming = [r for r in _nudge_rows() if elise in str(r[3]).split(":")[1:3]]
    assert len(naming) == 4  # two pairs, two people each
    cli("person", "erase", ELISE, "--yes")
    left = _nudge_rows()
    assert [r for r in left if elise in str(r[3]).split(":")[1:3]] == []
    assert len(left) == 4  # the other two pairs' nudges stay


# --- the mentoring agreement and the pair's history ----------------------------------------


def _pair_row(cli: Cli, adept: str) -> dict[str, Any]:
    rows: Any = cli.json("report", "pairs", "--as-of", "2027-05-01")
    return next(r for r in rows if r["adept"].casefold() == adept.casefold())


def test_pair_agree_is_shown_changed_and_undone(year: Cli, backend: str) -> None:
    assert _pair_row(year, ASA)["agreed"] is None
    said = year("pair", "agree", ASA, "--date", "2027-02-15")
    assert "Agreement of Åsa Öberg – Élise Nordén: none → agreed on 2027-02-15." in said.stderr
    row = _pair_row(year, ASA)
    assert (row["agreed"], row["agreed_on"]) == (True, "2027-02-15")
    assert _pair_row(year, ZACHARIAS)["agreed"] is None  # the mentor's other pair: untouched
    table = year("report", "pairs", "--as-of", "2027-05-01").stdout
    assert "ja, 2027-02-15" in table  # the forwarded table is Swedish by default
    table = year("report", "pairs", "--as-of", "2027-05-01", "--lang", "en").stdout
    assert "yes, 2027-02-15" in table
    said = year("pair", "agree", ASA, "--no", "--date", "2027-03-01")
    assert "agreed on 2027-02-15 → not agreed (2027-03-01)" in said.stderr
    assert _pair_row(year, ASA)["agreed"] is False
    if backend == "postgres":
        return  # undo keeps snapshots of SQLite stores only
    year("db", "undo", "--yes")
    row = _pair_row(year, ASA)
    assert (row["agreed"], row["agreed_on"]) == (True, "2027-02-15")
    again = year("pair", "agree", ASA, "--date", "2027-02-15")
    assert "was already agreed on 2027-02-15" in again.stderr


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2027-06-02", "is in the future"),
        ("2027-01-01", "is before cohort 2027 starts"),
    ],
)
def test_pair_agree_refuses_a_day_outside_the_pair(year: Cli, day: str, why: str) -> None:
    before = store_snapshot()
    result = year("pair", "agree", ASA, "--date", day, code=1)
    assert why in result.stderr
    assert store_snapshot() == before


def test_pair_agree_needs_an_adept_with_an_active_pair(year: Cli) -> None:
    assert "is a mentor" in year("pair", "agree", ELISE, code=1).stderr


def test_the_pairs_history_lists_its_meetings_agreement_and_nudges(
    mail: tuple[Cli, Recorder],
) -> None:
    cli, _ = mail
    cli("message", "nudge", "--as-of", "2027-03-15", "--send", "--yes")
    cli("pair", "meet", ASA, "--date", "2027-03-20", "--minutes", "45")
    cli("pair", "agree", ASA, "--date", "2027-03-20")
    history: Any = cli.json("pair", "history", ASA)
    assert len(history) == 1
    pair = history[0]
    assert pair["mentor"] == ELISE
    assert pair["meetings"] == [{"date": "2027-03-20", "minutes": 45}]
    assert (pair["agreed"], pair["agreed_on"], pair["agreement_source"]) == (
        True,
        "2027-03-20",
        "command",
    )
    assert [(n["status"], n["status_since"]) for n in pair["nudges"]] == [
        ("no_first_meeting", "2027-03-10")
    ]
    # Zacharias's pair with the same mentor has its own nudge, not Åsa's.
    other: Any = cli.json("pair", "history", ZACHARIAS)
    assert len(other[0]["nudges"]) == 1
    shown = cli("pair", "history", ASA).stdout
    assert "no first meeting since 2027-03-10" in shown


# --- check-ins: self-reported meetings from a Forms export ---------------------------------

CHECKIN_HEADERS = (
    "Datum för ert senaste möte (ÅÅÅÅ-MM-DD)",
    "Hur länge träffades ni? (minuter)",
    "Vi har kommit överens om hur vi arbetar tillsammans (ja/nej)",
    "Något mer du vill berätta? (syns bara i ert pars egen rapport)",
)
NOTE = "Vi pratade om budgetarbetet och en svår personalfråga"


def _forms_export(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    """Write an .xlsx as Microsoft Forms does: ID, Start time, Completion time, Email, Name,
    then the questions, on a sheet called Sheet1."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", *CHECKIN_HEADERS])
    for number, (email, *answers) in enumerate(rows, start=1):
        moment = datetime(2027, 4, 1, 9, number)
        sheet.append([number, moment, moment, email, "Namn", *answers])
    book.save(path)
    return path


@pytest.fixture
def checkin(year: Cli) -> Cli:
    result = year("survey", "add", "incheckning-april", "--kind", "checkin")
    assert "with 4 questions" in result.stderr
    return year


def test_a_check_in_form_is_a_survey_of_its_own_kind(checkin: Cli) -> None:
    found: Any = checkin.json("survey", "list")
    assert [(s["name"], s["phase"], s["questions"]) for s in found] == [
        ("incheckning-april", "checkin", 4)
    ]
    checkin("survey", "add", "x", "--kind", "checkin", "--phase", "mid", code=2)
    checkin("survey", "add", "y", code=2)  # a survey needs its phase
    checkin("survey", "add", "z", "--kind", "quiz", code=2)


def test_a_forms_check_in_export_imports_as_meetings_agreements_and_notes(
    checkin: Cli, tmp_path: Path
) -> None:
    path = _forms_export(
        tmp_path / "Incheckning april(1-2).xlsx",
        [
            (ASA, "2027-03-20", 45, "Ja", NOTE),
            # Örjan, the mentor of one adept (the CSN Anna Berg): a date cell, "nej".
            (ORJAN.upper(), date(2027, 3, 22), "60", "nej", None),
        ],
    )
    result = checkin("survey", "import", "incheckning-april", str(path))
    assert "Imported 2 check-ins of incheckning-april: 2 meetings added" in result.stderr
    assert "Åsa Öberg – Élise Nordén: meeting 2027-03-20 added (45 min)" in result.stderr
    assert "agreement none → agreed on 2027-03-20" in result.stderr
    asa = _pair_row(checkin, ASA)
    assert (asa["meetings"], asa["minutes"], asa["last_meeting"]) == (1, 45, "2027-03-20")
    assert (asa["agreed"], asa["agreed_on"]) == (True, "2027-03-20")
    anna = _pair_row(checkin, ANNA_CSN)
    assert (anna["meetings"], anna["minutes"], anna["agreed"]) == (1, 60, False)
    history: Any = checkin.json("pair", "history", ASA)
    assert history[0]["notes"] == [{"date": "2027-03-20", "text": NOTE}]
    assert history[0]["agreement_source"] == "checkin"
    again = checkin("survey", "import", "incheckning-april", str(path))
    assert "Nothing changed" in again.stderr


def test_a_check_in_note_stays_in_the_pairs_own_report(checkin: Cli, tmp_path: Path) -> None:
    path = _forms_export(tmp_path / "in.xlsx", [(ASA, "2027-03-20", 45, "ja", NOTE)])
    checkin("survey", "import", "incheckning-april", str(path))
    for args in (("report", "pairs"), ("survey", "list"), ("report", "overview")):
        assert "budgetarbetet" not in checkin(*args, "--json").stdout
    folder = tmp_path / "digests"
    checkin("message", "agency-digest", "--as-of", "2027-04-01", "--out", str(folder))
    for eml in folder.glob("*.eml"):
        assert "budgetarbetet" not in eml.read_text(encoding="utf-8")
    assert "budgetarbetet" in checkin("pair", "history", ASA).stdout


def test_a_check_in_export_with_problems_imports_nothing(checkin: Cli, tmp_path: Path) -> None:
    path = _forms_export(
        tmp_path / "Incheckning.xlsx",
        [
            (ASA, "2027-03-20", 45, "ja", None),  # fine, but the file is refused
            (ZACHARIAS, "2027-06-15", 30, "ja", None),  # after today (1 June)
            ("nobody@csn.se", "2027-03-20", 30, "ja", None),
            (ANNA_CSN, "2027-03-20", 900, "ja", None),
            (ANNA_BV, "2027-03-20", 30, "kanske", None),
            (ELISE, "2027-03-20", 30, "ja", None),  # a mentor of two adepts
            (BO, "2027-01-05", 30, "ja", None),  # before the cohort starts
        ],
    )
    before = store_snapshot()
    result = checkin("survey", "import", "incheckning-april", str(path), code=65)
    assert store_snapshot() == before
    text = " ".join(result.stderr.split())
    assert "6 problems; nothing was imported" in text
    assert "row 3, column 'F (Datum för ert senaste möte" in text
    assert "2027-06-15 is in the future" in text
    assert "row 4" in text and "nobody@csn.se is not in cohort 2027" in text
    assert "row 5, column 'G (Hur länge" in text
    assert "'kanske' is neither ja nor nej" in text
    assert "is a mentor with several adepts on 2027-03-20" in text
    assert "2027-01-05 is before cohort 2027 starts" in text


def test_a_persons_export_holds_their_pairs_notes_and_erasure_removes_them(
    checkin: Cli, tmp_path: Path
) -> None:
    path = _forms_export(tmp_path / "in.xlsx", [(ASA, "2027-03-20", 45, "ja", NOTE)])
    checkin("survey", "import", "incheckning-april", str(path))
    exported: Any = json.loads(checkin("person", "export", ASA).stdout)
    pairing = exported["participations"][0]["pairings"][0]
    assert pairing["notes"] == [{"date": "2027-03-20", "text": NOTE}]
    assert pairing["agreement"] == {"agreed": True, "date": "2027-03-20", "source": "checkin"}
    assert len(store_snapshot()["pair_note"]) == 1
    checkin("person", "erase", ASA, "--yes")
    snapshot = store_snapshot()
    assert snapshot["pair_note"] == []
    assert snapshot["pair_agreement"] == []


# --- two senders at once -----------------------------------------------------------------


@pytest.fixture
def slow_mail(year: Cli) -> Iterator[tuple[Cli, SlowRecorder]]:
    with serving_slowly(year, delay=0.4) as recorder:
        yield year, recorder


@pytest.mark.parametrize(
    ("command", "letters"), [("nudge", 4), ("agency-digest", 2)], ids=["nudge", "digest"]
)
def test_two_runs_sending_at_once_send_each_letter_once(
    slow_mail: tuple[Cli, SlowRecorder], command: str, letters: int
) -> None:
    _, server = slow_mail
    runs = [
        _chefintro("message", command, "--as-of", "2027-03-15", "--send", "--yes") for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    envelopes = [tuple(sorted(r)) for _, r, _ in server.received]
    assert len(envelopes) == letters
    assert len(set(envelopes)) == letters  # none twice
