"""Print the mutation score per module from `mutmut results --all true` (read on stdin).

Used by `make mutate` (run from the project's root: ``python -m tests.mutation_score``).
A mutant counts as caught when a test failed or timed out on it; mutants that were not
run (outside the chosen MUTANTS) are left out. A mutant that was not caught but is named
in tests/mutation_equivalents.toml (a change no test can tell from the original, with the
reason) is counted apart and left out of the score. Every other one is listed with what
it changes, and an entry of the list that now matches no such mutant is reported, so the
list cannot go stale silently.

Exits 1 when a module that was run scores below ``GOAL``.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tests.mutation_lines import mutant_change

CAUGHT = {"killed", "timeout", "caught by type check", "segfault"}
NOT_RUN = {"not checked", "skipped"}
EQUIVALENT = "equivalent"
GOAL = 0.9

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.toml"


@dataclass(frozen=True)
class Equivalent:
    """A change to ``function`` (``module.x_name``, mutmut's name without ``__mutmut_N``)
    that replaces the trimmed lines ``before`` with ``after``."""

    function: str
    before: str
    after: str
    reason: str


def load_equivalents(path: Path) -> list[Equivalent]:
    with path.open("rb") as file:
        raw = tomllib.load(file)
    return [
        Equivalent(e["function"], e["before"].strip(), e["after"].strip(), e["reason"])
        for e in raw.get("equivalent", [])
    ]


def named_equivalent(root: Path, mutant: str, named: Iterable[Equivalent]) -> Equivalent | None:
    """The entry of ``named`` that ``mutant`` (in mutmut's folder ``root``) is, if any."""
    change = mutant_change(root, mutant)
    if change is None:
        return None
    function = function_of(mutant)
    return next((e for e in named if (e.function, e.before, e.after) == (function, *change)), None)


def parse_results(lines: Iterable[str]) -> dict[str, str]:
    """Mutant name -> status, from lines like ``chefintro.text.x_f__mutmut_3: killed``."""
    results: dict[str, str] = {}
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            results[name] = status.strip()
    return results


def function_of(mutant: str) -> str:
    return mutant.rsplit("__mutmut_", 1)[0]


def module_of(mutant: str) -> str:
    return function_of(mutant).rsplit(".", 1)[0]


Change = tuple[str, str]


def classify(
    results: Mapping[str, str],
    changes: Mapping[str, Change | None],
    equivalents: Iterable[Equivalent],
) -> tuple[dict[str, str], list[Equivalent]]:
    """The results with each named equivalent's status made ``EQUIVALENT``, and the named
    equivalents of the functions run that matched no mutant left uncaught."""
    named = {(e.function, e.before, e.after): e for e in equivalents}
    used: set[tuple[str, str, str]] = set()
    out = dict(results)
    for mutant, status in results.items():
        change = changes.get(mutant)
        if status in CAUGHT | NOT_RUN or change is None:
            continue
        key = (function_of(mutant), *change)
        if key in named:
            out[mutant] = EQUIVALENT
            used.add(key)
    run_functions = {function_of(m) for m, s in results.items() if s not in NOT_RUN}
    stale = [e for k, e in named.items() if k not in used and e.function in run_functions]
    return out, stale


def scores(results: Mapping[str, str]) -> dict[str, Counter[str]]:
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for mutant, status in results.items():
        per_module[module_of(mutant)][status] += 1
    return per_module


def report(
    results: Mapping[str, str],
    changes: Mapping[str, Change | None],
    stale: Iterable[Equivalent],
    out: TextIO,
) -> bool:
    """Write the table, the mutants left and the stale entries; True when every module run
    reaches ``GOAL``."""
    ok = True
    total_caught = total_counted = total_equivalent = 0
    out.write(f"{'module':36} {'caught':>7} {'run':>5} {'equiv':>6} {'score':>7}  left\n")
    for module, counts in sorted(scores(results).items()):
        run = sum(n for status, n in counts.items() if status not in NOT_RUN)
        if not run:
            continue
        caught = sum(n for status, n in counts.items() if status in CAUGHT)
        equivalent = counts[EQUIVALENT]
        counted = run - equivalent
        left = {s: n for s, n in counts.items() if s not in CAUGHT | NOT_RUN | {EQUIVALENT}}
        total_caught += caught
        total_counted += counted
        total_equivalent += equivalent
        score = caught / counted if counted else 1.0
        mark = "" if score >= GOAL else f"  below {GOAL:.0%}"
        ok = ok and score >= GOAL
        rest = ", ".join(f"{n} {s}" for s, n in sorted(left.items()))
        out.write(f"{module:36} {caught:7} {run:5} {equivalent:6} {score:7.1%}  {rest}{mark}\n")
    if total_counted:
        score = total_caught / total_counted
        out.write(
            f"{'all':36} {total_caught:7} {total_counted + total_equivalent:5} "
            f"{total_equivalent:6} {score:7.1%}\n"
        )
    left_over = sorted(m for m, s in results.items() if s not in CAUGHT | NOT_RUN | {EQUIVALENT})
    if left_over:
        out.write("\nNot caught (and not named in tests/mutation_equivalents.toml):\n")
        for mutant in left_over:
            change = changes.get(mutant)
            what = f"{change[0]!r} -> {change[1]!r}" if change else "(not in mutants/)"
            out.write(f"  {mutant} ({results[mutant]}): {what}\n")
    for entry in stale:
        out.write(
            f"\nNamed equivalent but not left by this run (caught now, or changed): "
            f"{entry.function}: {entry.before!r} -> {entry.after!r}\n"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("mutants")
    results = parse_results(sys.stdin.read().splitlines())
    changes = {m: mutant_change(root, m) for m, s in results.items() if s not in CAUGHT | NOT_RUN}
    classified, stale = classify(results, changes, load_equivalents(EQUIVALENTS))
    return 0 if report(classified, changes, stale, sys.stdout) else 1


if __name__ == "__main__":
    raise SystemExit(main())
