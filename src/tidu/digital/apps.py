from django.apps import AppConfig


class DigitalConfig(AppConfig):
    name = "tidu.digital"
    label = "digital"
    verbose_name = "数字化水平评测"
