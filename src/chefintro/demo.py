"""The demo: the whole yearly cycle on the sample network, in a throw-away store: the
plan's set-up, the introduction e-mail drafts, consent to be listed and visits, then the
year's end (attendance, surveys with ideas taken home, certificates, summary). With two
years, the first cohort closes and the next one comes from its own plan; the first
year's people answer the follow-up survey 12 months on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from chefintro.network_demo import (
    NETWORK_STEPS,
    SECOND_PLAN,
    NetworkYear,
    answer_follow_up,
    close_year,
    later_no,
    play_network_year,
    recount,
)
from chefintro.store import Store, open_store
from chefintro.yearend_demo import COORDINATOR, YEAR_END_STEPS, YearEnd, run_year_end
from chefintro.yearly import Progress, StepResult, read_plan, run_plan, step_count

PLAN_NAME = "plan-2027.toml"
#: The demo plays the year up to this day: pairs made active at the kick-off have met
#: (or not) since, and ``report pairs`` shows the state on this day.
DEMO_DAY = date(2027, 4, 30)
#: The second year's day like it.
SECOND_DAY = date(2028, 4, 28)
YEARS = (1, 2)


def sample_dir() -> Path:
    """Return the sample data folder: inside the installed package, else the source tree."""
    packaged = Path(__file__).parent / "sample_data"
    if (packaged / PLAN_NAME).is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "sample_data"


@dataclass
class DemoRun:
    """What the demo did. ``as_of``, ``meetings`` and ``year_end`` are the current (last)
    cohort's; ``network`` has a year per cohort, oldest first."""

    directory: Path
    store_path: Path
    steps: list[StepResult]
    as_of: date = DEMO_DAY
    meetings: int = 0
    year_end: YearEnd | None = None
    network: list[NetworkYear] = field(default_factory=list)
    #: The cohort the follow-up survey asked 12 months on (two years), and its answers.
    followed_up: str | None = None
    follow_up_answers: int = 0
    #: Who said yes one year and no the next: in no listing at all.
    later_no: list[str] = field(default_factory=list)

    @property
    def years(self) -> int:
        return len(self.network)


def demo_steps(years: int = 1) -> int:
    """Return how many times :func:`run_demo` reports progress: the plan's steps, the
    introduction drafts, the sample meetings, consent and visits, then the year end's;
    for a second year its close, the next plan's steps and year, and the follow-up."""
    first = step_count(read_plan(sample_dir() / PLAN_NAME)) + 2 + NETWORK_STEPS + YEAR_END_STEPS
    if years == 1:
        return first
    second = step_count(read_plan(sample_dir() / SECOND_PLAN))
    return first + 1 + second + 1 + NETWORK_STEPS + YEAR_END_STEPS + 1


def run_demo(directory: Path, *, progress: Progress | None = None, years: int = 1) -> DemoRun:
    """Run the sample plan into ``directory`` with a fresh store there; return what it did.

    With ``years=2`` the first cohort closes after its year and the second plan follows."""
    if years not in YEARS:
        raise ValueError(f"the demo plays 1 or 2 years, not {years}")
    directory.mkdir(parents=True, exist_ok=True)
    store_path = directory / "chefintro-demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    plan = read_plan(sample_dir() / PLAN_NAME, out_dir=directory)
    from chefintro.messages.service import draft_introductions
    from chefintro.settings import PROGRAMME_COORDINATOR, set_value

    store = open_store(str(store_path))
    try:
        steps = run_plan(store=store, plan=plan, progress=progress, today=plan.start)
        if progress is not None:
            progress("Introductions")
        with store.transaction() as db:
            # One coordinator signs the letters and (at the year's end) the certificates.
            set_value(db=db, key=PROGRAMME_COORDINATOR, value=COORDINATOR)
        drafts_dir = directory / "meddelanden" / "intro"
        drafts = draft_introductions(store=store, cohort_name=None, directory=drafts_dir)
        steps.append(StepResult("introductions", f"{drafts} e-mail drafts (.eml) in {drafts_dir}"))
        if progress is not None:
            progress("Logging sample meetings")
        run = DemoRun(directory, store_path, steps, meetings=_log_sample_meetings(store, DEMO_DAY))
        run.network.append(play_network_year(store, ask_consent=True, progress=progress))
        run.year_end = run_year_end(store=store, directory=directory, progress=progress)
        if years == 2:
            _second_year(store, run, progress)
        run.network = recount(store, run.network)
    finally:
        store.dispose()
    return run


def _second_year(store: Store, run: DemoRun, progress: Progress | None) -> None:
    """Close the first cohort, run the second plan and its year, then the first year's
    follow-up survey 12 months after it ended."""
    note = progress or (lambda _step: None)
    note("Closing the first cohort")
    first = close_year(store)
    run.steps.append(StepResult("close", f"cohort {first} closed on its last day"))
    plan = read_plan(sample_dir() / SECOND_PLAN, out_dir=run.directory)
    run.steps += run_plan(store=store, plan=plan, progress=progress, today=plan.start)
    note("Logging sample meetings")
    run.as_of = SECOND_DAY
    run.meetings = _log_sample_meetings(store, SECOND_DAY)
    # The second roster carries each one's answer (Samtycke): no one is asked again.
    run.network.append(play_network_year(store, ask_consent=False, progress=progress))
    run.year_end = run_year_end(store=store, directory=run.directory, progress=progress)
    note("Answering the follow-up survey")
    run.followed_up = first
    run.follow_up_answers = answer_follow_up(store, cohort_name=first, directory=run.directory)
    run.steps.append(
        StepResult("follow-up", f"{run.follow_up_answers} answers from cohort {first}")
    )
    run.later_no = later_no(store)


def _log_sample_meetings(store: Store, day: date) -> int:
    """Log meetings as pairs report them by ``day``: a third meet monthly, a third met once
    in February, a third not at all; return how many were logged."""
    from chefintro import cohorts, followup, pairing

    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        start = cohort.starts_on
        plans: tuple[list[tuple[date, int]], ...] = (
            [
                (start + timedelta(days=14), 60),
                (start + timedelta(days=49), 75),
                (day - timedelta(days=10), 60),
            ],
            [(start + timedelta(days=17), 45)],
            [],
        )
        logged = 0
        for i, pair in enumerate(pairing.list_pairs(db=db, cohort=cohort)):
            for when, minutes in plans[i % 3]:
                followup.log_meeting(
                    db=db, cohort=cohort, adept=pair.adept, day=when, minutes=minutes, today=day
                )
                logged += 1
    return logged
