from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "tidu.scenarios"
    label = "scenarios"
    verbose_name = "转型路径与AI应用场景"
