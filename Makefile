# django-session-conformance: every install step lives here, so a fresh clone needs only
#   make conformance   (the suite against the reference site)
#   make test          (the project's own tests, the whole reference matrix among them)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONF   := $(VENV)/bin/conformance
STAMP  := $(VENV)/.installed
# Extra pytest arguments, e.g. make conformance ARGS="--profile age-4s-db --browser firefox"
ARGS ?=
# The reference site's Django: a release line (6.1 = its newest locked patch) or an exact release (5.2.8).
# Made once per version in .sites/ (Django 6.x, which needs Python 3.12+, inside a Debian 13 root when this
# machine's Python is older). Unset: the runner's own (locks/runner.txt: 5.2).
DJANGO ?=
# make matrix: the reference site on each of these, one report each and one comparison.
DJANGOS ?= 4.2 5.2 6.1
# Compare with an earlier report, and what fails the run (regressions | changes); see docs/guides/upgrades.md.
BASELINE ?=
GATE ?=
# Your own deployment instead of the reference site (docs/guides/probe-mode.md, black-box.md):
#   make conformance BASE_URL=https://staging.example.com PROBE_TOKEN=...        (probe mode)
#   make conformance BASE_URL=https://staging.example.com BLACKBOX=site.toml     (black-box mode)
# INSECURE=1 accepts a staging certificate; CONNECT=ws://host:port/ uses a Playwright browser server.
# Your own project, started by the suite (docs/guides/project-mode.md):
#   make conformance PROJECT=../shop [SETTINGS=shop.settings] [SERVE="gunicorn shop.wsgi -b {host}:{port}"]
#   make matrix DJANGOS="5.2 6.1" PROJECT=../shop [REQUIREMENTS=../shop/requirements.txt]
PROJECT ?=
SETTINGS ?=
SERVE ?=
REQUIREMENTS ?=
BASE_URL ?=
PROBE_TOKEN ?=
BLACKBOX ?=
INSECURE ?=
CONNECT ?=
# Part K of N of the run's targets (SHARD=1/3), one per CI job; `conformance merge` joins the reports.
SHARD ?=
# Scenarios in flight per browser (default 12): fewer for a small site, e.g. on SQLite.
CONCURRENCY ?=
# Black-box mode: how often the suite may sign in (default 2/s), e.g. 30/m for a login rate limit.
SIGN_IN_RATE ?=
# Passed to the suite as environment, and the recipe is not echoed, so the token is never printed
# (it is in make's own argv if given on the command line: `export CONFORMANCE_PROBE_TOKEN` avoids that).
TARGET_ENV := $(if $(BASE_URL),CONFORMANCE_BASE_URL='$(BASE_URL)') \
              $(if $(PROBE_TOKEN),CONFORMANCE_PROBE_TOKEN='$(PROBE_TOKEN)') \
              $(if $(BLACKBOX),CONFORMANCE_BLACKBOX='$(BLACKBOX)') \
              $(if $(filter 1 true yes,$(INSECURE)),CONFORMANCE_IGNORE_HTTPS_ERRORS=1) \
              $(if $(CONNECT),CONFORMANCE_CONNECT='$(CONNECT)') \
              $(if $(DJANGO),CONFORMANCE_DJANGO='$(DJANGO)') \
              $(if $(BASELINE),CONFORMANCE_BASELINE='$(BASELINE)') \
              $(if $(GATE),CONFORMANCE_GATE='$(GATE)') \
              $(if $(CONCURRENCY),CONFORMANCE_CONCURRENCY='$(CONCURRENCY)') \
              $(if $(SIGN_IN_RATE),CONFORMANCE_SIGN_IN_RATE='$(SIGN_IN_RATE)') \
              $(if $(PROJECT),CONFORMANCE_PROJECT='$(PROJECT)') \
              $(if $(SETTINGS),CONFORMANCE_PROJECT_SETTINGS='$(SETTINGS)') \
              $(if $(SERVE),CONFORMANCE_SERVE='$(SERVE)') \
              $(if $(REQUIREMENTS),CONFORMANCE_REQUIREMENTS='$(REQUIREMENTS)') \
              $(if $(SHARD),CONFORMANCE_SHARD='$(SHARD)')

