from django.urls import include, path

from tidu.core import health, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("tidu.accounts.urls")),
    path("", include("tidu.enterprises.urls")),
    path("", include("tidu.regions.urls")),
]
