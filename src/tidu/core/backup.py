"""Backups that can be restored and checked: the database, the uploaded files and the audit trail.

`backup_create` writes one directory, `tidu-backup-<UTC time>/`:

    database.dump      pg_dump custom format (PostgreSQL) or database.sqlite3 (SQLite's online backup)
    uploads.tar.gz     everything under MEDIA_ROOT (attachments, imports, job files)
    audit.jsonl        the audit trail as JSON lines, readable without a database (it is evidence)
    manifest.json      sha256 and size of each file, the row count of every table, the audit digest

On PostgreSQL the counts, the audit export and pg_dump read one snapshot (`pg_export_snapshot` in a
REPEATABLE READ transaction, `pg_dump --snapshot`), so the manifest describes exactly what was dumped
while the site keeps running. `backup_restore` refuses a backup whose files do not match their
checksums and a target database that already has tables, restores, unpacks the uploads, and then checks
the restored row counts and audit trail against the manifest: a restore that lost anything fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
UPLOADS = "uploads.tar.gz"
AUDIT = "audit.jsonl"
AUDIT_COLUMNS = ("id", "at", "actor_id", "actor_label", "action", "target_type", "target_id", "target_label", "data")


class BackupError(Exception):
    """A backup that cannot be trusted or a restore that would overwrite or lose data."""


@dataclass(frozen=True)
class Database:
    """Where a database is: the engine and its DB-API connection parameters (from settings.DATABASES)."""

    vendor: str  # "postgresql" | "sqlite"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Database:
        engine = settings_dict["ENGINE"]
        vendor = "postgresql" if "postgresql" in engine else "sqlite" if "sqlite3" in engine else engine
        if vendor not in ("postgresql", "sqlite"):
            raise BackupError(f"unsupported database engine {engine}")
        return cls(vendor=vendor, name=str(settings_dict["NAME"]), host=settings_dict.get("HOST") or "",
                   port=str(settings_dict.get("PORT") or ""), user=settings_dict.get("USER") or "",
                   password=settings_dict.get("PASSWORD") or "")

    def connect(self) -> Any:
        if self.vendor == "sqlite":
            return sqlite3.connect(self.name, uri=self.name.startswith("file:"))  # the tests' shared in-memory db
        import psycopg

        return psycopg.connect(self.pg_conninfo())

    def pg_params(self) -> dict[str, str]:
        params = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user,
                  "password": self.password}
        return {k: v for k, v in params.items() if v}

    def pg_conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(**self.pg_params())

    def pg_args(self) -> list[str]:
        args = ["--dbname", self.name]
        for flag, value in (("--host", self.host), ("--port", self.port), ("--username", self.user)):
            if value:
                args += [flag, value]
        return args

    def pg_env(self) -> dict[str, str]:
        import os

        return {**os.environ, **({"PGPASSWORD": self.password} if self.password else {})}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor: Any, vendor: str) -> dict[str, int]:
    counts = {}
    for table in tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = int(cursor.fetchone()[0])
    return counts


def audit_lines(cursor: Any, audit_table: str) -> Iterator[str]:
    """The audit trail, oldest first, one JSON object per line (keys sorted: the same rows give the same bytes)."""
    cursor.execute(f'SELECT {", ".join(AUDIT_COLUMNS)} FROM "{audit_table}" ORDER BY id')
    for row in cursor.fetchall():
        record = dict(zip(AUDIT_COLUMNS, row, strict=True))
        if isinstance(record["data"], str):  # SQLite hands JSON back as text
            record["data"] = json.loads(record["data"])
        if isinstance(record["at"], dt.datetime):
            record["at"] = record["at"].astimezone(dt.UTC).isoformat()
        yield json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)


def _describe(cursor: Any, vendor: str, audit_table: str, audit_path: Path) -> dict[str, Any]:
    counts = row_counts(cursor, vendor)
    with audit_path.open("w", encoding="utf-8") as f:
        for line in audit_lines(cursor, audit_table):
            f.write(line + "\n")
    return {"tables": counts, "audit_events": counts.get(audit_table, 0)}


def backup_create(*, dest: Path, database: Database, media_root: Path, audit_table: str,
                  now: dt.datetime | None = None) -> Path:
    """Write a backup directory under `dest` and return it."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = dest / f"tidu-backup-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    audit_path = target / AUDIT
    if database.vendor == "postgresql":
        described = _pg_dump(database, target / PG_DUMP, audit_table, audit_path)
        db_file = PG_DUMP
    else:
        with contextlib.closing(database.connect()) as source, \
                contextlib.closing(sqlite3.connect(target / SQLITE_COPY)) as copy:
            source.backup(copy)
            described = _describe(copy.cursor(), "sqlite", audit_table, audit_path)
        db_file = SQLITE_COPY
    with tarfile.open(target / UPLOADS, "w:gz") as tar:
        if media_root.exists():
            for path in sorted(media_root.rglob("*")):
                tar.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
    files = {name: {"sha256": _sha256(target / name), "bytes": (target / name).stat().st_size}
             for name in (db_file, UPLOADS, AUDIT)}
    manifest = {"format": 1, "created_at": stamp, "engine": database.vendor, "database_file": db_file,
                "audit_table": audit_table, "files": files, **described}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return target


def _pg_dump(database: Database, out: Path, audit_table: str, audit_path: Path) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(database.pg_conninfo(), autocommit=True) as conn:  # BEGIN is ours: the level must be set first
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        described = _describe(conn.cursor(), "postgresql", audit_table, audit_path)
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={row[0]}",
                                 "--file", str(out), *database.pg_args()],
                                capture_output=True, text=True, env=database.pg_env())
        conn.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    return described


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    audit_events: int
    files: int


def verify_files(backup: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((backup / MANIFEST).read_text())
    for name, expected in manifest["files"].items():
        path = backup / name
        if not path.exists() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match the manifest's checksum: the backup is damaged")
    return manifest


def backup_restore(*, backup: Path, database: Database, media_root: Path) -> RestoreReport:
    """Restore into an EMPTY database and an empty (or missing) upload directory, then check it."""
    manifest = verify_files(backup)
    if manifest["engine"] != database.vendor:
        raise BackupError(f"a {manifest['engine']} backup cannot be restored into {database.vendor}")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore the uploads into an empty directory")
    if database.vendor == "postgresql":
        with contextlib.closing(database.connect()) as conn:
            if tables(conn.cursor(), "postgresql"):
                raise BackupError(f"database {database.name} already has tables: restore into a fresh database")
        result = subprocess.run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", *database.pg_args(),
                                 str(backup / PG_DUMP)], capture_output=True, text=True, env=database.pg_env())
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
    else:
        target = Path(database.name)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists: restore into a new file")
        shutil.copyfile(backup / SQLITE_COPY, target)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / UPLOADS, "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # "data": no absolute paths, links out or devices
        files = sum(1 for m in tar.getmembers() if m.isfile())

    with contextlib.closing(database.connect()) as conn:
        cursor = conn.cursor()
        counts = row_counts(cursor, database.vendor)
        restored_audit = "".join(line + "\n" for line in audit_lines(cursor, manifest["audit_table"]))
    if counts != manifest["tables"]:
        lost = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
        raise BackupError(f"restored row counts differ from the backup's: {lost}")
    if restored_audit.encode("utf-8") != (backup / AUDIT).read_bytes():
        raise BackupError("the restored audit trail differs from the one exported with the backup")
    return RestoreReport(tables=len(counts), rows=sum(counts.values()), audit_events=manifest["audit_events"],
                         files=files)
