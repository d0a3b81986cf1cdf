"""A mutant's tests are collected a few at a time, in the order they are tried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import mutation_lazy

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = """
import json, os
from pathlib import Path

import pytest

from tests import mutation_lazy

LOG = Path(os.environ["LAZY_LOG"])


def log(line):
    with LOG.open("a", encoding="utf-8") as out:
        out.write(line + "\\n")


def pytest_configure(config):
    order = json.loads(os.environ["LAZY_ORDER"])
    config.pluginmanager.register(mutation_lazy.LazyCollection(order), mutation_lazy.NAME)


@pytest.fixture(scope="session")
def kept_store():
    log("session up")
    yield
    log("session down")


@pytest.fixture(autouse=True)
def every_test():
    log("autouse")


@pytest.fixture(scope="module")
def module_store(request):
    log("module up " + request.module.__name__.split(".")[-1])
    yield
    log("module down " + request.module.__name__.split(".")[-1])
"""

TEST_FILE = """
import os

import pytest
from suite.logbook import log

log("imported {name}")


def test_one(kept_store, module_store):
    log("ran {name}::test_one")


def test_two(kept_store, module_store):
    log("ran {name}::test_two")
    assert os.environ.get("LAZY_FAIL") != "{name}::test_two"


def test_three(kept_store):
    log("ran {name}::test_three")
    assert os.environ.get("LAZY_FAIL") != "{name}::test_three"


class TestKind:
    def test_four(self, kept_store, module_store):
        log("ran {name}::TestKind::test_four")


@pytest.mark.parametrize("word", ["a b", "å[x]"])
def test_five(word, kept_store):
    log("ran {name}::test_five[" + word + "]")
"""

LOG_MODULE = """
import os
from pathlib import Path


def log(line):
    with Path(os.environ["LAZY_LOG"]).open("a", encoding="utf-8") as out:
        out.write(line + "\\n")
"""

#: Eleven tests in three files, in the order a mutant's run would try them: batches of
#: four, then seven (the second batch takes what is left).
ORDER = [
    "test_b.py::test_two",
    "test_a.py::test_one",
    "test_b.py::test_one",
    "test_a.py::test_three",
    "test_a.py::test_two",
    "test_b.py::test_three",
    "test_c.py::test_one",
    "test_c.py::test_two",
    "test_c.py::test_three",
    "test_a.py::TestKind::test_four",
    "test_b.py::test_five[a b]",
]


def _run(tmp_path: Path, *, fail: str = "", stop_at_first: bool = True) -> tuple[int, list[str]]:
    # As in mutants/: the tests in a package of their own, with their conftest beside them.
    project = tmp_path / "project"
    suite = project / "suite"
    suite.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", "utf-8")
    (suite / "__init__.py").write_text("", "utf-8")
    (suite / "conftest.py").write_text(CONFTEST, "utf-8")
    (suite / "logbook.py").write_text(LOG_MODULE, "utf-8")
    for name in ("test_a", "test_b", "test_c"):
        (suite / f"{name}.py").write_text(TEST_FILE.replace("{name}", name + ".py"), "utf-8")
    log = tmp_path / "log.txt"
    env = {
        **os.environ,
        "LAZY_LOG": str(log),
        "LAZY_ORDER": json.dumps([f"suite/{test}" for test in ORDER]),
        "LAZY_FAIL": fail,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(project)]),
    }
    env.pop("MUTANT_UNDER_TEST", None)
    args = ["-x"] if stop_at_first else []
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["-p", "no:randomly", "--rootdir", str(project), *args]
        + [f"suite/{test}" for test in ORDER],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = log.read_text("utf-8").splitlines() if log.exists() else []
    return done.returncode, lines


def test_batches_grow_fourfold_and_hold_every_test_once() -> None:
    order = [f"t.py::test_{n}" for n in range(100)]
    cut = mutation_lazy.batches(order)
    assert [len(batch) for batch in cut] == [4, 16, 64, 16]
    assert [test for batch in cut for test in batch] == order
    assert mutation_lazy.batches([]) == []
    assert [len(b) for b in mutation_lazy.batches(order[:5], first=2, growth=3)] == [2, 3]


def test_lazily_only_where_one_folder_s_conftest_serves_every_test(tmp_path: Path) -> None:
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "conftest.py").write_text("", "utf-8")  # the root's: the session's own
    (tmp_path / "tests" / "conftest.py").write_text("", "utf-8")
    ids = ["tests/test_a.py::t", "tests/sub/test_b.py::t"]
    assert mutation_lazy.one_conftest_folder(ids, tmp_path)
    assert mutation_lazy.one_conftest_folder(["other/test_c.py::t"], tmp_path)
    # A folder without the conftest beside one with it, or a second conftest below.
    assert not mutation_lazy.one_conftest_folder([*ids, "other/test_c.py::t"], tmp_path)
    (tmp_path / "tests" / "sub" / "conftest.py").write_text("", "utf-8")
    assert not mutation_lazy.one_conftest_folder(ids, tmp_path)


def test_only_test_ids_are_collected_lazily() -> None:
    assert mutation_lazy.all_test_ids(["tests/test_a.py::test_one", "tests/t.py::C::test[x]"])
    assert not mutation_lazy.all_test_ids(["tests/"])
    assert not mutation_lazy.all_test_ids(["tests/test_a.py::test_one", "tests/test_b.py"])
    assert not mutation_lazy.all_test_ids([])


def test_a_mutant_that_survives_runs_every_test_in_order_with_one_session(
    tmp_path: Path,
) -> None:
    code, lines = _run(tmp_path)
    assert code == 0, lines
    assert [line[4:] for line in lines if line.startswith("ran ")] == ORDER
    assert lines.count("autouse") == len(ORDER)  # the conftest's, in every batch
    # The second batch's file was imported only after the first batch had run.
    assert lines.index("imported test_c.py") > lines.index("ran test_a.py::test_three")
    # The kept store was built once and torn down once, at the very end; a module's
    # fixtures are torn down between the batches and built again when needed.
    assert lines.count("session up") == 1
    assert lines[-1] == "session down"
    assert lines.count("session down") == 1
    assert lines.count("module up test_a") == 3  # in the first batch, then twice in the second


def test_a_mutant_killed_in_the_first_batch_never_collects_the_rest(tmp_path: Path) -> None:
    code, lines = _run(tmp_path, fail="test_a.py::test_three")
    assert code == 1
    ran = [line[4:] for line in lines if line.startswith("ran ")]
    assert ran == ORDER[:4]  # stopped at the failure, the fourth
    assert "imported test_c.py" not in lines  # only in the second batch
    assert lines[-1] == "session down"


def test_a_kill_in_a_later_batch_is_a_kill(tmp_path: Path) -> None:
    code, lines = _run(tmp_path, fail="test_c.py::test_two")
    assert code == 1
    ran = [line[4:] for line in lines if line.startswith("ran ")]
    assert ran == ORDER[:8]
    assert lines.count("session up") == 1


def test_without_stopping_at_the_first_failure_every_batch_runs(tmp_path: Path) -> None:
    code, lines = _run(tmp_path, fail="test_b.py::test_two", stop_at_first=False)
    assert code == 1
    assert [line[4:] for line in lines if line.startswith("ran ")] == ORDER
