# LLM Calls, Three Ways. Two commands matter: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Three workers, one notebook (or test file) each at a time: the notebooks mostly wait on streams and
# back-offs, so a third worker pays off even on two cores (see `make suite-times`).
PYTEST := $(BIN)/python -m pytest -n 3 --dist loadfile

.PHONY: help lab lab-side-by-side test lint serve bench suite-times format notebooks binder-urls binder-readme upgrade clean

help:
	@echo "make lab          create .venv if needed, install, open JupyterLab on the start page"
	@echo "make lab-side-by-side LESSON=01_chat_completion   a paired lesson's three notebooks side by side"
	@echo "make test         create .venv if needed, run every test (unit, notebooks, browser)"
	@echo "make lint         ruff over the tree, mypy --strict over helpers/ and tools/ (also part of make test)"
	@echo "make serve        run the mock OpenAI server on http://127.0.0.1:8000/v1"
	@echo "make bench        measure the mock server against a raw-socket floor"
	@echo "make format       normalise notebooks (metadata, navigation, lesson index)"
	@echo "make notebooks    re-run every lesson in a fresh kernel and store its outputs"
	@echo "make binder-urls  print Binder links derived from the git remote"
	@echo "make upgrade      move to the newest releases of every dependency and run the suite"

# The virtual environment is (re)built whenever the pinned requirements change.
$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

# A paired lesson's three notebooks side by side: make lab-side-by-side LESSON=03_streaming
LESSON ?= 01_chat_completion
lab-side-by-side: $(INSTALLED)
	$(BIN)/jupyter lab workspaces import workspaces/$(LESSON).jupyterlab-workspace
	$(BIN)/jupyter lab --LabApp.default_url=/lab/workspaces/$(LESSON)-side-by-side

# Lesson 03's watch cell streams at 6 tokens a second for a learner; the test run keeps the mock's usual
# 40 (LLM_CALLS_TOKENS_PER_SECOND is every mock's default pace, and that cell's too).
test: $(INSTALLED)
	LLM_CALLS_TOKENS_PER_SECOND=40 $(PYTEST)

# The lint and type gate on its own; `make test` runs it too (tests/test_lint.py).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy

serve: $(INSTALLED)
	$(BIN)/python -m helpers.mock --port 8000

bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_mock_server.py

# How long `make test` takes, phase by phase (install, unit tests, nbval, browser test).
suite-times:
	$(PYTHON) benchmarks/suite_times.py

# Normalise notebook metadata and rewrite navigation and the lesson index (idempotent).
format: $(INSTALLED)
	$(BIN)/python -m tools.notebooks format

# Re-run every lesson (or LESSONS="notebooks/x.ipynb ...") in a fresh kernel and store its outputs.
notebooks: $(INSTALLED)
	$(BIN)/python -m tools.notebooks execute $(LESSONS)

# Binder links for every lesson and side-by-side layout, derived from this clone's git remote.
# Standard library only (tools.binder_urls and tools.catalogue), so the system python3 runs it without .venv.
binder-urls:
	$(PYTHON) -m tools.binder_urls

# Rewrite the Binder badge in README.md from the git remote (run once the repository has its public home).
binder-readme:
	$(PYTHON) -m tools.binder_urls readme

# Re-resolve requirements.in to the newest releases, pin them, and prove the lessons still hold.
upgrade: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --upgrade -r requirements.in
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^llm-calls-three-ways' > requirements.lock.tmp
	{ echo '# Exact versions the stored notebook outputs were made with. Regenerate with `make upgrade`.'; \
	  echo '-e .'; cat requirements.lock.tmp; } > requirements.txt
	rm requirements.lock.tmp
	touch $(INSTALLED)
	$(PYTEST)

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis .mypy_cache .ruff_cache
