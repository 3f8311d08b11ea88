# The two commands a newcomer needs: `make demo` and `make test`. Each creates what it needs.
PYTHON ?= python3
VENV := .venv
# pywb pins redis<3: it gets a virtualenv of its own, so the project's own pins stay free
PYWB_VENV := .venv-pywb
PYWB_VERSION := 2.10.0

.PHONY: demo test bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

$(PYWB_VENV)/.installed:
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install -q pywb==$(PYWB_VERSION)
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/archiver demo

test: $(VENV)/.installed-test $(PYWB_VENV)/.installed
	bash .ci/install-servers.sh
	$(VENV)/bin/python -m pytest

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(VENV)/bin/pip install -q -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(VENV)/bin/python bench/extract_speed.py
	$(VENV)/bin/python bench/crawl_bench.py $(CRAWL_BENCH_ARGS)

clean:
	rm -rf $(VENV) $(PYWB_VENV) demo-archive .pytest_cache
