from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "tidu.jobs"
    label = "jobs"
    verbose_name = _("后台任务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from tidu.jobs.lease import on_worker_spawn

        # Every worker process that starts deals with the jobs of workers that died (decision 0107).
        post_spawn.connect(on_worker_spawn, dispatch_uid="tidu.jobs.lease.on_worker_spawn")
