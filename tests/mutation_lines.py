"""Which of a mutant's tests can reach its change: line coverage from mutmut's first run.

mutmut records which tests *call* each function; a mutant then runs every one of them.
A function that every command calls has hundreds of such tests, and a mutant on a line
that few of them execute (an error branch, a rare case) ran them all when it survived.
A test that never executes the changed statement cannot tell the mutant from the
original: up to that statement the two run the same code. So in mutmut's first run
(the "stats" phase) tests/conftest.py also records line coverage per test (coverage.py,
one dynamic context per test) of the original functions' copies in ``mutants/src``,
and a mutant's run leaves out the tests that did not execute the statement it changes.

What a test executed through something it did not build itself counts as its own: a
store kept by an earlier test (tests/conftest.py ``StoreTemplates``) or a fixture of
module or session scope built in an earlier test's setup. In a mutant's run those are
built again, under the mutant, by whichever test needs them first.

Nothing is left out where the record cannot say: a change to a function's signature
(its defaults run when the function is defined, not when a line of it runs), a function
whose text changed since the record, a test the record has not seen.

Kept per module in ``mutants/chefintro-lines/<module>.json``::

    {"tests": [nodeid, ...],
     "functions": {"x_f__mutmut_orig": {"hash": sha256 of its text,
                                        "tests": [index, ...],     # seen when recorded
                                        "lines": {"7": [index, ...]}}}}  # line in its span
"""

from __future__ import annotations

import ast
import difflib
import fcntl
import hashlib
import importlib
import json
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

#: Under mutmut's working folder (``mutants/``), beside mutmut's own records.
LINES_DIR = Path("chefintro-lines")

Lines = dict[int, set[str]]  # line (1-based, in the function's span) -> tests


def module_and_function(mutant: str) -> tuple[str, str]:
    """``chefintro.cohorts.x_close_cohort__mutmut_3`` gives ``chefintro.cohorts`` and
    ``x_close_cohort__mutmut_3`` (methods' names have no dots: ``xǁCohortInfoǁto_json…``)."""
    module, _, function = mutant.rpartition(".")
    return module, function


def original_of(function: str) -> str:
    return function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"


def plain_name(copy: str) -> str:
    """The name in the source of mutmut's copy ``copy``: ``x_share__mutmut_orig`` is
    ``share``, ``xǁLoaderǁguarded__mutmut_orig`` is ``guarded``."""
    name = copy.rsplit("__mutmut_", 1)[0]
    return name.rsplit("\u01c1", 1)[1] if "\u01c1" in name else name.removeprefix("x_")


def source_file(root: Path, module: str) -> Path:
    path = root / "src" / Path(*module.split("."))
    package = path / "__init__.py"
    return package if package.is_file() else path.with_suffix(".py")


def spans_of(source: Path) -> dict[str, tuple[int, int]]:
    """mutmut's record of each function copy's first and last line in ``source``."""
    raw = json.loads(source.with_name(source.name + ".spans").read_text("utf-8"))
    return {name: (int(first), int(last)) for name, (first, last) in raw["spans"].items()}