# make soak N=20 [LOAD=1]: the matrix N times, listing every verdict that differed between runs;
# DEPLOY=uvicorn [MODE=black-box]: the project's test deployment on that real server instead
# (gunicorn, uvicorn, hypercorn, daphne, runserver, nginx+uvicorn), started once, judged N times.
N ?= 5
LOAD ?=
DEPLOY ?=
MODE ?= probe

.PHONY: conformance matrix test test-tools docs deps browsers soak bench lock clean

# Everything the runner needs, from the lock (versions and hashes, checked by pip), then the project
# itself (editable: the `conformance` command).
deps: $(STAMP)
$(STAMP): locks/runner.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r locks/runner.txt
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Prefer Playwright's own browsers when present (a laptop after `playwright install`); otherwise
# the system's (Debian: chromium, chromium-headless-shell, firefox-esr), installed with apt when we
# are root; otherwise Playwright's download. The logic is `conformance browsers --install`
# (conformance/observe/install.py), as a user of the installed package runs it. Checked on every
# run (half a second): a browser removed since the last run is found here, not mid-suite.
browsers: deps
	@$(CONF) browsers --install

conformance: deps $(if $(CONNECT),,browsers)
	@echo "$(strip $(CONF) run $(ARGS))$(if $(BASE_URL), (against $(BASE_URL)))$(if $(PROJECT), (project $(PROJECT)))$(if $(DJANGO), (Django $(DJANGO)))"
	@$(TARGET_ENV) $(CONF) run $(ARGS)

matrix: deps browsers
	@echo "$(CONF) matrix $(DJANGOS) -- $(ARGS)"
	@$(TARGET_ENV) $(CONF) matrix $(DJANGOS) -- $(ARGS)

# The project's own tests; among them the whole reference matrix, compared verdict for verdict
# with the report kept in conformance/tests/data (it writes reports/conformance.json as
# `make conformance` does). The cache-safety self-check puts a real nginx in front of a site.
test: deps browsers test-tools
	$(PY) -m pytest conformance/tests -p no:cacheprovider $(ARGS)

# The documentation site (docs/, mkdocs.yml) into build/docs, any warning an error (a broken link or
# anchor, a page left out of the nav). make test builds it too (conformance/tests/test_docs_site.py).
# The reference pages' tables are generated: python -m conformance.tools.doc_tables.
docs: deps
	$(PY) -m mkdocs build --strict

test-tools:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && echo "installing Debian's nginx (for the cache-safety self-check)" \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } \
	  || echo "nginx is missing: the caching-proxy tests will be skipped (apt-get install nginx)"
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null && echo "installing Debian's postgresql (project mode on a database server)" \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
	  || echo "PostgreSQL is missing: project mode's database-server tests will be skipped (apt-get install postgresql)"

soak: deps browsers
	$(PY) -m conformance.tools.soak $(N) $(if $(LOAD),--load) $(if $(DEPLOY),--deployment '$(DEPLOY)' --mode '$(MODE)') $(ARGS)

# make bench [RUNS=3]: how long the reference matrix takes here, and what bounds it (docs/explanation/performance.md)
RUNS ?= 3
bench: deps browsers
	$(PY) -m conformance.tools.bench --runs $(RUNS) $(if $(ARGS),-- $(ARGS))

# Re-lock locks/runner.txt from requirements.txt, and every Django release line's lock in
# conformance/sites/locks/ (shipped in the package), with uv pip compile --generate-hashes.
lock: deps
	$(CONF) lock

clean:
	rm -rf $(VENV) reports test-results .sites
