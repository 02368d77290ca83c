# Chairside: `make run` (the whole system with demo data) and `make test` (the whole suite). Nothing else needed.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist processes for make test (the suite is isolated per worker: own test database, cache prefix, broker keys)
TEST_WORKERS ?= 2

.PHONY: venv catalogs run test lint fmt migrate demo clean-data

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# The gettext catalogs, compiled with Babel (localization/catalogs.py); cheap when they are up to date.
catalogs: venv
	$(BIN)/python -c "from localization.catalogs import compile_catalogs; compile_catalogs()"

run: venv catalogs
	$(BIN)/python manage.py run_local

test: venv catalogs
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(ARGS)

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

migrate: venv
	$(BIN)/python manage.py migrate

demo: venv
	$(BIN)/python manage.py demo_data

clean-data:
	rm -rf .data
