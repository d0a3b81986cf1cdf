"""The intake's checks one by one, at their boundaries and word for word (issue 25).

Every door shows a check's finding as it is written here, so a changed word, a moved
boundary or a problem turned into a warning is a change every coordinator, HR officer and
plan would see. The doors' own tests (tests/test_intake.py, test_roster_intake.py) show
that each door passes the findings on; these pin down what the findings say.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chefintro.errors import RuleError, UsageError
from chefintro.intake.agreements import AgreementFacts, check_agreement
from chefintro.intake.findings import Finding, problem, raise_first, until_refused, warning
from chefintro.intake.meetings import (
    VISIT,
    MeetingFacts,
    check_meeting,
    meeting_kind,
    while_paired,
)
from chefintro.intake.participants import not_adept
from chefintro.intake.sessions import SessionFacts, check_session

START, END, TODAY = date(2027, 1, 26), date(2027, 12, 9), date(2027, 6, 1)
DAY = timedelta(days=1)


# --- findings ---------------------------------------------------------------------------


def test_a_problem_refuses_and_a_warning_takes_the_row() -> None:
    assert problem("Nej.", "date") == Finding("Nej.", "date", True, RuleError)
    assert problem("Nej.", error=UsageError) == Finding("Nej.", None, True, UsageError)
    assert warning("Se upp.", "date") == Finding("Se upp.", "date", False, RuleError)


def test_until_refused_keeps_warnings_and_stops_after_the_first_problem() -> None:
    ran: list[str] = []

    def says(name: str, *found: Finding) -> object:
        def check(row: int) -> list[Finding]:
            ran.append(name)
            return list(found)

        return check

    checks = [
        says("a", warning("w1")),
        says("b", warning("w2"), problem("p1")),
        says("c", problem("p2")),
    ]
    assert until_refused(checks, 0) == [warning("w1"), warning("w2"), problem("p1")]  # type: ignore[arg-type]
    assert ran == ["a", "b"]


def test_raise_first_raises_the_first_problem_as_its_error_else_returns_the_warnings() -> None:
    assert raise_first([warning("w1"), warning("w2")]) == ["w1", "w2"]
    assert raise_first([]) == []
    with pytest.raises(UsageError) as raised:
        raise_first([warning("w1"), problem("first", error=UsageError), problem("second")])
    assert str(raised.value) == "first"


# --- agreements -------------------------------------------------------------------------


def _agreement(day: date, ended: date | None = None) -> list[Finding]:
    return check_agreement(AgreementFacts(day, TODAY, "2027", START, END, ended))


def test_an_agreement_today_and_on_the_cohorts_first_day_is_taken() -> None:
    assert _agreement(TODAY) == []
    assert _agreement(START) == []
    assert _agreement(TODAY, ended=TODAY) == []


def test_an_agreement_in_the_future_is_refused_in_these_words() -> None:
    assert _agreement(TODAY + DAY) == [
        problem("2027-06-02 is in the future; record an agreement once it is made.", "date")
    ]


def test_an_agreement_outside_the_pairs_time_is_refused_in_these_words() -> None:
    assert _agreement(START - DAY) == [
        problem("2027-01-25 is before cohort 2027 starts (2027-01-26).", "date")
    ]
    late = check_agreement(AgreementFacts(END + DAY, END + 30 * DAY, "2027", START, END))
    assert late == [problem("2027-12-10 is after cohort 2027 ends (2027-12-09).", "date")]
    assert check_agreement(AgreementFacts(END, END, "2027", START, END)) == []
    assert _agreement(TODAY, ended=TODAY - DAY) == [
        problem("2027-06-01 is after the pair ended (2027-05-31).", "date")
    ]


def test_an_agreement_gets_one_reason_the_first() -> None:
    """In the future and after the pair ended: only the first is said."""
    found = _agreement(TODAY + DAY, ended=TODAY - DAY)
    assert [f.text for f in found] == [
        "2027-06-02 is in the future; record an agreement once it is made."
    ]


# --- meetings ---------------------------------------------------------------------------


def _meeting(
    day: date,
    minutes: int | None = 60,
    *,
    started: date | None = None,
    ended: date | None = None,
    today: date = TODAY,
) -> list[Finding]:
    return check_meeting(MeetingFacts(day, minutes, today, "2027", START, END, started, ended))


def test_a_meeting_on_the_years_first_and_last_day_and_today_is_taken() -> None:
    assert _meeting(START) == []
    assert _meeting(TODAY) == []
    assert _meeting(END, today=END) == []
    assert _meeting(TODAY, minutes=None) == []


def test_a_meeting_outside_the_year_or_ahead_is_refused_in_these_words() -> None:
    assert _meeting(TODAY + DAY) == [
        problem("2027-06-02 is in the future; log a meeting once it has taken place.", "held_on")
    ]
    assert _meeting(START - DAY) == [
        problem("2027-01-25 is before cohort 2027 starts (2027-01-26).", "held_on")
    ]
    assert _meeting(END + DAY, today=END + 9 * DAY) == [
        problem("2027-12-10 is after cohort 2027 ends (2027-12-09).", "held_on")
    ]


def test_a_meeting_after_the_pair_ended_is_refused_and_before_it_started_taken_with_a_word() -> (
    None
):
    assert _meeting(TODAY, ended=TODAY) == []
    assert _meeting(TODAY, ended=TODAY - DAY) == [
        problem("2027-06-01 is after the pair ended (2027-05-31).", "held_on")
    ]
    assert _meeting(TODAY, started=TODAY) == []
    assert _meeting(TODAY - DAY, started=TODAY) == [
        warning(
            "2027-05-31 is before the pair was made active (2027-06-01); the meeting was "
            "logged anyway.",
            "held_on",
        )
    ]
    # Ended wins over started: a day after the end is refused whatever the start.
    facts = MeetingFacts(TODAY, 60, TODAY, "2027", START, END, TODAY + DAY, TODAY - DAY)
    assert [f.is_problem for f in while_paired(facts)] == [True]


@pytest.mark.parametrize(
    ("minutes", "taken"), [(0, False), (1, True), (600, True), (601, False), (-5, False)]
)
def test_a_meeting_lasts_one_to_six_hundred_minutes(minutes: int, taken: bool) -> None:
    found = _meeting(TODAY, minutes)
    if taken:
        assert found == []
    else:
        assert found == [
            problem(f"A meeting lasts 1 to 600 minutes, not {minutes}.", "minutes", UsageError)
        ]


def test_a_meeting_gets_one_reason_its_length_first() -> None:
    found = _meeting(TODAY + DAY, minutes=0)
    assert [f.text for f in found] == ["A meeting lasts 1 to 600 minutes, not 0."]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("meeting", None),
        ("Möte", None),
        ("mote", None),
        (" visit ", VISIT),
        ("BESÖK", VISIT),
        ("Studiebesök", VISIT),
    ],
)
def test_a_meetings_kind_is_read_from_its_english_or_swedish_word(
    word: str, kind: str | None
) -> None:
    assert meeting_kind(word) == kind


def test_an_unknown_kind_of_meeting_is_refused_in_these_words() -> None:
    with pytest.raises(UsageError) as raised:
        meeting_kind("lunch")
    assert str(raised.value) == (
        "'lunch' is not a kind of meeting; use meeting (möte) or visit (studiebesök)."
    )
    with pytest.raises(UsageError):
        meeting_kind("studie besök")


# --- programme days ---------------------------------------------------------------------


def _day(
    first: datetime, last: datetime, *, start: date | None = START, end: date | None = END
) -> list[Finding]:
    return check_session(SessionFacts("Uppstart", first, last, "2027", start, end))


def test_a_day_within_its_cohort_is_taken() -> None:
    assert _day(datetime(2027, 1, 26, 9), datetime(2027, 1, 26, 16)) == []
    assert _day(datetime(2027, 12, 8, 9), datetime(2027, 12, 9, 16)) == []
    # Without the cohort's dates (a roster's file layer), only the times are checked.
    assert _day(datetime(1990, 1, 1, 9), datetime(1990, 1, 1, 10), start=None, end=None) == []
    # Knowing one of the two dates is not knowing the cohort's dates: nothing is checked.
    assert _day(datetime(1990, 1, 1, 9), datetime(1990, 1, 1, 10), end=None) == []
    assert _day(datetime(1990, 1, 1, 9), datetime(1990, 1, 1, 10), start=None) == []


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_day_that_ends_before_it_starts_is_refused_in_these_words(minutes: int) -> None:
    first = datetime(2027, 3, 1, 9)
    assert _day(first, first + timedelta(minutes=minutes)) == [
        problem(
            f"The day 'Uppstart' ends ({first + timedelta(minutes=minutes):%Y-%m-%d %H:%M}) "
            "before it starts (2027-03-01 09:00); the end must come after the start.",
            "ends_at",
            UsageError,
        )
    ]


def test_a_day_outside_its_cohort_is_taken_with_a_word_naming_both_dates() -> None:
    assert _day(datetime(2027, 1, 25, 9), datetime(2027, 1, 25, 16)) == [
        warning(
            "The day 'Uppstart' (2027-01-25) is outside cohort 2027's dates "
            "(2027-01-26 – 2027-12-09); check the year.",
            "starts_at",
        )
    ]
    assert _day(datetime(2027, 12, 9, 9), datetime(2027, 12, 10, 16)) == [
        warning(
            "The day 'Uppstart' (2027-12-09 – 2027-12-10) is outside cohort 2027's dates "
            "(2027-01-26 – 2027-12-09); check the year.",
            "starts_at",
        )
    ]


def test_a_day_more_than_a_year_from_its_cohort_is_refused_in_these_words() -> None:
    earliest, latest = START - timedelta(days=366), END + timedelta(days=366)
    at = datetime.combine(earliest, datetime.min.time()).replace(hour=9)
    assert [f.is_problem for f in _day(at, at + timedelta(hours=1))] == [False]  # a word only
    assert _day(at - DAY, at - DAY + timedelta(hours=1)) == [
        problem(
            "The day 'Uppstart' (2026-01-24) is more than a year outside the cohort's dates "
            "(2027-01-26 – 2027-12-09); days go from 2026-01-25 to 2028-12-09.",
            "starts_at",
            UsageError,
        )
    ]
    last = datetime.combine(latest, datetime.min.time()).replace(hour=9)
    assert [f.is_problem for f in _day(last, last + timedelta(hours=1))] == [False]
    assert [f.is_problem for f in _day(last, last + DAY)] == [True]


def test_a_cohort_at_the_calendars_ends_does_not_overflow_the_margin() -> None:
    first = datetime(1, 1, 1, 9)
    assert _day(first, first + timedelta(hours=1), start=date(1, 1, 1), end=date(1, 6, 1)) == []
    last = datetime(9999, 12, 31, 9)
    found = _day(last, last + timedelta(hours=1), start=date(9999, 6, 1), end=date(9999, 12, 31))
    assert found == []


# --- a mentor's adepts not to mentor ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("Åsa Öberg (tidigare chef)", ("Åsa Öberg", "tidigare chef")),
        ("  asa.oberg@csn.se ( jäv ) ", ("asa.oberg@csn.se", "jäv")),
        ("Anna (Lund) Berg (jäv)", ("Anna (Lund) Berg", "jäv")),  # the last brackets
        ("Åsa Öberg", ("Åsa Öberg", None)),
        ("Åsa Öberg (jävig", ("Åsa Öberg (jävig", None)),  # not closed: all a name
        ("(jäv)", ("(jäv)", None)),  # no one named
        ("Åsa Öberg ()", ("Åsa Öberg ()", None)),  # no reason
    ],
)
def test_an_adept_not_to_mentor_is_split_from_the_reason_in_the_last_brackets(
    value: str, read: tuple[str, str | None]
) -> None:
    assert not_adept(value) == read


def test_mentors_added_after_a_lookup_are_found_by_name_too() -> None:
    """A wish by name looked up before more mentors came (the name index already built)
    finds the later ones as well: adding them drops the index of their side only."""
    from chefintro.intake.participants import Limits, MentorRef, ParticipantContext
    from chefintro.models import Role

    context = ParticipantContext(
        cohort="2027",
        starts_on=date(2027, 1, 26),
        limits=Limits(0, 24, 24),
        today=date(2026, 12, 7),
        mentors={"marta@bv.se": MentorRef("Märta Sjö", "marta@bv.se", "BV")},
        adepts={"asa@csn.se": MentorRef("Åsa Öberg", "asa@csn.se", "CSN")},
    )
    assert context.resolve("Märta Sjö") == ("marta@bv.se", ["marta@bv.se"])
    assert context.resolve("Åsa Öberg", Role.ADEPT) == ("asa@csn.se", ["asa@csn.se"])
    assert context.resolve("Örjan Berg") == (None, [])
    context.add_mentors({"orjan@spv.se": MentorRef("Örjan Berg", "orjan@spv.se", "SPV")})
    assert context.resolve("Örjan Berg") == ("orjan@spv.se", ["orjan@spv.se"])
    assert context.resolve("Berg, Örjan") == ("orjan@spv.se", ["orjan@spv.se"])
    context.add_mentors({"bo@csn.se": MentorRef("Bo Ek", "bo@csn.se", "CSN")}, Role.ADEPT)
    assert context.resolve("Bo Ek", Role.ADEPT) == ("bo@csn.se", ["bo@csn.se"])
    assert context.resolve("Bo Ek") == (None, [])  # not a mentor
