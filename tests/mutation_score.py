"""Print the mutation score per module from `mutmut results --all true` (read on stdin).

Used by `make mutate`. A mutant counts as killed when a test failed or timed out on it;
mutants that were not run (outside the chosen MUTANTS) are left out of the score.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
NOT_RUN = {"not checked", "skipped"}


def scores(lines: list[str]) -> dict[str, Counter[str]]:
    """Count mutant statuses per module from lines like ``chefintro.text.x_f__mutmut_3: killed``."""
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if not sep or "__mutmut_" not in name:
            continue
        function = name.split("__mutmut_")[0]
        module = function.rsplit(".", 1)[0]
        per_module[module][status.strip()] += 1
    return per_module


def main() -> int:
    per_module = scores(sys.stdin.read().splitlines())
    total_killed = total_run = 0
    out = sys.stdout
    out.write(f"{'module':36} {'killed':>7} {'run':>5} {'score':>7}  survivors\n")
    for module, counts in sorted(per_module.items()):
        run = sum(n for status, n in counts.items() if status not in NOT_RUN)
        if not run:
            continue
        killed = sum(n for status, n in counts.items() if status in KILLED)
        others = {s: n for s, n in counts.items() if s not in KILLED | NOT_RUN}
        total_killed, total_run = total_killed + killed, total_run + run
        rest = ", ".join(f"{n} {s}" for s, n in sorted(others.items()))
        out.write(f"{module:36} {killed:7} {run:5} {killed / run:7.1%}  {rest}\n")
    if total_run:
        out.write(f"{'all':36} {total_killed:7} {total_run:5} {total_killed / total_run:7.1%}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
