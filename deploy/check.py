"""`make deploy-check`: the production setup of deploy/ brought up on this machine, smoke-tested, torn down.

    .venv/bin/python deploy/check.py [--keep]

PostgreSQL (a fresh database, default tidu_deploy on 127.0.0.1:5432, user postgres), migrate, collectstatic,
the demo data; gunicorn (deploy/gunicorn.conf.py) with several workers, the job worker (qcluster), and nginx
(deploy/nginx/) terminating TLS with a throw-away self-signed certificate. Then, through nginx only: the
login page, a demo firm's login and 我的梯度, the API, a hashed static file and a permitted attachment
(both sent by nginx itself, with the security headers of Django's pages: `manage.py nginx_headers`),
nginx's own 413 as a page and, under /api/, as the API's JSON error body (502 likewise once gunicorn is down),
/healthz, /metrics, the request id from the response to the JSON log line, HTTP → HTTPS and HSTS.
Finally the worker is stopped and /healthz must turn red, everything is stopped (each server's main process
asked first, SIGKILL after a bounded wait; "nothing left running" read from /proc), the database dropped and
the scratch directory removed (--keep leaves the directory, for its logs).

Exit status 0 only if every check passed and nothing is left running. Standard library plus psycopg.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEPLOY = REPO / "deploy"
HOST = "localhost"


@dataclass
class Ports:
    https: int = int(os.environ.get("TIDU_CHECK_HTTPS_PORT", "18443"))
    http: int = int(os.environ.get("TIDU_CHECK_HTTP_PORT", "18080"))
    app: int = int(os.environ.get("TIDU_CHECK_APP_PORT", "18001"))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    header_list: list[tuple[str, str]] = field(default_factory=list)  # every header as sent, repeats kept

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Drill:
    run_dir: Path
    ports: Ports
    database_url: str
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    passed: int = 0

    # ---- output -------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        print(f"[deploy-check] {text}", flush=True)

    def expect(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            self.say(f"ok    {what}")
        else:
            self.failures.append(what)
            self.say(f"FAIL  {what}{': ' + detail if detail else ''}")
        return ok

    # ---- environment --------------------------------------------------------------------------------
    @property
    def var_dir(self) -> Path:
        return self.run_dir / "var"

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "log"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIDU_", "PROMETHEUS_"))}
        return keep | {
            "DJANGO_SETTINGS_MODULE": "tidu.config.settings.production",
            "TIDU_SECRET_KEY": self.secret,
            "TIDU_DATABASE_URL": self.database_url,
            "TIDU_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "TIDU_VAR_DIR": str(self.var_dir),
            "TIDU_PROXY_COUNT": "1",
            "TIDU_ACCEL_REDIRECT_PREFIX": "/_protected/",
            "TIDU_BIND": f"127.0.0.1:{self.ports.app}",
            "TIDU_WEB_WORKERS": os.environ.get("TIDU_WEB_WORKERS", "3"),
            "TIDU_WORKERS": "1",
            "PROMETHEUS_MULTIPROC_DIR": str(self.run_dir / "metrics"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(64))

    def manage(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run([str(VENV_BIN / "python"), str(REPO / "manage.py"), *args], cwd=REPO,
                                env=self.env(), capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self, name: str, argv: list[str]) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        child = subprocess.Popen(argv, cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        self.children.append((name, child))
        self.say(f"started {name} (pid {child.pid})")

    def stop(self, name: str, grace: float = 30.0, kill_wait: float = 10.0) -> None:
        """SIGTERM (nginx: SIGQUIT) to the server's main process, wait up to `grace` seconds until no process of its
        group runs, then SIGKILL the group and wait up to `kill_wait` more.

        Only the main process is asked: it stops its own children in order (gunicorn's workers, django-q2's
        sentinel, pusher, pool and monitor). Signalling the whole group killed qcluster's sentinel under its
        main process, which then hung in `stop_event.set()`/`join()` until the SIGKILL (the "5–20 s"). Members
        that have exited but not been reaped (zombies) do not count as running."""
        tracked = {child.pid for _, child in self.children}
        for child_name, child in self.children:
            if child_name != name or (child.poll() is not None and not _group_alive(child.pid)):
                continue  # not this one, or stopped already
            stop_signal = signal.SIGQUIT if name == "nginx" else signal.SIGTERM
            with contextlib.suppress(ProcessLookupError):  # the main process, or its orphans if it is gone
                if child.poll() is None:
                    os.kill(child.pid, stop_signal)
                else:
                    os.killpg(child.pid, stop_signal)
            asked = time.monotonic()
            if _wait_group_stopped(child, tracked, grace):
                self.say(f"{name} stopped in {time.monotonic() - asked:.1f} s")
            else:
                self.say(f"{name} did not stop in {grace:.0f} s: SIGKILL")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                _wait_group_stopped(child, tracked, kill_wait)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)

    def still_running(self) -> list[str]:
        """Every process of our children's groups that is still running (not a zombie), as `name pid state`."""
        return [f"{name} (pid {pid}, state {state})" for name, child in self.children
                for pid, state, _ in _group_members(child.pid) if state not in _EXITED]

    # ---- set-up -------------------------------------------------------------------------------------
    def create_database(self) -> None:
        import psycopg

        url = urllib.parse.urlsplit(self.database_url)
        name = url.path.lstrip("/")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise SystemExit(f"unexpected database name {name!r}")
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self) -> None:
        import psycopg

        url = urllib.parse.urlsplit(self.database_url)
        name = url.path.lstrip("/")
        with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def make_certificate(self) -> None:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                        "-keyout", str(self.run_dir / "tls.key"), "-out", str(self.run_dir / "tls.crt")],
                       check=True, capture_output=True)

    def render_nginx(self) -> Path:
        values = {
            "APP": f"127.0.0.1:{self.ports.app}",
            "HTTP_LISTEN": f"127.0.0.1:{self.ports.http}",
            "HTTPS_LISTEN": f"127.0.0.1:{self.ports.https}",
            "HTTPS_PORT": str(self.ports.https),
            "SERVER_NAME": HOST,
            "CERT": str(self.run_dir / "tls.crt"),
            "KEY": str(self.run_dir / "tls.key"),
            "LOG_DIR": str(self.log_dir),
            "RUN_DIR": str(self.run_dir / "nginx"),
            "STATIC_ROOT": str(self.var_dir / "staticfiles"),
            "MEDIA_ROOT": str(self.var_dir / "uploads"),
            "PROXY_PARAMS": str(DEPLOY / "nginx" / "proxy_params.conf"),
            "SITE_CONF": str(self.run_dir / "tidu.conf"),
            "SECURITY_HEADERS": str(self.run_dir / "security_headers.conf"),
            "ERROR_PAGES": str(DEPLOY / "nginx" / "errors"),
        }
        self.manage("nginx_headers", "-o", values["SECURITY_HEADERS"])

        def render(template: Path, target: Path) -> None:
            text = template.read_text()
            for key, value in values.items():
                text = text.replace(f"@{key}@", value)
            leftover = re.findall(r"@[A-Z_]+@", text)
            if leftover:
                raise SystemExit(f"{template.name}: no value for {leftover}")
            target.write_text(text)

        (self.run_dir / "nginx").mkdir()
        render(DEPLOY / "nginx" / "tidu.conf.template", self.run_dir / "tidu.conf")
        render(DEPLOY / "nginx" / "nginx.conf.template", self.run_dir / "nginx.conf")
        return self.run_dir / "nginx.conf"

    # ---- HTTP ---------------------------------------------------------------------------------------
    def client(self, *, follow: bool = True) -> urllib.request.OpenerDirector:
        context = ssl.create_default_context(cafile=str(self.run_dir / "tls.crt"))
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        ]
        if not follow:
            handlers.append(_NoRedirect())
        return urllib.request.build_opener(*handlers)

    def url(self, path: str) -> str:
        return f"https://{HOST}:{self.ports.https}{path}"

    @staticmethod
    def fetch(opener: urllib.request.OpenerDirector, url: str, *, data: dict[str, str] | None = None,
              headers: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with opener.open(request, timeout=30) as answer:
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read(),
                                [(k.lower(), v) for k, v in answer.headers.items()])
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read(),
                            [(k.lower(), v) for k, v in error.headers.items()])

    def wait_healthy(self, timeout: float = 120) -> Response | None:
        opener = self.client()
        deadline = time.monotonic() + timeout
        last: Response | None = None
        while time.monotonic() < deadline:
            for name, child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"{name} exited with {child.returncode}; see {self.log_dir / (name + '.log')}")
            with contextlib.suppress(OSError):
                last = self.fetch(opener, self.url("/healthz"))
                if last.status == 200:
                    return last
            time.sleep(0.5)
        return last


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_EXITED = ("Z", "X")  # zombie (exited, not yet reaped) and dead: neither runs nor holds a port


