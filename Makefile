# Connection Stories: the verbs a blogger types.
# Every target bootstraps what it needs (a virtual environment from
# requirements.txt, the npm test tools from package-lock.json), so a fresh
# clone needs only Python 3.11, make and, for the tests, the system packages
# that .ci/run installs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
NODE_STAMP := node_modules/.installed-lock
# Lighthouse, for `make bench` only: it depends on a package by its `latest`
# tag, so no lock file stays in sync; it is installed, at this exact version,
# into .bench-tools/ when the benchmark needs it.
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE := .bench-tools/node_modules/.bin/lighthouse

INPUTDIR := content
OUTPUTDIR := output
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py

HOST ?= 127.0.0.1
PORT ?= 8000
# The local comment server's port; empty: the one COMMENTS_URL names (8080).
COMMENTS_PORT ?=

# Upload settings (see README, "Publishing").
SSH_HOST ?= example.org
SSH_PORT ?= 22
SSH_USER ?= $(USER)
SSH_TARGET_DIR ?= /var/www/connection-stories
GITHUB_PAGES_BRANCH ?= gh-pages
GITHUB_PAGES_COMMIT_MESSAGE ?= Publish the site

BENCH_N ?= 1000
# The WordPress import's benchmark: a generated export of this size.
BENCH_WP_POSTS ?= 13000
BENCH_WP_COMMENTS ?= 50000

# The plugin is a plain package in plugins/: `python -m connections ...`.
export PYTHONPATH := $(CURDIR)/plugins

.DEFAULT_GOAL := help

.PHONY: help venv html serve test check clean publish rsync_upload github \
        new-story new-person new-event bench comments-config comments-backup \
        comments-restore import-wordpress

help:
	@echo "make serve            live preview at http://$(HOST):$(PORT)/ (PORT=...) with a local comment server (COMMENTS_PORT=...)"
	@echo "make test             run every test (bootstraps everything first)"
	@echo "make html             build the site into $(OUTPUTDIR)/"
	@echo "make check            check the content for mistakes, without building"
	@echo "make new-story TITLE=\"Coffee with Zoë\"   start a story (draft)"
	@echo "make new-person NAME=\"Zoë Laurent\"       start a person's profile"
	@echo "make new-event NAME=\"PyCon 2027\" START=2027-05-14   start an event's profile"
	@echo "make publish          build the site for production (publishconf.py)"
	@echo "make rsync_upload     publish, then upload with rsync over ssh"
	@echo "make github           publish, then push to the $(GITHUB_PAGES_BRANCH) branch"
	@echo "make comments-config  write the production comment server's config"
	@echo "make comments-backup  copy the comment database to var/backups/"
	@echo "make comments-restore FROM=var/backups/comments-....db   put a backup back"
	@echo "make import-wordpress FILE=export.xml   bring a WordPress blog in, comments too (DRY_RUN=1 only says what it would do)"
	@echo "make bench            benchmark against vanilla Pelican, and the preview against hugo server (BENCH_N=$(BENCH_N))"
	@echo "make clean            remove the built site and caches (never comments)"

# --- bootstrap -----------------------------------------------------------

# The environment is rebuilt whenever a requirements file changes (stale
# stamp): what the site needs for every target, the test and benchmark tools
# only for make test and make bench.
$(STAMP): requirements.txt
	@test -x $(PY) || { echo "Creating the Python environment in $(VENV)/ ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing what the site needs (requirements.txt) into $(VENV)/ ..."
	$(PY) -m pip install --disable-pip-version-check --quiet --progress-bar off -r requirements.txt
	@touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	@echo "Installing the test and benchmark tools (requirements-dev.txt) into $(VENV)/ ..."
	$(PY) -m pip install --disable-pip-version-check --quiet --progress-bar off -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "Installing the npm test tools (package-lock.json) ..."
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(LIGHTHOUSE):
	npm install --prefix .bench-tools --no-save --no-package-lock --no-audit --no-fund \
	  --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION)

venv: $(DEV_STAMP)

# --- building and serving ------------------------------------------------

html: $(STAMP)
	$(PY) -m connections build -s $(CONFFILE) -o $(OUTPUTDIR)

serve: $(STAMP)
	$(PY) -m connections serve -s $(CONFFILE) -o $(OUTPUTDIR) --host $(HOST) --port $(PORT) \
	  $(if $(COMMENTS_PORT),--comments-port $(COMMENTS_PORT))

publish: $(STAMP)
	$(PY) -m connections build -s $(PUBLISHCONF) -o $(OUTPUTDIR)

rsync_upload: publish
	rsync -e "ssh -p $(SSH_PORT)" -P -rvzc --include tags --cvs-exclude --delete \
	  "$(OUTPUTDIR)/" "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)"

github: publish
	$(BIN)/ghp-import -m "$(GITHUB_PAGES_COMMIT_MESSAGE)" -b $(GITHUB_PAGES_BRANCH) "$(OUTPUTDIR)" --no-jekyll
	git push origin $(GITHUB_PAGES_BRANCH)

clean:
	rm -rf $(OUTPUTDIR) cache __pycache__ .pytest_cache

# --- authoring -----------------------------------------------------------

check: $(STAMP)
	$(PY) -m connections check -s $(CONFFILE)

new-story: $(STAMP)
	@test -n "$(TITLE)" || { echo 'usage: make new-story TITLE="Coffee with Zoë"' >&2; exit 2; }
	$(PY) -m connections new story "$(TITLE)" -s $(CONFFILE) --preview http://$(HOST):$(PORT)

new-person: $(STAMP)
	@test -n "$(NAME)" || { echo 'usage: make new-person NAME="Zoë Laurent"' >&2; exit 2; }
	$(PY) -m connections new person "$(NAME)" -s $(CONFFILE)

new-event: $(STAMP)
	@test -n "$(NAME)" || { echo 'usage: make new-event NAME="PyCon 2027" START=2027-05-14' >&2; exit 2; }
	$(PY) -m connections new event "$(NAME)" --start "$(START)" -s $(CONFFILE)

# --- coming from WordPress ---------------------------------------------------

# README, "Coming from WordPress". COMMENTS_DB=path writes the comments into
# another Isso database (the production one); TAG_KNOWN=1 tags the known
# people and events the stories name; DRY_RUN=1 writes nothing.
import-wordpress: $(STAMP)
	@test -n "$(FILE)" || { echo 'usage: make import-wordpress FILE=export.xml' >&2; exit 2; }
	$(PY) -m connections import wordpress "$(FILE)" -s $(CONFFILE) \
	  $(if $(COMMENTS_DB),--comments-db "$(COMMENTS_DB)") $(if $(TAG_KNOWN),--tag-known) \
	  $(if $(DRY_RUN),--dry-run)

# --- comments ------------------------------------------------------------

comments-config: $(STAMP)
	$(PY) -m connections comments config -s $(PUBLISHCONF)

comments-backup: $(STAMP)
	$(PY) -m connections comments backup -s $(CONFFILE)

comments-restore: $(STAMP)
	@test -n "$(FROM)" || { echo 'usage: make comments-restore FROM=var/backups/comments-....db' >&2; exit 2; }
	$(PY) -m connections comments restore "$(FROM)" -s $(CONFFILE)

# --- quality -------------------------------------------------------------

test: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) -m pytest

bench: $(DEV_STAMP) $(LIGHTHOUSE)
	$(PY) bench/run.py --stories $(BENCH_N)
	$(PY) bench/run.py --wordpress $(BENCH_WP_POSTS) --comments $(BENCH_WP_COMMENTS)
	$(PY) bench/preview.py --stories $(BENCH_N)
