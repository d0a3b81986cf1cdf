"""A mutant's tests collected a few at a time, in the order they are tried.

mutmut runs each mutant's tests in one pytest session, ``pytest -x <test ids>``, and
pytest collects every file those ids name before it runs the first test. For a function
that every command calls, the tests lie in most of the suite's files: collecting 300 of
them took 0.8 s, 50 took 0.55 s and one 0.1 s (in a process that had imported them all, as
mutmut's forked children have), where the killer then failed in a twentieth of a second.
The median mutant took 0.54 s in all.

So a mutant's tests are collected in batches of growing size (:data:`FIRST`, then
:data:`GROWTH` times more each time), in the order they are tried (tests/conftest.py
``run_order``: its function's killers first, then the tests named after it, then the rest,
fastest first). A batch is collected only when every test before it has passed, so a
mutant killed by its first tests never collects the others. A mutant that survives runs
every one of its tests, as before: the score cannot change, only the time to a kill.

Between two batches only the modules' and the tests' own fixtures are torn down; the
session's (the kept stores) live on, as they would in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

#: The first batch: enough for a function's usual killers.
FIRST = 4
#: Each batch is this many times the one before it, so that a mutant that survives
#: collects its tests' files only a few times over.
GROWTH = 4
#: The plugin's name, by which the other hooks see that it runs the session.
NAME = "chefintro-lazy-collection"


def batches(order: Sequence[str], first: int = FIRST, growth: int = GROWTH) -> list[list[str]]:
    """``order`` cut into batches of ``first``, ``first * growth``, … tests (the last
    holds what is left); none when ``order`` is empty."""
    cut: list[list[str]] = []
    start, size = 0, max(first, 1)
    while start < len(order):
        cut.append(list(order[start : start + size]))
        start += size
        size *= max(growth, 1)
    return cut


def all_test_ids(args: Sequence[str]) -> bool:
    """Whether ``args`` name tests only (``file::name``), as mutmut's mutant runs do, not
    folders or files (then pytest collects as usual)."""
    return bool(args) and all("::" in arg and not arg.startswith("-") for arg in args)


def one_conftest_folder(test_ids: Sequence[str], root: Path) -> bool:
    """Whether every test of ``test_ids`` (paths relative to ``root``) sees the same
    conftest files below ``root``: none, or one folder's that holds them all. pytest binds
    a conftest's fixtures to its folder's collector when the folder is first collected and
    forgets those of folders not collected then; a later batch could then lose a conftest
    whose folder the first batch did not reach. The first batch always reaches the one
    folder that holds every test."""
    seen: set[frozenset[Path]] = set()
    for file in {test_id.split("::", 1)[0] for test_id in test_ids}:
        folders = frozenset(
            folder
            for folder in (root / file).parents
            if folder != root and root in folder.parents and (folder / "conftest.py").is_file()
        )
        seen.add(folders)
    return len(seen) <= 1 and all(len(folders) <= 1 for folders in seen)


class _SessionOnly:
    """The test after the last of a batch, as pytest's teardown sees it: its chain is the
    session alone, so everything but the session's fixtures is torn down."""

    def __init__(self, session: pytest.Session) -> None:
        self._session = session

    def listchain(self) -> list[pytest.Session]:
        return [self._session]


class LazyCollection:
    """Runs a session's tests in :func:`batches` of ``order``, each collected only once
    those before it have all passed (with ``-x``, as mutmut runs them)."""

    def __init__(self, order: Sequence[str]) -> None:
        self.batches = batches(order)
        #: How many tests each batch collected, once it was collected.
        self.collected: list[int] = []
        #: The folders' collectors, by path, as first collected: given again to later batches.
        self._folders: dict[Path, pytest.Directory] = {}

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.Directory):
            self._folders.setdefault(collector.path, collector)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(
        self, path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        """A folder collected in an earlier batch is the same collector in the later ones:
        pytest (9.1 and later) binds a conftest's fixtures to its folder's collector, so a
        new one would see none of them, and the session's fixtures (the kept stores) are
        then shared by every batch as by one."""
        return self._folders.get(path)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool:
        self._collect(session, 0)
        return True

    def _collect(self, session: pytest.Session, number: int) -> list[pytest.Item]:
        # pytest collects the tests in the order they are named
        items = list(session.perform_collect(self.batches[number]))
        session.items = items
        self.collected.append(len(items))
        session.testscollected = sum(self.collected)
        return items

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        for number in range(len(self.batches)):
            failed_before = session.testsfailed
            items = session.items if number == 0 else self._collect(session, number)
            if session.testsfailed > failed_before or (number == 0 and session.testsfailed):
                raise session.Interrupted(f"errors while collecting batch {number + 1}")
            last_batch = number == len(self.batches) - 1
            for place, item in enumerate(items):
                following: pytest.Item | _SessionOnly | None
                if place + 1 < len(items):
                    following = items[place + 1]
                else:
                    following = None if last_batch else _SessionOnly(session)
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
                if session.shouldfail:
                    raise session.Failed(session.shouldfail)
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
        return True
