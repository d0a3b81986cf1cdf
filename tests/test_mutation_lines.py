"""Which of a mutant's tests its run keeps (tests/mutation_lines.py): those that executed
the statement it changes, never fewer, on mutmut's files as mutmut writes them."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.mutation_lines import (
    LINES_DIR,
    change_text,
    changed_lines,
    keep_reaching,
    mutant_change,
    plain_name,
    reaching_tests,
    record_lines,
    statement_lines,
)
from tests.mutation_score import Equivalent, classify, named_equivalent, report

ORIGINAL = textwrap.dedent(
    '''\


    def x_share__mutmut_orig(done: int, total: int, floor: int = 0) -> int:
        """A share."""
        if total <= 0:
            return floor
        try:
            value = round(
                done * 100 / total
            )
        except ZeroDivisionError:
            value = -1
        return value
    '''
).splitlines()

# The lines of ORIGINAL (1-based, in its span): the signature is 3, `if total <= 0:` 5,
# `return floor` 6, `value = round(` 8 to 10, `except ZeroDivisionError:` 11, `return value` 13.


def _mutant(number: int, old: str, new: str) -> list[str]:
    text = "\n".join(ORIGINAL).replace("x_share__mutmut_orig(", f"x_share__mutmut_{number}(")
    assert old in text
    return text.replace(old, new, 1).splitlines()


NAMES = ("x_share__mutmut_orig", "x_share__mutmut_1")


def test_the_copies_names_are_not_a_change_but_their_defaults_are() -> None:
    assert changed_lines(ORIGINAL, _mutant(1, "total <= 0", "total < 0"), NAMES) == {5}
    assert changed_lines(ORIGINAL, _mutant(1, "floor: int = 0", "floor: int = 1"), NAMES) == {3}


def test_a_mutant_that_joins_lines_changes_all_of_them() -> None:
    joined = _mutant(1, "round(\n            done * 100 / total\n        )", "round(None)")
    assert changed_lines(ORIGINAL, joined, NAMES) == {8, 9, 10}


def test_a_statement_is_its_own_lines_not_those_nested_in_it() -> None:
    assert statement_lines(ORIGINAL, 5) == {5}  # the if's test, not its body
    assert statement_lines(ORIGINAL, 6) == {6}
    assert statement_lines(ORIGINAL, 9) == {8, 9, 10}  # any line of a multi-line statement
    assert statement_lines(ORIGINAL, 11) == {11}  # the handler's clause


def test_a_change_to_the_signature_keeps_every_test() -> None:
    assert statement_lines(ORIGINAL, 3) is None


def _mutants_folder(tmp_path: Path, mutant: list[str]) -> Path:
    """A mutants/ folder as mutmut writes it: the module with both copies, and their spans."""
    source = tmp_path / "src" / "chefintro" / "shares.py"
    source.parent.mkdir(parents=True)
    source.write_text("\n".join([*ORIGINAL, *mutant]) + "\n", "utf-8")
    spans = {
        "x_share__mutmut_orig": [1, len(ORIGINAL)],
        "x_share__mutmut_1": [len(ORIGINAL) + 1, len(ORIGINAL) + len(mutant)],
    }
    source.with_name("shares.py.spans").write_text(json.dumps({"spans": spans}), "utf-8")
    return tmp_path


def _record(root: Path, lines: dict[int, set[str]], tests: list[str], **inherits: set[str]) -> None:
    source = root / "src" / "chefintro" / "shares.py"
    record_lines(root, {source: lines}, tests, inherits)


MUTANT = "chefintro.shares.x_share__mutmut_1"
TESTS = ["t::zero", "t::half", "t::whole"]


def test_a_mutant_runs_the_tests_that_reached_its_statement_and_those_never_recorded(
    tmp_path: Path,
) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "return floor", "return None"))
    _record(root, {3: set(TESTS), 5: set(TESTS), 6: {"t::zero"}, 8: {"t::half", "t::whole"}}, TESTS)
    found = reaching_tests(root, MUTANT)
    assert found == ({"t::zero"}, set(TESTS))
    listed = ["t::whole", "t::zero", "t::new", "t::half"]
    assert keep_reaching(listed, found) == ["t::zero", "t::new"]


def test_what_a_kept_store_or_fixture_ran_counts_for_every_test_that_used_it(
    tmp_path: Path,
) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "return floor", "return None"))
    _record(
        root,
        {6: {"t::zero|fixture year #0"}, 5: {"t::zero"}},
        TESTS,
        **{"t::half": {"t::zero|fixture year #0"}, "t::whole": {"t::zero"}},
    )
    found = reaching_tests(root, MUTANT)
    assert found is not None
    assert found[0] == set(TESTS)


def test_a_function_changed_since_the_record_keeps_every_test(tmp_path: Path) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "return floor", "return None"))
    _record(root, {6: {"t::zero"}}, TESTS)
    source = root / "src" / "chefintro" / "shares.py"
    source.write_text(source.read_text("utf-8").replace("A share.", "A share, rounded."), "utf-8")
    assert reaching_tests(root, MUTANT) is None
    assert keep_reaching(TESTS, None) == TESTS


def test_a_signature_mutant_or_a_missing_record_keeps_every_test(tmp_path: Path) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "floor: int = 0", "floor: int = 1"))
    assert reaching_tests(root, MUTANT) is None  # nothing recorded yet
    _record(root, {6: {"t::zero"}}, TESTS)
    assert reaching_tests(root, MUTANT) is None


def test_a_later_run_of_new_tests_adds_to_the_record(tmp_path: Path) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "return floor", "return None"))
    _record(root, {6: {"t::zero"}}, TESTS)
    _record(root, {6: {"t::new"}}, ["t::new"])
    assert reaching_tests(root, MUTANT) == ({"t::zero", "t::new"}, {*TESTS, "t::new"})
    record = json.loads((root / LINES_DIR / "chefintro.shares.json").read_text("utf-8"))
    assert sorted(record["tests"]) == sorted([*TESTS, "t::new"])


RECORDED = """
import pytest
from fakepkg.shares import share


