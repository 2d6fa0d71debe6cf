# Everything a fresh machine needs: Python 3.11+ and git. Targets build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SAMPLE := targets/sample/.venv/.installed-stamp

.PHONY: demo test bench check clean test-stress chromium sample-target

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: compile the demo scenario, print its preview, then load it into demo.sqlite3
demo: $(STAMP)
	$(BIN)/aquadsl compile scenarios/demo.aqs --workers 2
	$(BIN)/aquadsl apply scenarios/demo.aqs --workers 2 --database sqlite:///demo.sqlite3 --fresh

## test: run the whole test suite
test: $(STAMP) chromium $(SAMPLE)
	$(BIN)/python -m pytest

## test-stress: the whole suite 5 times in a row beside 2 CPU hogs; stops at the first failure
test-stress: $(STAMP) chromium $(SAMPLE)
	bash .ci/stress

## check: check every shipped scenario
check: $(STAMP)
	$(BIN)/aquadsl check scenarios/*.aqs scenarios/lib/*.aqs

## bench: print the measured figures (compile, simulation, apply on SQLite and PostgreSQL, Celery vs local)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_compile.py
	$(BIN)/python benchmarks/bench_sim.py scenarios/full_170.aqs
	$(BIN)/python benchmarks/bench_apply.py --workers 2
	$(BIN)/python benchmarks/bench_extend.py --days 1,30
	$(BIN)/python benchmarks/bench_celery.py --workers 2

## sample-target: build the sample target's own venv (Django 4.2), once per clone
$(SAMPLE): targets/sample/requirements.txt
	$(PYTHON) -m venv targets/sample/.venv
	targets/sample/.venv/bin/python -m pip install --quiet -r targets/sample/requirements.txt
	touch $(SAMPLE)

sample-target: $(SAMPLE)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis aquadsl.egg-info

## chromium: the headless browser the report tests load pages in (Debian's package), if missing
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	    else echo "chromium missing: run 'sudo apt-get install -y chromium' (report tests skip without it)"; fi; }
