from django.urls import path

from tidu.needs import views

app_name = "needs"

urlpatterns = [
    path("needs/", views.catalogue, name="list"),
    path("needs/mine/", views.mine, name="mine"),
    path("needs/new/", views.need_new, name="new"),
    path("needs/<int:pk>/", views.need_detail, name="detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="edit"),
    path("needs/<int:pk>/firms/", views.need_firms, name="firms"),
    path("needs/<int:pk>/respond/", views.respond, name="respond"),
    path("needs/<int:pk>/do/<str:action>/", views.need_action, name="action"),
    path("needs/responses/<int:pk>/", views.response_detail, name="response"),
    path("needs/responses/<int:pk>/do/<str:action>/", views.response_action, name="response_action"),
    path("oversight/needs/", views.curation, name="curation"),
]