@pytest.fixture(scope="module")
def year():
    return share(0, 0)  # the "if total <= 0" branch, in the first test's setup only


def test_zero(year):
    assert year == 0


def test_half():
    assert share(1, 2) == 50


def test_uses_the_year(year):
    assert year == 0
"""

CONFTEST = """
from pathlib import Path
from tests.mutation_lines import LineRecorder

recorder = None


def pytest_configure(config):
    global recorder
    recorder = LineRecorder(Path.cwd())
    config.pluginmanager.register(recorder)


def pytest_sessionfinish(session):
    recorder.finish()
"""


@pytest.mark.skipif(
    bool(os.environ.get("MUTANT_UNDER_TEST")), reason="a mutation run measures coverage itself"
)
def test_the_recorder_records_each_tests_lines_and_whose_fixture_it_used(tmp_path: Path) -> None:
    """A real pytest session under the recorder: what a module fixture's setup ran counts
    for the test that built it and for the later test that used it."""
    pytest.importorskip("coverage")
    source = tmp_path / "src" / "fakepkg" / "shares.py"
    source.parent.mkdir(parents=True)
    (source.parent / "__init__.py").write_text("", "utf-8")
    code = (
        "\n".join(ORIGINAL)
        + "\n\n\ndef share(done, total):\n    return x_share__mutmut_orig(done, total)\n"
    )
    source.write_text(code, "utf-8")
    spans = {"x_share__mutmut_orig": [1, len(ORIGINAL)]}
    source.with_name("shares.py.spans").write_text(json.dumps({"spans": spans}), "utf-8")
    (tmp_path / "test_shares.py").write_text(RECORDED, "utf-8")
    (tmp_path / "conftest.py").write_text(CONFTEST, "utf-8")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "src"), str(root)])}
    env.pop("MUTANT_UNDER_TEST", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads((tmp_path / LINES_DIR / "fakepkg.shares.json").read_text("utf-8"))
    names, lines = record["tests"], record["functions"]["x_share__mutmut_orig"]["lines"]
    ran = {
        int(line): {names[i].rpartition("::")[2] for i in tests} for line, tests in lines.items()
    }
    assert ran[6] == {"test_zero", "test_uses_the_year"}  # return floor: the fixture's
    assert ran[8] == {"test_half"}
    assert ran[5] == {"test_zero", "test_half", "test_uses_the_year"}


def test_a_mutants_run_copies_only_stores_its_function_took_no_part_in_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/conftest.py: the first run's kept stores, shared with the mutants' runs."""
    from tests import conftest

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "rules.py").write_text("LIMIT = 1\n", "utf-8")
    (tmp_path / "mutants").mkdir()
    monkeypatch.chdir(tmp_path / "mutants")
    conftest._source_fingerprint.cache_clear()
    try:
        kept = tmp_path / "session" / "network@none"  # the first run's session copy
        (kept / "store").mkdir(parents=True)
        monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
        conftest._share(kept, {"chefintro.registry.x_add_agency"})
        shutil.rmtree(kept)  # a mutant's run has no session copy of its own yet
        shared = conftest.SHARED_STORES / "network@none"
        assert (shared / "store").is_dir()

        monkeypatch.setenv("MUTANT_UNDER_TEST", "chefintro.pairing.manual.x_remove_pair__mutmut_3")
        assert conftest.StoreTemplates._shared(kept) == shared
        monkeypatch.setenv("MUTANT_UNDER_TEST", "chefintro.registry.x_add_agency__mutmut_7")
        assert conftest.StoreTemplates._shared(kept) is None  # built by its function
        monkeypatch.setenv("MUTANT_UNDER_TEST", "chefintro.pairing.manual.x_remove_pair__mutmut_3")
        monkeypatch.setenv("CHEFINTRO_MUTANT_STORES", "0")
        assert conftest.StoreTemplates._shared(kept) is None
        monkeypatch.delenv("CHEFINTRO_MUTANT_STORES")

        (tmp_path / "src" / "rules.py").write_text("LIMIT = 2\n", "utf-8")  # the code moved on
        conftest._source_fingerprint.cache_clear()
        assert conftest.StoreTemplates._shared(kept) is None
    finally:
        conftest._source_fingerprint.cache_clear()


