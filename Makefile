# Everything a fresh machine needs: Python 3.11+ and git. Targets build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: compile the demo scenario and print its preview
demo: $(STAMP)
	$(BIN)/aquadsl compile scenarios/demo.aqs --workers 2

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## check: check every shipped scenario
check: $(STAMP)
	$(BIN)/aquadsl check scenarios/*.aqs scenarios/lib/*.aqs

## bench: print the measured figures
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_compile.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis aquadsl.egg-info
