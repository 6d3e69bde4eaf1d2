from django.urls import path

from tidu.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("firm/", views.dashboard, name="dashboard"),
    path("firm/profile/", views.profile_edit, name="profile"),
    path("firm/years/new/", views.year_new, name="year_new"),
    path("firm/years/<int:year>/", views.year_edit, name="year_edit"),
    path("enterprises/", views.register, name="register"),
    path("enterprises/<int:pk>/", views.detail, name="detail"),
    path("enterprises/<int:pk>/years/<int:year>/", views.year_detail, name="year_detail"),
    path("enterprises/<int:pk>/years/<int:year>/verify/", views.year_verify, name="year_verify"),
]