def text_hash(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def changed_lines(original: list[str], mutant: list[str], names: tuple[str, str]) -> set[int]:
    """The lines (1-based) of ``original`` that ``mutant`` changes. The copies differ in
    their names (``names``: the original's, the mutant's), which is not a change. A line
    the mutant only adds counts as a change to the line before it."""
    renamed = [line.replace(names[1] + "(", names[0] + "(") for line in mutant]
    matcher = difflib.SequenceMatcher(None, original, renamed, autojunk=False)
    changed: set[int] = set()
    for tag, first, last, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            changed.update(range(first + 1, last + 1))
        elif tag == "insert":
            changed.add(max(first, 1))
    return changed


def change_text(original: list[str], mutant: list[str], names: tuple[str, str]) -> tuple[str, str]:
    """What ``mutant`` changes, as text: the lines it replaces and the lines it has there,
    each trimmed, joined by newlines (``("if total <= 0:", "if total < 0:")``). It names a
    mutant by what it does rather than by mutmut's number, which moves when the function
    gains or loses a mutant before it (tests/mutation_equivalents.toml)."""
    renamed = [line.replace(names[1] + "(", names[0] + "(") for line in mutant]
    matcher = difflib.SequenceMatcher(None, original, renamed, autojunk=False)
    plain = plain_name(names[0]) + "("
    before: list[str] = []
    after: list[str] = []
    for tag, first, last, m_first, m_last in matcher.get_opcodes():
        if tag != "equal":
            before.extend(
                line.replace(names[0] + "(", plain).strip() for line in original[first:last]
            )
            after.extend(
                line.replace(names[0] + "(", plain).strip() for line in renamed[m_first:m_last]
            )
    return "\n".join(before), "\n".join(after)


def mutant_change(root: Path, mutant: str) -> tuple[str, str] | None:
    """``change_text`` of a mutant in mutmut's folder ``root``; None when its copies are
    not there (mutmut made the mutants again since, or the module moved)."""
    module, function = module_and_function(mutant)
    original_name = original_of(function)
    try:
        source = source_file(root, module)
        spans = spans_of(source)
        text = source.read_text("utf-8").splitlines()
        (first, last), (m_first, m_last) = spans[original_name], spans[function]
    except (OSError, ValueError, KeyError):
        return None
    original, changed = text[first - 1 : last], text[m_first - 1 : m_last]
    return change_text(original, changed, (original_name, function))


Statement = ast.stmt | ast.excepthandler


def _children(node: ast.AST) -> list[Statement]:
    nested: list[Statement] = []
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            nested.extend(n for n in value if isinstance(n, Statement))
    return nested


def _own_lines(node: ast.AST) -> set[int]:
    """A statement's own lines: its span less the statements nested in it."""
    first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", None) or 0
    own = set(range(first, last + 1))
    for child in _children(node):
        own -= set(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return own


def statement_lines(original: list[str], line: int) -> set[int] | None:
    """The lines of which at least one runs whenever the statement holding ``line`` of
    the function ``original`` runs (its own lines, not those of statements nested in it);
    None when the line is the function's own signature or decorators, which run when the
    function is defined."""
    tree = ast.parse(textwrap.dedent("\n".join(original)))
    function = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None
    )
    if function is None:
        return None
    best: Statement | None = None
    for node in ast.walk(function):
        if node is function or not isinstance(node, Statement):
            continue
        end = node.end_lineno or node.lineno
        if node.lineno <= line <= end and (
            best is None or end - node.lineno <= (best.end_lineno or best.lineno) - best.lineno
        ):
            best = node
    return None if best is None else _own_lines(best)


def reaching_tests(root: Path, mutant: str) -> tuple[set[str], set[str]] | None:
    """The tests the record saw executing the statements ``mutant`` changes, and every
    test the record saw at all; None when the record cannot say (see the module's doc)."""
    module, function = module_and_function(mutant)
    original_name = original_of(function)
    try:
        record = json.loads((root / LINES_DIR / f"{module}.json").read_text("utf-8"))
        source = source_file(root, module)
        spans = spans_of(source)
        text = source.read_text("utf-8").splitlines()
        (first, last), (m_first, m_last) = spans[original_name], spans[function]
        entry = record["functions"][original_name]
    except (OSError, ValueError, KeyError):
        return None
    original, changed = text[first - 1 : last], text[m_first - 1 : m_last]
    if entry["hash"] != text_hash(original):
        return None
    lines: set[int] = set()
    for line in changed_lines(original, changed, (original_name, function)):
        own = statement_lines(original, line)
        if own is None:
            return None
        lines |= own
    names: list[str] = record["tests"]
    reached = {names[i] for line in lines for i in entry["lines"].get(str(line), ())}
    return reached, {names[i] for i in entry["tests"]}


def keep_reaching(nodeids: Iterable[str], found: tuple[set[str], set[str]] | None) -> list[str]:
    """Of a mutant's tests, those that reach its change or that the record did not see."""
    if found is None:
        return list(nodeids)
    reached, seen = found
    return [nodeid for nodeid in nodeids if nodeid in reached or nodeid not in seen]


def record_lines(
    root: Path,
    executed: Mapping[Path, Mapping[int, Iterable[str]]],
    tests: Iterable[str],
    inherits: Mapping[str, set[str]],
) -> None:
    """Keep what each test executed of each original function (``executed``: file, line,
    tests; ``test|fixture …`` for what a wider fixture's setup in that test ran), merged
    with the record of earlier runs where a function's text is unchanged. A test that
    ``inherits`` from another (its store or fixture) executed that one's lines too."""
    dependents: dict[str, set[str]] = {}
    for test, builders in inherits.items():
        for builder in builders:
            dependents.setdefault(builder, set()).add(test)
    seen = sorted(set(tests))
    real = set(seen)
    (root / LINES_DIR).mkdir(exist_ok=True)
    # The workers of a spread first run (tests/mutation_spread.py) each merge the tests
    # they ran into the same files: one at a time.
    with (root / LINES_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _record(root, executed, seen, real, dependents)


def _record(
    root: Path,
    executed: Mapping[Path, Mapping[int, Iterable[str]]],
    seen: list[str],
    real: set[str],
    dependents: Mapping[str, set[str]],
) -> None:
    for path, by_line in executed.items():
        source = path if path.is_absolute() else root / path
        module = ".".join(
            source.resolve().relative_to((root / "src").resolve()).with_suffix("").parts
        )
        module = module.removesuffix(".__init__")
        text = source.read_text("utf-8").splitlines()
        functions: dict[str, tuple[str, Lines]] = {}
        for name, (first, last) in spans_of(source).items():
            if not name.endswith("__mutmut_orig"):
                continue
            lines: Lines = {}
            for line in range(first, last + 1):
                ran = set(by_line.get(line, ()))
                # A fixture's setup ("test|fixture …") ran in its building test too.
                ran |= {name.split("|", 1)[0] for name in ran}
                for test in list(ran):
                    ran |= dependents.get(test, set())
                ran &= real  # not the fixtures' own names
                if ran:
                    lines[line - first + 1] = ran
            functions[name] = (text_hash(text[first - 1 : last]), lines)
        _merge(root / LINES_DIR / f"{module}.json", functions, seen)


def _merge(file: Path, functions: Mapping[str, tuple[str, Lines]], seen: list[str]) -> None:
    try:
        old = json.loads(file.read_text("utf-8"))
        old_names: list[str] = old["tests"]
        old_functions: dict[str, dict[str, object]] = old["functions"]
    except (OSError, ValueError, KeyError):
        old_names, old_functions = [], {}
    names = sorted(set(old_names) | set(seen))
    index = {name: i for i, name in enumerate(names)}
    merged: dict[str, dict[str, object]] = {}
    for name, (digest, lines) in functions.items():
        tests, by_line = set(seen), {line: set(ran) for line, ran in lines.items()}
        before = old_functions.get(name)
        if before is not None and before.get("hash") == digest:
            tests |= {old_names[i] for i in before["tests"]}  # type: ignore[attr-defined]
            for line, ran in before["lines"].items():  # type: ignore[attr-defined]
                by_line.setdefault(int(line), set()).update(old_names[i] for i in ran)
        merged[name] = {
            "hash": digest,
            "tests": sorted(index[t] for t in tests),
            "lines": {str(line): sorted(index[t] for t in ran) for line, ran in by_line.items()},
        }
    file.write_text(json.dumps({"tests": names, "functions": merged}), "utf-8")


class LineRecorder:
    """A pytest plugin for mutmut's first run: what each test executes of the mutated
    files' original functions, one coverage.py context per test (``root``: mutmut's
    working folder). A wider-scoped fixture's setup is recorded under a name of its own,
    which the tests that use that instance of it inherit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tests: list[str] = []
        self.inherits: dict[str, set[str]] = {}
        self._contexts: list[str] = [""]
        self._instances: dict[int, str] = {}  # id(FixtureDef) -> its latest setup's name
        self._stores: dict[Path, set[str]] = {}
        files = sorted(
            p.with_name(p.name.removesuffix(".spans")) for p in (root / "src").rglob("*.py.spans")
        )
        coverage = importlib.import_module("coverage")  # the dev extra, as mutmut is
        self._coverage = coverage.Coverage(
            data_file=None, config_file=False, include=[str(f.resolve()) for f in files]
        )
        self._coverage.start()

    @property
    def current(self) -> str:
        return self._contexts[-1].split("|", 1)[0]

    def _switch(self, context: str) -> None:
        self._contexts[-1] = context
        self._coverage.switch_context(context)

    def _inherit(self, test: str, names: set[str]) -> None:
        if test:
            self.inherits.setdefault(test, set()).update(names - {test})

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.tests.append(nodeid)
        self._contexts = [""]
        self._switch(nodeid)

    def pytest_runtest_logfinish(self) -> None:
        self._contexts = [""]
        self._switch("")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Iterator[None]:
        if fixturedef.scope == "function" or not self.current:
            yield
            return
        name = f"{self.current}|fixture {fixturedef.argname} #{len(self._instances)}"
        self._instances[id(fixturedef)] = name
        self._contexts.append(name)
        self._coverage.switch_context(name)
        try:
            yield
        finally:
            self._contexts.pop()
            self._coverage.switch_context(self._contexts[-1])

    def pytest_runtest_call(self, item: pytest.Item) -> None:
        """After setup: the wider fixtures this test uses, whoever built them."""
        info = getattr(item, "_fixtureinfo", None)
        for defs in getattr(info, "name2fixturedefs", {}).values():
            for fixturedef in defs:
                built = self._instances.get(id(fixturedef))
                if built is not None:
                    self._inherit(self.current, {built})

    def kept(self, store: Path) -> None:
        """The running test's store was kept: whoever restores it ran what this test ran."""
        test = self.current
        if test:
            self._stores[store] = {test} | self.inherits.get(test, set())

    def restored(self, store: Path) -> None:
        self._inherit(self.current, self._stores.get(store, set()))

    def finish(self) -> None:
        """Stop measuring and keep the record (see :func:`record_lines`)."""
        self._coverage.stop()
        data = self._coverage.get_data()
        executed: dict[Path, dict[int, set[str]]] = {}
        for file in data.measured_files():
            by_line: dict[int, set[str]] = {}
            for line, contexts in data.contexts_by_lineno(file).items():
                names = {c for c in contexts if c}
                if names:
                    by_line[line] = names
            executed[Path(file)] = by_line
        record_lines(self.root, executed, self.tests, self.inherits)
