from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "tidu.enterprises"
    label = "enterprises"
    verbose_name = "企业名录"

    def ready(self) -> None:
        from tidu.core.audit_text import register_field_text
        from tidu.enterprises.audit_words import enterprise_field_words, year_field_words

        register_field_text("enterprises.enterpriseyear", year_field_words)
        register_field_text("enterprises.enterprise", enterprise_field_words)
