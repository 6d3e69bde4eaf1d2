"""A django-q2 schedule that sweeps the running jobs every five minutes, created once (decision 0107).

Without it the sweep runs only when a worker process starts and before each job: a job whose worker
died on another machine would read 进行中 until the next job ran, and one whose death a starting worker
missed would wait for the next restart. Idempotent like the reminders' schedule.
"""

from django.db import migrations

FUNC = "tidu.jobs.lease.sweep"
NAME = "后台任务巡检：处理进程已终止的任务（每 5 分钟）"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if not Schedule.objects.filter(func=FUNC).exists():
        Schedule.objects.create(name=NAME, func=FUNC, schedule_type="I", minutes=5, repeats=-1)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_job_worker_lease"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
