from django.urls import path

from tidu.journey import verify, views

app_name = "journey"

urlpatterns = [
    path("journey/", views.home, name="home"),
    path("journey/rounds/", views.rounds, name="rounds"),
    path("journey/rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("journey/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("journey/rounds/<int:pk>/publicity/", views.publicity_publish, name="publicity_publish"),
    path("journey/applications/<int:pk>/", views.detail, name="detail"),
    path("journey/applications/<int:pk>/form.pdf", views.application_form, name="application_form"),
    path("journey/applications/<int:pk>/lock/", views.lock, name="lock"),
    path("journey/applications/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("journey/applications/<int:pk>/submit/", views.submit, name="submit"),
    path("journey/applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("journey/applications/<int:pk>/review/", views.review, name="review"),
    path("journey/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("journey/attachments/<int:pk>/delete/", views.attachment_remove, name="attachment_delete"),
    path("journey/queue/", views.queue, name="queue"),
    path("journey/queue/batch/", views.queue_batch, name="queue_batch"),
    path("journey/audit/", views.audit, name="audit"),
    path("journey/recognitions/", views.recognitions_manage, name="recognitions_manage"),
    path("journey/recognitions/<int:pk>/revoke/", views.recognition_revoke, name="recognition_revoke"),
    path("journey/recognitions/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("journey/rereviews/", views.rereviews, name="rereviews"),
    path("journey/rereviews/open/", views.rereview_open, name="rereview_open"),
    path("journey/rereviews/<int:pk>/", views.rereview_detail, name="rereview"),
    path("journey/rereviews/<int:pk>/submit/", views.rereview_submit, name="rereview_submit"),
    path("journey/rereviews/<int:pk>/review/", views.rereview_review, name="rereview_review"),
    path("publicity/<int:pk>/", views.publicity, name="publicity"),
    path("publicity/<int:pk>/objections/", views.objection_lodge, name="objection_lodge"),
    path("journey/objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("journey/publicity/<int:pk>/decide/", views.publicity_decide, name="publicity_decide"),
    path("recognitions/", views.recognitions, name="recognitions"),
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:number>/", verify.verify, name="verify"),
]
