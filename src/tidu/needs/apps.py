from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "tidu.needs"
    label = "needs"
    verbose_name = "大企业需求（发榜/揭榜）"

    def ready(self) -> None:
        from tidu.needs.audit_words import register

        register()
