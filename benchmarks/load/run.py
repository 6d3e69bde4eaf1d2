"""`make load-test`: locust against the production set-up of deploy/, on the loopback, bounded in time.

    .venv/bin/python benchmarks/load/run.py

deploy/check.py brings the stack up (PostgreSQL, gunicorn, qcluster, nginx with TLS, the demo data) and
tears it down afterwards; in between, this scales the demo register to TIDU_LOAD_FIRMS (100,000) firms
(`manage.py scale_demo --throwaway`, seed 1, in the stack's throw-away database), logs demo-firm and
demo-county in once, queues an import of TIDU_LOAD_IMPORT_ROWS (10,000) firm-years as demo-county (the
job worker runs it during the load), and runs locust headless (benchmarks/load/locustfile.py) with
TIDU_LOAD_USERS (50) users for TIDU_LOAD_SECONDS (60) through nginx over HTTPS. Afterwards it waits for
the import (at most TIDU_LOAD_IMPORT_WAIT, 600 s) and counts the firm-years it committed; then, with
the machine otherwise quiet, the same users send the cheapest signed-in request for
TIDU_LOAD_FLOOR_SECONDS (30): the floor under every page. Prints one line per request kind (requests,
failures, requests/s, median, p95, p99), the import and the CPU per request of each process, and writes
them to var/load-test/results.json. Exit status 1 on any failed request or any firm-year missing.
"""

from __future__ import annotations

import contextlib
import csv
import http.cookiejar
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "deploy"))

import check  # noqa: E402  (deploy/check.py: the stack's set-up and teardown)

USERS = int(os.environ.get("TIDU_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("TIDU_LOAD_SECONDS", "60"))
FIRMS = int(os.environ.get("TIDU_LOAD_FIRMS", "100000"))
IMPORT_ROWS = int(os.environ.get("TIDU_LOAD_IMPORT_ROWS", "10000"))
IMPORT_WAIT = int(os.environ.get("TIDU_LOAD_IMPORT_WAIT", "600"))
IMPORT_YEARS = (2022, 2023, 2024, 2025)
# After the import: TIDU_LOAD_FLOOR_SECONDS (30; 0 skips) of the same users on the cheapest signed-in request,
# the ceiling of any page on this stack and machine (decision 0118).
FLOOR_SECONDS = int(os.environ.get("TIDU_LOAD_FLOOR_SECONDS", "30"))
OUT = REPO / "var" / "load-test"  # locust's CSV files and logs of each run, and results.json
# TIDU_LOAD_LOCUST_PROCESSES=N (N > 1): locust's --processes, N load generators instead of one.
LOCUST_PROCESSES = (["--processes", os.environ["TIDU_LOAD_LOCUST_PROCESSES"]]
                    if int(os.environ.get("TIDU_LOAD_LOCUST_PROCESSES", "1")) > 1 else [])

# Run with `manage.py shell -c` in the stack's environment: queue the import as the demo county official.
SUBMIT_IMPORT = """
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from tidu.enterprises.imports import enterprises_import_submit
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
rows = sample_rows(firms=@FIRMS@, years=@YEARS@, region_codes=["440305"], seed=15)
user = get_user_model().objects.get(username="demo-county")
job = enterprises_import_submit(user=user, upload=SimpleUploadedFile("load-import.xlsx", rows_to_xlsx(rows)))
print("JOB", job.pk, len(rows))
"""
# … and afterwards: the job's state and the firm-years of the file's firms now in the register.
COUNT_IMPORT = """
import json
from tidu.enterprises.io_samples import sample_rows
from tidu.enterprises.models import EnterpriseYear
from tidu.jobs.models import Job
rows = sample_rows(firms=@FIRMS@, years=@YEARS@, region_codes=["440305"], seed=15)
job = Job.objects.get(pk="@JOB@")
codes = sorted({r["credit_code"] for r in rows})
stored = EnterpriseYear.objects.filter(enterprise__credit_code__in=codes, fiscal_year__in=@YEARS@)
print("RESULT", json.dumps({"status": job.status, "expected": len(rows), "committed": stored.count(),
      "started_at": job.started_at.isoformat() if job.started_at else None,
      "finished_at": job.finished_at.isoformat() if job.finished_at else None, "result": job.result}, default=str))
"""


def _script(template: str, **values: object) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def _session(drill: check.Drill, username: str = "demo-firm") -> tuple[str, str]:
    """(sessionid, csrftoken) of `username` logged in through nginx."""
    jar = http.cookiejar.CookieJar()
    context = ssl.create_default_context(cafile=str(drill.run_dir / "tls.crt"))
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(drill.url("/login/"), timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    password = drill.manage("shell", "-c", "from tidu.accounts.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"
                            ).strip().splitlines()[-1]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1) if token else "",
                                   "username": username, "password": password}).encode()
    opener.open(urllib.request.Request(drill.url("/login/"), data=body, headers={"Referer": drill.url("/login/")}),
                timeout=60).read()
    session = next((c.value for c in jar if c.name == "sessionid"), "")
    if not session:
        raise RuntimeError(f"{username} could not log in")
    csrf = next((c.value or "" for c in jar if c.name == "csrftoken"), "")
    return session, csrf


