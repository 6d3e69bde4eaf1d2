"""`manage.py send_reminders [--today YYYY-MM-DD]`: send the reminders due today (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tidu.notifications.reminders import lead_days, reminders_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "按企业日程（认定到期、年度数据更新等）在到期前发送站内和邮件提醒；重复执行不会重复发送"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", type=_date, default=None,
                            help="按指定日期运行（模拟时间，YYYY-MM-DD；默认今天，Asia/Shanghai）")

    def handle(self, *args: Any, **options: Any) -> None:
        run = reminders_send(today=options["today"])
        leads = "、".join(str(d) for d in lead_days())
        self.stdout.write(f"{run.today}：提前 {leads} 天提醒；读取 {run.firms} 家企业的日程，"
                          f"发送 {run.reminders} 条提醒（{run.notifications} 条站内通知）。")
