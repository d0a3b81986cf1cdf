"""A mutant's run tries first the quick tests that killed its function's earlier mutants."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

from tests import mutation_killers
from tests.conftest import run_order

LOAD_SIDE = "chefintro.pairing.problem.x__load_side__mutmut_"
SECONDS = {
    "tests/test_names.py::test_quick": 0.2,
    "tests/test_reports.py::test_roster_export": 1.5,
    "tests/test_followup.py::test_rematch": 0.8,
    "tests/test_yearly.py::test_demo_runs_the_whole_year": 36.0,
    "tests/test_problem.py::test_named_after_the_module": 3.0,
    "tests/test_text.py::test_other": 0.1,
}


def test_kills_are_counted_per_function_and_a_cut_line_is_passed_over(tmp_path: Path) -> None:
    assert mutation_killers.killers_of(tmp_path, LOAD_SIDE + "1") == {}  # nothing yet
    mutation_killers.record_kill(tmp_path, LOAD_SIDE + "1", "tests/test_reports.py::a")
    mutation_killers.record_kill(tmp_path, LOAD_SIDE + "2", "tests/test_reports.py::a")
    mutation_killers.record_kill(tmp_path, LOAD_SIDE + "3", "tests/test_followup.py::b")
    mutation_killers.record_kill(tmp_path, "chefintro.text.x_clean__mutmut_1", "tests/t.py::c")
    with (tmp_path / mutation_killers.RECORD).open("a", encoding="utf-8") as record:
        record.write('{"function": "chefintro.pairing.problem.x__load_s')  # killed mid-write
    # Any mutant of the function sees them all; another function's kill is not among them.
    assert mutation_killers.killers_of(tmp_path, LOAD_SIDE + "40") == {
        "tests/test_reports.py::a": 2,
        "tests/test_followup.py::b": 1,
    }
    assert mutation_killers.killers_of(tmp_path, "chefintro.text.x_clean__mutmut_9") == {
        "tests/t.py::c": 1
    }
    assert (tmp_path / mutation_killers.RECORD).stat().st_mode & 0o077 == 0


def _record_many(root: Path, worker: int) -> None:
    for number in range(300):
        mutation_killers.record_kill(
            root, f"{LOAD_SIDE}{number}", f"tests/t.py::w{worker}_{number}"
        )


def two_at_once(target: Callable[[Path, int], None], root: Path) -> None:
    """Run ``target(root, 1)`` and ``target(root, 2)`` in two forked processes at once, as
    mutmut runs two mutants (or pytest-xdist two workers), and wait for both to succeed."""
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=target, args=(root, n)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0


def test_the_module_s_other_functions_killers_come_after_the_function_s_own(
    tmp_path: Path,
) -> None:
    other = "chefintro.pairing.problem.x_earlier_pairs__mutmut_"
    for number, test in enumerate(["tests/test_followup.py::test_rematch"] * 2):
        mutation_killers.record_kill(tmp_path, f"{other}{number}", test)
    mutation_killers.record_kill(tmp_path, other + "5", "tests/test_text.py::test_other")
    mutation_killers.record_kill(tmp_path, other + "6", "tests/test_names.py::test_quick")
    mutation_killers.record_kill(tmp_path, other + "7", "tests/test_reports.py::test_roster_export")
    mutation_killers.record_kill(tmp_path, LOAD_SIDE + "1", "tests/test_names.py::test_quick")
    mutation_killers.record_kill(tmp_path, "chefintro.text.x_clean__mutmut_1", "tests/t.py::c")
    own, neighbours = mutation_killers.killers_and_neighbours(tmp_path, LOAD_SIDE + "9")
    assert own == {"tests/test_names.py::test_quick": 1}
    assert neighbours == {  # another module's kill is not among them
        "tests/test_followup.py::test_rematch": 2,
        "tests/test_text.py::test_other": 1,
        "tests/test_names.py::test_quick": 1,
        "tests/test_reports.py::test_roster_export": 1,
    }
    order = run_order(list(SECONDS), LOAD_SIDE + "9", SECONDS, own, neighbours)
    assert order == [
        "tests/test_names.py::test_quick",  # its own killer
        "tests/test_followup.py::test_rematch",  # the neighbours' most killing, quick ones
        "tests/test_text.py::test_other",
        "tests/test_problem.py::test_named_after_the_module",  # as before: named, then rest
        "tests/test_reports.py::test_roster_export",  # 1.5 s: too slow for a guess
        "tests/test_yearly.py::test_demo_runs_the_whole_year",
    ]
    many = {f"tests/t.py::t{n}": 10 - n for n in range(8)}
    tier = mutation_killers.first_tier({}, dict.fromkeys(many, 0.1), many)
    assert list(tier) == [f"tests/t.py::t{n}" for n in range(mutation_killers.MOST_NEIGHBOURS)]


def test_two_mutants_processes_recording_at_once_keep_every_line_whole(tmp_path: Path) -> None:
    two_at_once(_record_many, tmp_path)
    killers = mutation_killers.killers_of(tmp_path, LOAD_SIDE + "1")
    assert len(killers) == 600
    assert set(killers.values()) == {1}


def test_quick_killers_come_first_then_tests_named_after_the_function_then_the_rest() -> None:
    killers = {
        "tests/test_reports.py::test_roster_export": 3,
        "tests/test_followup.py::test_rematch": 1,
        "tests/test_yearly.py::test_demo_runs_the_whole_year": 5,  # too slow to try first
        "tests/test_gone.py::test_unknown_time": 2,  # not among this mutant's tests
    }
    order = run_order(list(SECONDS), LOAD_SIDE + "7", SECONDS, killers)
    assert order == [
        "tests/test_followup.py::test_rematch",  # killers, fastest first
        "tests/test_reports.py::test_roster_export",
        "tests/test_problem.py::test_named_after_the_module",  # "problem" is in its name
        "tests/test_text.py::test_other",  # then the rest, fastest first
        "tests/test_names.py::test_quick",
        "tests/test_yearly.py::test_demo_runs_the_whole_year",
    ]
    # With no kills recorded the order is as before: named tests first, then the fastest.
    assert run_order(list(SECONDS), LOAD_SIDE + "7", SECONDS, {}) == [
        "tests/test_problem.py::test_named_after_the_module",
        "tests/test_text.py::test_other",
        "tests/test_names.py::test_quick",
        "tests/test_followup.py::test_rematch",
        "tests/test_reports.py::test_roster_export",
        "tests/test_yearly.py::test_demo_runs_the_whole_year",
    ]
    # Every test is still run: the order changes, never which tests.
    assert sorted(order) == sorted(SECONDS)
