"""`manage.py restore BACKUP`: into this settings' (empty) database and upload directory, then checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tidu.core.backup import BackupError, Database, backup_restore


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库和空的上传目录，并核对每张表的行数与审计记录"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup")
        parser.add_argument("--media-root", default=str(settings.MEDIA_ROOT))

    def handle(self, *args: Any, **options: Any) -> None:
        connections.close_all()  # pg_restore needs the database to itself
        try:
            report = backup_restore(backup=Path(options["backup"]),
                                    database=Database.from_settings(connections["default"].settings_dict),
                                    media_root=Path(options["media_root"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已恢复：{report.tables} 张表 {report.rows} 行，审计记录 {report.audit_events} 条，"
                          f"上传文件 {report.files} 个；与备份清单一致")
