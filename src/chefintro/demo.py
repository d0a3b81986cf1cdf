"""The demo: the whole yearly cycle on the sample network, in a throw-away store: the
plan's set-up, the introduction e-mail drafts, then the year's end (attendance, surveys,
certificates, summary)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from chefintro.store import Store, open_store
from chefintro.yearend_demo import COORDINATOR, YEAR_END_STEPS, YearEnd, run_year_end
from chefintro.yearly import Progress, StepResult, read_plan, run_plan, step_count

PLAN_NAME = "plan-2027.toml"
#: The demo plays the year up to this day: pairs made active at the kick-off have met
#: (or not) since, and ``report pairs`` shows the state on this day.
DEMO_DAY = date(2027, 4, 30)


def sample_dir() -> Path:
    """Return the sample data folder: inside the installed package, else the source tree."""
    packaged = Path(__file__).parent / "sample_data"
    if (packaged / PLAN_NAME).is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "sample_data"


@dataclass
class DemoRun:
    directory: Path
    store_path: Path
    steps: list[StepResult]
    as_of: date = DEMO_DAY
    meetings: int = 0
    year_end: YearEnd | None = None


def demo_steps() -> int:
    """Return how many times :func:`run_demo` reports progress: the plan's steps, the
    introduction drafts, the sample meetings, then the year end's."""
    return step_count(read_plan(sample_dir() / PLAN_NAME)) + 2 + YEAR_END_STEPS


def run_demo(directory: Path, *, progress: Progress | None = None) -> DemoRun:
    """Run the sample plan into ``directory`` with a fresh store there; return what it did."""
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
        steps.append(
            StepResult("introductions", f"{len(drafts)} e-mail drafts (.eml) in {drafts_dir}")
        )
        if progress is not None:
            progress("Logging sample meetings")
        meetings = _log_sample_meetings(store)
        year_end = run_year_end(store=store, directory=directory, progress=progress)
    finally:
        store.dispose()
    return DemoRun(
        directory=directory,
        store_path=store_path,
        steps=steps,
        meetings=meetings,
        year_end=year_end,
    )


def _log_sample_meetings(store: Store) -> int:
    """Log meetings as pairs report them by DEMO_DAY: a third meet monthly, a third met once
    in February, a third not at all; return how many were logged."""
    from chefintro import cohorts, followup, pairing

    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        start = cohort.starts_on
        plans: tuple[list[tuple[date, int]], ...] = (
            [
                (start + timedelta(days=14), 60),
                (start + timedelta(days=49), 75),
                (DEMO_DAY - timedelta(days=10), 60),
            ],
            [(start + timedelta(days=17), 45)],
            [],
        )
        logged = 0
        for i, pair in enumerate(pairing.list_pairs(db=db, cohort=cohort)):
            for day, minutes in plans[i % 3]:
                followup.log_meeting(
                    db=db, cohort=cohort, adept=pair.adept, day=day, minutes=minutes, today=DEMO_DAY
                )
                logged += 1
    return logged
