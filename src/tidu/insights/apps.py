from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tidu.insights"
    label = "insights"
    verbose_name = "梯度看板"
