"""Behind nginx, a permitted download of an uploaded file is handed to nginx (X-Accel-Redirect)."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from tidu.core.accel import AccelRedirectMiddleware
from tidu.core.http import private_download


def _through(response: HttpResponse) -> HttpResponse:
    return AccelRedirectMiddleware(lambda request: response)(RequestFactory().get("/journey/attachments/1/"))


def test_an_uploaded_file_is_handed_to_nginx_with_the_views_headers(tmp_path: Path) -> None:
    media = tmp_path / "uploads"
    (media / "journey").mkdir(parents=True)
    stored = media / "journey" / ("a" * 64)
    stored.write_bytes(b"%PDF-1.7 stamped form")
    with override_settings(MEDIA_ROOT=media, TIDU_ACCEL_REDIRECT_PREFIX="/_protected/"):
        response = _through(private_download(stored, filename="盖章申报书.pdf", content_type="application/pdf"))
    assert response["X-Accel-Redirect"] == "/_protected/journey/" + "a" * 64
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_outside_the_upload_directory_is_never_handed_over(tmp_path: Path) -> None:
    (tmp_path / "uploads").mkdir()
    elsewhere = tmp_path / "report.pdf"
    elsewhere.write_bytes(b"%PDF generated")
    with override_settings(MEDIA_ROOT=tmp_path / "uploads", TIDU_ACCEL_REDIRECT_PREFIX="/_protected/"):
        response = _through(private_download(elsewhere, filename="r.pdf", content_type="application/pdf"))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"%PDF generated"  # type: ignore[attr-defined]


def test_without_nginx_the_app_streams_the_file_itself(tmp_path: Path) -> None:
    stored = tmp_path / "f.bin"
    stored.write_bytes(b"data")
    with override_settings(MEDIA_ROOT=tmp_path, TIDU_ACCEL_REDIRECT_PREFIX=""):
        response = _through(private_download(stored, filename="f.bin", content_type="application/octet-stream"))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"data"  # type: ignore[attr-defined]
