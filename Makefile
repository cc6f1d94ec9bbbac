# flowcoach: `make demo` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
# Two workers: the machines here have two cores; the suite takes about half as long.
PYTEST_ARGS ?= -n 2
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_LINK_MODE := copy

.PHONY: demo test lint format install migrate serve clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock $(BIN)/uv
	$(BIN)/uv sync --frozen --quiet --python $(BIN)/python
	@touch $@

install: $(VENV)/.installed

migrate: install
	@echo "Preparing the database…"
	@$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	@$(BIN)/python manage.py seed_demo
	@bash scripts/serve.sh

serve: migrate
	@bash scripts/serve.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
test: lint
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating as a failure"; exit 1; fi; \
	exit $$rc

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
