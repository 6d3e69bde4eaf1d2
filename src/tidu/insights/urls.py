from django.urls import path

from tidu.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/export/<slug:chart_id>.xlsx", views.export_chart, name="export"),
    path("insights/report.pdf", views.report_pdf, name="report"),
    path("insights/refresh/", views.refresh, name="refresh"),
]
