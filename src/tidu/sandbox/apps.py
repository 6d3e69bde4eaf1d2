from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "tidu.sandbox"
    label = "sandbox"
    verbose_name = "门槛沙盘"
