# The two commands: `make run` (set up, seed the demo, serve on 127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test venv fonts browser lint typecheck check bench bench-peers migrate demo clean lock

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 $(PYTHON)（Python 3.11）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q src >/dev/null  # bytecode once, as a non-editable install has (PYTHONDONTWRITEBYTECODE above)
	touch $(STAMP)

venv: $(STAMP)

# Chinese fonts from Debian: Noto CJK for the browser, WenQuanYi Zen Hei embedded in the PDFs
# (TrueType; reportlab cannot embed Noto CJK's CFF outlines). Both serve and test need them.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || ! fc-list 2>/dev/null | grep -qi "cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "安装中文字体（fonts-noto-cjk、fonts-wqy-zenhei）"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-wqy-zenhei >/dev/null); \
	  else echo "请先安装中文字体：sudo apt-get install fonts-noto-cjk fonts-wqy-zenhei"; exit 1; fi; \
	fi

# Browser tests use Debian's chromium (never a downloaded browser build).
browser: fonts
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "安装 Debian chromium（浏览器测试需要）"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "请先安装 Debian 的 chromium 包：sudo apt-get install chromium"; exit 1; fi; \
	fi

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Server and background worker under one supervisor (src/tidu/core/supervise.py): Ctrl-C or SIGTERM stops
# both, SIGKILL after TIDU_STOP_GRACE seconds for a worker still finishing a task. Debug pages are off
# (settings/local.py); `TIDU_DEBUG=1 make run` turns them on. The server builds the scenario index and the
# criteria packs in the background as it starts (tidu.core.warmup), not on the first visitor's request.
run: venv fonts demo
	@echo "梯度平台：http://$(HOST):$(PORT)/  （演示账号见登录页；Ctrl-C 停止）"
	@exec $(BIN)/python -m tidu.core.supervise -- \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload ::: \
	  $(BIN)/python manage.py qcluster

test: venv browser
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tidu.config.settings.test
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

check: lint typecheck
	TIDU_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') TIDU_ALLOWED_HOSTS=tidu.example \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING --settings=tidu.config.settings.production

bench: venv
	$(BIN)/python benchmarks/rules.py

# tidu evaluate beside the DuckDB read, OpenFisca (its own venv, .venv-peers: never needed by run or test) and
# pandas, in one run (benchmarks/side_by_side.py; ROWS=10000000 for the large file).
PEERS := .venv-peers
ROWS ?= 2000000
$(PEERS)/.installed: benchmarks/requirements-peers.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/pip install --quiet --disable-pip-version-check -r benchmarks/requirements-peers.txt
	touch $@

bench-peers: venv $(PEERS)/.installed
	$(BIN)/python benchmarks/side_by_side.py --rows $(ROWS)

# Fault drills (issue 15, decision 0107): kill -9 of the app server (gunicorn), the job worker (qcluster) and the
# PostgreSQL backend serving them, each during an import, a batch evaluation and a review decision; after the restart
# the database is checked (nothing half-written, jobs re-run or failed with a reason, no lost update). Real processes
# on a private throw-away PostgreSQL cluster (initdb from Debian's postgresql), bounded (about 6 minutes); not part of
# `make test` (tests/faults/drill_faults.py is no test_*.py). Results table: docs/faults.md.
.PHONY: drills
drills: venv
	timeout 600 $(BIN)/python tests/faults/drill_faults.py

# Hostile input (issue 15): schemathesis over every API operation as anonymous, firm, county and province,
# at least FUZZ_REQUESTS generated requests per role, in a throwaway database (tests/hostile/fuzz_api.py).
# `make test` runs the same harness briefly (tests/hostile). Figures in benchmarks/README.md.
.PHONY: fuzz
FUZZ_REQUESTS ?= 10000
fuzz: venv
	$(BIN)/python tests/hostile/fuzz_api.py --requests $(FUZZ_REQUESTS)

