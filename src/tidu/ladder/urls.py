from django.urls import path

from tidu.ladder import views

app_name = "ladder"

urlpatterns = [
    path("ladder/", views.me, name="me"),
    path("ladder/what-if/", views.what_if, name="what_if"),
    path("ladder/report.pdf", views.report, name="report"),
    path("ladder/firm/<str:credit_code>/", views.me, name="firm"),
    path("ladder/firm/<str:credit_code>/what-if/", views.what_if, name="firm_what_if"),
    path("ladder/firm/<str:credit_code>/report.pdf", views.report, name="firm_report"),
]
