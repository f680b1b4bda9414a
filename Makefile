# The two quick-start commands: `make demo` and `make test`; `make installer` builds the bundle.
# Each (re)creates .venv from the project's own files when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean installer

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m jb_watchdesk --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

# The one-folder bundle in dist/jb-watchdesk/ (PyInstaller builds for the OS it runs on; on Windows
# `iscc installer\jb-watchdesk.iss` then makes the installer, see the README).
installer: $(STAMP)
	$(PY) -m PyInstaller --noconfirm --log-level WARN build_installer.spec
	@du -sh dist/jb-watchdesk

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
