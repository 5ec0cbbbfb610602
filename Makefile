# The StarGAN workbook. `make demo` and `make test` work on a fresh machine with a Python 3.7 reachable
# through $PYTHON37, `python3.7` on PATH, pyenv or conda (see scripts/find-python37).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

PRESET ?= toy

.PHONY: setup demo test lab train clean help

help:
	@echo "make demo   set up, then run the notebooks headless on the toy faces into outputs/demo/"
	@echo "make test   set up, then run the test suite"
	@echo "make lab    start JupyterLab on 127.0.0.1 (token printed in the log)"
	@echo "make train  full-length training through papermill (PRESET=toy or PRESET=celeba)"
	@echo "make setup  only build $(VENV) (Python 3.7, TensorFlow 1.15)"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/py37.txt scripts/find-python37
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))'; then \
	  py37="$$(bash scripts/find-python37)" || exit 1; \
	  echo "Creating $(VENV) with $$py37"; rm -rf $(VENV); "$$py37" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -c requirements/py37.txt -e ".[lab,test]"
	@touch $(STAMP)
	@echo "$(VENV) is ready: $$($(PY) -c 'import tensorflow as tf, sys; print("Python", sys.version.split()[0], "TensorFlow", tf.__version__)' 2>/dev/null)"

demo: setup
	$(PY) -m stargan_nb.demo --out outputs/demo

test: setup
	@bash scripts/setup-browser .venv-browser || echo "(the browser test will be skipped outside CI)"
	$(PY) -m pytest tests

train: setup
	$(VENV)/bin/papermill notebooks/03_train.ipynb outputs/$(PRESET)_train.ipynb -p preset $(PRESET) --cwd notebooks

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=notebooks $(ROOT_FLAG)

clean:
	rm -rf $(VENV) .venv-browser outputs/demo outputs/tests outputs/browser
