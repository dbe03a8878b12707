# Set-up and everyday commands. `make run` and `make test` install whatever is
# missing first: Debian packages through apt-get, Python packages into .venv.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Pango for WeasyPrint, HarfBuzz's subsetter (WeasyPrint is ~60x slower
# without it), a CJK font, pdftotext for the PDF tests, chromium for the
# browser tests, gettext to compile translations.
SYSTEM_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium gettext

.PHONY: run test stack system-packages install migrate demo messages lint format clean

run: install
	DJANGO_ENV=local $(MANAGE) migrate --no-input
	DJANGO_ENV=local $(MANAGE) load_demo
	DJANGO_ENV=local $(BIN)/python -m worker.embedded --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Production topology without Docker: gunicorn, a Celery worker and beat
# against the local PostgreSQL and Redis (override the URLs to point elsewhere).
stack: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/relief} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/python -m worker.stack --host $(HOST) --port $(PORT)

install: system-packages $(VENV)/.installed locale/zh_Hans/LC_MESSAGES/django.mo

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	cd . && $(BIN)/django-admin compilemessages --ignore=.venv >/dev/null

messages: install
	$(BIN)/django-admin makemessages -l zh_Hans --ignore=.venv --ignore=var

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var
