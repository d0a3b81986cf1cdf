"""`make mutate`'s choice of mutants: every pattern in MUTANTS (Makefile) names a function
that exists in a file mutmut mutates (pyproject.toml `[tool.mutmut] only_mutate`).

A pattern naming no function selects nothing, silently (docs/mutation-testing.md): a rule
function renamed or moved would drop out of the mutation score without anyone noticing.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

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
