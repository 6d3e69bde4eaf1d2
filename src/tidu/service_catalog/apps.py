from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCatalogConfig(AppConfig):
    name = "tidu.service_catalog"
    label = "service_catalog"
    verbose_name = _("服务清单")
    default_auto_field = "django.db.models.BigAutoField"
