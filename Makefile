# Everyday commands. CI runs `bash .ci/run`: a fresh install, then what `make check` runs.
PYTHON ?= python

.PHONY: install lint format typecheck imports test test-all golden docs bench check

install:  ## the package and everything the tests need
	$(PYTHON) -m pip install -e '.[test]'

lint:  ## style and formatting, without changing files
	ruff check .
	ruff format --check .

format:  ## fix what ruff can fix, then format
	ruff check --fix .
	ruff format .

typecheck:  ## mypy over vaultkit/
	mypy

imports:  ## the layers' import contracts (pyproject's [tool.importlinter])
	lint-imports

test:  ## the fast suite (everything but tests marked slow)
	pytest

test-all:  ## every test, the slow fault loops and soak runs included
	pytest -m "slow or not slow"

golden:  ## regenerate tests/golden/ after a deliberate output change; review the diff
	VAULTKIT_UPDATE_GOLDEN=1 pytest tests/test_golden.py

docs:  ## rewrite the generated blocks of docs/
	$(PYTHON) scripts/generate_docs.py

bench:  ## the benchmark table of docs/performance.md
	$(PYTHON) benchmarks/run.py --notes 1000 10000 --runs 3

check: lint typecheck imports test  ## what CI checks (.ci/run, after a fresh install)
