"""`make fuzz`: schemathesis over every operation of /api/v1 with ≥ REQUESTS generated requests per role.

Runs in a throwaway SQLite database (migrated and seeded with the demo here, deleted afterwards) and a
throwaway upload folder, so whatever the generated requests create, change or upload goes with it.
Prints, per role: requests, server errors, schema violations, undocumented status codes, valid requests
refused; then one example (with a curl line) per distinct failure. Exit status 1 if anything failed.

    .venv/bin/python tests/hostile/fuzz_api.py [--requests 10000] [--seed 15] [--roles anonymous,firm,...]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="at least this many requests per role")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--roles", default="anonymous,firm,county,province")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="tidu-fuzz-"))
    os.environ["TIDU_DATABASE_URL"] = f"sqlite:///{scratch / 'fuzz.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidu.config.settings.test"
    sys.path.insert(0, str(Path(__file__).parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = scratch / "uploads"
    import logging

    for noisy in ("django.request", "django.security"):  # every refused request is a warning: keep errors only
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import hostile_support as hs

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    schema = hs.load_schema()
    operations = sum(1 for _ in schema.get_all_operations())
    per_mode = math.ceil(args.requests / (operations * 2))  # valid and invalid requests per operation
    print(f"{operations} operations, {per_mode} valid + {per_mode} invalid requests each per role, "
          f"seed {args.seed}, database {scratch}")
    failed = False
    for role in args.roles.split(","):
        begun = time.monotonic()
        headers, tally, rounds = hs.bearer_headers(hs.ROLES[role]), hs.Tally(), 0
        while tally.requests < args.requests:  # operations without parameters give one request a round
            hs.fuzz_role(schema, headers, examples=per_mode, seed_value=args.seed + rounds, tally=tally)
            rounds += 1
        failed |= any(tally.failures[k] for k in hs.KINDS)
        print(f"== {role} ({time.monotonic() - begun:.0f} s, {rounds} rounds): {tally.report()}", flush=True)
    print(f"total {time.monotonic() - started:.0f} s")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
