from django.urls import path

from tidu.service_catalog import views

app_name = "services"

urlpatterns = [
    path("services/", views.catalog, name="list"),
    path("services/<int:pk>/", views.offer_detail, name="offer"),
    path("services/<int:pk>/request/", views.request_new, name="request_new"),
    path("services/requests/", views.my_requests, name="my_requests"),
    path("services/requests/<int:pk>/", views.request_detail, name="request"),
    path("services/requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("provider/", views.provider_home, name="provider_home"),
    path("provider/profile/", views.provider_profile, name="provider_profile"),
    path("provider/offers/new/", views.offer_new, name="offer_new"),
    path("provider/offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("provider/offers/<int:pk>/<str:action>/", views.offer_action, name="offer_action"),
    path("oversight/services/", views.oversight, name="oversight"),
    path("oversight/services/export.csv", views.oversight_export, name="oversight_export"),
    path("oversight/services/providers/<int:pk>/decide/", views.provider_decide, name="provider_decide"),
    path("oversight/services/offers/<int:pk>/decide/", views.offer_decide, name="offer_decide"),
]