# The score (tests/mutation_score.py): equivalent mutants named by what they change.


def test_a_mutant_is_named_by_the_lines_it_replaces_and_what_it_has_there(tmp_path: Path) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "total <= 0", "total < 0"))
    assert mutant_change(root, MUTANT) == ("if total <= 0:", "if total < 0:")
    joined = _mutant(1, "round(\n            done * 100 / total\n        )", "round(None)")
    assert change_text(ORIGINAL, joined, NAMES) == (
        "value = round(\ndone * 100 / total\n)",
        "value = round(None)",
    )
    assert mutant_change(root, "chefintro.shares.x_share__mutmut_2") is None
    default = _mutant(1, "floor: int = 0", "floor: int = 1")
    assert change_text(ORIGINAL, default, NAMES) == (
        "def share(done: int, total: int, floor: int = 0) -> int:",
        "def share(done: int, total: int, floor: int = 1) -> int:",
    )
    assert plain_name("x\u01c1Loader\u01c1guarded__mutmut_orig") == "guarded"


def _score(
    results: dict[str, str], changes: dict[str, tuple[str, str] | None], *named: Equivalent
) -> tuple[bool, str, dict[str, str]]:
    classified, stale = classify(results, changes, named)
    out = io.StringIO()
    return report(classified, changes, stale, out), out.getvalue(), classified


def test_a_named_equivalent_is_counted_apart_and_any_other_survivor_is_listed() -> None:
    function = "chefintro.shares.x_share"
    results = {f"{function}__mutmut_{n}": "killed" for n in range(1, 9)}
    results |= {f"{function}__mutmut_9": "survived", f"{function}__mutmut_10": "no tests"}
    changes: dict[str, tuple[str, str] | None] = {
        f"{function}__mutmut_9": ("if total <= 0:", "if total < 0:"),
        f"{function}__mutmut_10": ("return floor", "return None"),
    }
    same = Equivalent(function, "if total <= 0:", "if total < 0:", "total is never 0")
    ok, text, classified = _score(results, changes, same)
    assert classified[f"{function}__mutmut_9"] == "equivalent"
    assert not ok  # 8 of 9 counted: 88.9 %
    assert "chefintro.shares" in text and "88.9%" in text and "below 90%" in text
    assert f"{function}__mutmut_10 (no tests): 'return floor' -> 'return None'" in text
    assert "__mutmut_9 (" not in text

    other = Equivalent(function, "return floor", "return None", "floor is never read")
    ok, text, _ = _score(results, changes, same, other)
    assert ok and "100.0%" in text and "Not caught" not in text


def test_a_named_equivalent_that_a_test_now_catches_is_reported_as_stale() -> None:
    function = "chefintro.shares.x_share"
    results = {f"{function}__mutmut_1": "killed", "chefintro.other.x_f__mutmut_1": "not checked"}
    changes: dict[str, tuple[str, str] | None] = {}
    caught = Equivalent(function, "if total <= 0:", "if total < 0:", "wrong")
    elsewhere = Equivalent("chefintro.other.x_f", "a", "b", "not run this time")
    ok, text, _ = _score(results, changes, caught, elsewhere)
    assert ok
    assert "Named equivalent but not left by this run" in text and "'if total <= 0:'" in text
    assert "chefintro.other.x_f" not in text


def test_a_mutant_named_equivalent_is_found_by_its_change_whatever_its_number(
    tmp_path: Path,
) -> None:
    root = _mutants_folder(tmp_path, _mutant(1, "total <= 0", "total < 0"))
    named = [
        Equivalent("chefintro.shares.x_share", "return floor", "return None", "other change"),
        Equivalent("chefintro.shares.x_share", "if total <= 0:", "if total < 0:", "never 0"),
    ]
    assert named_equivalent(root, MUTANT, named) == named[1]
    assert named_equivalent(root, MUTANT, named[:1]) is None
    other = Equivalent("chefintro.shares.x_other", "if total <= 0:", "if total < 0:", "elsewhere")
    assert named_equivalent(root, MUTANT, [other]) is None
    assert named_equivalent(root, "chefintro.shares.x_share__mutmut_7", named) is None
