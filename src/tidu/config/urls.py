from django.contrib import admin
from django.urls import include, path

from tidu.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tidu.jobs.urls")),
    path("", include("tidu.journey.urls")),
    path("", include("tidu.core.urls")),
    path("", include("tidu.digital.urls")),
    path("", include("tidu.scenarios.urls")),
    path("", include("tidu.ladder.urls")),
    path("", include("tidu.notifications.urls")),
    path("", include("tidu.changes.urls")),
    path("", include("tidu.service_catalog.urls")),
    path("", include("tidu.policy_filings.urls")),  # before policies: /policies/<code>/apply/ is ours
    path("", include("tidu.policies.urls")),
    path("", include("tidu.news.urls")),
    path("", include("tidu.needs.urls")),
    path("", include("tidu.events.urls")),
    path("", include("tidu.techtransfer.urls")),
    path("", include("tidu.insights.urls")),
    path("", include("tidu.sandbox.urls")),
]

# A lost database connection answers 503 with Retry-After (the API's error body under /api/); other errors 500.
handler500 = "tidu.core.unavailable.server_error"
# Under /api/, a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 in the API's error body (Django: a 400 page).
handler400 = "tidu.core.api_answers.bad_request"
