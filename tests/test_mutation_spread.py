"""mutmut's first run spread over pytest-xdist workers: what each worker records reaches
mutmut's record in the controller, and the workers' line records merge into one."""

from __future__ import annotations

import json
import sys
import types
from collections import defaultdict
from pathlib import Path
from typing import Literal

import pytest

from tests import mutation_spread
from tests.mutation_lines import LINES_DIR, reaching_tests
from tests.test_mutation_killers import two_at_once
from tests.test_mutation_lines import MUTANT, _mutant, _mutants_folder, _record

NODEID = "tests/test_followup.py::test_apply_sets_the_day_the_pairs_start[sqlite]"


class _State:
    """Stands in for mutmut's state(): what its trampolines and its plugin record."""

    def __init__(self) -> None:
        self._stats: set[str] = set()
        self.function_dependencies: defaultdict[str, set[str]] = defaultdict(set)
        self.tests_by_mangled_function_name: defaultdict[str, set[str]] = defaultdict(set)
        self.duration_by_test: defaultdict[str, float] = defaultdict(float)


def _use(monkeypatch: pytest.MonkeyPatch, state: _State) -> None:
    fake = types.ModuleType("mutmut.state")
    fake.state = lambda: state  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mutmut.state", fake)


def _report(when: Literal["call", "teardown"], duration: float) -> pytest.TestReport:
    return pytest.TestReport(NODEID, ("tests/test_followup.py", 1, "t"), {}, "passed", None, when,
                             duration=duration)  # fmt: skip


def _through_xdist(report: pytest.TestReport) -> pytest.TestReport:
    """As xdist carries a worker's report to the controller (tuples come back as lists)."""
    data = json.loads(json.dumps(report._to_json()))
    return pytest.TestReport._from_json(data)


def test_a_workers_calls_reach_mutmuts_record_in_the_controller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = _State()
    _use(monkeypatch, worker)
    # The test called two mutated functions; mutmut noted who called one of them.
    worker._stats |= {"chefintro.followup.x_apply", "chefintro.pairing.problem.x__load_side"}
    worker.function_dependencies["chefintro.pairing.problem.x__load_side"].add("x_apply")
    call, teardown = _report("call", 0.25), _report("teardown", 0.01)
    mutation_spread.send_calls(teardown)
    # The worker starts afresh for its next test, as mutmut's plugin does.
    assert worker._stats == set() and not worker.function_dependencies

    controller = _State()
    _use(monkeypatch, controller)
    for report in (call, teardown):
        mutation_spread.take_calls(_through_xdist(report))
    assert controller.tests_by_mangled_function_name == {
        "chefintro.followup.x_apply": {NODEID},
        "chefintro.pairing.problem.x__load_side": {NODEID},
    }
    assert controller.function_dependencies == {
        "chefintro.pairing.problem.x__load_side": {"x_apply"}
    }
    assert controller.duration_by_test == {NODEID: 0.25}  # the call's time, as mutmut keeps


def test_a_run_is_not_spread_in_a_worker_or_without_mutmuts_record(
    monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> None:
    monkeypatch.setitem(sys.modules, "mutmut.state", types.ModuleType("mutmut.state"))
    assert not mutation_spread.spread(pytestconfig, 2, Path("src"))  # no record to fill
    _use(monkeypatch, _State())
    assert not mutation_spread.spread(pytestconfig, 1, Path("src"))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert not mutation_spread.spread(pytestconfig, 2, Path("src"))
    monkeypatch.setenv(mutation_spread.JOBS_VARIABLE, "one")
    assert mutation_spread.jobs() == 1
    monkeypatch.setenv(mutation_spread.JOBS_VARIABLE, "3")
    assert mutation_spread.jobs() == 3


def _record_many(root: Path, worker: int) -> None:
    for number in range(25):
        test = f"t::w{worker}_{number}"
        _record(root, {6: {test}}, [test])


def test_two_workers_recording_their_lines_at_once_lose_none(tmp_path: Path) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "return floor", "return None"))
    two_at_once(_record_many, root)
    everyone = {f"t::w{w}_{n}" for w in (1, 2) for n in range(25)}
    assert reaching_tests(root, MUTANT) == (everyone, everyone)
    record = json.loads((root / LINES_DIR / "chefintro.shares.json").read_text("utf-8"))
    assert set(record["tests"]) == everyone
