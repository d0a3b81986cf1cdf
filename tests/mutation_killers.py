"""The tests that killed a function's earlier mutants, tried first on its next ones.

mutmut runs a function's mutants one after another (it orders them by the time their
tests take, the same for every mutant of a function), each with the tests that reach its
change, fastest first, and stops at the first that fails. For a function every command
calls (loading a side of the matching problem, the participants' intake) hundreds of tests
reach each change, and the one that tells the mutant apart is often far down that order:
such a mutant took 20 to 60 s where its killer alone takes one. The mutants of one
function are mostly told apart by the same few tests, so each kill is recorded, and a
mutant's run tries the tests that killed its function's earlier mutants first (the
fastest of them first), then the rest in the usual order. Nothing is left out: a mutant
that survives still runs every test that reaches it, so the score cannot change, only
the time to a kill.

The record is ``mutants/chefintro-killers.jsonl``: one JSON line per kill, appended in a
single write by the mutant's process (two run at once), read at the start of each run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: The record, in ``mutants/`` (the run's current folder).
RECORD = Path("chefintro-killers.jsonl")
#: A killer slower than this in the first run (whole seconds) is not tried first: trying
#: it costs a mutant more than the tests it would save.
MOST_SECONDS = 5.0
#: How many of the module's other functions' killers are tried first, and how quick each
#: must be: a guess, so it may cost a mutant a few seconds at most.
MOST_NEIGHBOURS = 4
NEIGHBOUR_SECONDS = 1.0


def function_of(mutant: str) -> str:
    """``chefintro.pairing.problem.x__load_side__mutmut_12`` gives
    ``chefintro.pairing.problem.x__load_side``."""
    return mutant.split("__mutmut_")[0]


def record_kill(root: Path, mutant: str, test: str) -> None:
    """Append that ``test`` failed under ``mutant``: one line in one write, so that two
    mutants' processes appending at once do not mix their lines."""
    line = json.dumps({"function": function_of(mutant), "test": test}) + "\n"
    fd = os.open(root / RECORD, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def module_of(function: str) -> str:
    """``chefintro.pairing.problem.x__load_side`` gives ``chefintro.pairing.problem``."""
    return function.rsplit(".", 1)[0]


def killers_of(root: Path, mutant: str) -> dict[str, int]:
    """The tests that killed earlier mutants of ``mutant``'s function, each with how many;
    none when nothing is recorded."""
    return killers_and_neighbours(root, mutant)[0]


def killers_and_neighbours(root: Path, mutant: str) -> tuple[dict[str, int], dict[str, int]]:
    """The tests that killed earlier mutants of ``mutant``'s function, and those that
    killed mutants of the other functions of its module, each with how many. A line cut
    short (a process killed while writing) or not of this record is passed over."""
    try:
        text = (root / RECORD).read_text("utf-8")
    except OSError:
        return {}, {}
    function = function_of(mutant)
    module = module_of(function)
    own: dict[str, int] = {}
    neighbours: dict[str, int] = {}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        test, killed = entry.get("test"), entry.get("function")
        if not isinstance(test, str) or not isinstance(killed, str):
            continue
        if killed == function:
            own[test] = own.get(test, 0) + 1
        elif module_of(killed) == module:
            neighbours[test] = neighbours.get(test, 0) + 1
    return own, neighbours


def first_tier(
    killers: dict[str, int],
    seconds: dict[str, float],
    neighbours: dict[str, int] | None = None,
) -> dict[str, int]:
    """The rank of each killer tried first: the fastest first (by their first-run
    ``seconds``), those slower than :data:`MOST_SECONDS` or of unknown time left to the
    usual order. After them, the :data:`MOST_NEIGHBOURS` quick tests (within
    :data:`NEIGHBOUR_SECONDS`) that killed most mutants of the module's other functions
    (``neighbours``): a function's first mutants have no killers of their own yet, and its
    module's functions are mostly told apart by the same tests."""
    quick = [test for test in killers if seconds.get(test, MOST_SECONDS + 1) <= MOST_SECONDS]
    quick.sort(key=lambda test: (seconds[test], -killers[test], test))
    near = [
        test
        for test in neighbours or {}
        if test not in killers and seconds.get(test, NEIGHBOUR_SECONDS + 1) <= NEIGHBOUR_SECONDS
    ]
    near.sort(key=lambda test: (-(neighbours or {})[test], seconds[test], test))
    return {test: rank for rank, test in enumerate(quick + near[:MOST_NEIGHBOURS])}
