"""mutmut's first run, spread over two processes.

mutmut's first run (the "stats") runs every test once, in mutmut's own process, to record
which tests call which mutated function; on the eighth session's machine that took 15 of
a whole run's 60 minutes, on one of its two cores. tests/conftest.py therefore hands the
first run to pytest-xdist (``CHEFINTRO_MUTANT_STATS_JOBS`` processes, 2 by default; 1
keeps mutmut's own way): the workers import the mutated copy of the source
(``PYTHONPATH``), each test's worker sends the functions it called (mutmut's trampolines
record them in the worker's own ``state()``) with its teardown's report, and the
controller, where mutmut reads them, adds them to mutmut's record as mutmut's own plugin
would have: the functions each test called, the callers of each function, and each
test's time. The line record (tests/mutation_lines.py) is written by each worker for the
tests it ran and merged under a lock; the stores the first run keeps for the mutants are
claimed by the first worker to keep each.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, cast

import pytest

#: How many processes run mutmut's first run; 1 runs it in mutmut's own process.
JOBS_VARIABLE = "CHEFINTRO_MUTANT_STATS_JOBS"
#: The report properties a worker sends: the functions the test called, and the callers
#: mutmut recorded for each function since the last test.
CALLED = "chefintro-mutmut-called"
CALLERS = "chefintro-mutmut-callers"


def jobs() -> int:
    try:
        return max(1, int(os.environ.get(JOBS_VARIABLE) or 2))
    except ValueError:
        return 1


def is_worker() -> bool:
    """Whether this process is a pytest-xdist worker."""
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def mutmut_state() -> Any | None:
    """mutmut's record of the run in this process, or None if this mutmut keeps it
    elsewhere (mutmut is in the dev extra only: imported by name)."""
    try:
        state = importlib.import_module("mutmut.state").state()
    except (ImportError, AttributeError):
        return None
    needed = ("_stats", "tests_by_mangled_function_name", "duration_by_test")
    return state if all(hasattr(state, name) for name in needed) else None


def spread(config: pytest.Config, processes: int, source: Path) -> bool:
    """Run this (first) run's tests in ``processes`` pytest-xdist workers that import the
    mutated ``source``; False, leaving the run as it is, when that cannot be done."""
    if processes < 2 or is_worker() or config.getoption("collectonly", False):
        return False
    if not config.pluginmanager.hasplugin("xdist") or mutmut_state() is None:
        return False
    config.option.numprocesses = processes
    config.option.dist = "load"
    config.option.tx = ["popen"] * processes
    _before.append(os.environ.get("PYTHONPATH"))
    paths = [str(source.resolve()), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return True


_before: list[str | None] = []


def restore() -> None:
    """After a spread run: ``PYTHONPATH`` as it was, for the processes mutmut forks next."""
    while _before:
        value = _before.pop()
        if value is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = value


def send_calls(report: pytest.TestReport) -> None:
    """In a worker, after a test's teardown: attach what mutmut recorded since the test
    began to its report, and start afresh for the next test (as mutmut's own plugin does
    after each test in its process)."""
    state = mutmut_state()
    if state is None:
        return
    report.user_properties.append((CALLED, sorted(state._stats)))
    state._stats.clear()
    callers = getattr(state, "function_dependencies", None)
    if callers:
        report.user_properties.append((CALLERS, {k: sorted(v) for k, v in callers.items()}))
        callers.clear()


def take_calls(report: pytest.TestReport) -> None:
    """In the controller: put what a worker's report carries into mutmut's record, as its
    plugin would have in its own process (the calls' time, which tests called which
    function, who called it)."""
    state = mutmut_state()
    if state is None:
        return
    if report.when == "call":
        state.duration_by_test[report.nodeid] += report.duration
    for name, value in (tuple(entry) for entry in report.user_properties):
        value = cast(Any, value)
        if name == CALLED:
            for function in value:
                state.tests_by_mangled_function_name[function].add(report.nodeid)
        elif name == CALLERS:
            dependencies = getattr(state, "function_dependencies", None)
            if dependencies is not None:
                for function, callers in value.items():
                    dependencies[function].update(callers)
