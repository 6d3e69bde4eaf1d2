"""The daily django-q2 schedule of `send_reminders` (08:00 Asia/Shanghai), created once.

Idempotent: a schedule already pointing at the task (made by hand in the admin, or by an earlier run
of this migration on a copied database) is left as it is.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

FUNC = "tidu.notifications.reminders.reminders_send_scheduled"
NAME = "每日日程提醒（send_reminders）"


def next_eight_oclock() -> dt.datetime:
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    run = now.replace(hour=8, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if not Schedule.objects.filter(func=FUNC).exists():
        Schedule.objects.create(name=NAME, func=FUNC, schedule_type="D", repeats=-1, next_run=next_eight_oclock())


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