# The production setup of deploy/ (gunicorn, qcluster, nginx terminating TLS, PostgreSQL) brought up on this machine,
# smoke-tested through nginx and torn down, nothing left running (deploy/check.py, docs/deploy.md). Needs PostgreSQL
# on 127.0.0.1:5432 (user postgres, trust; TIDU_DEPLOY_DATABASE_URL for another) and nginx from Debian.
.PHONY: deploy-check
deploy-check: venv
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "安装 Debian nginx（部署检查需要）"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null); \
	  else echo "请先安装 Debian 的 nginx 包：sudo apt-get install nginx-light"; exit 1; fi; \
	fi
	$(BIN)/python deploy/check.py

# Load test (issue 15, decision 0108): the deploy-check stack, the demo scaled to LOAD_FIRMS firms (scale_demo, in the
# stack's throw-away database), locust with LOAD_USERS users for LOAD_SECONDS seconds on the loopback and an import of
# LOAD_IMPORT_ROWS firm-years beside it (benchmarks/load/run.py). Bounded in time; not part of `make test`. Figures in
# benchmarks/README.md; `benchmarks/load/profile_pages.py` shows where a page's time goes.
.PHONY: load-test
LOAD_FIRMS ?= 100000
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
LOAD_IMPORT_ROWS ?= 10000
load-test: venv
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "安装 Debian nginx（压测需要）"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null); \
	  else echo "请先安装 Debian 的 nginx 包：sudo apt-get install nginx-light"; exit 1; fi; \
	fi
	TIDU_LOAD_FIRMS=$(LOAD_FIRMS) TIDU_LOAD_USERS=$(LOAD_USERS) TIDU_LOAD_SECONDS=$(LOAD_SECONDS) \
	  TIDU_LOAD_IMPORT_ROWS=$(LOAD_IMPORT_ROWS) timeout 2700 $(BIN)/python benchmarks/load/run.py

# Backup: the database (pg_dump of one snapshot, or SQLite's online backup), the uploads and the audit trail, with a
# manifest of checksums and row counts (src/tidu/core/backup.py); DEST defaults to var/backups. Restore only into an
# EMPTY database and upload directory (settings from the environment): `make restore BACKUP=var/backups/tidu-backup-…`;
# it checks every table's row count and the audit trail against the manifest.
.PHONY: backup restore
backup: venv
	$(BIN)/python manage.py backup $(DEST)

restore: venv
	@test -n "$(BACKUP)" || { echo "用法：make restore BACKUP=<备份目录>"; exit 1; }
	$(BIN)/python manage.py restore $(BACKUP)

# pip-audit (issue 15, decision 0104): every pin of requirements.lock against PyPI's advisories, which it reads from
# https://pypi.org/pypi/<name>/<version>/json (network needed; a minute or so). --strict: a package it could not look
# up fails the audit instead of being skipped. AUDIT_IGNORE holds `--ignore-vuln ID` for advisories that have no fix
# yet, each with its reason in docs/decisions/0104-content-security-policy-and-headers.md (none today).
.PHONY: audit
AUDIT_IGNORE :=
audit: venv
	@$(BIN)/python -c 'import importlib.metadata as m, urllib.request as u; u.urlopen(f"https://pypi.org/pypi/pip-audit/{m.version(\"pip-audit\")}/json", timeout=30).read(1)' 2>/dev/null \
	  || { echo "pip-audit 无法访问 PyPI 的漏洞数据接口（https://pypi.org/pypi/<包>/<版本>/json）：依赖未审计，审计失败。"; \
	       echo "pip-audit cannot reach PyPI's vulnerability API (https://pypi.org/pypi/<name>/<version>/json): nothing was audited."; exit 1; }
	timeout 900 $(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip --strict --progress-spinner off $(AUDIT_IGNORE)

# Re-pin: install the direct dependencies fresh and freeze them (needs the registry).
lock:
	rm -rf /tmp/tidu-lock && $(PYTHON) -m venv /tmp/tidu-lock
	/tmp/tidu-lock/bin/pip install --quiet -r requirements.in
	/tmp/tidu-lock/bin/pip freeze --exclude-editable | sort > requirements.lock

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .mypy_cache .ruff_cache
