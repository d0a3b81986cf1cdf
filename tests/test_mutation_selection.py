"""`make mutate`'s choice of mutants: every pattern in MUTANTS (Makefile) names a function
that exists in a file mutmut mutates (pyproject.toml `[tool.mutmut] only_mutate`).

A pattern naming no function selects nothing, silently (docs/mutation-testing.md): a rule
function renamed or moved would drop out of the mutation score without anyone noticing.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import sys
import tomllib
import types
from pathlib import Path

import pytest

from tests.conftest import StoreTemplates, mutant_words, names_any, within_budget
from tests.mutation_score import EQUIVALENTS, load_equivalents

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = ROOT / "Makefile"


def mutmut_names(source: Path, module: str) -> set[str]:
    """The names mutmut gives the functions and methods of one file, as patterns match them
    (`chefintro.text.x_clean_text`, `chefintro.pairing.problem.xǁMatchingProblemǁrule`)."""
    names = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(f"{module}.x_{node.name}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{module}.x\u01c1{node.name}\u01c1{item.name}")
    return names


def chosen_patterns(makefile: str) -> list[str]:
    """The quoted patterns of the `MUTANTS ?=` assignment and its continuation lines."""
    match = re.search(r"^MUTANTS \?=((?:.*\\\n)*.*)$", makefile, flags=re.MULTILINE)
    assert match is not None, "no MUTANTS ?= in the Makefile"
    return re.findall(r"'([^']+)'", match.group(1))


def mutated_names() -> set[str]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for glob in settings["tool"]["mutmut"]["only_mutate"]:
        for path in sorted(ROOT.glob(glob)):
            module = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
            names |= mutmut_names(path, module)
    return names


@pytest.mark.skipif(not MAKEFILE.exists(), reason="mutmut's copy of the tests has no Makefile")
def test_every_pattern_make_mutate_chooses_names_a_mutated_function() -> None:
    patterns = chosen_patterns(MAKEFILE.read_text(encoding="utf-8"))
    names = mutated_names()
    assert len(patterns) > 50
    naming_none = [p for p in patterns if not fnmatch.filter(names, p)]
    assert naming_none == []


@pytest.mark.skipif(not MAKEFILE.exists(), reason="mutmut's copy of the tests has no Makefile")
def test_every_named_equivalent_mutant_names_a_chosen_function_and_a_reason() -> None:
    patterns = chosen_patterns(MAKEFILE.read_text(encoding="utf-8"))
    names = mutated_names()
    for entry in load_equivalents(EQUIVALENTS):
        assert entry.reason.strip() and entry.before != entry.after, entry
        assert entry.function in names, entry
        assert any(fnmatch.fnmatch(entry.function + "__mutmut_1", p) for p in patterns), entry


class _MutmutState:
    """Stands in for mutmut's state: the functions the running test has called."""

    def __init__(self) -> None:
        self._stats: set[str] = set()


def test_a_store_copy_in_mutmuts_first_run_records_the_functions_that_built_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In mutmut's first run a test that gets a kept store is recorded as calling what
    built it: else a mutant of, say, the roster import would be tried only against the
    one test that happened to build the store, and survive the others."""
    recorded = _MutmutState()
    fake = types.ModuleType("mutmut.state")
    fake.state = lambda: recorded  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mutmut.state", fake)
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
    monkeypatch.chdir(tmp_path)  # nothing is shared outside mutmut's folder either way
    templates = StoreTemplates(tmp_path / "kept")
    (tmp_path / "kept").mkdir()

    def a_test(name: str) -> Path:
        store = tmp_path / name / "store"
        monkeypatch.setenv("CHEFINTRO_DB", str(store / "chefintro.db"))
        recorded._stats.clear()  # mutmut empties it after each test
        return store

    # The first test builds the empty store, then a year on it, and keeps both.
    store = a_test("first")
    assert not templates.restore("init", "")
    store.mkdir(parents=True)
    (store / "chefintro.db").write_text("empty store")
    recorded._stats |= {"chefintro.store.x_init"}
    templates.keep("init", "")
    recorded._stats |= {"chefintro.roster.x_import_roster"}
    templates.keep("year", "init")

    # A later test that copies the year calls nothing itself, yet is recorded with both.
    store = a_test("second")
    assert templates.restore("year", "init")
    assert (store / "chefintro.db").read_text() == "empty store"
    assert recorded._stats == {"chefintro.store.x_init", "chefintro.roster.x_import_roster"}

    # One that copies only the empty store is recorded with init's functions alone.
    a_test("third")
    assert templates.restore("init", "")
    assert recorded._stats == {"chefintro.store.x_init"}


def test_without_mutmuts_record_its_first_run_keeps_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If mutmut's record of called functions is not where we look, nothing is copied in
    its first run: every test builds its own store and is recorded against its builders."""
    monkeypatch.setitem(sys.modules, "mutmut.state", types.ModuleType("mutmut.state"))
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
    monkeypatch.setenv("CHEFINTRO_DB", str(tmp_path / "store" / "chefintro.db"))
    assert StoreTemplates.store_folder() is None
    monkeypatch.setenv("MUTANT_UNDER_TEST", "")
    assert StoreTemplates.store_folder() == tmp_path / "store"


def test_a_mutant_runs_its_fastest_tests_up_to_the_budget_and_always_one() -> None:
    assert within_budget([0.5, 1.0, 2.0, 4.0], 3.5) == 3  # 0.5 + 1 + 2 = 3.5
    assert within_budget([0.5, 1.0, 2.0, 4.0], 3.4) == 2
    assert within_budget([9.0, 1.0], 3.0) == 1  # one test even over the budget
    assert within_budget([0.5, 1.0, 2.0, 4.0], 100.0) == 4
    assert within_budget([0.5, 1.0, 2.0, 4.0], 0.0) == 4  # no budget: every test
    assert within_budget([], 3.0) == 0


def test_a_mutants_tests_named_after_its_module_or_function_are_found() -> None:
    words = mutant_words("chefintro.intake.participants.x_no_wish_for_oneself__mutmut_3")
    assert words == {"intake", "participants", "wish", "oneself"}
    method = mutant_words("chefintro.roster.load.loader.x\u01c1Loader\u01c1need_cohort__mutmut_1")
    assert method == {"roster", "load", "loader", "need", "cohort"}
    assert names_any("tests/test_intake_checks.py::test_x", words)
    assert names_any("tests/test_consent.py::test_a_wish_for_a_mentor", words)
    assert not names_any("tests/test_text.py::test_e_acute_sorts_with_e", words)
