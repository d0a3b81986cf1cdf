"""mutmut's clean run, taken from its first run when nothing changed in between.

Before the mutants, mutmut runs every chosen test once more on the unmutated code (the
"clean run"), in one process, to be sure they pass: on this project about as long as the
whole suite. Its first run (the "stats") has just run the same tests on the same code, and
stops the run when one fails. So the first run records which tests passed, with a
fingerprint of what they ran (the mutated copy of the source, the tests, the sample data,
the configuration: every file mutmut copied into ``mutants/``); the clean run leaves out
the tests recorded as passed under the same fingerprint and runs the others. A first run
of new tests only (mutmut keeps its record between runs) adds to the tests recorded when
the fingerprint is still the same, and starts a new record when it is not, so a test that
passed before a change is run again after it. ``CHEFINTRO_MUTANT_CLEAN=run`` runs them all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

#: The record, in ``mutants/`` (the run's current folder).
RECORD = Path("chefintro-clean.json")
#: What the tests run on: the folders and files mutmut copies into ``mutants/``.
COPIED = ("src", "tests", "sample_data", "pyproject.toml")
#: mutmut's record of each mutated file's results, beside it in ``mutants/src``: written
#: as mutants finish, read by no test.
RESULTS = ".meta"


def fingerprint(root: Path) -> str:
    """A digest of every file the tests can run or read under ``root`` (``mutants/``):
    not mutmut's results, which change as the mutants run."""
    digest = hashlib.sha256()
    for name in COPIED:
        top = root / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == RESULTS:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def record_passed(root: Path, passed: Iterable[str]) -> None:
    """After a first run that passed: keep ``passed`` under the current fingerprint,
    beside those kept under the same fingerprint before."""
    current = fingerprint(root)
    kept = _read(root)
    earlier = _names(kept) if kept.get("fingerprint") == current else set()
    record = {"fingerprint": current, "passed": sorted(earlier | set(passed))}
    (root / RECORD).write_text(json.dumps(record), "utf-8")


def already_passed(root: Path) -> set[str]:
    """The tests that passed in a first run of exactly what is under ``root`` now."""
    kept = _read(root)
    if not kept or kept.get("fingerprint") != fingerprint(root):
        return set()
    return _names(kept)


def _names(kept: dict[str, object]) -> set[str]:
    names = kept.get("passed")
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _read(root: Path) -> dict[str, object]:
    try:
        kept = json.loads((root / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}
