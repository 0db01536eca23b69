# LLM Calls, Three Ways. Two commands matter: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Six workers, one notebook (or test file, or portability lesson: tests/conftest.py) each at a time: the notebooks
# and the browser test mostly wait (streams, back-offs, JupyterLab), so on two cores six overlap the waits best:
# `make test` on a fresh clone took 112-120 s with -n 6 (six runs) and 123 s with -n 7; on a tree that had run
# before, 136 s with -n 6, 143 s with -n 5 and 142 s with -n 7 before the portability run and the browser test
# shed CPU (44 lessons, 2,960 tests, this machine).
PYTEST := $(BIN)/python -m pytest -n 6 --dist loadfile
# Python keeps the bytecode it compiles (__pycache__/, git-ignored) even where the environment says not to:
# `make test` starts about a hundred Python processes (xdist's workers, a kernel per notebook, pytest inside
# lesson 06), and each would compile helpers/ and rewrite the test modules again (2 s of CPU a worker).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help lab lab-side-by-side reset test record replay-check check-real portability lint serve bench suite-times \
	format notebooks binder-urls binder-readme upgrade clean site site-serve site-test layouts-test

# `make help` prints the `## ` lines written just above each target: the one description of each.
help:
	@awk '/^## /{doc = doc (doc ? "\n                   " : "") substr($$0, 4); next} \
	     /^[a-z][a-z-]*:/{if (doc) printf "make %-13s %s\n", substr($$1, 1, index($$1, ":") - 1), doc} {doc = ""}' \
	  $(MAKEFILE_LIST)

# JupyterLab's settings for learners (no news pop-up, code lines wrapped so three notebooks fit side by
# side) and our one extension, written by hand (binder/labextensions: a wrapped line continues indented past
# its own first line, so it never reads like a dedent), installed into .venv as Binder's postBuild installs
# them into its image.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_EXTENSIONS := $(VENV)/share/jupyter/labextensions
LAB_EXTENSION_FILES := $(shell find binder/labextensions -type f)
# Extra options for `make lab`, e.g. LAB_ARGS="--no-browser --port 8888" in a headless container;
# Jupyter refuses to run as root unless told, so root gets --allow-root.
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The virtual environment is (re)built whenever the pinned requirements change: the lessons' pins for `make lab`
# (as Binder installs them), the maintainers' tools on top for `make test` and the other maintainers' targets.
LESSONS_INSTALLED := $(VENV)/.lessons-installed
$(LESSONS_INSTALLED): requirements-lessons.txt pyproject.toml binder/overrides.json $(LAB_EXTENSION_FILES)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lessons.txt
	mkdir -p $(LAB_SETTINGS) && cp binder/overrides.json $(LAB_SETTINGS)/overrides.json
	mkdir -p $(LAB_EXTENSIONS) && cp -R binder/labextensions/. $(LAB_EXTENSIONS)/
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
## install what the lessons need, open JupyterLab on the start page of your copy of the lessons (my-notebooks/)
## (headless: make lab LAB_ARGS="--no-browser --port 8888"; root gets --allow-root)
lab: $(LESSONS_INSTALLED) | $(WORK)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) --LabApp.default_url=/lab/tree/$(WORK)/00_start_here.ipynb

# `reset` without LESSON copies every lesson; a notebook outside a folder: LESSON=00_start_here.ipynb.
## copy the lessons into my-notebooks/ again, losing your changes (LESSON=03_streaming for one lesson)
reset:
	@if [ -n "$(filter command line environment,$(origin LESSON))" ]; then \
	  test -e "notebooks/$(LESSON)" || { echo "no notebooks/$(LESSON)"; exit 1; }; \
	  rm -rf "$(WORK)/$(LESSON)" && mkdir -p $(WORK) && cp -R "notebooks/$(LESSON)" "$(WORK)/$(LESSON)"; \
	  echo "copied notebooks/$(LESSON) to $(WORK)/ again"; \
	else rm -rf $(WORK) && cp -R notebooks $(WORK) && echo "copied notebooks/ to $(WORK)/ again"; fi

LESSON ?= 01_chat_completion
## a paired lesson's three notebooks side by side: make lab-side-by-side LESSON=03_streaming
lab-side-by-side: $(LESSONS_INSTALLED)
	$(BIN)/jupyter lab workspaces import workspaces/$(LESSON).jupyterlab-workspace
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) --LabApp.default_url=/lab/workspaces/$(LESSON)-side-by-side

# The site's tests are `make site-test`: they need requirements-site.txt, and take longer than the rest put together.
# Lesson 03's watch cell streams at 6 tokens a second for a learner; the test run keeps the mock's usual
# 40 (LLM_CALLS_TOKENS_PER_SECOND is every mock's default pace, and that cell's too). `make upgrade` runs
# the same command.
RUN_TESTS := LLM_CALLS_TOKENS_PER_SECOND=40 $(PYTEST) -m "not site and not replay"
## create .venv if needed, run every test (unit, notebooks, browser)
test: $(INSTALLED)
	$(RUN_TESTS)

