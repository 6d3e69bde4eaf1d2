"""The restore drill: back up a live database with uploads and an audit trail, restore it into a fresh
database and an empty directory, and find every row, every file and every audit event again."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from tidu.core.audit import audit_record
from tidu.core.backup import BackupError, Database, backup_create, backup_restore, tables
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user, make_year

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed rows from its own session


def _content(db: Database) -> dict[str, str]:
    """Every table's full content, as a digest of its rows in a fixed order."""
    with contextlib.closing(db.connect()) as conn:
        cursor = conn.cursor()
        digests = {}
        for table in tables(cursor, db.vendor):
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest() + f":{len(rows)}"
        return digests


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Database]:
    """An empty database of the same engine as the one under test, dropped afterwards."""
    source = Database.from_settings(connection.settings_dict)
    if source.vendor == "sqlite":
        yield Database(vendor="sqlite", name=str(tmp_path / "restored.sqlite3"))
        return
    import psycopg

    name = "tidu_restore_" + secrets.token_hex(4)
    admin = {**source.pg_params(), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database(vendor="postgresql", name=name, host=source.host, port=source.port, user=source.user,
                       password=source.password)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _uploads(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _live_platform(media: Path) -> None:
    official = make_user("county-backup", "gov", level="county", region="440305")
    firm = make_enterprise("440305", name="备份测试科技有限公司")
    make_year(firm, 2024)
    make_year(firm, 2025)
    audit_record(actor=official, action="enterprise.verify", target=firm, data={"年度": 2025, "金额": "1234.50"})
    audit_record(actor=None, action="demo.seed", data={"说明": "系统 \"引号\" 与换行\n"})
    (media / "journey").mkdir(parents=True)
    (media / "journey" / ("ab" * 32)).write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 40)
    (media / "imports" / "2025").mkdir(parents=True)
    (media / "imports" / "2025" / "企业名单.csv").write_text("统一社会信用代码,名称\n", encoding="utf-8")


def _backup(tmp_path: Path, media: Path) -> Path:
    return backup_create(dest=tmp_path / "backups", database=Database.from_settings(connection.settings_dict),
                         media_root=media, audit_table=AuditEvent._meta.db_table)


def test_a_backup_restored_into_a_fresh_database_loses_nothing(tmp_path: Path, fresh_database: Database) -> None:
    media = tmp_path / "uploads"
    with override_settings(MEDIA_ROOT=media):
        _live_platform(media)
    source = Database.from_settings(connection.settings_dict)
    before = _content(source)
    audit_before = list(AuditEvent.objects.order_by("id").values_list("id", "action", "actor_label", "data"))
    backup = _backup(tmp_path, media)

    restored_media = tmp_path / "restored-uploads"
    report = backup_restore(backup=backup, database=fresh_database, media_root=restored_media)

    assert _content(fresh_database) == before  # every table, every row, every value
    assert _uploads(restored_media) == _uploads(media)
    assert report.files == 2 and report.audit_events == len(audit_before) >= 2
    exported = [json.loads(line) for line in (backup / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["id"], e["action"], e["actor_label"], e["data"]) for e in exported] == audit_before
    assert exported[-2]["data"] == {"年度": 2025, "金额": "1234.50"}


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path: Path, fresh_database: Database) -> None:
    media = tmp_path / "uploads"
    _live_platform(media)
    backup = _backup(tmp_path, media)
    data = bytearray((backup / "uploads.tar.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (backup / "uploads.tar.gz").write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"uploads\.tar\.gz .*checksum"):
        backup_restore(backup=backup, database=fresh_database, media_root=tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    with contextlib.closing(fresh_database.connect()) as conn:
        assert tables(conn.cursor(), fresh_database.vendor) == []


def test_a_restore_never_overwrites_a_database_in_use(tmp_path: Path) -> None:
    media = tmp_path / "uploads"
    _live_platform(media)
    backup = _backup(tmp_path, media)
    live: Any = Database.from_settings(connection.settings_dict)
    with pytest.raises(BackupError, match=r"already has tables|exists"):
        backup_restore(backup=backup, database=live if live.vendor == "postgresql" else
                       Database(vendor="sqlite", name=str(backup / "database.sqlite3")),
                       media_root=tmp_path / "restored")
