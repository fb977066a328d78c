# django-session-conformance: every install step lives here, so a fresh clone needs only
#   make conformance   (the suite against the reference site)
#   make test          (the project's own tests, the whole reference matrix among them)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Extra pytest arguments, e.g. make conformance ARGS="--profile age-4s-db --browser firefox"
ARGS ?=
# Your own deployment instead of the reference site (README: "Run against your own deployment"):
#   make conformance BASE_URL=https://staging.example.com PROBE_TOKEN=...        (probe mode)
#   make conformance BASE_URL=https://staging.example.com BLACKBOX=site.toml     (black-box mode)
# INSECURE=1 accepts a staging certificate; CONNECT=ws://host:port/ uses a Playwright browser server.
BASE_URL ?=
PROBE_TOKEN ?=
BLACKBOX ?=
INSECURE ?=
CONNECT ?=
# Passed to pytest as environment, and the recipe is not echoed, so the token is never printed
# (it is in make's own argv if given on the command line: `export CONFORMANCE_PROBE_TOKEN` avoids that).
TARGET_ENV := $(if $(BASE_URL),CONFORMANCE_BASE_URL='$(BASE_URL)') \
              $(if $(PROBE_TOKEN),CONFORMANCE_PROBE_TOKEN='$(PROBE_TOKEN)') \
              $(if $(BLACKBOX),CONFORMANCE_BLACKBOX='$(BLACKBOX)') \
              $(if $(filter 1 true yes,$(INSECURE)),CONFORMANCE_IGNORE_HTTPS_ERRORS=1) \
              $(if $(CONNECT),CONFORMANCE_CONNECT='$(CONNECT)')

# make soak N=20 [LOAD=1]: the matrix N times, listing every verdict that differed between runs
N ?= 5
LOAD ?=

.PHONY: conformance test deps browsers soak clean

deps: $(STAMP)
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Prefer Playwright's own browsers when present (a laptop after `playwright install`); otherwise
# the system's (Debian: chromium, firefox-esr), installed with apt when we are root; otherwise
# try Playwright's download. `python -m conformance.observe.browsers` says what will be launched. Checked
# on every run (half a second): a browser removed since the last run is found here, not mid-suite.
browsers: deps
	@if $(PY) -m conformance.observe.browsers chromium firefox; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium and firefox-esr"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium firefox-esr >/dev/null \
	  && $(PY) -m conformance.observe.browsers chromium firefox; \
	else \
	  $(VENV)/bin/playwright install chromium firefox && $(PY) -m conformance.observe.browsers chromium firefox; \
	fi

conformance: deps $(if $(CONNECT),,browsers)
	@echo "$(strip $(PY) -m pytest conformance/checks $(ARGS))$(if $(BASE_URL), (against $(BASE_URL)))"
	@$(TARGET_ENV) $(PY) -m pytest conformance/checks $(ARGS)

# The project's own tests; among them the whole reference matrix, compared verdict for verdict
# with the report kept in conformance/tests/data (it writes reports/conformance.json as
# `make conformance` does).
test: deps browsers
	$(PY) -m pytest conformance/tests -p no:cacheprovider $(ARGS)

soak: deps browsers
	$(PY) -m conformance.tools.soak $(N) $(if $(LOAD),--load) $(ARGS)

clean:
	rm -rf $(VENV) reports test-results
