from django.urls import path

from tidu.policies import views

app_name = "policies"

# /policies/<code>/apply/ belongs to tidu.policy_filings (P1) and is left free here.
urlpatterns = [
    path("policies/", views.policy_list, name="list"),
    path("policies/mine/", views.mine, name="mine"),
    path("policies/mine/subscribe/", views.subscribe, name="subscribe"),
    path("policies/my-awards/", views.my_awards, name="my_awards"),
    path("policies/awards/", views.awards_public, name="awards"),
    path("policies/awards/export.<str:fmt>", views.awards_export, name="awards_export"),
    path("policies/manage/", views.manage_list, name="manage"),
    path("policies/manage/new/", views.policy_edit, name="create"),
    path("policies/manage/payouts/", views.payouts, name="payouts"),
    path("policies/manage/<slug:code>/", views.manage_detail, name="manage_detail"),
    path("policies/manage/<slug:code>/edit/", views.policy_edit, name="edit"),
    path("policies/manage/<slug:code>/edition/", views.edition_new, name="edition_new"),
    path("policies/manage/<slug:code>/batch/", views.batch_new, name="batch_new"),
    path("policies/manage/<slug:code>/publish/", views.publish, name="publish"),
    path("policies/manage/batch/<int:batch_id>/push/", views.push_view, name="push"),
    path("policies/manage/award/<int:award_id>/", views.award_detail, name="award"),
    path("policies/<slug:code>/", views.detail, name="detail"),
]
