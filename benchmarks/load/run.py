"""`make load-test`: locust against the production set-up of deploy/, on the loopback, bounded in time.

    .venv/bin/python benchmarks/load/run.py

deploy/check.py brings the stack up (PostgreSQL, gunicorn, qcluster, nginx with TLS, the demo data) and
tears it down afterwards; in between, this logs demo-firm in once and runs locust headless with
TIDU_LOAD_USERS (50) users for TIDU_LOAD_SECONDS (60) through nginx over HTTPS. Prints one line per
request kind (requests, failures, requests/s, median, p95, p99) and writes them to
var/load-test/results.json. Exit status 1 on any failed request.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "deploy"))

import check  # noqa: E402  (deploy/check.py: the stack's set-up and teardown)

USERS = int(os.environ.get("TIDU_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("TIDU_LOAD_SECONDS", "60"))


def _session(drill: check.Drill) -> str:
    jar = http.cookiejar.CookieJar()
    context = ssl.create_default_context(cafile=str(drill.run_dir / "tls.crt"))
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(drill.url("/login/"), timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    password = drill.manage("shell", "-c", "from tidu.accounts.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"
                            ).strip().splitlines()[-1]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1) if token else "",
                                   "username": "demo-firm", "password": password}).encode()
    opener.open(urllib.request.Request(drill.url("/login/"), data=body, headers={"Referer": drill.url("/login/")}),
                timeout=60).read()
    session = next((c.value for c in jar if c.name == "sessionid"), "")
    if not session:
        raise RuntimeError("demo-firm could not log in")
    for path in ("/ladder/", "/api/v1/ladder/me"):  # one request each before the clock starts
        opener.open(drill.url(path), timeout=60).read()
    return session


def load(drill: check.Drill) -> None:
    health = drill.wait_healthy()
    if health is None or health.status != 200:
        raise RuntimeError("the stack did not become healthy")
    session = _session(drill)
    out = REPO / "var" / "load-test"
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / "locust"
    drill.say(f"locust: {USERS} users, {SECONDS} s, closed loop, https://localhost:{drill.ports.https}")
    env = {**os.environ, "TIDU_LOAD_CA": str(drill.run_dir / "tls.crt"), "TIDU_LOAD_SESSION": session}
    subprocess.run([str(check.VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                    "-u", str(USERS), "-r", str(USERS), "-t", f"{SECONDS}s", "--stop-timeout", "10",
                    "--host", f"https://{check.HOST}:{drill.ports.https}", "--csv", str(prefix), "--only-summary"],
                   env=env, cwd=HERE, capture_output=True, timeout=SECONDS + 120)
    rows = list(csv.DictReader((out / "locust_stats.csv").open(encoding="utf-8")))
    results = [{
        "name": r["Name"], "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
        "rps": round(float(r["Requests/s"]), 1), "median_ms": float(r["50%"] or 0), "p95_ms": float(r["95%"] or 0),
        "p99_ms": float(r["99%"] or 0),
    } for r in rows]
    meta = {"users": USERS, "seconds": SECONDS, "cpus": os.cpu_count(),
            "web_workers": int(drill.env()["TIDU_WEB_WORKERS"]), "results": results}
    (out / "results.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    for r in results:
        drill.say(f"{r['name']:<28} {r['requests']:>7} req {r['failures']:>5} failed {r['rps']:>7} req/s  "
                  f"median {r['median_ms']:.0f} ms  p95 {r['p95_ms']:.0f} ms  p99 {r['p99_ms']:.0f} ms")
    total = next((r for r in results if r["name"] == "Aggregated"), None)
    drill.expect(total is not None and total["requests"] > 0 and total["failures"] == 0,
                 "load test: every request answered without error", json.dumps(total))


if __name__ == "__main__":
    sys.exit(check.main(sys.argv[1:], workload=load))
