# Two commands: `make run` (install everything, start the app) and `make test`
# (install everything the tests need, run them). Both work as root or as a user.
VENV ?= .venv
PYTEST_ARGS ?=
# Two pytest workers (pytest-xdist), a test file each at a time, the slowest files first
# (tests/conftest.py): about 470 s of pytest on 2 cores instead of about 650 in one process,
# which spends much of its time waiting on speech played in real time and on desktops starting.
# PYTEST_WORKERS=0 runs one process. A worker that dies is not started again: started again,
# it ran the same file again and the run hung. See DEVELOPERS.md ("Two workers").
PYTEST_WORKERS ?= 2

.PHONY: run test bench deb tarball clean

run:
	@scripts/bootstrap.sh run
	$(VENV)/bin/dictation-app

test:
	@scripts/bootstrap.sh test
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --max-worker-restart=0 -ra --durations=0 --durations-min=0.5 $(PYTEST_ARGS)

bench:
	@scripts/bootstrap.sh test
	$(VENV)/bin/python benchmarks/bench_transcribe.py

# The installers (packaging/build.sh): a .deb and a portable .tar.gz of the frozen app.
deb:
	@scripts/bootstrap.sh test
	VENV=$(VENV) packaging/build.sh deb

tarball:
	@scripts/bootstrap.sh test
	VENV=$(VENV) packaging/build.sh tarball

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
