# Everyday commands. `make demo` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-out

.PHONY: demo test lint bench setup clean dist install-check mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,postgres,dist]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/chefintro demo $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks sample_data
	$(BIN)/ruff format --check src tests benchmarks sample_data
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The sdist and the wheel a coordinator installs (README, Install), into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/uv build --out-dir dist

# Install that wheel with `uv tool install` outside the repository and run it (CI does).
install-check: dist
	UV=$(BIN)/uv bash .ci/install-smoke

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Mutation testing (mutmut) of the rule modules with their fast tests; slow, so not part of
# `make test`. The files and tests are set in pyproject.toml ([tool.mutmut]); MUTANTS picks
# the rule functions (a whole run takes well over an hour on two cores). Override it to
# widen or narrow a run, e.g. make mutate MUTANTS='chefintro.text.*' (the chosen mutants
# are always run again; the score counts every mutant with a result in mutants/).
MUTATE_JOBS ?= 2
MUTANTS ?= 'chefintro.text.*' 'chefintro.matching.scoring.*' 'chefintro.rules.*' \
	'chefintro.pairing.problem.x__load_side__*' 'chefintro.pairing.problem.x__pair_matrix__*' \
	'chefintro.pairing.problem.x_earlier_pairs__*' 'chefintro.pairing.problem.x_exclusion_pairs__*' \
	'chefintro.pairing.problem.x_pair_rule__*' 'chefintro.pairing.explain.x_unmatched__*' \
	'chefintro.pairing.explain.x__named_pair_facts__*' 'chefintro.pairing.explain.x__named_rule__*' \
	'chefintro.pairing.explain.x__named__*' 'chefintro.pairing.explain.x__unmatched_mentors__*' \
	'chefintro.pairing.problem.x?MatchingProblem?rule__*' \
	'chefintro.pairing.suggest.x_suggest__*' 'chefintro.pairing.manual.x__displaceable__*' \
	'chefintro.pairing.manual.x_exclude__*' 'chefintro.pairing.manual.x_remove_pair__*' \
	'chefintro.attendance.x__share__*' 'chefintro.attendance.x_required_sessions__*' \
	'chefintro.attendance.x_attendance_standing__*' 'chefintro.sessions.x_edit_session__*' \
	'chefintro.roster.load.roster_import.x_import_roster__*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?load_pairs__*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?load_attendance__*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?_attendance_columns__*' \
	'chefintro.roster.load.loader.x?Loader?need_cohort__*' 'chefintro.roster.load.loader.x?Loader?guarded__*' \
	'chefintro.privacy.erasure.x_erase_person__*' 'chefintro.privacy.footprint.x_footprint__*' \
	'chefintro.privacy.scrub.x_forget_in_others__*' 'chefintro.privacy.scrub.x__scrub__*' \
	'chefintro.privacy.scrub.x_needles_of__*' 'chefintro.privacy.footprint.x_exclusions_of__*' \
	'chefintro.privacy.footprint.x?Footprint?erasure__*'
MUTATE_STAMP := $(VENV)/.installed-dev

$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench,postgres,dev]"
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	env -u CHEFINTRO_TEST_PG -u CHEFINTRO_REQUIRE_PG $(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS) || true
	$(BIN)/mutmut results --all true | $(BIN)/python tests/mutation_score.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) dist .mypy_cache .ruff_cache .pytest_cache mutants
