from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tidu.accounts"
    label = "accounts"
    verbose_name = "账号与机构"
