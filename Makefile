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

# The tests run in TEST_JOBS processes (pytest-xdist); each test has its own store, so
# they do not meet. TEST_JOBS=0 runs them in this one process.
TEST_JOBS ?= 2

test: lint
	$(BIN)/pytest -n $(TEST_JOBS)

# The sdist and the wheel a coordinator installs (README, Install), into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/uv build --out-dir dist

# Install that wheel with `uv tool install` outside the repository and run it (CI does).
install-check: dist
	UV=$(BIN)/uv bash .ci/install-smoke

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Mutation testing (mutmut) of the rule modules; slow, so not part of `make test`. The files
# are set in pyproject.toml ([tool.mutmut]); MUTANTS picks the rule functions. Each mutant
# runs only the tests that called its function in mutmut's first run, fastest first
# (docs/mutation-testing.md). Override MUTANTS to widen or narrow a run, e.g.
# make mutate MUTANTS='chefintro.text.*' (the chosen mutants are always run again; the
# score counts every mutant with a result in mutants/).
MUTATE_JOBS ?= 2
# 0: each mutant runs all the tests that reach it (the score). A number of seconds gives a
# quicker first pass that runs only the first tests up to that time, whose survivors must
# be run again without it (docs/mutation-testing.md: it hid more than half the kills).
MUTATE_BUDGET ?= 0
MUTANTS ?= 'chefintro.text.*' 'chefintro.matching.scoring.*' 'chefintro.rules.*' \
	'chefintro.pairing.problem.x__load_side*' 'chefintro.pairing.problem.x__pair_matrix*' \
	'chefintro.pairing.problem.x_earlier_pairs*' 'chefintro.pairing.problem.x_exclusion_pairs*' \
	'chefintro.pairing.problem.x_pair_rule*' 'chefintro.pairing.explain.x_unmatched*' \
	'chefintro.pairing.explain.x__named_pair_facts*' 'chefintro.pairing.explain.x__named_rule*' \
	'chefintro.pairing.explain.x__named*' 'chefintro.pairing.explain.x__unmatched_mentors*' \
	'chefintro.pairing.problem.x?MatchingProblem?rule*' \
	'chefintro.pairing.suggest.x_suggest*' 'chefintro.pairing.manual.x__displaceable*' \
	'chefintro.pairing.manual.x_exclude*' 'chefintro.pairing.manual.x_remove_pair*' \
	'chefintro.attendance.x__share*' 'chefintro.attendance.x_required_sessions*' \
	'chefintro.attendance.x_attendance_standing*' 'chefintro.sessions.x_edit_session*' \
	'chefintro.roster.load.roster_import.x_import_roster*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?load_pairs*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?load_attendance*' \
	'chefintro.roster.load.programme.x?ProgrammeLoader?_attendance_columns*' \
	'chefintro.roster.load.loader.x?Loader?need_cohort*' 'chefintro.roster.load.loader.x?Loader?guarded*' \
	'chefintro.privacy.erasure.x_erase_person*' 'chefintro.privacy.footprint.x_footprint*' \
	'chefintro.privacy.scrub.x_forget_in_others*' 'chefintro.privacy.scrub.x__scrub*' \
	'chefintro.privacy.scrub.x_needles_of*' 'chefintro.privacy.footprint.x_exclusions_of*' \
	'chefintro.privacy.footprint.x?Footprint?erasure*' \
	'chefintro.messages.content.x_intro_messages*' 'chefintro.messages.content.x_group_messages*' \
	'chefintro.messages.content.x_reminder_messages*' 'chefintro.messages.content.x__people*' \
	'chefintro.messages.content.x__check_cohort*' 'chefintro.messages.records.x_sent_to*' \
	'chefintro.messages.records.x_claim*' 'chefintro.messages.records.x_confirm*' \
	'chefintro.messages.records.x_release*' 'chefintro.messages.records.x_rename_person*' \
	'chefintro.messages.records.x_forget_person*' 'chefintro.messages.records.x_pair_key*' \
	'chefintro.messages.records.x_group_key*' 'chefintro.messages.records.x_session_key*' \
	'chefintro.messages.service.x__outgoing*' 'chefintro.messages.service.x_prepare_batch*' \
	'chefintro.messages.service.x_send_batch*' 'chefintro.messages.service.x__claim*' \
	'chefintro.messages.service.x__settle*' \
	'chefintro.followup.status.x_status_of*' 'chefintro.followup.status.x_pair_statuses*' \
	'chefintro.followup.status.x__pairs_query*' 'chefintro.followup.rematch.x__place*' \
	'chefintro.surveys.answers.x__respondents*' 'chefintro.surveys.answers.x__store_answers*' \
	'chefintro.followup.meetings.x_check_meeting_day*' 'chefintro.followup.meetings.x_check_minutes*' \
	'chefintro.followup.meetings.x_record_meeting*' 'chefintro.followup.ending.x_end_pair*' \
	'chefintro.followup.ending.x_end_reason*' 'chefintro.followup.rematch.x_rematch*' \
	'chefintro.surveys.report.x_visible_groups*' 'chefintro.surveys.answers.x_import_answers*' \
	'chefintro.yearend.x_completion_report*' 'chefintro.yearend.x_days_present*' \
	'chefintro.store.snapshots.x__prune*' 'chefintro.store.snapshots.x__files*' \
	'chefintro.store.snapshots.x_snapshot_path*' 'chefintro.store.snapshots.x_legacy_snapshots*' \
	'chefintro.store.journal.x_plan_undo*' 'chefintro.store.journal.x_read_journal*' \
	'chefintro.cohorts.x_close_cohort*' 'chefintro.cohorts.x_check_closable*' \
	'chefintro.cohorts.x_days_ahead*' 'chefintro.cohorts.x_reopen_cohort*' \
	'chefintro.cohorts.x_require_open*' 'chefintro.cohorts.x_reinstate_participant*' \
	'chefintro.intake.*'
MUTATE_STAMP := $(VENV)/.installed-dev

$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench,postgres,dev]"
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	env -u CHEFINTRO_TEST_PG -u CHEFINTRO_REQUIRE_PG CHEFINTRO_MUTANT_BUDGET=$(MUTATE_BUDGET) $(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS) || true
	$(BIN)/mutmut results --all true | $(BIN)/python -m tests.mutation_score

clean:
	rm -rf $(VENV) $(DEMO_DIR) dist .mypy_cache .ruff_cache .pytest_cache mutants
