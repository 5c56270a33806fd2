# lava-replay: `make run` (main job) and `make test` set everything up on a fresh machine.
VENV      := .venv
PY        := $(VENV)/bin/python
SHARED    := ../shared/data
DATA_DIR  ?= $(or $(LAVA_REPLAY_DATA),data)
export LAVA_REPLAY_DATA := $(abspath $(DATA_DIR))

# Python 3.10: on PATH, else the newest pyenv 3.10.x (lava-nc 0.10 / lava-dl 0.6 refuse 3.11+); each candidate
# must really run (a pyenv shim on PATH may exist and still fail)
PYTHON310 := $(shell for p in "$$(command -v python3.10 2>/dev/null)" \
	$$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV); do \
	[ -n "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null \
	&& echo "$$p" && break; done)

.PHONY: setup data run test bench clean-venv

$(VENV)/.installed: pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  if [ -z "$(PYTHON310)" ]; then \
	    echo "error: Python 3.10 not found (needed by lava-nc 0.10 / lava-dl 0.6)."; \
	    echo "       Install it, e.g. 'pyenv install 3.10.13', or put python3.10 on PATH."; exit 1; fi; \
	  echo "creating $(VENV) with $(PYTHON310)"; "$(PYTHON310)" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

# Real SHD/MNIST from ../shared/data when this machine has it (tonic downloads SHD elsewhere)
data: setup
	@if [ -f "$(SHARED)/SHD/expand_shd.py" ]; then $(PY) $(SHARED)/SHD/expand_shd.py "$(DATA_DIR)"; fi
	@if [ -d "$(SHARED)/mnist" ] && [ ! -e "$(DATA_DIR)/mnist" ]; then \
	  mkdir -p "$(DATA_DIR)" && ln -s "$(abspath $(SHARED)/mnist)" "$(DATA_DIR)/mnist"; fi

run: data
	$(PY) -m lava_replay.run --backend sim

test: data
	$(PY) -m pytest -q

bench: data
	$(PY) -m lava_replay.bench compare

clean-venv:
	rm -rf $(VENV)