# Then teach offline with LLM_CALLS_REPLAY=$(CASSETTE) make lab (README, "Record once, replay in class").
CASSETTE ?= class.jsonl
UPSTREAM ?= https://api.openai.com/v1
## record every lesson (or LESSONS=...) from a real provider into CASSETTE, no output stored (key: OPENAI_API_KEY)
record: $(INSTALLED)
	@test -n "$$OPENAI_API_KEY" || { echo "make record needs the provider's key in OPENAI_API_KEY"; exit 2; }
	LLM_CALLS_RECORD=$(abspath $(CASSETTE)) LLM_CALLS_UPSTREAM=$(UPSTREAM) $(BIN)/python -m tools.notebooks run $(LESSONS)

## every lesson recorded from itself, then replayed from that cassette (runs each notebook twice; .ci/run runs it)
replay-check: $(INSTALLED)
	$(BIN)/python -m pytest -m replay tests/lessons/test_replay.py

## compare the mock's answers with the real API's, field by field (needs OPENAI_API_KEY; sends five requests)
check-real: $(INSTALLED)
	$(BIN)/python -m helpers.mock.recording.drift $(if $(UPSTREAM),--upstream $(UPSTREAM))

# `make test` runs the three combined profiles; this runs every profile, one test each, two at a time.
## every notebook against every profile of other OpenAI-compatible servers (helpers/mock/profiles.py; .ci/run runs it)
portability: $(INSTALLED)
	LLM_CALLS_PORTABILITY=all $(BIN)/python -m pytest -n 2 --dist load -m "not site" tests/lessons/test_portability.py

## ruff over the tree, mypy --strict over helpers/ and tools/ (also part of make test: tests/test_lint.py)
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy

## run the mock OpenAI server on http://127.0.0.1:8000/v1
serve: $(INSTALLED)
	$(BIN)/python -m helpers.mock --port 8000

## measure the mock server against a raw-socket floor
bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_mock_server.py

## how long `make test` takes, phase by phase (install, unit tests, nbval, browser test)
suite-times:
	$(PYTHON) benchmarks/suite_times.py

## normalise notebooks: metadata, navigation, the lesson index (idempotent)
format: $(INSTALLED)
	$(BIN)/python -m tools.notebooks format

## re-run every lesson (or LESSONS="notebooks/x.ipynb ...") in a fresh kernel and store its outputs
notebooks: $(INSTALLED)
	$(BIN)/python -m tools.notebooks execute $(LESSONS)

# Standard library only (tools.binder_urls and tools.catalogue), so the system python3 runs it without .venv.
## print Binder links for every lesson and side-by-side layout, derived from the git remote
binder-urls:
	$(PYTHON) -m tools.binder_urls

## rewrite the Binder badge in README.md from the git remote (once the repository has its public home)
binder-readme:
	$(PYTHON) -m tools.binder_urls readme

## move to the newest releases of every dependency, pin them, and run what make test runs
upgrade: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --upgrade -r requirements.in
	$(BIN)/python -m tools.pins
	touch $(LESSONS_INSTALLED) $(INSTALLED)
	$(RUN_TESTS)

# The reading site (issue 14): Sphinx + myst-nb over the stored notebooks, pinned in requirements-site.txt,
# installed into the same .venv. REMOTE=URL gives the Binder links a remote other than origin's.
SITE_INSTALLED := $(VENV)/.site-installed
SITE_PORT ?= 8001
$(SITE_INSTALLED): $(INSTALLED) requirements-site.txt
	$(BIN)/python -m pip install --quiet -r requirements-site.txt
	touch $(SITE_INSTALLED)

## build the reading site into build/site (stored outputs, nothing executed)
site: $(SITE_INSTALLED)
	$(BIN)/python -m tools.site $(if $(REMOTE),--remote $(REMOTE))

## build it and serve it on http://127.0.0.1:8001/
site-serve: site
	@echo "The site: http://127.0.0.1:$(SITE_PORT)/ (Ctrl-C stops it)"
	$(BIN)/python -m http.server $(SITE_PORT) --bind 127.0.0.1 --directory build/site

## every side-by-side layout in JupyterLab at 1600x900: each code line whole or hanging, nothing scrolls sideways
## (make test opens one of each shape; also run by .ci/run)
layouts-test: $(INSTALLED)
	LLM_CALLS_LAYOUTS=all $(BIN)/python -m pytest tests/browser/test_browser.py -k side_by_side

## build it with warnings as errors and check it in Chromium (also run by .ci/run)
site-test: $(SITE_INSTALLED)
	$(BIN)/python -m pytest -m site tests/site/test_site.py

# Also the side-by-side layouts that `make lab-side-by-side` imported into the user's Jupyter folder (asked of
# .venv's jupyter, so before .venv goes). The learner's copy, my-notebooks/, stays: `make reset` replaces it.
## remove .venv, everything built and the imported side-by-side layouts (your my-notebooks/ stays)
clean:
	@if [ -x $(BIN)/jupyter ]; then \
	  folder="$$($(BIN)/jupyter lab paths | sed -n 's/^Workspaces directory: //p')"; \
	  for layout in workspaces/*.jupyterlab-workspace; do \
	    rm -fv "$$folder/$$(basename "$$layout" .jupyterlab-workspace)-side-by-side-"*.jupyterlab-workspace; \
	  done; \
	fi
	rm -rf $(VENV) build test-artifacts .pytest_cache .hypothesis .mypy_cache .ruff_cache
