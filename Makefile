# LLM Calls, Three Ways. Two commands matter: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Three workers, one notebook (or test file) each at a time: the notebooks mostly wait on streams and
# back-offs, so a third worker pays off even on two cores (see `make suite-times`).
PYTEST := $(BIN)/python -m pytest -n 3 --dist loadfile

.PHONY: help lab lab-side-by-side reset test lint serve bench suite-times format notebooks binder-urls binder-readme upgrade clean \
	site site-serve site-test

help:
	@echo "make lab          create .venv if needed, install, open JupyterLab on the start page"
	@echo "                  (headless: make lab LAB_ARGS=\"--no-browser --port 8888\"; root gets --allow-root)"
	@echo "make lab-side-by-side LESSON=01_chat_completion   a paired lesson's three notebooks side by side"
	@echo "make test         create .venv if needed, run every test (unit, notebooks, browser)"
	@echo "make lint         ruff over the tree, mypy --strict over helpers/ and tools/ (also part of make test)"
	@echo "make serve        run the mock OpenAI server on http://127.0.0.1:8000/v1"
	@echo "make bench        measure the mock server against a raw-socket floor"
	@echo "make format       normalise notebooks (metadata, navigation, lesson index)"
	@echo "make notebooks    re-run every lesson in a fresh kernel and store its outputs"
	@echo "make binder-urls  print Binder links derived from the git remote"
	@echo "make upgrade      move to the newest releases of every dependency and run the suite"
	@echo "make site         build the reading site into build/site (stored outputs, nothing executed)"
	@echo "make site-serve   build it and serve it on http://127.0.0.1:8001/"
	@echo "make site-test    build it with warnings as errors and check it in Chromium (also run by .ci/run)"

# JupyterLab's settings for learners (no news pop-up, code lines wrapped so three notebooks fit side by
# side), installed into .venv as Binder's postBuild installs them into its image.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
# Extra options for `make lab`, e.g. LAB_ARGS="--no-browser --port 8888" in a headless container;
# Jupyter refuses to run as root unless told, so root gets --allow-root.
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The virtual environment is (re)built whenever the pinned requirements change: the lessons' pins for `make lab`
# (as Binder installs them), the maintainers' tools on top for `make test` and the other maintainers' targets.
LESSONS_INSTALLED := $(VENV)/.lessons-installed
$(LESSONS_INSTALLED): requirements-lessons.txt pyproject.toml binder/overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lessons.txt
	mkdir -p $(LAB_SETTINGS) && cp binder/overrides.json $(LAB_SETTINGS)/overrides.json
	touch $(LESSONS_INSTALLED)

$(INSTALLED): $(LESSONS_INSTALLED) requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

# Learners work in their own copy of the lessons, made once from notebooks/ and ignored by git (and by pytest,
# ruff, the site and the catalogue): running a notebook stores outputs and execution counts, and in a tracked
# file that would make the next `git pull` fail. `make reset` (or `make reset LESSON=03_streaming`) copies again.
WORK := my-notebooks
$(WORK):
	cp -R notebooks $(WORK)

# One root for `lab` and `lab-side-by-side`: the repository, opened on the start page of the learner's copy.
lab: $(LESSONS_INSTALLED) | $(WORK)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) --LabApp.default_url=/lab/tree/$(WORK)/00_start_here.ipynb

# Copy the lessons again, losing the learner's changes: all of them, or one (LESSON=03_streaming, or a notebook
# outside a folder: LESSON=00_start_here.ipynb).
reset:
	@if [ -n "$(filter command line environment,$(origin LESSON))" ]; then \
	  test -e "notebooks/$(LESSON)" || { echo "no notebooks/$(LESSON)"; exit 1; }; \
	  rm -rf "$(WORK)/$(LESSON)" && mkdir -p $(WORK) && cp -R "notebooks/$(LESSON)" "$(WORK)/$(LESSON)"; \
	  echo "copied notebooks/$(LESSON) to $(WORK)/ again"; \
	else rm -rf $(WORK) && cp -R notebooks $(WORK) && echo "copied notebooks/ to $(WORK)/ again"; fi

# A paired lesson's three notebooks side by side: make lab-side-by-side LESSON=03_streaming
LESSON ?= 01_chat_completion
lab-side-by-side: $(LESSONS_INSTALLED)
	$(BIN)/jupyter lab workspaces import workspaces/$(LESSON).jupyterlab-workspace
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) --LabApp.default_url=/lab/workspaces/$(LESSON)-side-by-side

# The site's tests are `make site-test`: they need requirements-site.txt, and take longer than the rest put together.
# Lesson 03's watch cell streams at 6 tokens a second for a learner; the test run keeps the mock's usual
# 40 (LLM_CALLS_TOKENS_PER_SECOND is every mock's default pace, and that cell's too).
test: $(INSTALLED)
	LLM_CALLS_TOKENS_PER_SECOND=40 $(PYTEST) -m "not site"

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
	$(BIN)/python -m tools.pins
	touch $(LESSONS_INSTALLED) $(INSTALLED)
	$(PYTEST)

# The reading site (issue 14): Sphinx + myst-nb over the stored notebooks, pinned in requirements-site.txt,
# installed into the same .venv. REMOTE=URL gives the Binder links a remote other than origin's.
SITE_INSTALLED := $(VENV)/.site-installed
SITE_PORT ?= 8001
$(SITE_INSTALLED): $(INSTALLED) requirements-site.txt
	$(BIN)/python -m pip install --quiet -r requirements-site.txt
	touch $(SITE_INSTALLED)

site: $(SITE_INSTALLED)
	$(BIN)/python -m tools.site $(if $(REMOTE),--remote $(REMOTE))

site-serve: site
	@echo "The site: http://127.0.0.1:$(SITE_PORT)/ (Ctrl-C stops it)"
	$(BIN)/python -m http.server $(SITE_PORT) --bind 127.0.0.1 --directory build/site

site-test: $(SITE_INSTALLED)
	$(BIN)/python -m pytest -m site tests/site/test_site.py

# Also the side-by-side layouts that `make lab-side-by-side` imported into the user's Jupyter folder (asked of
# .venv's jupyter, so before .venv goes). The learner's copy, my-notebooks/, stays: `make reset` replaces it.
clean:
	@if [ -x $(BIN)/jupyter ]; then \
	  folder="$$($(BIN)/jupyter lab paths | sed -n 's/^Workspaces directory: //p')"; \
	  for layout in workspaces/*.jupyterlab-workspace; do \
	    rm -fv "$$folder/$$(basename "$$layout" .jupyterlab-workspace)-side-by-side-"*.jupyterlab-workspace; \
	  done; \
	fi
	rm -rf $(VENV) build test-artifacts .pytest_cache .hypothesis .mypy_cache .ruff_cache
