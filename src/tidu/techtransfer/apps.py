from django.apps import AppConfig


class TechtransferConfig(AppConfig):
    name = "tidu.techtransfer"
    label = "techtransfer"
    verbose_name = "科技成果转化"
