from django.urls import include, path

from tidu.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("tidu.accounts.urls")),
    path("", include("tidu.enterprises.urls")),
    path("", include("tidu.regions.urls")),
]
