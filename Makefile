# OpenCRO: `make demo` serves the demo study, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint format clean messages

install: $(STAMP)

$(STAMP): pyproject.toml
	@PYTHON=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(VENV)/bin/opencro demo $(DEMO_ARGS)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract every marked string into src/opencro/locale/<lang>/LC_MESSAGES/django.po, then compile the .mo files.
# OPENCRO_VAR_DIR keeps settings from creating a var/ inside the package; translate new msgids before committing.
messages: install
	cd src/opencro && OPENCRO_VAR_DIR=$(CURDIR)/var ../../$(VENV)/bin/django-admin makemessages \
		-l es -l ja --no-obsolete --ignore='var/*' --settings=opencro.settings
	cd src/opencro && OPENCRO_VAR_DIR=$(CURDIR)/var ../../$(VENV)/bin/django-admin compilemessages \
		-l es -l ja --settings=opencro.settings

clean:
	rm -rf $(VENV) var .pytest_cache
