"""`chefintro pair rematch` for freed adepts in a 3,000-pair cohort (issues 14, 32; goal <= 1.2x).

Builds, outside the timing, the cohort of bench_pairing.py (3,000 adepts, 1,500 mentors)
with every mentor's capacity raised to 2 or 3, so all 3,000 adepts can be placed; then
suggests and applies the pairs in-process and ends ``--freed`` of them (100 by default,
issue 32; issue 14 measured 1) as ``pair end`` does, which leaves that many adepts
without a pair and as many free mentor places (besides the spare ones).

``--pairs N`` sets the cohort's size (N adepts, N/2 mentors; 3,000 by default) for the
growth table in docs/benchmarks.md. ``--bulk-pairs`` pairs the adepts with a bulk insert
instead of ``pair suggest`` (adept i with mentor i mod N/2, so every mentor has two
mentees and those of capacity 3 a free place): the solver would take minutes and
gigabytes at 20,000 pairs, and a rematch reads the pairs, not how they were made.

Then it compares, as fresh processes measured like bench_speed.py (the child's CPU seconds
from ``os.wait4``, alternating rounds, medians, the spread of the per-round ratios),
``chefintro --db FILE pair rematch --json`` (a preview: it solves but stores nothing, so
every run does the same work) against the read command ``chefintro --db FILE pair list
--json`` on the same store. The first run of each is not counted. A rematch builds its
problem only for the free adepts and the mentors with places left, so it should cost about
what listing the pairs costs.

Run with ``make bench`` or ``python benchmarks/bench_rematch.py [--rounds 9] [--freed N]
[--pairs N] [--bulk-pairs]``;
exits 0 whether the goal is met or not (benchmarks report, they do not fail).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import insert, update  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

import bench_pairing  # noqa: E402
from bench_speed import compile_chefintro, report, run  # noqa: E402
from bench_year import alternate  # noqa: E402
from chefintro import cohorts, followup, pairing  # noqa: E402
from chefintro.enums import PairingState, Role  # noqa: E402
from chefintro.models import Pairing, Participant, Person  # noqa: E402
from chefintro.store import open_store  # noqa: E402

GOAL = 1.2


def prepare(
    path: Path, freed: int = 1, pairs: int = 3_000, *, bulk: bool = False
) -> tuple[int, list[str]]:
    """Build the store of ``pairs`` adepts, pair everyone (with the solver, or with a bulk
    insert), end ``freed`` pairs; return the pairs and the freed adepts."""
    bench_pairing.ADEPTS, bench_pairing.MENTORS = pairs, pairs // 2
    bench_pairing.build_store(path)
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
            if bulk:
                paired = pair_in_bulk(db, int(cohort.id or 0), cohort.starts_on)
            else:
                paired = [
                    p.adept for p in pairing.suggest(db=db, cohort=cohort, allow_repeat=False)
                ]
                pairing.apply(db=db, cohort=cohort)
            step = len(paired) // freed
            adepts = [paired[i * step + step // 2] for i in range(freed)]
            for adept in adepts:
                followup.end_pair(
                    db=db, cohort=cohort, adept=adept, reason="benchmark", no_repeat=False
                )
        return len(paired), adepts
    finally:
        store.dispose()


def pair_in_bulk(db: Session, cohort_id: int, started_on: date) -> list[str]:
    """Make adept i's active pair with mentor i mod the mentors (participants in id order)
    with one insert; return the adepts' addresses, in that order."""
    found = db.execute(
        select(col(Participant.id), col(Participant.role), col(Person.email))
        .join(Person, col(Person.id) == col(Participant.person_id))
        .where(col(Participant.cohort_id) == cohort_id)
        .order_by(col(Participant.id))
    ).all()
    adepts = [(pid, email) for pid, role, email in found if role == Role.ADEPT]
    mentors = [pid for pid, role, _ in found if role == Role.MENTOR]
    db.execute(
        insert(Pairing),
        [
            {
                "cohort_id": cohort_id,
                "adept_id": adept_id,
                "mentor_id": mentors[number % len(mentors)],
                "state": PairingState.ACTIVE.value,
                "locked": False,
                "manual": False,
                "score": 50,
                "reasons": {},
                "created_at": datetime(2026, 1, 5, 12, 0),
                "started_on": started_on,
            }
            for number, (adept_id, _) in enumerate(adepts)
        ],
    )
    return [email for _, email in adepts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="timed runs per side")
    parser.add_argument("--freed", type=int, default=100, help="pairs ended before the rematch")
    parser.add_argument("--pairs", type=int, default=3_000, help="the cohort's adepts")
    parser.add_argument(
        "--bulk-pairs", action="store_true", help="pair with a bulk insert, not the solver"
    )
    args = parser.parse_args()
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
    compile_chefintro()
    with tempfile.TemporaryDirectory(prefix="bench-rematch-") as tmp:
        database = Path(tmp) / "cohort.db"
        started = time.perf_counter()
        n_pairs, freed = prepare(database, args.freed, args.pairs, bulk=args.bulk_pairs)
        print(
            f"store: {n_pairs} pairs ({'bulk insert' if args.bulk_pairs else 'solver'}), "
            f"{len(freed)} ended "
            f"(built in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        base = [sys.executable, "-m", "chefintro", "--db", str(database), "--cohort", "2026"]
        ours = [*base, "pair", "rematch", "--json"]
        reader = [*base, "pair", "list", "--json"]

        first = subprocess.run(ours, check=True, capture_output=True, text=True)
        result = json.loads(first.stdout)
        assert result["free_adepts"] == len(freed), result
        assert sorted(p["adept"] for p in result["pairs"]) == sorted(freed), result
        run(reader)
        (o, _), (r, _) = alternate([partial(run, ours), partial(run, reader)], args.rounds)
    report(
        f"rematch: pair rematch --json ({len(freed)} freed of {n_pairs} pairs) vs pair list --json",
        o,
        r,
        GOAL,
    )
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