def _group_members(pgid: int) -> list[tuple[int, str, int]]:
    """(pid, state, parent pid) of every process in the process group, from /proc (Linux)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid pgrp …
        if int(fields[2]) == pgid:
            members.append((int(entry), fields[0], int(fields[1])))
    return members


def _group_alive(pgid: int) -> bool:
    """A process of the group still runs (zombies excepted; tests/faults/drill_faults.py uses this too)."""
    return any(state not in _EXITED for _, state, _ in _group_members(pgid))


def _wait_group_stopped(child: subprocess.Popen[bytes], tracked: set[int], seconds: float) -> bool:
    """Wait up to `seconds` until no process of `child`'s group runs; True if none does.

    When the group's leader exits first (qcluster's main process before its workers), the workers are
    re-parented to the nearest subreaper. Where PID 1 never reaps (this container's does not), they stay zombies
    forever and `killpg(pgid, 0)` keeps answering "alive": hence the states from /proc, and this process made
    a subreaper (main) so that it can reap them itself. Only orphans are reaped here, never a child Popen
    tracks: that would steal its exit status."""
    deadline = time.monotonic() + seconds
    while True:
        child.poll()
        members = _group_members(child.pid)
        for pid, state, parent in members:
            if state in _EXITED and parent == os.getpid() and pid not in tracked:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
        if not any(state not in _EXITED for _, state, _ in members):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def _become_subreaper() -> None:
    """Orphaned grandchildren (a server's workers) come to us, not to PID 1, so they can be reaped (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def smoke(drill: Drill) -> None:
    say, expect, fetch, url = drill.say, drill.expect, drill.fetch, drill.url
    health = drill.wait_healthy()
    body = json.loads(health.body) if health is not None and health.status == 200 else {}
    expect(body.get("status") == "ok", "/healthz through nginx: 200, status ok",
           health.text() if health is not None else "no answer")
    checks = body.get("checks", {})
    expect(checks.get("queue", {}).get("clusters", 0) >= 1, "/healthz sees the job worker (qcluster) running",
           json.dumps(checks))

    firm = drill.client()
    login = fetch(firm, url("/login/"))
    expect(login.status == 200 and "登录" in login.text(), "login page (登录) over HTTPS", str(login.status))
    expect("max-age=31536000" in login.headers.get("strict-transport-security", ""), "HSTS header on HTTPS")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
    password = drill.manage("shell", "-c", "from tidu.accounts.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)").strip().splitlines()[-1]
    signed_in = fetch(firm, url("/login/"), data={
        "csrfmiddlewaretoken": token.group(1) if token else "", "username": "demo-firm", "password": password,
    }, headers={"Referer": url("/login/"), "Origin": f"https://{HOST}:{drill.ports.https}"})
    expect(signed_in.status == 200 and "退出" in signed_in.text() and 'name="password"' not in signed_in.text(),
           "demo-firm logs in (CSRF through the proxy, secure cookies)", str(signed_in.status))
    ladder = fetch(firm, url("/ladder/"))
    expect(ladder.status == 200 and "梯度" in ladder.text(), "a firm page: 我的梯度 (/ladder/)", str(ladder.status))
    api = fetch(firm, url("/api/v1/ladder/me"), headers={"Accept": "application/json"})
    expect(api.status == 200 and "application/json" in api.headers.get("content-type", ""),
           "the API: GET /api/v1/ladder/me as the firm", f"{api.status} {api.text()[:200]}")
    schema = fetch(drill.client(), url("/api/v1/openapi.json"))
    expect(schema.status == 200 and b'"openapi"' in schema.body, "the API schema /api/v1/openapi.json")

    manifest = json.loads((drill.var_dir / "staticfiles" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["tidu/favicon.svg"]
    static = fetch(drill.client(), url(f"/static/{hashed}"))
    expect(static.status == 200 and static.headers.get("x-served-by") == "nginx"
           and "immutable" in static.headers.get("cache-control", "")
           and static.body == (drill.var_dir / "staticfiles" / hashed).read_bytes(),
           f"static file /static/{hashed} sent by nginx, cached a year", str(static.headers))
    expect_same_security_headers(drill, static, login, f"static file /static/{hashed}")

    found = drill.manage("shell", "-c", ATTACHMENT_OF_DEMO_FIRM).strip().splitlines()
    if expect(bool(found) and found[-1].count(" ") == 1, "the demo data holds an attachment of demo-firm", str(found)):
        pk, path = found[-1].split(" ")
        media = fetch(firm, url(f"/journey/attachments/{pk}/"))
        expect(media.status == 200 and media.headers.get("x-served-by") == "nginx"
               and media.body == Path(path).read_bytes() and "attachment" in media.headers.get("content-disposition", ""),
               "an uploaded file, permission checked by the app, sent by nginx (X-Accel-Redirect)",
               f"{media.status} {media.headers}")
        expect_same_security_headers(drill, media, login, "the uploaded file sent by nginx")
        stranger = fetch(drill.client(follow=False), url(f"/journey/attachments/{pk}/"))
        expect(stranger.status == 302 and "/login/" in stranger.headers.get("location", ""),
               "the same file refused to a visitor who is not logged in", str(stranger.status))
        internal = fetch(drill.client(), url(f"/_protected/journey/{Path(path).name}"))
        expect(internal.status == 404, "the internal file location is not reachable from outside", str(internal.status))

    too_large = oversized_upload(drill, firm, "/enterprises/import/")
    expect(too_large.status == 413 and too_large.headers.get("x-served-by") == "nginx" and "文件过大" in too_large.text(),
           "an upload over nginx's limit: 413 with the Chinese page from deploy/nginx/errors/",
           f"{too_large.status} {too_large.text()[:200]}")
    expect_same_security_headers(drill, too_large, login, "nginx's own 413 page")
    api_too_large = oversized_upload(drill, firm, "/api/v1/io/imports")
    expect(api_too_large.status == 413 and api_too_large.headers.get("x-served-by") == "nginx"
           and api_too_large.headers.get("content-type", "").startswith("application/json")
           and _error_code(api_too_large) == "request_too_large",
           "an upload to the API over nginx's limit: 413 in the API's error body (deploy/nginx/errors/413.json)",
           f"{api_too_large.status} {api_too_large.headers.get('content-type')} {api_too_large.text()[:200]}")
    expect_same_security_headers(drill, api_too_large, login, "nginx's own 413 under /api/")
    unknown = fetch(drill.client(), url("/api/v1/no-such-endpoint"))
    expect(unknown.status == 404 and _error_code(unknown) == "not_found" and "x-served-by" not in unknown.headers,
           "an unknown /api/ path: 404 in the API's error body from Django", f"{unknown.status} {unknown.text()[:200]}")

    request_id = "deploy-check-" + secrets.token_hex(8)
    traced = fetch(firm, url("/ladder/"), headers={"X-Request-ID": request_id})
    expect(traced.headers.get("x-request-id") == request_id, "X-Request-ID echoed through nginx")
    time.sleep(0.5)
    app_lines = [json.loads(line) for line in (drill.log_dir / "gunicorn.log").read_text().splitlines()
                 if line.startswith("{") and request_id in line]
    expect(any(line.get("logger") == "tidu.request" and line.get("request_id") == request_id
               and line.get("status") == 200 and line.get("path") == "/ladder/" for line in app_lines),
           "the app's JSON log line carries that request id", str(app_lines))
    nginx_lines = [line for line in (drill.log_dir / "access.log").read_text().splitlines() if request_id in line]
    expect(len(nginx_lines) == 1 and json.loads(nginx_lines[0])["status"] == 200,
           "nginx's JSON access log carries the same id", str(nginx_lines))

    metrics = fetch(drill.client(), url("/metrics"))
    expect(metrics.status == 200 and b"django_http_requests_total_by_view_transport_method_total" in metrics.body,
           "/metrics through nginx from the loopback (Prometheus text)", str(metrics.status))
    views_counted = re.findall(rb'django_http_requests_total_by_view_transport_method_total\{[^}]*view="healthz"[^}]*\} ([0-9.]+)',
                               metrics.body)
    expect(bool(views_counted) and sum(float(v) for v in views_counted) >= 1,
           "/metrics adds up every gunicorn worker (multiprocess)", str(views_counted))
    relayed = fetch(drill.client(), f"http://127.0.0.1:{drill.ports.app}/metrics",
                    headers={"X-Forwarded-For": "203.0.113.9"})
    expect(relayed.status == 403, "/metrics refused to a stranger relayed by the proxy", str(relayed.status))

    plain = fetch(drill.client(follow=False), f"http://{HOST}:{drill.ports.http}/ladder/")
    expect(plain.status == 301 and plain.headers.get("location", "").startswith(f"https://{HOST}:{drill.ports.https}/"),
           "plain HTTP is redirected to HTTPS", f"{plain.status} {plain.headers.get('location')}")

    say("stopping the job worker: /healthz must turn red")
    drill.stop("qcluster")  # django-q2 waits for its pool (5–20 s); SIGKILL after 30 s (decision 0082)
    deadline, red = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        red = fetch(drill.client(), url("/healthz"))
        if red.status == 503:
            break
        time.sleep(0.5)
    expect(red is not None and red.status == 503 and json.loads(red.body)["checks"]["queue"]["ok"] is False,
           "/healthz answers 503 (queue) once the worker is gone", red.text() if red else "")

    say("stopping gunicorn: nginx must answer 502 with its Chinese page and the security headers")
    drill.stop("gunicorn")
    down = fetch(firm, url("/ladder/"))
    expect(down.status == 502 and down.headers.get("x-served-by") == "nginx" and "服务暂时不可用" in down.text(),
           "gunicorn down: 502 with the Chinese page from deploy/nginx/errors/", f"{down.status} {down.text()[:200]}")
    expect_same_security_headers(drill, down, login, "nginx's own 502 page")
    api_down = fetch(drill.client(), url("/api/v1/openapi.json"))
    expect(api_down.status == 502 and api_down.headers.get("x-served-by") == "nginx"
           and _error_code(api_down) == "service_unavailable",
           "gunicorn down: 502 under /api/ in the API's error body (deploy/nginx/errors/50x.json)",
           f"{api_down.status} {api_down.text()[:200]}")


def _error_code(response: Response) -> str | None:
    """The `code` of the API's error body {"code", "message", "field"}; None for anything else."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(response.body.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("message"), str) or not body["message"]:
        return None
    return body.get("code") if set(body) <= {"code", "message", "field", "problems"} else None


def oversized_upload(drill: Drill, opener: urllib.request.OpenerDirector, path: str) -> Response:
    """POST announcing a body just over nginx's client_max_body_size (60m) with the session's cookies; nginx
    answers 413 from the Content-Length alone, so none of the body is sent."""
    import http.client

    cookies = "; ".join(f"{c.name}={c.value}" for handler in opener.handlers
                        if isinstance(handler, urllib.request.HTTPCookieProcessor) for c in handler.cookiejar)
    context = ssl.create_default_context(cafile=str(drill.run_dir / "tls.crt"))
    connection = http.client.HTTPSConnection(HOST, drill.ports.https, context=context, timeout=30)
    try:
        connection.putrequest("POST", path)
        for name, value in (("Content-Type", "multipart/form-data; boundary=tidu"), ("Cookie", cookies),
                            ("Content-Length", str(61 << 20))):
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read(),
                        [(k.lower(), v) for k, v in answer.getheaders()])
    finally:
        connection.close()


# What Django's middleware puts on every page (decision 0104); nginx must send the same on the files it serves.
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options",
                    "permissions-policy", "strict-transport-security")


def _csp_directives(value: str) -> dict[str, str]:
    # django-csp joins directives in set order, which differs between processes: compare them as a mapping.
    return {name: rest.strip() for name, _, rest in (d.strip().partition(" ") for d in value.split(";")) if name}


def expect_same_security_headers(drill: Drill, served: Response, page: Response, what: str) -> None:
    """Each security header once on `served` (sent by nginx), with the value Django gave `page`."""
    differ = []
    for name in SECURITY_HEADERS:
        sent = [v for k, v in served.header_list if k == name]
        wanted = page.headers.get(name)
        if name == "content-security-policy" and len(sent) == 1 and wanted:
            same = _csp_directives(sent[0]) == _csp_directives(wanted)
        else:
            same = wanted is not None and sent == [wanted]
        if not same:
            differ.append(f"{name}: {sent} (Django: {wanted!r})")
    drill.expect(not differ, f"{what}: the security headers of Django's pages, once each", "; ".join(differ))


ATTACHMENT_OF_DEMO_FIRM = """
from django.contrib.auth import get_user_model
from tidu.journey.models import Attachment
from tidu.journey.selectors import attachment_get
from tidu.journey import storage
user = get_user_model().objects.get(username="demo-firm")
for att in Attachment.objects.order_by("pk"):
    try:
        attachment_get(user=user, pk=att.pk)
    except Exception:
        continue
    print(att.pk, storage.path_of(att.stored_name))
    break
"""


def main(argv: list[str] | None = None, *, workload: Callable[[Drill], None] | None = None) -> int:
    """Bring the stack up, run `workload` against it (default: the smoke checks), tear everything down.
    benchmarks/load/run.py passes the load test as its workload."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (logs) afterwards")
    args = parser.parse_args(argv)
    ports = Ports()
    busy = [p for p in (ports.https, ports.http, ports.app) if _port_open(p)]
    if busy:
        print(f"[deploy-check] ports already in use: {busy} (TIDU_CHECK_*_PORT to choose others)")
        return 2
    run_dir = Path(tempfile.mkdtemp(prefix="tidu-deploy-check-"))
    run_dir.chmod(0o755)  # nginx's workers (user nobody) read static and media files under it
    drill = Drill(run_dir=run_dir, ports=ports, database_url=os.environ.get(
        "TIDU_DEPLOY_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tidu_deploy"))
    drill.log_dir.mkdir()
    drill.var_dir.mkdir()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    _become_subreaper()
    started = time.monotonic()
    database_made = False
    try:
        drill.say(f"scratch directory {run_dir}")
        drill.create_database()
        database_made = True
        drill.say("migrate, collectstatic, seed_demo (production settings, PostgreSQL)")
        for step in (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("seed_demo",)):
            step_started = time.monotonic()
            drill.manage(*step)
            drill.say(f"manage.py {step[0]}: {time.monotonic() - step_started:.0f} s")
        drill.expect(drill.manage("check", "--deploy", "--fail-level", "WARNING").strip().endswith("(0 silenced)."),
                     "manage.py check --deploy under the environment used")
        drill.make_certificate()
        nginx_conf = drill.render_nginx()
        drill.start("gunicorn", [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "tidu.config.wsgi"])
        drill.start("qcluster", [str(VENV_BIN / "python"), str(REPO / "manage.py"), "qcluster"])
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        drill.start("nginx", [nginx, "-p", str(run_dir / "nginx"), "-c", str(nginx_conf), "-e", str(drill.log_dir / "nginx-error.log")])
        (workload or smoke)(drill)
    except KeyboardInterrupt:
        drill.failures.append("interrupted")
    except Exception as error:
        drill.failures.append(f"{type(error).__name__}: {error}")
        drill.say(f"FAIL  {type(error).__name__}: {error}")
    finally:
        for name in ("nginx", "gunicorn", "qcluster"):
            drill.stop(name)
        left = drill.still_running()
        drill.expect(not left, "nothing left running", ", ".join(left))
        busy = [p for p in (ports.https, ports.http, ports.app) if _port_open(p)]
        drill.expect(not busy, "every port closed again", str(busy))
        if database_made:
            with contextlib.suppress(Exception):
                drill.drop_database()
        if drill.failures:
            for name in ("gunicorn", "qcluster", "nginx-error"):
                log = drill.log_dir / f"{name}.log"
                if log.exists():
                    print(f"---- {log} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        if args.keep or drill.failures:
            drill.say(f"logs kept in {drill.log_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    seconds = time.monotonic() - started
    if drill.failures:
        drill.say(f"{len(drill.failures)} FAILED, {drill.passed} passed in {seconds:.0f} s: {drill.failures}")
        return 1
    drill.say(f"all {drill.passed} checks passed in {seconds:.0f} s; everything stopped and removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
