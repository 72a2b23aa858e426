# Two commands matter: `make demo` (the main job on the bundled feed) and `make test` (every test).
# Both create their virtual environments on first use; nothing is fetched outside the package registries.

PYTHON ?= python3.11
ifeq (, $(shell command -v $(PYTHON) 2>/dev/null))
PYTHON := python3
endif

VENV := .venv
BIN := $(VENV)/bin
STUDIO_VENV := .venv-studio
FEED := corpus/feeds/thedefensepost-mali-2024.txt
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1

.PHONY: demo test install studio browser lint docs bench clean datasets-min

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,ray]"
	touch $@

install: $(BIN)/.installed

# The lowest `datasets` pyproject.toml allows, beside the venv (not in it): a test loads every release with it.
DATASETS_MIN := $(VENV)/datasets-min
$(DATASETS_MIN)/.installed: pyproject.toml
	$(BIN)/pip install --quiet --no-deps --upgrade --target $(DATASETS_MIN) "datasets==$$(sed -n 's/.*"datasets>=\([0-9.]*\),.*/\1/p' pyproject.toml)"
	touch $@

datasets-min: $(DATASETS_MIN)/.installed

# Label Studio is a service in its own environment, not a library dependency of the toolkit.
studio: install
	$(BIN)/feedcorpus studio install --python $(PYTHON)

# Headless Chromium for the one real-browser check (Debian packages; needs root, as CI has).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "warning: could not install chromium; the browser test will fail"; }

demo: studio
	$(BIN)/feedcorpus split $(FEED)
	$(BIN)/feedcorpus preannotate
	$(BIN)/feedcorpus studio start
	$(BIN)/feedcorpus push
	$(BIN)/feedcorpus serve --stop >/dev/null
	$(BIN)/feedcorpus serve --background
	$(BIN)/feedcorpus studio connect-model
	@echo "report: $$($(BIN)/feedcorpus report)"
	$(BIN)/feedcorpus studio status

lint: install
	$(BIN)/ruff check scripts tests bench
	$(BIN)/ruff format --check scripts tests bench
	$(BIN)/mypy

test: install studio browser lint datasets-min
	$(BIN)/python -m pytest

# The README's command reference is generated from the commands' --help (a test checks it is current).
docs: install
	$(BIN)/python -m feedcorpus.cli.reference --write README.md

# Benchmarks print figures (ratios against the bare library, in one run); results also go to bench/out/.
bench: install studio
	$(BIN)/python bench/bench_split.py
	$(BIN)/python bench/bench_preannotate.py
	$(BIN)/python bench/bench_ray.py
	$(BIN)/python bench/bench_push.py
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_quality.py
	$(BIN)/python bench/bench_clusters.py
	$(BIN)/python bench/bench_select.py
	$(BIN)/python bench/bench_fetch.py
	$(BIN)/python bench/bench_serve.py

clean:
	rm -rf $(VENV) $(STUDIO_VENV) .pytest_cache .ruff_cache
