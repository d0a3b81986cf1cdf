"""The year's letters in the plan: [[letter]] tables, and what is due on a day."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.test_followup import _set_today

PLAN = """\
[cohort]
name = "2027"
start = 2027-01-26
end = 2027-12-09

[[letter]]
kind = "nudge"
every_weeks = 4
from = 2027-03-09

[[letter]]
kind = "enkätpåminnelse"
survey = "mitt-2027"
link = "https://forms.office.com/r/Mitt2027"
on = [2027-06-21, 2027-06-14]

[[letter]]
kind = "agency-digest"
every_weeks = 8
from = 2027-03-09
until = 2027-06-30
"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan-2027.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_the_plan_lists_every_letter_by_day(cli: Cli, plan: Path) -> None:
    due: Any = cli.json("cohort", "schedule", str(plan))
    nudges = [d["date"] for d in due if d["kind"] == "nudge"]
    assert nudges[:3] == ["2027-03-09", "2027-04-06", "2027-05-04"]
    assert nudges[-1] == "2027-11-16"  # the last fourth week before the end (9 December)
    assert len(nudges) == 10
    assert [d["date"] for d in due if d["kind"] == "agency-digest"] == [
        "2027-03-09",
        "2027-05-04",
        "2027-06-29",
    ]
    reminders = [d for d in due if d["kind"] == "survey-reminder"]
    assert [d["date"] for d in reminders] == ["2027-06-14", "2027-06-21"]
    assert reminders[0]["command"] == (
        "chefintro message survey-reminder mitt-2027 --link "
        '"https://forms.office.com/r/Mitt2027" --as-of 2027-06-14'
    )
    assert [d["date"] for d in due] == sorted(d["date"] for d in due)


def test_what_is_due_on_a_day(cli: Cli, plan: Path) -> None:
    due: Any = cli.json("cohort", "schedule", str(plan), "--as-of", "2027-05-04")
    assert [(d["kind"], d["command"]) for d in due] == [
        ("nudge", "chefintro message nudge --as-of 2027-05-04"),
        ("agency-digest", "chefintro message agency-digest --as-of 2027-05-04"),
    ]
    assert (
        "No letter is due on 2027-05-05"
        in cli("cohort", "schedule", str(plan), "--as-of", "2027-05-05").stderr
    )
    shown = cli("cohort", "schedule", str(plan), "--as-of", "2027-05-04").stdout
    assert "message nudge --as-of 2027-05-04" in shown


def test_a_due_command_runs_as_written(
    network: Cli, plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_today(monkeypatch, date(2027, 1, 10))  # the pair is made active from the first day
    network("participant", "add", "Asa.Oberg@CSN.se", "--role", "adept")
    network("participant", "add", "orjan.sjostrom@bolagsverket.se", "--role", "mentor")
    network("pair", "set", "Asa.Oberg@CSN.se", "orjan.sjostrom@bolagsverket.se")
    network("pair", "apply")
    network("agency", "edit", "CSN", "--contact", "hr@csn.se")
    due: Any = network.json("cohort", "schedule", str(plan), "--as-of", "2027-05-04")
    assert len(due) == 2
    for entry in due:
        words = shlex.split(entry["command"])
        assert words[:2] == ["chefintro", "message"]
        folder = tmp_path / entry["kind"]
        network(*words[1:], "--out", str(folder))
        assert len(list(folder.glob("*.eml"))) == 1


@pytest.mark.parametrize(
    ("letter", "problem"),
    [
        ('kind = "postcard"\non = [2027-03-01]', "'postcard' is not a letter"),
        ('kind = "nudge"', "give either every_weeks or on"),
        ('kind = "nudge"\nevery_weeks = 4\non = [2027-03-01]', "give either every_weeks or on"),
        ('kind = "nudge"\nevery_weeks = 0', "must be 1 to 52"),
        ('kind = "nudge"\non = [2028-01-10]', "2028-01-10 is outside cohort 2027"),
        ('kind = "survey-reminder"\non = [2027-03-01]', "a survey reminder names its survey"),
        ('kind = "nudge"\nsurvey = "x"\non = [2027-03-01]', "only a survey reminder has one"),
        (
            'kind = "survey-reminder"\nsurvey = "x"\nlink = "forms"\non = [2027-03-01]',
            "is not a web address",
        ),
        ('kind = "nudge"\nevery_weeks = 4\nuntil = 2027-01-01', "is before 2027-01-26"),
        ('kind = "nudge"\non = [2027-03-01]\nwhen = 3', "unknown key"),
    ],
)
def test_a_plans_letter_problems_are_named(
    cli: Cli, tmp_path: Path, letter: str, problem: str
) -> None:
    path = tmp_path / "plan.toml"
    head = PLAN.split("[[letter]]")[0]
    path.write_text(f"{head}[[letter]]\n{letter}\n", encoding="utf-8")
    result = cli("cohort", "schedule", str(path), code=65)
    assert problem in " ".join(result.stderr.split())
    # cohort setup reads the same plan with the same words.
    setup = cli("cohort", "setup", str(path), "--dry-run", code=65)
    assert problem in " ".join(setup.stderr.split())


def test_cohort_setup_takes_a_plan_with_letters(cli: Cli, plan: Path) -> None:
    cli("cohort", "setup", str(plan))
    listed: Any = cli.json("cohort", "list")
    assert [c["name"] for c in listed] == ["2027"]
