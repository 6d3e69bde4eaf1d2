from django.urls import path

from tidu.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_create, name="create"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/solve/", views.event_solve, name="solve"),
    path("events/<int:pk>/meetings/<str:action>/", views.meeting_action, name="meeting"),
    path("events/<int:pk>/outcome/", views.event_outcome, name="outcome"),
    path("events/<int:pk>/schedule/", views.my_schedule, name="schedule"),
    path("events/<int:pk>/schedule.pdf", views.my_schedule_pdf, name="schedule_pdf"),
    path("events/checkin/<str:token>/", views.checkin, name="checkin"),
]
