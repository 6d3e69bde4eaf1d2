from django.urls import path

from tidu.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
