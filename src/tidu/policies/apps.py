from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "tidu.policies"
    label = "policies"
    verbose_name = _("惠企政策")
    default_auto_field = "django.db.models.BigAutoField"
