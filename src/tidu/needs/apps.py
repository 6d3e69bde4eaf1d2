from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "tidu.needs"
    label = "needs"
    verbose_name = "大企业需求（发榜/揭榜）"
