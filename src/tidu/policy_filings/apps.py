from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyFilingsConfig(AppConfig):
    name = "tidu.policy_filings"
    label = "policy_filings"
    verbose_name = _("政策申报兑现")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Files are stored once by content with the journey's attachments: a file stays while either names it."""
        from tidu.journey import storage
        from tidu.policy_filings.models import PolicyAttachment

        storage.register_reference(lambda name: PolicyAttachment.objects.filter(stored_name=name).exists())
