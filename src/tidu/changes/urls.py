from django.urls import path

from tidu.changes import views

app_name = "changes"

urlpatterns = [
    path("firm/changes/", views.mine, name="mine"),
    path("firm/changes/new/", views.new, name="new"),
    path("changes/", views.queue, name="queue"),
    path("changes/<int:pk>/", views.detail, name="detail"),
    path("changes/<int:pk>/revise/", views.revise, name="revise"),
    path("changes/<int:pk>/review/", views.review, name="review"),
    path("changes/attachments/<int:pk>/", views.attachment, name="attachment"),
]
