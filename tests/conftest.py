"""Shared fixtures: every test gets its own store; CLI invocation helpers; PostgreSQL."""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import os
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from hypothesis import HealthCheck, Phase, settings
from typer.testing import CliRunner, Result

from chefintro.cli.app import app
from tests import mutation_clean, mutation_killers, mutation_lazy, mutation_spread
from tests.mutation_lines import LineRecorder, keep_reaching, reaching_tests
from tests.mutation_score import EQUIVALENTS, load_equivalents, named_equivalent

# Property tests judge the code, not the machine: on a busy 2-core machine (CI beside other
# jobs) drawing examples or running one can take longer than Hypothesis' timing checks
# allow, and a test then fails with nothing wrong in chefintro. Seen: the e-mail property
# test of tests/test_rulebook.py ("input generation is slow") under a mutation run.
settings.register_profile("chefintro", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Under a mutant, the first failing example is enough: shrinking it only makes the kill
# slower. Seen: under a mutant of `rematch` that makes every `apply=True` a usage error,
# the rematch property test shrank its failing example for five minutes (Hypothesis' own
# limit; 61 s of CPU) before failing; without shrinking it failed after 7 s of CPU.
# pytest_configure loads the profile, as a mutant's run does not import this module again.
settings.register_profile(
    "chefintro-mutant",
    parent=settings.get_profile("chefintro"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile("chefintro")

# Typer turns the app into a click command tree on every `CliRunner.invoke`; the tree is
# the same for every invocation (click makes a new context each time), so the tests build
# it once per process. About a hundredth of a second per command, over thousands of them.
setattr(typer.testing, "_get_command", functools.cache(getattr(typer.testing, "_get_command")))  # noqa: B009, B010

# The PostgreSQL tests run only when asked: CHEFINTRO_TEST_PG names the server (`.ci/run`
# sets it). Without it they are skipped with a reason that says so, rather than run or
# skipped depending on whether this machine happens to have a server on the usual port.
PG_URL = os.environ.get("CHEFINTRO_TEST_PG", "").strip()


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test its own store file and a plain, wide terminal."""
    db = tmp_path / "store" / "chefintro.db"
    monkeypatch.setenv("CHEFINTRO_DB", str(db))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CHEFINTRO_DEBUG", raising=False)
    monkeypatch.delenv("CHEFINTRO_NO_WAL", raising=False)
    return db


@pytest.fixture
def db_path(_isolated_env: Path) -> Path:
    return _isolated_env


# --- stores built once per test session ------------------------------------------------------
# A fresh store (`chefintro init`) and the years that fixtures build command by command are
# the same in every test that asks for them, and building them was most of the suite's
# time. The first test to need one builds it with the CLI, as before, and its store folder
# (the file, its side files and its snapshots) is kept; later tests get a copy of that
# folder, which is the store the commands would have made. Only SQLite stores are kept (a
# PostgreSQL test always builds its own), and only for one session: a mutation run builds
# each again under its mutant. In mutmut's first run, which records the tests that call
# each function, a test that gets a copy is recorded as calling every function that
# building the store called (so each mutant of those is tried against it, as if the test
# had built the store itself).


def _mutmut_phase() -> str | None:
    return os.environ.get("MUTANT_UNDER_TEST")


#: In mutmut's first run: each test's line coverage (tests/mutation_lines.py).
_recorder: LineRecorder | None = None


#: In mutmut's first run: its tests run in pytest-xdist workers (tests/mutation_spread.py).
_spread = False


def pytest_configure(config: pytest.Config) -> None:
    global _recorder, _spread
    if _mutmut_phase() == "stats" and Path("src").is_dir():  # cwd is mutants/
        _spread = mutation_spread.spread(config, mutation_spread.jobs(), Path("src"))
        if not _spread:  # the workers record the lines of the tests each runs
            _recorder = LineRecorder(Path.cwd())
            config.pluginmanager.register(_recorder, "chefintro-line-recorder")
    mutant = _mutmut_phase() or ""
    if "__mutmut_" in mutant:
        settings.load_profile("chefintro-mutant")
        if os.environ.get("CHEFINTRO_MUTANT_EQUIVALENTS") != "run":
            _skip_if_named_equivalent(mutant)
    # A mutant's run: name only the tests that reach its change, so that pytest does not
    # even collect the files of the others (collecting is most of a killed mutant's time).
    reaching = _reaching(config.args)
    if reaching:
        config.args[:] = reaching
    # And collect them a few at a time, in the order they are tried (tests/mutation_lazy.py;
    # CHEFINTRO_MUTANT_LAZY=0 collects them all first).
    if (
        "__mutmut_" in mutant
        and reaching != []
        and os.environ.get("CHEFINTRO_MUTANT_LAZY", "1") != "0"
        and mutation_lazy.all_test_ids(config.args)
        and mutation_lazy.one_conftest_folder(config.args, Path.cwd())
    ):
        order = mutant_order(list(config.args), mutant)
        if order:
            lazy = mutation_lazy.LazyCollection(order)
            config.pluginmanager.register(lazy, mutation_lazy.NAME)


def _skip_if_named_equivalent(mutant: str) -> None:
    """A mutant named in tests/mutation_equivalents.toml runs no test: its run ends as
    "no tests", which the score counts as equivalent. Such a mutant survives every test
    that reaches it, so it was among the costliest of a run; CHEFINTRO_MUTANT_EQUIVALENTS=run
    runs them all the same (the score then reports an entry that a test catches)."""
    if named_equivalent(Path.cwd(), mutant, load_equivalents(EQUIVALENTS)) is not None:
        pytest.exit(
            "a named equivalent mutant: no test run", returncode=pytest.ExitCode.NO_TESTS_COLLECTED
        )


def _reaching(nodeids: list[str]) -> list[str] | None:
    """In a mutant's run, those of ``nodeids`` that reach its change (tests/mutation_lines.py;
    CHEFINTRO_MUTANT_LINES=0 keeps them all); else None."""
    mutant = _mutmut_phase() or ""
    if "__mutmut_" not in mutant or os.environ.get("CHEFINTRO_MUTANT_LINES", "1") == "0":
        return None
    return keep_reaching(nodeids, _reaching_tests(mutant))


@functools.cache
def _reaching_tests(mutant: str) -> tuple[set[str], set[str]] | None:
    return reaching_tests(Path.cwd(), mutant)


def _functions_called() -> set[str] | None:
    """In mutmut's first run, the set of functions the running test has called so far
    (mutmut empties it after each test); else, or if this mutmut keeps it elsewhere, None."""
    if _mutmut_phase() != "stats":
        return None
    try:  # mutmut is in the dev extra only: imported by name, so mypy need not know it
        state = importlib.import_module("mutmut.state").state
    except (ImportError, AttributeError):
        return None
    called = getattr(state(), "_stats", None)
    return called if isinstance(called, set) else None


class StoreTemplates:
    """Store folders kept for the rest of the test session, by name and starting point."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # In mutmut's first run: the functions each kept store's building called.
        self.built_by: dict[Path, frozenset[str]] = {}

    @staticmethod
    def store_folder() -> Path | None:
        """This test's store folder, or None when nothing may be kept or restored."""
        location = os.environ.get("CHEFINTRO_DB", "")
        if not location or "://" in location:
            return None
        if _mutmut_phase() == "stats" and _functions_called() is None:
            return None  # the copies' callers could not be recorded: build every store
        return Path(location).parent

    def _kept(self, key: str, start: str) -> Path:
        return self.folder / f"{key}@{start or 'none'}"

    @staticmethod
    def _shared(kept: Path) -> Path | None:
        """In a mutant's run, the first run's copy of a kept store (:data:`SHARED_STORES`)
        when the mutant's function took no part in building it (the store is then the one
        the original code builds); else None."""
        mutant = _mutmut_phase() or ""
        if "__mutmut_" not in mutant or os.environ.get("CHEFINTRO_MUTANT_STORES", "1") == "0":
            return None
        if Path.cwd().name != "mutants":
            return None
        shared = SHARED_STORES / kept.name
        try:
            record = json.loads(shared.with_name(shared.name + ".json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("source") != _source_fingerprint() or not shared.is_dir():
            return None
        return None if mutant.split("__mutmut_")[0] in record["functions"] else shared

    def restore(self, key: str, start: str) -> bool:
        """Put the store kept as ``key`` (built from ``start``) in place of this test's.

        Starting from nothing (``start`` empty), the test must not have a store yet: one
        made some other way (a test's own file, an old schema) is never replaced.
        """
        store, kept = self.store_folder(), self._kept(key, start)
        source = kept if kept.is_dir() else self._shared(kept)
        if store is None or source is None or (not start and store.exists()):
            return False
        if store.exists():
            shutil.rmtree(store)
        shutil.copytree(source, store, symlinks=True)
        called = _functions_called()
        if called is not None:
            called |= self.built_by.get(kept, frozenset())
        if _recorder is not None:
            _recorder.restored(kept)
        return True

    def keep(self, key: str, start: str) -> None:
        """Keep this test's store as ``key`` built from ``start`` (once: the first stays)."""
        store, kept = self.store_folder(), self._kept(key, start)
        if store is None or kept.exists() or not store.is_dir():
            return
        partial = kept.with_name(kept.name + ".partial")
        shutil.copytree(store, partial, symlinks=True)
        partial.rename(kept)
        called = _functions_called()
        if called is not None:
            # Everything this test called so far built the store (or the one it started
            # from, whose functions its restore added).
            self.built_by[kept] = frozenset(called)
            _share(kept, called)
        if _recorder is not None:
            _recorder.kept(kept)


#: In a mutation run (cwd is mutants/): the stores its first run kept, each with the
#: functions that building it called. A mutant's run copies one that its function took no
#: part in building instead of building it again under the mutant (most of a killed
#: mutant's time went into building the store its first test starts from).
SHARED_STORES = Path("chefintro-stores")


def _share(kept: Path, called: set[str]) -> None:
    shared = SHARED_STORES / kept.name
    if Path.cwd().name != "mutants" or shared.exists():
        return  # only in mutmut's folder; the first stays, as in a session
    # Two workers of a spread first run may keep the same store at once: each copies to a
    # folder of its own, and the first to rename it claims the store with its record.
    partial = shared.with_name(f"{shared.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(kept, partial, symlinks=True)
    try:
        partial.rename(shared)
    except OSError:  # the other worker's copy is there
        shutil.rmtree(partial, ignore_errors=True)
        return
    record = {"source": _source_fingerprint(), "functions": sorted(called)}
    written = shared.with_name(f"{shared.name}.{os.getpid()}.json.partial")
    written.write_text(json.dumps(record), "utf-8")
    written.rename(shared.with_name(shared.name + ".json"))


@functools.cache
def _source_fingerprint() -> str:
    """The project's own source (beside mutants/), so that a store kept before the code
    changed is never taken for one the code builds now."""
    digest = hashlib.sha256()
    for path in sorted(Path("..", "src").rglob("*.py")):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplates:
    return StoreTemplates(tmp_path_factory.mktemp("store-templates"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what is alive once the tests are collected out of the garbage collector's
    scans (`gc.freeze`): the imported modules and collected tests live all session anyway.
    In a mutation run every mutant's tests run in a process forked from one that has
    imported everything, and pytest collects the garbage twice as each session ends: a
    full scan of that heap cost about 0.2 s of CPU a mutant (more than most tests), and
    touching every object copied the parent's memory into the child. Once a session: a
    lazily collected mutant's run (tests/mutation_lazy.py) collects again after tests ran,
    and freezing then would keep their garbage for good."""
    if session.stash.get(_FROZEN, False):
        return
    session.stash[_FROZEN] = True
    gc.freeze()


_FROZEN = pytest.StashKey[bool]()


def mutant_words(mutant: str) -> frozenset[str]:
    """The words of a mutant's module and function a test named after them would contain:
    ``chefintro.intake.participants.x_no_wish_for_oneself__mutmut_3`` gives intake,
    participants, wish and oneself (words of four letters or more)."""
    function = mutant.split("__mutmut_")[0]
    parts = function.split(".")[1:]  # not "chefintro"
    text = " ".join(parts).replace("\u01c1", " ").replace("_", " ")
    return frozenset(w for w in text.lower().split() if len(w) >= 4 and w != "mutmut")


def names_any(nodeid: str, words: frozenset[str]) -> bool:
    """Whether a test's file or name contains one of ``words``."""
    text = nodeid.lower()
    return any(word in text for word in words)


def run_order(
    nodeids: list[str],
    mutant: str,
    seconds: dict[str, float],
    killers: dict[str, int],
    neighbours: dict[str, int] | None = None,
) -> list[str]:
    """The order in which a mutant's run tries its tests: first the quick ones that killed
    earlier mutants of its function (``killers``, tests/mutation_killers.py), fastest
    first, and a few that killed most of its module's other functions' (``neighbours``);
    then those named after its module or function; then the rest; each group fastest first
    by its first-run ``seconds`` (a test of unknown time last)."""
    slowest = max(seconds.values(), default=0.0) + 1.0
    words = mutant_words(mutant)
    first = mutation_killers.first_tier(killers, seconds, neighbours)
    return sorted(
        nodeids,
        key=lambda nodeid: (
            first.get(nodeid, len(first)),
            not names_any(nodeid, words),
            seconds.get(nodeid, slowest),
        ),
    )


def within_budget(seconds: list[float], budget: float) -> int:
    """How many of a mutant's tests (their first-run seconds, fastest first) it runs: those
    whose seconds add up to ``budget``, and always the first; all of them when ``budget``
    is 0 or less."""
    if budget <= 0:
        return len(seconds)
    spent = 0.0
    for count, taken in enumerate(seconds):
        spent += taken
        if count and spent > budget:
            return count
    return len(seconds)


#: Each test's whole time (setup, call and teardown) in mutmut's first run, kept beside
#: mutmut's own record (cwd is mutants/), which has the calls' time only: a test whose
#: fixture builds a year costs a mutant its setup, not its few milliseconds of call.
TIMES_FILE = Path("chefintro-test-times.json")
_times: dict[str, float] = {}


class MutantTooSlow(Exception):
    """A test ran far longer under a mutant than in the first run: the mutant loops."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """In a mutant's run, stop a test once it has used ten times its first-run CPU time
    (and 2 s more): a mutant that makes it loop is then killed by that test in seconds,
    where mutmut's own limit (for all the mutant's tests together) let one take minutes.
    mutmut counts a timeout as a kill, and so does this (the test fails)."""
    seconds = _test_times().get(item.nodeid) if "__mutmut_" in (_mutmut_phase() or "") else None
    if seconds is None:
        yield
        return

    def too_slow(signum: int, frame: object) -> None:
        raise MutantTooSlow(f"more than {limit:.1f} s of CPU (the first run: {seconds:.2f} s)")

    limit = 10 * seconds + 2
    previous = signal.signal(signal.SIGPROF, too_slow)
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


#: In mutmut's first run, the tests that passed and failed (tests/mutation_clean.py).
_passed: set[str] = set()
_failed: set[str] = set()
#: In mutmut's clean run: every test was left out, as passed in the first run.
_clean_all_passed = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In a worker of a spread first run: each test's calls go with its teardown's report."""
    outcome = yield
    if call.when == "teardown" and _mutmut_phase() == "stats" and mutation_spread.is_worker():
        mutation_spread.send_calls(outcome.get_result())  # type: ignore[attr-defined]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    mutant = _mutmut_phase() or ""
    if _spread and mutant == "stats":
        mutation_spread.take_calls(report)
    if "__mutmut_" in mutant and report.failed and Path.cwd().name == "mutants":
        mutation_killers.record_kill(Path.cwd(), mutant, report.nodeid)
    if mutant == "stats":
        _times[report.nodeid] = _times.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            _failed.add(report.nodeid)
        elif report.when == "call" and report.passed:
            _passed.add(report.nodeid)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _spread
    if _spread:
        mutation_spread.restore()
        _spread = False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _recorder
    if _recorder is not None:
        _recorder.finish()
        _recorder = None
    if (
        _mutmut_phase() == ""
        and _clean_all_passed
        and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        session.exitstatus = pytest.ExitCode.OK  # the first run passed them all
    if _mutmut_phase() != "stats" or not _times or mutation_spread.is_worker():
        return  # a spread run's controller keeps what its workers ran
    if exitstatus == pytest.ExitCode.OK and Path("src").is_dir():  # cwd is mutants/
        mutation_clean.record_passed(Path.cwd(), _passed - _failed)
    try:  # mutmut records only new tests again: keep the others' times
        kept = json.loads(TIMES_FILE.read_text("utf-8"))
    except (OSError, ValueError):
        kept = {}
    TIMES_FILE.write_text(json.dumps({**kept, **_times}), "utf-8")


@functools.cache
def _test_times() -> dict[str, float]:
    """The tests' times of mutmut's first run: whole, else the calls' (mutmut's own)."""
    try:
        times: dict[str, float] = json.loads(TIMES_FILE.read_text("utf-8"))
        return times
    except (OSError, ValueError):
        pass
    try:
        calls: dict[str, float] = json.loads(Path("mutmut-stats.json").read_text("utf-8"))[
            "duration_by_test"
        ]
        return calls
    except (OSError, ValueError, KeyError):
        return {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a mutation run, try first the quick tests that killed earlier mutants of the
    same function (tests/mutation_killers.py), then the tests named after the mutant's
    module or function (tests/test_intake_checks.py for a mutant of
    chefintro.intake.meetings), then the rest, each group fastest first: a mutant is
    usually killed by the first test that fails (mutmut runs them with -x), so a fast one
    saves the most time. The times are those of mutmut's first run (:data:`TIMES_FILE`).

    With CHEFINTRO_MUTANT_BUDGET set (seconds; `make mutate` sets it), a mutant runs only
    its fastest tests up to that budget: a rule function that every command calls (a
    name's clean-up, the eligibility rule) has hundreds of tests, and a mutant no test
    kills would otherwise run them all. Such a mutant is then reported as surviving its
    fastest tests: the score can only be lower for it, never higher.

    First, a mutant's tests that did not execute the statement it changes are left out
    (tests/mutation_lines.py; CHEFINTRO_MUTANT_LINES=0 keeps them): they cannot tell it
    from the original."""
    if _mutmut_phase() == "":
        _leave_out_what_passed_in_the_first_run(config, items)
    mutant = _mutmut_phase() or ""
    if "__mutmut_" not in mutant or config.pluginmanager.has_plugin(mutation_lazy.NAME):
        return  # the lazy collection has ordered the tests before collecting them
    reaching = _reaching([i.nodeid for i in items])
    if reaching is not None and len(reaching) < len(items):
        reached = set(reaching)  # none at all when no test reaches the change
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in reached])
        items[:] = [i for i in items if i.nodeid in reached]
    order = mutant_order([item.nodeid for item in items], mutant)
    rank = {nodeid: place for place, nodeid in enumerate(order)}
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in rank])
    items[:] = sorted((item for item in items if item.nodeid in rank), key=lambda i: rank[i.nodeid])


def mutant_order(nodeids: list[str], mutant: str) -> list[str]:
    """The tests of ``nodeids`` a mutant's run tries, in the order it tries them
    (:func:`run_order`), cut to CHEFINTRO_MUTANT_BUDGET (:func:`within_budget`); all of
    them as given when mutmut's first run left no times."""
    durations = _test_times()
    if not durations:
        return list(nodeids)
    killers, neighbours = mutation_killers.killers_and_neighbours(Path.cwd(), mutant)
    order = run_order(nodeids, mutant, durations, killers, neighbours)
    slowest = max(durations.values(), default=0.0) + 1.0
    try:
        budget = float(os.environ.get("CHEFINTRO_MUTANT_BUDGET") or 0)
    except ValueError:
        budget = 0.0
    return order[: within_budget([durations.get(nodeid, slowest) for nodeid in order], budget)]


def _leave_out_what_passed_in_the_first_run(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """mutmut's clean run (the tests once more on the unmutated code, before the mutants):
    leave out the tests its first run passed on exactly the same files
    (tests/mutation_clean.py; CHEFINTRO_MUTANT_CLEAN=run runs them all)."""
    global _clean_all_passed
    root = Path.cwd()
    if (
        os.environ.get("CHEFINTRO_MUTANT_CLEAN") == "run"
        or not (root / mutation_clean.RECORD).is_file()
    ):
        return
    passed = mutation_clean.already_passed(root)
    left_out = [i for i in items if i.nodeid in passed]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [i for i in items if i.nodeid not in passed]
    _clean_all_passed = bool(left_out) and not items


def _pg_unavailable() -> str | None:
    """Return why the PostgreSQL tests cannot run here, or None when they can."""
    if not PG_URL:
        return (
            "PostgreSQL tests not requested: set CHEFINTRO_TEST_PG to a URL such as "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres to run them"
        )
    try:
        import psycopg
    except ImportError:
        return "PostgreSQL tests need psycopg (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_libpq(PG_URL), connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at CHEFINTRO_TEST_PG is not reachable: {type(exc).__name__}"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


_PG_UNAVAILABLE = _pg_unavailable()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test on a SQLite file and, when reachable, on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    if _PG_UNAVAILABLE is not None:
        if os.environ.get("CHEFINTRO_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (CHEFINTRO_REQUIRE_PG): {_PG_UNAVAILABLE}")
        pytest.skip(_PG_UNAVAILABLE)
    import psycopg

    name = f"chefintro_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    monkeypatch.setenv("CHEFINTRO_DB", f"{base}/{name}")
    try:
        yield "postgres"
    finally:
        with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Cli:
    """Invoke chefintro in-process and check exit codes.

    Like a coordinator, who runs ``chefintro init`` once before anything else, it creates
    the store before its first command (``init=False`` leaves that to the test: only
    init, cohort setup and demo create a store).

    A fixture that builds a year can build it once per session::

        if cli.restore("test_x.year"):
            return cli
        ...  # the commands
        cli.keep("test_x.year")

    (see StoreTemplates: only the store folder is kept, so such a fixture must leave
    nothing else behind: no files outside the store, no settings in the environment).
    """

    def __init__(self, *, init: bool = True, templates: StoreTemplates | None = None) -> None:
        self.runner = CliRunner()
        self._needs_init = init
        self._templates = templates
        # Where the store stands: "" before any command, then the name of the last store
        # restored or kept, or None once a command outside such a build has changed it
        # (from then on nothing is restored or kept: the store is this test's own).
        self._state: str | None = ""
        self._building: tuple[str, str] | None = None

    def restore(self, key: str) -> bool:
        """Put the store kept as ``key`` in place; False (then build it) when there is none."""
        if self._templates is None or self._state is None:
            return False
        folder = self._templates.store_folder()
        if not self._state and (folder is None or folder.exists()):
            self._state = None  # a store made some other way: this test's own from now on
            return False
        if self._templates.restore(key, self._state):
            self._needs_init, self._state = False, key
            return True
        self._building = (key, self._state)
        return False

    def keep(self, key: str) -> None:
        """Keep the store the fixture built since ``restore(key)`` for later tests."""
        if self._templates is None or self._building is None or self._building[0] != key:
            return
        self._templates.keep(key, self._building[1])
        self._state, self._building = key, None

    def __call__(self, *args: str, code: int = 0, input: str | None = None) -> Result:
        if self._building is None:
            self._state = None
        if self._needs_init:
            self._needs_init = False
            if "init" not in args:
                self._init()
        result = self.runner.invoke(app, list(args), input=input)
        if result.exit_code != code:
            raise AssertionError(
                f"chefintro {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n"
                f"exception: {result.exception!r}"
            )
        return result

    def _init(self) -> None:
        templates = self._templates if self._state is not None else None
        if templates is not None and templates.restore("init", ""):
            return
        created = self.runner.invoke(app, ["init"])
        assert created.exit_code == 0, created.stderr
        if templates is not None:
            templates.keep("init", "")

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(store_templates: StoreTemplates) -> Cli:
    return Cli(templates=store_templates)


@pytest.fixture
def bare_cli() -> Cli:
    """A Cli that does not create the store first."""
    return Cli(init=False)


@pytest.fixture
def network(cli: Cli, backend: str) -> Cli:
    """A small network: three agencies, people, and cohort 2027 as the current cohort."""
    if cli.restore("network"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "LST-Y", "Länsstyrelsen Västernorrland")
    people = [
        ("Åsa Öberg", "Asa.Oberg@CSN.se", "CSN", "IT", "2026-03-01"),
        ("Örjan Sjöström", "orjan.sjostrom@bolagsverket.se", "BV", "IT", "2010-05-01"),
        ("Élise Nordén", "elise.norden@lansstyrelsen.se", "LST-Y", "HR", "2015-01-15"),
        ("Zacharias Ek", "zacharias.ek@csn.se", "CSN", "HR", "2026-06-01"),
    ]
    for name, email, agency, field, since in people:
        cli(
            "person",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--agency",
            agency,
            "--field",
            field,
            "--manager-since",
            since,
        )
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli.keep("network")
    return cli


def store_rows(sql: str) -> list[tuple[Any, ...]]:
    """The rows one SQL query reads from the test's store (SQLite or PostgreSQL)."""
    from sqlalchemy import text

    from chefintro.store import open_store, resolve_location

    engine = open_store(resolve_location(None)).engine
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def store_snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Return every row of every table of the test's store (SQLite or PostgreSQL).

    Compared before and after a failed command to prove that nothing changed.
    """
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from chefintro.store import open_store, resolve_location

    engine = open_store(resolve_location(None)).engine
    try:
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in SQLModel.metadata.tables.items()
            }
    finally:
        engine.dispose()
