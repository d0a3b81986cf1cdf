"""`chefintro pair suggest --stable` against `pair suggest` at 3,000 x 1,500 (issue 34).

Goals: 0 blocking pairs, at most 1 % of the score given up (``matching.stability_cost``'s
default), in at most 2x the time of ``pair suggest``. The store is bench_pairing.py's (8
agencies, 3,000 adepts, 1,500 mentors with 1-2 places, random fields, towns and wishes),
built once outside the timing. Both commands run as fresh processes with ``--json``, their
output read once for the figures and then thrown away; the runs alternate and the medians
are compared. ``pair stability --json`` then counts the blocking pairs of what --stable left.

Run with ``make bench`` or ``python benchmarks/bench_stable.py [--rounds 5]``; exits 0
whether the goals are met or not (benchmarks report, they do not fail).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_pairing import ADEPTS, MENTORS, build_store, timed

GOAL_TIME = 2.0
GOAL_COST = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per side")
    rounds: int = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="bench-stable-") as tmp:
        database = Path(tmp) / "cohort.db"
        places = build_store(database)
        print(f"store: {ADEPTS} adepts, {MENTORS} mentors ({places} places)", flush=True)
        command = [sys.executable, "-m", "chefintro", "--db", str(database), "pair"]
        plain = [*command, "suggest", "--json"]
        stable = [*command, "suggest", "--stable", "--json"]
        result = json.loads(subprocess.run(stable, check=True, capture_output=True).stdout)
        left = json.loads(
            subprocess.run(
                [*command, "stability", "--json"], check=True, capture_output=True
            ).stdout
        )
        timed(plain)
        plain_t: list[float] = []
        stable_t: list[float] = []
        for _ in range(rounds):
            plain_t.append(timed(plain))
            stable_t.append(timed(stable))
    cost = result["stability_cost"] / max(1, result["optimum_score"])
    ratio = statistics.median(stable_t) / statistics.median(plain_t)
    ok = ratio <= GOAL_TIME and cost <= GOAL_COST and not left["blocking"]
    print(
        f"blocking pairs: {result['blocking_in_optimum']} in the optimum, "
        f"{len(left['blocking'])} after --stable; cost {result['stability_cost']} of "
        f"{result['optimum_score']} points ({100 * cost:.2f} %, goal <= {100 * GOAL_COST:.0f} %)"
    )
    print(
        f"pair suggest {statistics.median(plain_t):.2f} s, --stable "
        f"{statistics.median(stable_t):.2f} s, ratio {ratio:.2f}x (goal <= {GOAL_TIME}x) "
        f"{'ok' if ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
