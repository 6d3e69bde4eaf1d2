"""The daily django-q2 schedule of the overdue-request notices (08:30 Asia/Shanghai), created once.

Idempotent: a schedule already pointing at the task is left as it is.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

FUNC = "tidu.service_catalog.reminders.overdue_notify_scheduled"
NAME = "每日服务申请逾期提醒（notify_overdue_services）"


def next_run() -> dt.datetime:
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    run = now.replace(hour=8, minute=30, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if not Schedule.objects.filter(func=FUNC).exists():
        Schedule.objects.create(name=NAME, func=FUNC, schedule_type="D", repeats=-1, next_run=next_run())


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("service_catalog", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
