from django.urls import path

from tidu.sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("sandbox/", views.home, name="home"),
    path("sandbox/runs/", views.run_new, name="run_new"),
    path("sandbox/runs/<int:pk>/", views.run_detail, name="run"),
    path("sandbox/runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("sandbox/runs/<int:pk>/<str:which>/", views.run_firms, name="run_firms"),
]
