from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "tidu.journey"
    label = "journey"
    verbose_name = _("梯度培育：申报、审核、公示与认定")
    default_auto_field = "django.db.models.BigAutoField"
