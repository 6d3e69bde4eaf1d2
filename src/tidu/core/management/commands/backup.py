"""`manage.py backup [DEST]`: the database, the uploads and the audit trail in one checked directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tidu.core.backup import BackupError, Database, backup_create
from tidu.core.models import AuditEvent


class Command(BaseCommand):
    help = "备份数据库、上传文件和审计记录（含校验清单），写入 DEST（默认 var/backups）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", nargs="?", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = backup_create(dest=Path(options["dest"]),
                                   database=Database.from_settings(connections["default"].settings_dict),
                                   media_root=Path(settings.MEDIA_ROOT), audit_table=AuditEvent._meta.db_table)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(target))
