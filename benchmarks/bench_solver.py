"""Time the matching solver against scipy's dense assignment on a random 3,000 x 3,000 matrix.

Run from the project root with the package installed (or PYTHONPATH=src):

    python benchmarks/bench_solver.py [--repeat 5]

Prints the median of each measurement and its ratio to the baseline:

* baseline: ``scipy.optimize.linear_sum_assignment`` on a dense 3,000 x 3,000 random matrix;
* ``solve`` on 3,000 adepts x 1,500 mentors and on 5,000 x 2,500 (capacities 1-2, 8 agencies,
  scores from ``score_matrix`` on random features, default weights and load penalty);
* ``score_matrix`` for the same cohorts;
* a fresh process that imports sqlmodel and scipy and solves the dense baseline: the budget
  of the whole ``pair suggest`` command is twice that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from chefintro.matching.scoring import Weights, score_matrix
from chefintro.matching.solver import max_cardinality, solve

AGENCIES = 8
FIELDS = ["Ekonomi", "IT", "HR", "Juridik", "Kommunikation", "Analys", "Inköp", None]
LOCATIONS = ["Stockholm", "Göteborg", "Malmö", "Umeå", "Luleå", "Karlstad", None]

PROCESS_BASELINE = """
import numpy as np, sqlmodel, scipy.optimize
cost = np.random.default_rng(0).random((3000, 3000))
scipy.optimize.linear_sum_assignment(cost)
"""


@dataclass(frozen=True)
class Cohort:
    scores: NDArray[np.int64]
    allowed: NDArray[np.bool_]
    capacity: NDArray[np.int64]
    score_seconds: float


def make_cohort(n_adepts: int, n_mentors: int, seed: int) -> Cohort:
    rng = np.random.default_rng(seed)

    def pick(values: list[str | None], size: int) -> list[str | None]:
        return [values[i] for i in rng.integers(0, len(values), size)]

    preferences = [
        [int(m) for m in rng.choice(n_mentors, int(rng.integers(0, 4)), replace=False)]
        for _ in range(n_adepts)
    ]
    years = [int(y) for y in rng.integers(0, 25, n_mentors)]
    started = time.perf_counter()
    scores = score_matrix(
        adept_field=pick(FIELDS, n_adepts),
        adept_wished_field=pick(FIELDS, n_adepts),
        adept_location=pick(LOCATIONS, n_adepts),
        adept_preferences=preferences,
        mentor_field=pick(FIELDS, n_mentors),
        mentor_location=pick(LOCATIONS, n_mentors),
        mentor_experience_years=[None if y == 0 else y for y in years],
        weights=Weights(),
    )
    score_seconds = time.perf_counter() - started
    adept_agency = rng.integers(0, AGENCIES, n_adepts)
    mentor_agency = rng.integers(0, AGENCIES, n_mentors)
    allowed = adept_agency[:, None] != mentor_agency[None, :]
    capacity = rng.integers(1, 3, n_mentors).astype(np.int64)
    return Cohort(scores, allowed, capacity, score_seconds)


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds; CPU time is the steadier one on a shared machine."""

    wall: float
    cpu: float

    def ratio(self, baseline: Timing) -> str:
        return f"{self.wall / baseline.wall:.2f}x baseline (CPU {self.cpu / baseline.cpu:.2f}x)"

    def __str__(self) -> str:
        return f"{self.wall:.3f} s (CPU {self.cpu:.3f} s)"


def measure(run: Callable[[], object], repeat: int, *, children: bool = False) -> Timing:
    walls, cpus = [], []
    for _ in range(repeat):
        cpu_started = _cpu_seconds(children)
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu_seconds(children) - cpu_started)
    return Timing(statistics.median(walls), statistics.median(cpus))


def _cpu_seconds(children: bool) -> float:
    if not children:
        return time.process_time()
    # Children's CPU time is 0 on Windows; the wall-clock figure still holds there.
    times = os.times()
    return times.children_user + times.children_system


def bench_baseline(repeat: int) -> Timing:
    rng = np.random.default_rng(0)
    matrices = [rng.random((3000, 3000)) for _ in range(repeat)]
    return measure(lambda: linear_sum_assignment(matrices.pop()), repeat)


def bench_solve(n_adepts: int, n_mentors: int, repeat: int) -> tuple[Timing, float, int, int]:
    cohort = make_cohort(n_adepts, n_mentors, seed=n_adepts)
    penalty = Weights().extra_mentee_cost
    pairs: dict[int, int] = {}

    def run() -> None:
        pairs.update(solve(cohort.scores, cohort.allowed, cohort.capacity, (), penalty))

    timing = measure(run, repeat)
    placed = max_cardinality(cohort.allowed, cohort.capacity)
    assert len(pairs) == placed, "solve placed fewer adepts than possible"
    return timing, cohort.score_seconds, placed, int(cohort.capacity.sum())


def bench_process(repeat: int) -> Timing:
    command = [sys.executable, "-c", PROCESS_BASELINE]
    return measure(lambda: subprocess.run(command, check=True), repeat, children=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--no-process", action="store_true", help="skip the fresh-process baseline")
    args = parser.parse_args()
    repeat: int = args.repeat

    baseline = bench_baseline(repeat)
    print(f"baseline linear_sum_assignment 3000x3000 dense random: {baseline}")
    for n_adepts, n_mentors in [(3000, 1500), (5000, 2500)]:
        timing, scoring, placed, slots = bench_solve(n_adepts, n_mentors, repeat)
        print(
            f"solve {n_adepts}x{n_mentors} ({slots} slots, {placed} placed): {timing} "
            f"= {timing.ratio(baseline)}; score_matrix {scoring:.3f} s"
        )
    if not args.no_process:
        process = bench_process(min(repeat, 3))
        print(
            f"process importing sqlmodel+scipy and solving the baseline: {process}; "
            f"pair suggest budget {2 * process.wall:.3f} s"
        )


if __name__ == "__main__":
    main()
