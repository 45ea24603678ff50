# Two entry points do all the set-up on a fresh clone (see README):
#   make serve   build the site and serve it at http://127.0.0.1:8000
#   make test    lint, then run every test (installs Chromium with apt when missing)
# Both create .venv and install what they need into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test chromium bench device-wheels clean

# torch is pinned and installed first: it is the tests' reference and the
# examples' autograd check; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[docs,test]"
	# CuPy imports without a GPU on Linux x86_64 (wheels exist only there): its
	# tests then skip saying no GPU is present, and the no-GPU error is tested for real.
	if [ "$$(uname -sm)" = "Linux x86_64" ]; then $(BIN)/python -m pip install --quiet -e ".[cupy]"; fi
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The packages a GPU machine may lack, as wheels for its Python (3.12), in .whl/, at the
# versions installed here; benchmarks/device_check.sh installs them there (CONTRIBUTING.md)
DEVICE_WHEELS = array-api-compat array-api-strict
device-wheels: $(STAMP)
	rm -rf .whl
	$(BIN)/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
	  --implementation cp --platform manylinux_2_17_x86_64 -d .whl \
	  $(foreach p,$(DEVICE_WHEELS),$(p)==$(shell $(BIN)/python -c "import importlib.metadata as m; print(m.version('$(p)'))"))

clean:
	rm -rf $(VENV) site .cache
