from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "tidu.changes"
    label = "changes"
    verbose_name = _("重大变化报告")
    default_auto_field = "django.db.models.BigAutoField"