def _warm(drill: check.Drill) -> None:
    """A few requests of each kind before the clock starts (every gunicorn worker loads its packs)."""
    opener = drill.client()
    for _ in range(int(drill.env()["TIDU_WEB_WORKERS"]) * 2):
        for path in ("/healthz", "/recognitions/"):
            with contextlib.suppress(OSError):
                opener.open(drill.url(path), timeout=120).read()


def _group_cpu_seconds(drill: check.Drill, name: str) -> float:
    """User + system CPU seconds of the live processes of one child's process group (gunicorn's master and
    workers, nginx's, the job worker's): what the load cost the server, whatever else runs on the machine."""
    pgid = next((child.pid for child_name, child in drill.children if child_name == name), None)
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, …, utime (12), stime (13)
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _database_backends(drill: check.Drill) -> dict[int, tuple[float, int]]:
    """pid → (user + system CPU seconds, client port) of each PostgreSQL backend serving the stack's database
    (their process title names it: `postgres: [<cluster>:] <user> <database> 127.0.0.1(<port>) …`)."""
    name = urllib.parse.urlsplit(drill.database_url).path.lstrip("/")
    found: dict[int, tuple[float, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            # Debian names the cluster first: `postgres: 15/main: postgres tidu_deploy 127.0.0.1(5…) idle`
            words = title[2:5] if len(title) > 1 and title[1].endswith(":") else title[1:4]
            if title[:1] == ["postgres:"] and words[1:2] == [name]:
                port = re.search(r"\((\d+)\)", words[2])
                fields = stat.read_text().rsplit(")", 1)[1].split()
                found[int(stat.parent.name)] = ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"),
                                                int(port.group(1)) if port else 0)
    return found


def _group_ports(drill: check.Drill, name: str) -> set[int]:
    """Local TCP ports of the sockets held by one child's process group (gunicorn's workers' connections to
    PostgreSQL), from /proc/<pid>/fd and /proc/net/tcp{,6}: tells the web workers' backends from the job's."""
    pgid = next((child.pid for child_name, child in drill.children if child_name == name), None)
    inodes: set[str] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                for fd in (stat.parent / "fd").iterdir():
                    with contextlib.suppress(OSError):
                        target = os.readlink(fd)
                        if target.startswith("socket:["):
                            inodes.add(target[8:-1])
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 9 and cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


class _DatabaseCpu(threading.Thread):
    """The stack's PostgreSQL backends' CPU during the load, read every half second (a web worker reconnects
    when its connection is older than CONN_MAX_AGE, and an exited backend's time would otherwise be lost),
    split into the web workers' backends and the rest (the job worker's: the import)."""

    def __init__(self, drill: check.Drill) -> None:
        super().__init__(daemon=True)
        self.drill = drill
        self.first = _database_backends(drill)
        self.last = dict(self.first)
        self.web: set[int] = set()
        self.done = threading.Event()

    def _read(self) -> None:
        backends = _database_backends(self.drill)
        web_ports = _group_ports(self.drill, "gunicorn")
        self.web.update(pid for pid, (_, port) in backends.items() if port in web_ports)
        self.last.update(backends)

    def run(self) -> None:
        self._read()
        while not self.done.wait(0.5):
            self._read()

    def stop(self) -> tuple[float, float]:
        """(CPU seconds of the web workers' backends, of the others) since the start."""
        self.done.set()
        self.join()
        self._read()
        spent = {pid: seconds - self.first.get(pid, (0.0, 0))[0] for pid, (seconds, _) in self.last.items()}
        web = sum(seconds for pid, seconds in spent.items() if pid in self.web)
        return web, sum(spent.values()) - web


def _machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core, from /proc/stat: the share the
    load test's processes did not use is the rest of the machine's (other work, or idle)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def _import_submit(drill: check.Drill) -> str:
    firms = IMPORT_ROWS // len(IMPORT_YEARS)
    out = drill.manage("shell", "-c", _script(SUBMIT_IMPORT, FIRMS=firms, YEARS=list(IMPORT_YEARS)))
    line = next(line for line in out.splitlines() if line.startswith("JOB "))
    return line.split()[1]


def _import_result(drill: check.Drill, job: str) -> dict[str, object]:
    firms = IMPORT_ROWS // len(IMPORT_YEARS)
    deadline = time.monotonic() + IMPORT_WAIT
    while True:
        out = drill.manage("shell", "-c", _script(COUNT_IMPORT, FIRMS=firms, YEARS=list(IMPORT_YEARS), JOB=job))
        result: dict[str, object] = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
        if result["status"] in ("succeeded", "rejected", "failed") or time.monotonic() > deadline:
            return result
        time.sleep(5)


def _locust(drill: check.Drill, env: dict[str, str], classes: list[str], seconds: int, name: str
            ) -> dict[str, Any]:
    """One headless locust run of `classes` (locustfile.py) for `seconds`: per request kind the counts and
    latencies, and the CPU seconds every process of the run spent meanwhile (see `_group_cpu_seconds`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    cpu_before = {group: _group_cpu_seconds(drill, group) for group in ("gunicorn", "nginx", "qcluster")}
    database_cpu = _DatabaseCpu(drill)
    database_cpu.start()
    machine_before = _machine_cpu_seconds()
    children_before = os.times()
    locust = subprocess.run([str(check.VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                             "-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s", "--stop-timeout", "10",
                             "--host", f"https://{check.HOST}:{drill.ports.https}", "--csv", str(OUT / name),
                             "--only-summary", *LOCUST_PROCESSES, *classes],
                            env=env, cwd=HERE, capture_output=True, text=True, timeout=seconds + 120)
    children_after = os.times()
    machine_after = _machine_cpu_seconds()
    (OUT / f"{name}.log").write_text(locust.stdout + locust.stderr)
    rows = list(csv.DictReader((OUT / f"{name}_stats.csv").open(encoding="utf-8")))
    results: list[dict[str, Any]] = [{
        "name": r["Name"], "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
        "rps": round(float(r["Requests/s"]), 1), "median_ms": float(r["50%"] or 0), "p95_ms": float(r["95%"] or 0),
        "p99_ms": float(r["99%"] or 0),
    } for r in rows]
    cpu = {group: round(_group_cpu_seconds(drill, group) - before, 2) for group, before in cpu_before.items()}
    web_db, jobs_db = database_cpu.stop()
    cpu["postgres"] = round(web_db, 2)  # the web workers' backends
    cpu["postgres_jobs"] = round(jobs_db, 2)  # the others: the job worker's (the import), a shell's
    # locust is this script's only child between the two readings (it and its worker processes, reaped).
    cpu["locust"] = round(children_after.children_user + children_after.children_system
                          - children_before.children_user - children_before.children_system, 2)
    busy, total_cpu = (after - before for after, before in zip(machine_after, machine_before, strict=True))
    cpu["machine_busy"] = round(busy, 2)
    cpu["machine_available"] = round(total_cpu, 2)
    cpu["other"] = round(busy - sum(cpu[k] for k in ("gunicorn", "nginx", "qcluster", "postgres", "postgres_jobs",
                                                      "locust")), 2)
    run: dict[str, Any] = {"users": USERS, "seconds": seconds, "classes": classes, "results": results,
                           "load_average_before": load_before, "load_average_after": os.getloadavg(),
                           "cpu_seconds": cpu}
    for r in results:
        drill.say(f"{r['name']:<34} {r['requests']:>7} req {r['failures']:>5} failed {r['rps']:>7} req/s  "
                  f"median {r['median_ms']:.0f} ms  p95 {r['p95_ms']:.0f} ms  p99 {r['p99_ms']:.0f} ms")
    drill.say(f"load average before {load_before[0]:.2f}, after {run['load_average_after'][0]:.2f} (1 min)")
    total = next((r for r in results if r["name"] == "Aggregated"), None)
    run["total"] = total
    if total and total["requests"]:
        per = {group: round(spent * 1000 / total["requests"], 1) for group, spent in cpu.items()}
        run["cpu_ms_per_request"] = per
        drill.say(f"CPU seconds during the load: {cpu}")
        drill.say("CPU ms per request (all kinds): " + ", ".join(
            f"{group} {per[group]}" for group in ("gunicorn", "postgres", "nginx", "locust", "qcluster",
                                                  "postgres_jobs", "other"))
            + f"; machine busy {100 * busy / total_cpu:.0f} % of {total_cpu / seconds:.1f} cores "
            "(postgres = the web workers' backends; qcluster and postgres_jobs are the import's; other = everything "
            "else on the machine)")
    return run


def load(drill: check.Drill) -> None:
    health = drill.wait_healthy()
    if health is None or health.status != 200:
        raise RuntimeError("the stack did not become healthy")
    if FIRMS:
        started = time.monotonic()
        drill.say(f"scale_demo --firms {FIRMS} --throwaway (the stack's throw-away database)")
        drill.manage("scale_demo", "--firms", str(FIRMS), "--throwaway", timeout=1800)
        drill.say(f"scale_demo: {time.monotonic() - started:.0f} s")
    firm_session, firm_csrf = _session(drill, "demo-firm")
    county_session, _ = _session(drill, "demo-county")
    _warm(drill)
    job = _import_submit(drill) if IMPORT_ROWS else ""
    drill.say(f"import of {IMPORT_ROWS} firm-years queued (job {job}); "
              f"locust: {USERS} users, {SECONDS} s, closed loop, https://localhost:{drill.ports.https}")
    env = {**os.environ, "TIDU_LOAD_CA": str(drill.run_dir / "tls.crt"), "TIDU_LOAD_FIRM_SESSION": firm_session,
           "TIDU_LOAD_FIRM_CSRF": firm_csrf, "TIDU_LOAD_COUNTY_SESSION": county_session}
    meta = _locust(drill, env, ["Firm", "County", "Visitor"], SECONDS, "locust")
    meta.update({"cpus": os.cpu_count(), "firms": FIRMS, "web_workers": int(drill.env()["TIDU_WEB_WORKERS"])})
    total = meta["total"]
    imported = _import_result(drill, job) if job else {}
    meta["import"] = imported
    if FLOOR_SECONDS:
        drill.say(f"floor: {USERS} users on the cheapest signed-in request (Floor in locustfile.py), "
                  f"{FLOOR_SECONDS} s, after the import")
        meta["floor"] = _locust(drill, env, ["Floor"], FLOOR_SECONDS, "floor")
    meta["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    (OUT / "results.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    drill.expect(total is not None and total["requests"] > 0 and total["failures"] == 0,
                 "load test: every request answered without error", json.dumps(total))
    if job:
        drill.say(f"import beside the load: {json.dumps(imported, ensure_ascii=False)}")
        drill.expect(imported.get("status") == "succeeded" and imported.get("committed") == imported.get("expected"),
                     f"the import of {IMPORT_ROWS} firm-years beside the load committed every row",
                     json.dumps(imported, ensure_ascii=False))
    if FLOOR_SECONDS:
        floor = meta["floor"]["total"]
        drill.expect(floor is not None and floor["requests"] > 0 and floor["failures"] == 0,
                     "floor: every request answered without error", json.dumps(floor))


if __name__ == "__main__":
    sys.exit(check.main(sys.argv[1:], workload=load))
