"""Pages of background jobs (namespace `jobs`) and of the register's import/export (namespace `io`).

Both hang off the one include line in the project URLconf: imports are the jobs app's main client.
"""

from django.urls import include, path

from tidu.jobs import views

job_patterns = [
    path("", views.job_list, name="list"),
    path("<uuid:job_id>/", views.job_detail, name="detail"),
    path("<uuid:job_id>/status/", views.job_status, name="status"),
    path("<uuid:job_id>/report/", views.job_report, name="report"),
]

urlpatterns = [
    path("jobs/", include((job_patterns, "jobs"))),
    path("io/", include("tidu.enterprises.urls_io")),
]
