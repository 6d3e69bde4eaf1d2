"""`manage.py notify_overdue_services [--today YYYY-MM-DD]`: tell providers and firms about overdue requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tidu.service_catalog.reminders import overdue_notify


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "提醒服务机构和企业：超过承诺响应日期仍未响应的服务申请（每件每方只提醒一次）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=_date, default=None, help="按指定日期运行（YYYY-MM-DD；默认今天）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = overdue_notify(today=options["today"])
        self.stdout.write(
            f"{run.today}：逾期未响应的服务申请 {run.requests} 件，发送 {run.notifications} 条站内通知。"
        )
