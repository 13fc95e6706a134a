# Two commands do all the set-up: `make run` serves the product, `make test` passes the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= $(CURDIR)/data

.PHONY: run test venv clean bench

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip > $(VENV)/install.log 2>&1 || (tail -40 $(VENV)/install.log; exit 1)
	# --no-deps: the lock is the whole tree, and it holds exactly one OpenCV (headless).
	$(PIP) install -q --no-deps -r requirements.lock >> $(VENV)/install.log 2>&1 || (tail -40 $(VENV)/install.log; exit 1)
	$(PIP) install -q --no-deps --no-build-isolation -e . >> $(VENV)/install.log 2>&1 || (tail -40 $(VENV)/install.log; exit 1)
	touch $@

venv: $(VENV)/.installed

run: venv
	MODPIPE_DATA_DIR=$${MODPIPE_DATA_DIR:-$(DATA)} $(VENV)/bin/modpipe serve --host $(HOST) --port $(PORT)

test: venv
	bash scripts/test-deps.sh
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache
