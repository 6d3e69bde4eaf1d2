"""`make drills`: kill -9 drills (issue 15, decision 0107) against real gunicorn, qcluster and PostgreSQL processes.

    .venv/bin/python tests/faults/drill_faults.py [--keep] [--only import,evaluation,decision]

For each operation — a spreadsheet import (a job), a batch evaluation (the threshold sandbox, a job over the
whole register) and an official's review decision (a request) — and each process — the app server
(gunicorn), the job worker (qcluster) and the PostgreSQL backend serving the operation — the drill stops the
operation at a known point in the middle of its writes, `kill -9`s the process, restarts what died and
checks the database: nothing half-written (no rows of an unfinished import, no run without its job, no
application moved without its review step and audit event), the job finished visibly (succeeded after
running again, or failed with a reason in Chinese), and no lost update (of two decisions racing across the
kill, exactly one is applied; the other is refused as a conflict).

The operation is held at that point without any code of its own: the drill takes a lock in PostgreSQL on
the table or row the operation writes next (`LOCK TABLE … IN EXCLUSIVE MODE` blocks writes, not reads),
waits until pg_stat_activity shows the operation's backend waiting for it, and then kills. The process
serving a request is found from the backend's client port.

PostgreSQL is a private, throw-away cluster (initdb in the scratch directory, its own port), not the shared
server on 5432: killing a backend with SIGKILL makes the postmaster reset every connection of its cluster,
which would break anybody else's tests on a shared server. `--database-url` uses an existing server anyway.
Standard library plus psycopg and psutil; deploy/check.py's set-up (settings, gunicorn, qcluster) is reused.
Exit status 0 only if every drill passed and nothing is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import psycopg

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))
import check  # noqa: E402  (deploy/check.py: the production set-up this drill reuses)

DB_NAME = "tidu_drill"
WAIT = 120.0  # generous bound on every wait: the drill polls, it never asserts on speed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], Any], timeout: float = WAIT, pause: float = 0.2) -> Any:
    """Poll `probe` until it returns something truthy; raise with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(psycopg.OperationalError):
            value = probe()
            if value:
                return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(pause)


# ---- PostgreSQL ---------------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of the drill's own (initdb as the postgres user when run as root)."""

    def __init__(self, root: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
        if not found[-1]:
            raise SystemExit("initdb not found (apt-get install postgresql), or pass --database-url")
        self.bin = Path(found[-1]).parent
        self.root = root / "pg"
        self.port = _free_port()
        self.started = False

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self) -> None:
        self.root.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(self._as_owner([str(self.bin / "initdb"), "-D", str(self.root / "data"), "-U", "postgres",
                                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        # fsync off: a backend killed with SIGKILL is not an operating-system crash, the page cache survives.
        # synchronous_commit stays on: a commit the drill sees must survive the postmaster's reset.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=60"
        subprocess.run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-l",
                                       str(self.root / "postgres.log"), "-o", options, "-w", "start"]),
                       check=True, capture_output=True)
        self.started = True

    def stop(self) -> None:
        if self.started:
            subprocess.run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m",
                                           "immediate", "-w", "stop"]), capture_output=True)
            self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DB_NAME}"


# ---- the stack ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (the connection died with the server)
    body: dict[str, Any] | list[Any] | str
    error: str = ""


@dataclass
class Stack(check.Drill):
    """deploy/check.py's drill without nginx: gunicorn (two workers) and qcluster on a database of our own."""

    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        print(f"[drills] {text}", flush=True)

    def env(self) -> dict[str, str]:
        return super().env() | {"TIDU_WEB_WORKERS": "2", "TIDU_WEB_TIMEOUT": "300", "TIDU_LOG_LEVEL": "WARNING"}

    # -- processes
    def start_app(self) -> None:
        self.start("gunicorn", [str(check.VENV_BIN / "gunicorn"), "-c", str(check.DEPLOY / "gunicorn.conf.py"),
                                "tidu.config.wsgi"])
        wait_for("gunicorn to answer /healthz", lambda: self.http("GET", "/healthz").status in (200, 503))

    def start_worker(self) -> None:
        self.start("qcluster", [str(check.VENV_BIN / "python"), str(check.REPO / "manage.py"), "qcluster"])

    def child(self, name: str) -> subprocess.Popen[bytes]:
        alive = [c for n, c in self.children if n == name and c.poll() is None]
        if not alive:
            raise RuntimeError(f"{name} is not running")
        return alive[-1]

    def kill9(self, name: str) -> None:
        """SIGKILL the whole process group (gunicorn's master and workers; qcluster's sentinel, pusher, workers)."""
        child = self.child(name)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        wait_for(f"every process of {name} to be gone", lambda: not check._group_alive(child.pid))
        self.forget(lambda _n, c: c is child)
        self.say(f"kill -9 {name} (process group {child.pid})")

    def stop_gracefully(self, name: str) -> None:
        self.stop(name, grace=5)  # idle; django-q2 may wait for its pool longer (decision 0082)
        self.forget(lambda n, _c: n == name)

    def forget(self, which: Callable[[str, subprocess.Popen[bytes]], bool]) -> None:
        children: list[tuple[str, subprocess.Popen[bytes]]] = self.children
        children[:] = [(n, c) for n, c in children if not which(n, c)]

    # -- HTTP (straight to gunicorn, as nginx would relay it)
    def http(self, method: str, path: str, *, token: str = "", payload: dict[str, Any] | None = None,
             upload: tuple[str, bytes] | None = None, timeout: float = 300) -> Answer:
        headers = {"Host": check.HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1",
                   "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        elif upload is not None:
            boundary = secrets.token_hex(12)
            name, content = upload
            data = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                    f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.ports.app}{path}", data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (OSError, urllib.error.URLError) as error:
            return Answer(0, "", f"{type(error).__name__}: {error}")
        try:
            return Answer(status, json.loads(raw))
        except ValueError:
            return Answer(status, raw.decode("utf-8", "replace")[:500])

    def in_background(self, method: str, path: str, **kwargs: Any) -> Callable[[], Answer]:
        """Send a request from a thread (it will block on the drill's lock); returns a function to collect it."""
        box: list[Answer] = []
        thread = threading.Thread(target=lambda: box.append(self.http(method, path, **kwargs)), daemon=True)
        thread.start()

        def collect() -> Answer:
            thread.join(timeout=WAIT)
            return box[0] if box else Answer(0, "", "no answer within the bound")
        return collect

    # -- database
    def db(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.database_url, autocommit=True, connect_timeout=10)

    def one(self, sql: str, *params: Any) -> Any:
        with self.db() as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row is not None and len(row) == 1 else row

    def database_answers(self) -> bool:
        try:
            return self.one("SELECT 1") == 1
        except psycopg.Error:
            return False

    def blocked_backend(self, statement: str, *, besides: int = 0) -> tuple[int, int] | None:
        """(pid, client port) of a backend of ours waiting for a lock in a statement starting `statement`
        (e.g. 'INSERT INTO "core_auditevent"'), other than the backend `besides`."""
        row = self.one("SELECT pid, client_port FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                       "AND query LIKE %s AND pid <> pg_backend_pid() AND pid <> %s ORDER BY query_start LIMIT 1",
                       DB_NAME, f"{statement}%", besides)
        return (int(row[0]), int(row[1])) if row else None

    def backend_gone(self, pid: int) -> bool:
        return not self.one("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", pid)

    def process_of_client_port(self, port: int) -> int:
        """The local process holding the client end of a backend's connection (we run as root)."""
        db_port = int(self.database_url.rsplit(":", 1)[1].split("/")[0])
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.raddr and conn.raddr.port == db_port and conn.pid:
                return int(conn.pid)
        raise RuntimeError(f"no process holds client port {port}")

    def kill_backend(self, pid: int) -> None:
        """SIGKILL one backend: the postmaster then resets every connection of the cluster and recovers."""
        os.kill(pid, signal.SIGKILL)
        self.say(f"kill -9 PostgreSQL backend {pid}")
        time.sleep(0.5)
        wait_for("PostgreSQL to accept connections after its reset", self.database_answers)

    @contextlib.contextmanager
    def holding(self, sql: str, *params: Any) -> Any:
        """Run `sql` (a lock) in an open transaction on a connection of the drill's; roll back at the end.
        The connection may die under it (a backend kill resets every connection): that is expected."""
        conn = psycopg.connect(self.database_url, connect_timeout=10)
        conn.execute(sql, params)
        try:
            yield conn
        finally:
            with contextlib.suppress(psycopg.Error):
                conn.rollback()
            with contextlib.suppress(psycopg.Error):
                conn.close()

    # -- jobs
    def job(self, job_id: str) -> dict[str, Any]:
        row = self.one("SELECT status, error_message, stage, attempts, result::text FROM jobs_job WHERE id = %s",
                       job_id)
        return {"status": row[0], "error_message": row[1], "stage": row[2], "attempts": row[3],
                "result": json.loads(row[4] or "{}")} if row else {}

    def job_finished(self, job_id: str, timeout: float = WAIT) -> dict[str, Any]:
        return dict(wait_for(f"job {job_id} to finish", lambda: (
            self.job(job_id) if self.job(job_id).get("status") in ("succeeded", "failed", "rejected") else None),
            timeout=timeout, pause=0.5))

    def audit_count(self, action: str, *, target_id: str = "", data_job: str = "") -> int:
        sql = "SELECT count(*) FROM core_auditevent WHERE action = %s"
        params: list[Any] = [action]
        if target_id:
            sql += " AND target_id = %s"
            params.append(target_id)
        if data_job:
            sql += " AND data->>'job' = %s"
            params.append(data_job)
        return int(self.one(sql, *params))

    # -- results
    def row(self, operation: str, process: str, outcome: str, checks: list[tuple[bool, str]]) -> None:
        failed = [what for ok, what in checks if not ok]
        for ok, what in checks:
            self.expect(ok, f"{operation} × {process}: {what}")
        self.rows.append((operation, process, outcome if not failed else "FAILED: " + "; ".join(failed), not failed))


# ---- set-up -------------------------------------------------------------------------------------------

SETUP = r"""
import json
from django.contrib.auth import get_user_model
from tidu.accounts.services import api_token_create
from tidu.enterprises.io_samples import rows_to_csv, sample_rows
from tidu.journey.models import Application
users = get_user_model().objects
tokens = {name: api_token_create(user=users.get(username=name), name="drill")[1]
          for name in ("demo-county", "demo-city", "demo-province")}
app = (Application.objects.filter(status="county", enterprise__region__code="440305").order_by("pk").first())
files = {}
for n, key in enumerate(("import-app", "import-worker", "import-db")):
    rows = sample_rows(firms=FIRMS, years=[2023, 2024], region_codes=["440305"], body_offset=10_000 + 1000 * n)
    files[key] = rows_to_csv(rows).decode("utf-8-sig")
print(json.dumps({"tokens": tokens, "application": app.pk if app else None, "files": files}))
"""


def set_up(stack: Stack, firms: int) -> None:
    out = stack.manage("shell", "-c", SETUP.replace("FIRMS", str(firms)))
    facts = json.loads(out.strip().splitlines()[-1])
    stack.tokens = facts["tokens"]
    stack.facts = facts
    if facts["application"] is None:
        raise RuntimeError("the demo data holds no application at the county step in 440305")
    # The five-minute sweep (jobs migration 0004) is put off for the drill's length: its task would land in the
    # queue table the drills lock and count, and it could rescue a job the sweep at worker start, under test, missed.
    stack.one("UPDATE django_q_schedule SET next_run = now() + interval '1 hour' WHERE func = 'tidu.jobs.lease.sweep' "
              "RETURNING id")


def credit_codes(csv_text: str) -> list[str]:
    import csv

    rows = list(csv.reader(io.StringIO(csv_text)))
    header = rows[0]
    column = next(i for i, h in enumerate(header) if "信用代码" in h)
    return sorted({r[column] for r in rows[1:] if r})


# ---- drills: import -----------------------------------------------------------------------------------


def import_rows(stack: Stack, codes: list[str]) -> tuple[int, int]:
    firms = int(stack.one("SELECT count(*) FROM enterprises_enterprise WHERE credit_code = ANY(%s)", codes))
    years = int(stack.one("SELECT count(*) FROM enterprises_enterpriseyear y JOIN enterprises_enterprise e "
                          "ON e.id = y.enterprise_id WHERE e.credit_code = ANY(%s)", codes))
    return firms, years


def submit_import(stack: Stack, key: str) -> Answer:
    return stack.http("POST", "/api/v1/io/imports", token=stack.tokens["demo-county"],
                      upload=(f"{key}.csv", stack.facts["files"][key].encode("utf-8-sig")))


def import_completes(stack: Stack, key: str) -> tuple[bool, str]:
    """Submit the same file again after the fault: it must import every row once."""
    codes = credit_codes(stack.facts["files"][key])
    answer = submit_import(stack, key)
    if answer.status != 202 or not isinstance(answer.body, dict):
        return False, f"resubmission answered {answer.status} {answer.body!r:.200}"
    job = stack.job_finished(str(answer.body["job_id"]))
    firms, years = import_rows(stack, codes)
    imported = stack.audit_count("enterprise.import", data_job=str(answer.body["job_id"]))
    ok = job["status"] == "succeeded" and firms == len(codes) and years == 2 * len(codes) and imported == 1
    return ok, f"resubmitted: {job['status']}, {firms} firms / {years} firm-years, {imported} import event"


def drill_import_app(stack: Stack) -> None:
    key = "import-app"
    codes = credit_codes(stack.facts["files"][key])
    jobs_before = int(stack.one("SELECT count(*) FROM jobs_job"))
    with stack.holding("LOCK TABLE django_q_ormq IN EXCLUSIVE MODE"):
        pending = stack.in_background("POST", "/api/v1/io/imports", token=stack.tokens["demo-county"],
                                      upload=(f"{key}.csv", stack.facts["files"][key].encode("utf-8-sig")))
        backend = wait_for("the upload request to wait for the queue", lambda: stack.blocked_backend('INSERT INTO "django_q_ormq"'))
        stack.kill9("gunicorn")
    answer = pending()
    wait_for("the dead request's backend to end", lambda: stack.backend_gone(backend[0]))
    orphan_jobs = int(stack.one("SELECT count(*) FROM jobs_job")) - jobs_before
    queued = int(stack.one("SELECT count(*) FROM django_q_ormq"))
    firms, _years = import_rows(stack, codes)
    stack.start_app()
    completes, detail = import_completes(stack, key)
    stack.row("import", "app server (gunicorn)",
              f"upload request lost (no answer); no job, no queue entry, no rows left behind; {detail}", [
                  (answer.status == 0, f"the killed request got no answer ({answer.status} {answer.error})"),
                  (orphan_jobs == 0, f"no job recorded without its queue entry ({orphan_jobs} left)"),
                  (queued == 0, f"no queue entry left ({queued})"),
                  (firms == 0, f"no firm of the file written ({firms})"),
                  (completes, detail),
              ])


def _import_held(stack: Stack, key: str) -> tuple[str, tuple[int, int]]:
    """Submit the import while the drill holds the firm-year table (the caller's lock): the worker's import
    transaction writes the file's firms, then waits to write its firm-years. Returns (job id, backend)."""
    answer = submit_import(stack, key)
    if answer.status != 202 or not isinstance(answer.body, dict):
        raise RuntimeError(f"import upload answered {answer.status}: {answer.body!r:.300}")
    backend = wait_for("the import to wait for the firm-year table",
                       lambda: stack.blocked_backend('INSERT INTO "enterprises_enterpriseyear"'))
    return str(answer.body["job_id"]), backend


def drill_import_worker(stack: Stack) -> None:
    key = "import-worker"
    codes = credit_codes(stack.facts["files"][key])
    with stack.holding("LOCK TABLE enterprises_enterpriseyear IN EXCLUSIVE MODE"):
        job_id, backend = _import_held(stack, key)
        running = stack.job(job_id)["status"]
        stack.kill9("qcluster")
    wait_for("the killed worker's backend to end", lambda: stack.backend_gone(backend[0]))
    firms, years = import_rows(stack, codes)
    stuck = stack.job(job_id)["status"]
    stack.start_worker()
    job = stack.job_finished(job_id)
    interrupted = stack.audit_count("jobs.interrupted", target_id=job_id)
    imported = stack.audit_count("enterprise.import", data_job=job_id)
    completes, detail = import_completes(stack, key)
    stack.row("import", "job worker (qcluster)",
              f"job {job['status']} after restart: “{job['error_message'][:60]}…”; nothing written; {detail}", [
                  (running == "running", f"the job was running when killed ({running})"),
                  (stuck == "running", f"before the restart the job still reads running ({stuck})"),
                  ((firms, years) == (0, 0), f"no firm or firm-year of the file written ({firms}, {years})"),
                  (job["status"] == "failed" and "中断" in job["error_message"],
                   f"the job failed with a reason after the restart ({job['status']}: {job['error_message'][:80]})"),
                  (interrupted == 1, f"one jobs.interrupted audit event ({interrupted})"),
                  (imported == 0, f"no enterprise.import audit event for the job ({imported})"),
                  (completes, detail),
              ])


def drill_import_database(stack: Stack) -> None:
    key = "import-db"
    codes = credit_codes(stack.facts["files"][key])
    with stack.holding("LOCK TABLE enterprises_enterpriseyear IN EXCLUSIVE MODE"):
        job_id, backend = _import_held(stack, key)
        stack.kill_backend(backend[0])
    job = stack.job_finished(job_id)
    firms, years = import_rows(stack, codes)
    imported = stack.audit_count("enterprise.import", data_job=job_id)
    reason = job["error_message"] or " ".join(p.get("message", "") for p in job["result"].get("problems", []))
    completes, detail = import_completes(stack, key)
    stack.row("import", "PostgreSQL backend",
              f"job {job['status']}: “{reason[:60]}…”; nothing written; {detail}", [
                  (job["status"] in ("failed", "rejected") and bool(reason),
                   f"the job ended visibly with a reason ({job['status']}: {reason[:80]})"),
                  ((firms, years) == (0, 0), f"no firm or firm-year of the file written ({firms}, {years})"),
                  (imported == 0, f"no enterprise.import audit event for the job ({imported})"),
                  (completes, detail),
              ])


# ---- drills: batch evaluation (threshold sandbox over the register) ------------------------------------

def run_request(stack: Stack) -> dict[str, Any]:
    """A threshold sandbox run: the first threshold of 专精特新 moved by one unit."""
    if "run" not in stack.facts:
        answer = stack.http("GET", "/api/v1/sandbox/standards/specialized_sme/thresholds", token=stack.tokens["demo-city"])
        if answer.status != 200 or not isinstance(answer.body, list) or not answer.body:
            raise RuntimeError(f"thresholds answered {answer.status}: {answer.body!r:.300}")
        first = answer.body[0]
        value = float(first["value"])
        new = value - 1 if value > 1 else value + 1
        stack.facts["run"] = {"standard": "specialized_sme", "edits": {first["id"]: f"{new:g}"}}
    return dict(stack.facts["run"])


def submit_run(stack: Stack) -> Answer:
    return stack.http("POST", "/api/v1/sandbox/runs", token=stack.tokens["demo-city"], payload=run_request(stack))


def run_state(stack: Stack, run_id: int) -> tuple[str, str, bool, int]:
    """(job id, job status, result complete, sandbox.run audit events) of one run."""
    row = stack.one("SELECT job_id, result::text FROM sandbox_sandboxrun WHERE id = %s", run_id)
    job_id = str(row[0]) if row and row[0] else ""
    result = json.loads(row[1] or "{}") if row else {}
    status = stack.job(job_id).get("status", "") if job_id else ""
    return job_id, status, bool(result) and "as_of" in result, stack.audit_count("sandbox.run", target_id=str(run_id))


def run_completes(stack: Stack) -> tuple[bool, str]:
    answer = submit_run(stack)
    if answer.status != 201 or not isinstance(answer.body, dict):
        return False, f"resubmission answered {answer.status} {answer.body!r:.200}"
    run_id = int(answer.body["id"])
    job_id = run_state(stack, run_id)[0]
    stack.job_finished(job_id)
    _job, status, complete, events = run_state(stack, run_id)
    return status == "succeeded" and complete and events == 1, f"resubmitted: {status}, result complete {complete}"


def drill_evaluation_app(stack: Stack) -> None:
    runs_before = int(stack.one("SELECT count(*) FROM sandbox_sandboxrun"))
    events_before = stack.audit_count("sandbox.run")
    jobs_before = int(stack.one("SELECT count(*) FROM jobs_job"))
    with stack.holding("LOCK TABLE django_q_ormq IN EXCLUSIVE MODE"):
        pending = stack.in_background("POST", "/api/v1/sandbox/runs", token=stack.tokens["demo-city"],
                                      payload=run_request(stack))
        backend = wait_for("the run request to wait for the queue", lambda: stack.blocked_backend('INSERT INTO "django_q_ormq"'))
        stack.kill9("gunicorn")
    answer = pending()
    wait_for("the dead request's backend to end", lambda: stack.backend_gone(backend[0]))
    runs = int(stack.one("SELECT count(*) FROM sandbox_sandboxrun")) - runs_before
    events = stack.audit_count("sandbox.run") - events_before
    jobs = int(stack.one("SELECT count(*) FROM jobs_job")) - jobs_before
    stack.start_app()
    completes, detail = run_completes(stack)
    stack.row("batch evaluation", "app server (gunicorn)",
              f"request lost; no run, job or audit event left behind; {detail}", [
                  (answer.status == 0, f"the killed request got no answer ({answer.status})"),
                  ((runs, jobs, events) == (0, 0, 0),
                   f"no run, job or audit event without the others ({runs}, {jobs}, {events})"),
                  (completes, detail),
              ])


def _run_queued(stack: Stack) -> tuple[int, str]:
    """Queue a run with the worker stopped (idle), so the drill can hold its row before the worker starts."""
    run_request(stack)
    stack.stop_gracefully("qcluster")
    answer = submit_run(stack)
    if answer.status != 201 or not isinstance(answer.body, dict):
        raise RuntimeError(f"sandbox run answered {answer.status}: {answer.body!r:.300}")
    run_id = int(answer.body["id"])
    return run_id, run_state(stack, run_id)[0]


def drill_evaluation_worker(stack: Stack) -> None:
    run_id, job_id = _run_queued(stack)
    with stack.holding("SELECT 1 FROM sandbox_sandboxrun WHERE id = %s FOR UPDATE", run_id):
        stack.start_worker()
        backend = wait_for("the evaluation to wait to store its result",
                           lambda: stack.blocked_backend('UPDATE "sandbox_sandboxrun"'))
        stack.kill9("qcluster")
    wait_for("the killed worker's backend to end", lambda: stack.backend_gone(backend[0]))
    before_restart = run_state(stack, run_id)
    stack.start_worker()
    job = stack.job_finished(job_id)
    _job, status, complete, events = run_state(stack, run_id)
    requeued = stack.audit_count("jobs.requeued", target_id=job_id)
    stack.row("batch evaluation", "job worker (qcluster)",
              f"job re-queued by the restarted worker and {status} on attempt {job['attempts']}; one complete result",
              [
                  (before_restart[1] == "running",
                   f"killed mid-run, the job still reads running until the restart ({before_restart[1]})"),
                  (status == "succeeded" and complete, f"ran again to completion ({status}, {complete})"),
                  (job["attempts"] == 2 and requeued == 1, f"2 attempts, one jobs.requeued event ({job['attempts']}, "
                                                            f"{requeued})"),
                  (events == 1, f"one sandbox.run audit event ({events})"),
              ])


def drill_evaluation_database(stack: Stack) -> None:
    run_id, job_id = _run_queued(stack)
    with stack.holding("SELECT 1 FROM sandbox_sandboxrun WHERE id = %s FOR UPDATE", run_id):
        stack.start_worker()
        backend = wait_for("the evaluation to wait to store its result",
                           lambda: stack.blocked_backend('UPDATE "sandbox_sandboxrun"'))
        stack.kill_backend(backend[0])
    job = stack.job_finished(job_id)
    _job, status, complete, events = run_state(stack, run_id)
    requeued = stack.audit_count("jobs.requeued", target_id=job_id)
    stack.row("batch evaluation", "PostgreSQL backend",
              f"connection lost mid-run → job re-queued, {status} on attempt {job['attempts']}", [
                  (status == "succeeded" and complete, f"ran again to completion ({status}, {complete})"),
                  (job["attempts"] == 2 and requeued == 1, f"2 attempts, one jobs.requeued event ({job['attempts']}, "
                                                            f"{requeued})"),
                  (events == 1, f"one sandbox.run audit event ({events})"),
              ])


# ---- drills: review decision ---------------------------------------------------------------------------


def application(stack: Stack) -> tuple[str, int, int, int]:
    """(status, version, review steps, review audit events) of the drill's application."""
    pk = stack.facts["application"]
    status, version = stack.one("SELECT status, version FROM journey_application WHERE id = %s", pk)
    steps = int(stack.one("SELECT count(*) FROM journey_reviewstep WHERE application_id = %s", pk))
    events = int(stack.one("SELECT count(*) FROM core_auditevent WHERE action LIKE 'journey.review.%%' "
                           "AND target_type = 'journey.application' AND target_id = %s", str(pk)))
    return str(status), int(version), steps, events


def decide(stack: Stack, who: str, action: str, version: int) -> Callable[[], Answer]:
    payload = {"action": action, "comment": "材料不全，请补充" if action != "approve" else "同意", "version": version}
    return stack.in_background("POST", f"/api/v1/journey/applications/{stack.facts['application']}/review",
                               token=stack.tokens[who], payload=payload)


def _two_racing_decisions(stack: Stack, who: str) -> tuple[Callable[[], Answer], Callable[[], Answer], tuple[int, int]]:
    """Decision A (return) holds the application's row and waits to write its audit event; decision B
    (approve, the same official in a second tab, on the same version) waits for A's row lock."""
    version = application(stack)[1]
    first = decide(stack, who, "return", version)
    backend = wait_for("decision A to wait to write its audit event",
                       lambda: stack.blocked_backend('INSERT INTO "core_auditevent"'))
    second = decide(stack, who, "approve", version)
    wait_for("decision B to wait for A's row",
             lambda: stack.blocked_backend('UPDATE "journey_application"', besides=backend[0]))
    return first, second, backend


def drill_decision_app(stack: Stack) -> None:
    status0, version0, steps0, events0 = application(stack)
    with stack.holding("LOCK TABLE core_auditevent IN EXCLUSIVE MODE"):
        first, second, backend = _two_racing_decisions(stack, "demo-county")
        worker = stack.process_of_client_port(backend[1])
        os.kill(worker, signal.SIGKILL)  # the gunicorn worker serving decision A; the master starts another
        stack.say(f"kill -9 gunicorn worker {worker} (serving decision A)")
    a, b = first(), second()
    status1, version1, steps1, events1 = application(stack)
    retry = stack.http("POST", f"/api/v1/journey/applications/{stack.facts['application']}/review",
                       token=stack.tokens["demo-county"],
                       payload={"action": "return", "comment": "材料不全，请补充", "version": version0})
    status2, version2, steps2, events2 = application(stack)
    stack.row("review decision", "app server (gunicorn worker)",
              f"decision A lost with its worker, nothing of it kept; racing decision B applied ({status0} → "
              f"{status1}); A resent on the old version → {retry.status} conflict", [
                  (a.status == 0, f"decision A got no answer ({a.status})"),
                  (b.status == 200, f"decision B applied ({b.status} {str(b.body)[:120]})"),
                  ((version1, steps1 - steps0, events1 - events0) == (version0 + 1, 1, 1),
                   f"exactly one decision recorded: version +1, one step, one audit event "
                   f"({version1 - version0}, {steps1 - steps0}, {events1 - events0})"),
                  (status1 != status0 and status1 != "returned", f"the application moved on by B only ({status1})"),
                  (retry.status == 409 and (status2, version2, steps2, events2) == (status1, version1, steps1, events1),
                   f"A resent with the old version is refused as a conflict, nothing written ({retry.status})"),
              ])


def drill_decision_worker(stack: Stack) -> None:
    status0, version0, steps0, events0 = application(stack)
    with stack.holding("LOCK TABLE core_auditevent IN EXCLUSIVE MODE"):
        pending = decide(stack, "demo-city", "approve", version0)
        wait_for("the decision to wait to write its audit event", lambda: stack.blocked_backend('INSERT INTO "core_auditevent"'))
        stack.kill9("qcluster")
    answer = pending()
    status1, version1, steps1, events1 = application(stack)
    stack.start_worker()
    stack.row("review decision", "job worker (qcluster)",
              f"not involved: the decision completed while the worker died ({status0} → {status1}); worker restarted", [
                  (answer.status == 200, f"the decision answered 200 ({answer.status})"),
                  ((version1 - version0, steps1 - steps0, events1 - events0) == (1, 1, 1),
                   f"one step and one audit event ({steps1 - steps0}, {events1 - events0})"),
              ])


def drill_decision_database(stack: Stack) -> None:
    status0, version0, steps0, events0 = application(stack)
    with stack.holding("LOCK TABLE core_auditevent IN EXCLUSIVE MODE"):
        first, second, backend = _two_racing_decisions(stack, "demo-province")
        stack.kill_backend(backend[0])
    a, b = first(), second()
    status1, version1, steps1, events1 = application(stack)
    again_a = stack.http("POST", f"/api/v1/journey/applications/{stack.facts['application']}/review",
                         token=stack.tokens["demo-province"],
                         payload={"action": "approve", "comment": "同意", "version": version0})
    again_b = stack.http("POST", f"/api/v1/journey/applications/{stack.facts['application']}/review",
                         token=stack.tokens["demo-province"],
                         payload={"action": "return", "comment": "材料不全，请补充", "version": version0})
    status2, version2, steps2, events2 = application(stack)
    stack.row("review decision", "PostgreSQL backend",
              f"both racing decisions refused ({a.status}, {b.status}) and nothing of either kept; resent: "
              f"the first applies ({again_a.status}, {status0} → {status2}), the second is a conflict "
              f"({again_b.status})", [
                  (a.status == 503 and isinstance(a.body, dict) and a.body.get("code") == "service_unavailable",
                   f"decision A failed visibly: 503 service_unavailable, retry later ({a.status})"),
                  (b.status >= 500 or b.status == 0 or b.status == 409, f"decision B did not apply ({b.status})"),
                  ((status1, version1, steps1, events1) == (status0, version0, steps0, events0),
                   "the reset left the application, its steps and audit events as they were"),
                  (again_a.status == 200 and again_b.status == 409, f"resent: one applies, the other conflicts "
                                                                     f"({again_a.status}, {again_b.status})"),
                  ((version2 - version0, steps2 - steps0, events2 - events0) == (1, 1, 1),
                   "exactly one decision recorded in the end"),
              ])


DRILLS: dict[str, list[Callable[[Stack], None]]] = {
    "import": [drill_import_app, drill_import_worker, drill_import_database],
    "evaluation": [drill_evaluation_app, drill_evaluation_worker, drill_evaluation_database],
    "decision": [drill_decision_app, drill_decision_worker, drill_decision_database],
}


def table(rows: list[tuple[str, str, str, bool]]) -> str:
    lines = ["| operation | process killed (kill -9) | outcome after restart | |", "|---|---|---|---|"]
    lines += [f"| {op} | {proc} | {outcome} | {'✅' if ok else '❌'} |" for op, proc, outcome, ok in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (logs) afterwards")
    parser.add_argument("--only", default="import,evaluation,decision", help="comma-separated operations")
    parser.add_argument("--database-url", default="", help="use this server instead of a private cluster "
                                                          "(its other connections are reset by the backend kills)")
    parser.add_argument("--firms", type=int, default=200, help="firms per import file (two years each)")
    args = parser.parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="tidu-drill-"))
    run_dir.chmod(0o755)
    postgres = None if args.database_url else PrivatePostgres(run_dir)
    ports = check.Ports(https=0, http=0, app=_free_port())
    stack = Stack(run_dir=run_dir, ports=ports, database_url=args.database_url or (postgres.url if postgres else ""))
    stack.log_dir.mkdir()
    stack.var_dir.mkdir()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.monotonic()
    try:
        stack.say(f"scratch directory {run_dir}")
        if postgres is not None:
            postgres.start()
            stack.say(f"private PostgreSQL on 127.0.0.1:{postgres.port}")
        stack.create_database()
        for step in (("migrate", "--noinput"), ("seed_demo",)):
            step_started = time.monotonic()
            stack.manage(*step)
            stack.say(f"manage.py {step[0]}: {time.monotonic() - step_started:.0f} s")
        set_up(stack, args.firms)
        stack.start_app()
        stack.start_worker()
        for operation in args.only.split(","):
            for drill in DRILLS[operation.strip()]:
                drill_started = time.monotonic()
                stack.say(f"---- {drill.__name__}")
                try:
                    drill(stack)
                except Exception as error:  # one drill's failure is reported; the others still run
                    stack.failures.append(f"{drill.__name__}: {type(error).__name__}: {error}")
                    stack.say(f"FAIL  {drill.__name__}: {type(error).__name__}: {error}")
                    stack.rows.append((operation, drill.__name__, f"ERROR {type(error).__name__}: {error}", False))
                    for name in ("gunicorn", "qcluster"):  # bring back whatever the failure left down
                        if not any(n == name and c.poll() is None for n, c in stack.children):
                            with contextlib.suppress(Exception):
                                stack.start_app() if name == "gunicorn" else stack.start_worker()
                stack.say(f"     {drill.__name__}: {time.monotonic() - drill_started:.0f} s")
    except KeyboardInterrupt:
        stack.failures.append("interrupted")
    except Exception as error:
        stack.failures.append(f"{type(error).__name__}: {error}")
        stack.say(f"FAIL  {type(error).__name__}: {error}")
    finally:
        for name in ("gunicorn", "qcluster"):
            stack.stop(name)
        with contextlib.suppress(TimeoutError):
            wait_for("every process to end", lambda: not any(check._group_alive(c.pid) for _n, c in stack.children),
                     timeout=15)
        left = [f"{name} (pid {child.pid})" for name, child in stack.children if check._group_alive(child.pid)]
        stack.expect(not left, "nothing left running", ", ".join(left))
        with contextlib.suppress(Exception):
            stack.drop_database()
        if postgres is not None:
            postgres.stop()
        if stack.failures:
            for name in ("gunicorn", "qcluster"):
                log = stack.log_dir / f"{name}.log"
                if log.exists():
                    print(f"---- {log} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-25:]))
        if args.keep or stack.failures:
            stack.say(f"logs kept in {stack.log_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    print(table(stack.rows))
    seconds = time.monotonic() - started
    if stack.failures:
        stack.say(f"{len(stack.failures)} FAILED, {stack.passed} passed in {seconds:.0f} s: {stack.failures}")
        return 1
    stack.say(f"all {stack.passed} checks passed in {seconds:.0f} s; everything stopped and removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
