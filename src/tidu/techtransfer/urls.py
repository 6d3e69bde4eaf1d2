from django.urls import path

from tidu.techtransfer import views

app_name = "techtransfer"

urlpatterns = [
    path("techtransfer/", views.achievement_list, name="list"),
    path("techtransfer/<int:pk>/", views.achievement_detail, name="achievement"),
    path("techtransfer/<int:pk>/request/", views.request_new, name="request_new"),
    path("techtransfer/requests/", views.request_list, name="requests"),
    path("techtransfer/requests/<int:pk>/", views.request_detail, name="request"),
    path("techtransfer/requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("techtransfer/platforms/<int:pk>/", views.platform_page, name="platform_page"),
    path("techtransfer/platform/", views.platform_home, name="platform"),
    path("techtransfer/platform/achievements/new/", views.achievement_new, name="achievement_new"),
    path("techtransfer/platform/achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path("techtransfer/platform/achievements/<int:pk>/<str:action>/", views.achievement_action,
         name="achievement_action"),
    path("techtransfer/platform/transfers/new/", views.transfer_new, name="transfer_new"),
    path("techtransfer/platform/incubations/new/", views.incubation_new, name="incubation_new"),
    path("techtransfer/platform/incubations/<int:pk>/end/", views.incubation_end, name="incubation_end"),
    path("techtransfer/oversight/", views.oversight, name="oversight"),
    path("techtransfer/oversight/<str:kind>/<int:pk>/", views.record_review, name="record_review"),
]
