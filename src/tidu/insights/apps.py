from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tidu.insights"
    label = "insights"
    verbose_name = "梯度看板"

    def ready(self) -> None:
        from tidu.enterprises.signals import figures_imported
        from tidu.insights.services import on_figures_imported

        # An import of firm-years queues the refresh of the firms it changed (decision 0114).
        figures_imported.connect(on_figures_imported, dispatch_uid="insights.refresh_after_import")
