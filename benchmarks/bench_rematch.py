"""`chefintro pair rematch` for one freed adept in a 3,000-pair cohort (issue 14; goal <= 1.2x).

Builds, outside the timing, the cohort of bench_pairing.py (3,000 adepts, 1,500 mentors)
with every mentor's capacity raised to 2 or 3, so all 3,000 adepts can be placed; then
suggests and applies the pairs in-process and ends one of them with ``pair end``, which
leaves one adept without a pair and one free mentor place (besides the spare ones).

Then it times, as fresh processes, ``chefintro --db FILE pair rematch --json`` (a preview:
it solves but stores nothing, so every run does the same work) against the read command
``chefintro --db FILE pair list --json`` on the same store. The first run of each is not
counted; then the runs alternate, and the ratio of the medians is printed with the goal and
``ok`` or ``MISSED``. A rematch builds its problem only for the free adepts and the mentors
with places left, so it should cost about what listing the pairs costs.

Run with ``make bench`` or ``python benchmarks/bench_rematch.py [--rounds 5]``; exits 0
whether the goal is met or not (benchmarks report, they do not fail).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import update  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench_pairing import build_store, timed  # noqa: E402
from chefintro import cohorts, followup, pairing  # noqa: E402
from chefintro.enums import Role  # noqa: E402
from chefintro.models import Participant  # noqa: E402
from chefintro.store import open_store  # noqa: E402

GOAL = 1.2


def prepare(path: Path) -> tuple[int, str]:
    """Build the store, pair everyone, end one pair; return the pairs and the freed adept."""
    build_store(path)
    rng = random.Random(14)
    store = open_store(str(path))
    try:
        with store.transaction() as db:
            mentor_ids = db.exec(
                select(Participant.id).where(col(Participant.role) == Role.MENTOR)
            ).all()
            for mentor_id in mentor_ids:
                db.execute(
                    update(Participant)
                    .where(col(Participant.id) == mentor_id)
                    .values(capacity=rng.choice((2, 3)))
                )
            cohort = cohorts.current_cohort(db=db, name="2026")
            pairs = pairing.suggest(db=db, cohort=cohort, allow_repeat=False)
            pairing.apply(db=db, cohort=cohort)
            freed = pairs[len(pairs) // 2].adept
            followup.end_pair(
                db=db, cohort=cohort, adept=freed, reason="benchmark", no_repeat=False
            )
        return len(pairs), freed
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per side")
    args = parser.parse_args()
    rounds: int = args.rounds

    with tempfile.TemporaryDirectory(prefix="bench-rematch-") as tmp:
        database = Path(tmp) / "cohort.db"
        started = time.perf_counter()
        n_pairs, freed = prepare(database)
        print(
            f"store: {n_pairs} pairs, one ended (built in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        base = [sys.executable, "-m", "chefintro", "--db", str(database), "--cohort", "2026"]
        ours = [*base, "pair", "rematch", "--json"]
        reader = [*base, "pair", "list", "--json"]

        first = subprocess.run(ours, check=True, capture_output=True, text=True)
        result = json.loads(first.stdout)
        assert result["free_adepts"] == 1, result
        assert [p["adept"] for p in result["pairs"]] == [freed], result
        timed(reader)
        ours_t: list[float] = []
        read_t: list[float] = []
        for _ in range(rounds):
            ours_t.append(timed(ours))
            read_t.append(timed(reader))
    ours_s, read_s = statistics.median(ours_t), statistics.median(read_t)
    ratio = ours_s / read_s
    verdict = "ok" if ratio <= GOAL else "MISSED"
    print(
        f"pair rematch (1 freed adept of {n_pairs} pairs): {ours_s:.2f} s, "
        f"pair list --json {read_s:.2f} s, ratio {ratio:.2f}x (goal <= {GOAL}x) {verdict}"
    )


if __name__ == "__main__":
    main()
