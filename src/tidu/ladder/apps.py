from django.apps import AppConfig


class LadderConfig(AppConfig):
    name = "tidu.ladder"
    label = "ladder"
    verbose_name = "我的梯度"
