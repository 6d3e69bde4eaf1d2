from django.urls import path

from tidu.policy_filings import views

app_name = "policy_filings"

urlpatterns = [
    path("policies/<slug:code>/apply/", views.apply, name="apply"),
    path("policy-filings/", views.index, name="index"),
    path("policy-filings/<int:pk>/", views.detail, name="detail"),
    path("policy-filings/<int:pk>/update/", views.update, name="update"),
    path("policy-filings/<int:pk>/submit/", views.submit, name="submit"),
    path("policy-filings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("policy-filings/<int:pk>/review/", views.review, name="review"),
    path("policy-filings/<int:pk>/payout/", views.payout, name="payout"),
    path("policy-filings/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("policy-filings/attachments/<int:pk>/delete/", views.attachment_remove, name="attachment_delete"),
]
