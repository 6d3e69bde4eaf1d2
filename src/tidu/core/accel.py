"""Uploaded files sent by nginx, after the app has checked who may have them (X-Accel-Redirect).

Views answer a permitted download with `tidu.core.http.private_download` (a FileResponse). Behind nginx
(TIDU_ACCEL_REDIRECT_PREFIX set, e.g. "/_protected/"), this middleware swaps the file's body for an
`X-Accel-Redirect` to the same file under that internal location, so a gunicorn worker is not tied up
streaming 50 MB to a slow client. Only files inside MEDIA_ROOT are handed over (nginx serves that
directory and nothing else); every header the view set (type, attachment name, no-store) is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

HEADER = "X-Accel-Redirect"


def accel_path(response: HttpResponse | StreamingHttpResponse, prefix: str) -> str | None:
    """The internal URI for a FileResponse of a file under MEDIA_ROOT, else None."""
    if not isinstance(response, FileResponse):
        return None
    name = getattr(response.file_to_stream, "name", None)
    if not isinstance(name, str):
        return None
    media = Path(settings.MEDIA_ROOT).resolve()
    path = Path(name).resolve()
    if not path.is_relative_to(media) or not path.is_file():
        return None
    return prefix.rstrip("/") + "/" + quote(path.relative_to(media).as_posix())


class AccelRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        prefix = getattr(settings, "TIDU_ACCEL_REDIRECT_PREFIX", "")
        target = accel_path(response, prefix) if prefix and response.status_code == 200 else None
        if target is None:
            return response
        handed_over = HttpResponse(status=200)
        for header, value in response.items():
            if header.lower() not in {"content-length"}:
                handed_over[header] = value
        handed_over[HEADER] = target
        # Only the file: response.close() would also send request_finished in the middle of the request.
        response.file_to_stream.close()  # type: ignore[attr-defined]
        return handed_over
