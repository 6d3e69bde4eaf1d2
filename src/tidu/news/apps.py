from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "tidu.news"
    label = "news"
    verbose_name = "政策快讯"
