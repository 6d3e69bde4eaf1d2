from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tidu.regions"
    label = "regions"
    verbose_name = "行政区划"
