from django.urls import path

from tidu.digital import views

app_name = "digital"

urlpatterns = [
    path("digital/", views.home, name="home"),
    path("digital/assessment/", views.assessment, name="assessment"),
    path("digital/results/<int:pk>/", views.result, name="result"),
    path("digital/results/<int:pk>/pdf/", views.result_pdf, name="result_pdf"),
    path("digital/distribution/", views.distribution, name="distribution"),
]
