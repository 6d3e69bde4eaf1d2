"""Attachments: PDF and images only (by content), size-limited, stored under var/ by their SHA-256,
and served only to those who may see the application."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tidu.journey import services, storage
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Attachment
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _post(world: World, who: str, app_pk: int, name: str, data: bytes) -> int:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return world.bearer(who).post(f"/api/v1/journey/applications/{app_pk}/attachments", {"file": upload}).status_code


@pytest.mark.parametrize(("name", "data"), [("营业执照.pdf", PDF), ("证书.PNG", PNG), ("现场.jpeg", JPEG)])
def test_pdf_and_images_are_accepted_and_stored_outside_the_web_root_under_their_checksum(
    world: World, name: str, data: bytes
) -> None:
    app = world.draft("A")
    assert _post(world, "firm_a", app.pk, name, data) == 201
    att = Attachment.objects.get()
    path = storage.path_of(att.stored_name)
    assert path.read_bytes() == data and path.name != name and att.stored_name == hashlib.sha256(data).hexdigest()
    assert Path(settings.VAR_DIR) in path.parents
    assert not any(Path(root) in path.parents for root in settings.STATICFILES_DIRS)
    response = world.client("firm_a").get(f"/journey/attachments/{att.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(("name", "data"), [
    ("报告.pdf", b"<html><script>alert(1)</script></html>"),  # HTML dressed as a PDF
    ("macro.docx", b"PK\x03\x04" + b"\x00" * 20),
    ("real.exe", PDF),  # a PDF body under a name that would not open as one
    ("photo.pdf", PNG),  # name and content disagree
])
def test_wrong_types_are_refused(world: World, name: str, data: bytes) -> None:
    app = world.draft("A")
    assert _post(world, "firm_a", app.pk, name, data) == 415
    with pytest.raises(JourneyError) as exc:
        services.attachment_add(actor=world.users["firm_a"], application=app, name=name, data=data)
    assert exc.value.journey_code == JourneyCode.ATTACHMENT_TYPE
    assert not Attachment.objects.exists()


def test_oversize_files_are_refused(world: World, settings: object) -> None:
    settings.TIDU_ATTACHMENT_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    app = world.draft("A")
    big = PDF + b"0" * (1024 * 1024)
    assert _post(world, "firm_a", app.pk, "big.pdf", big) == 413
    response = world.client("firm_a").post(f"/journey/applications/{app.pk}/attachments/",
                                           {"file": SimpleUploadedFile("big.pdf", big)}, follow=True)
    assert "超过 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "/tmp/x.pdf", "a/b.pdf",
                                  "C:\\x.pdf", ".hidden.pdf", "x\x00.pdf", "..pdf"])
def test_path_tricks_in_the_file_name_are_refused(world: World, name: str) -> None:
    app = world.draft("A")
    with pytest.raises(JourneyError) as exc:
        services.attachment_add(actor=world.users["firm_a"], application=app, name=name, data=PDF)
    assert exc.value.journey_code == JourneyCode.ATTACHMENT_NAME
    assert not Attachment.objects.exists()


def test_another_users_attachment_url_is_refused(world: World) -> None:
    app = world.draft("A")
    att = services.attachment_add(actor=world.users["firm_a"], application=app, name="合同.pdf", data=PDF)
    for who in ("firm_b", "county", "county_c", "large"):  # a draft's files: the firm only
        assert world.client(who).get(f"/journey/attachments/{att.pk}/").status_code == 404, who
        assert world.bearer(who).get(f"/api/v1/journey/attachments/{att.pk}").status_code == 404, who
        assert world.client(who).post(f"/journey/attachments/{att.pk}/delete/").status_code == 404, who
    assert world.client("anon").get(f"/journey/attachments/{att.pk}/").status_code == 302
    assert Attachment.objects.filter(pk=att.pk).exists()


def test_attachments_are_frozen_once_submitted(world: World) -> None:
    app = world.submitted("A")
    count = Attachment.objects.count()
    assert _post(world, "firm_a", app.pk, "b.pdf", PDF) == 400
    for att in Attachment.objects.all():
        assert world.bearer("firm_a").delete(f"/api/v1/journey/attachments/{att.pk}").status_code == 400
    assert Attachment.objects.count() == count == 3  # licence, financial report, stamped copy


def test_the_firm_removes_an_attachment_from_a_draft_and_its_file_goes(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.draft("A")
    att = services.attachment_add(actor=world.users["firm_a"], application=app, name="a.pdf", data=PDF)
    path = storage.path_of(att.stored_name)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion is committed
        assert world.client("firm_a").post(f"/journey/attachments/{att.pk}/delete/").status_code == 302
    assert not Attachment.objects.exists() and not path.exists()
