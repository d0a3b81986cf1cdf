"""mutmut's clean run leaves out only what its first run passed on the same files."""

from __future__ import annotations

from pathlib import Path

from tests import mutation_clean


def _mutants(tmp_path: Path) -> Path:
    root = tmp_path / "mutants"
    (root / "src" / "chefintro").mkdir(parents=True)
    (root / "src" / "chefintro" / "rules.py").write_text("LIMIT = 3\n", "utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_rules.py").write_text("def test_limit(): ...\n", "utf-8")
    (root / "pyproject.toml").write_text("[tool.mutmut]\n", "utf-8")
    return root


def test_the_tests_a_first_run_passed_are_left_out_until_a_file_changes(tmp_path: Path) -> None:
    root = _mutants(tmp_path)
    assert mutation_clean.already_passed(root) == set()  # no first run yet
    mutation_clean.record_passed(root, ["tests/test_rules.py::test_limit"])
    assert mutation_clean.already_passed(root) == {"tests/test_rules.py::test_limit"}
    # A later first run of new tests only adds to them while nothing changed.
    mutation_clean.record_passed(root, ["tests/test_rules.py::test_new"])
    assert mutation_clean.already_passed(root) == {
        "tests/test_rules.py::test_limit",
        "tests/test_rules.py::test_new",
    }
    for changed in ("src/chefintro/rules.py", "tests/test_rules.py", "pyproject.toml"):
        path = root / changed
        before = path.read_bytes()
        path.write_bytes(before + b"# changed\n")
        assert mutation_clean.already_passed(root) == set(), changed
        path.write_bytes(before)
        assert len(mutation_clean.already_passed(root)) == 2
    # mutmut's results beside the mutated files do not: they change as mutants finish.
    (root / "src" / "chefintro" / "rules.py.meta").write_text('{"exit_code_by_key": {}}')
    assert len(mutation_clean.already_passed(root)) == 2
    # A new file counts (a new test module, a new sample workbook).
    (root / "sample_data").mkdir()
    (root / "sample_data" / "roster.xlsx").write_bytes(b"PK")
    assert mutation_clean.already_passed(root) == set()
    # After a change, a first run starts its record again: the earlier tests are not kept.
    mutation_clean.record_passed(root, ["tests/test_rules.py::test_new"])
    assert mutation_clean.already_passed(root) == {"tests/test_rules.py::test_new"}


def test_a_record_that_cannot_be_read_leaves_nothing_out(tmp_path: Path) -> None:
    root = _mutants(tmp_path)
    for text in ("", "[1, 2]", '{"fingerprint": 1}', "{not json"):
        (root / mutation_clean.RECORD).write_text(text, "utf-8")
        assert mutation_clean.already_passed(root) == set(), text
    fingerprint = mutation_clean.fingerprint(root)
    (root / mutation_clean.RECORD).write_text(
        f'{{"fingerprint": "{fingerprint}", "passed": ["a", 2, null]}}', "utf-8"
    )
    assert mutation_clean.already_passed(root) == {"a"}
