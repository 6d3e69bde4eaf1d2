"""Attachment files: type by content (never by name or browser), size-limited, stored under var/ with
random names, so nothing the firm sends decides where or as what a file lands.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tidu.journey.errors import JourneyCode, JourneyError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# (magic prefix, content type, allowed name extensions)
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "TIDU_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads" / "journey"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_name(raw: str) -> str:
    """The name as shown to users; names carrying paths or control characters are refused, not fixed."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name or _BAD_NAME.search(name) or name.startswith(".") or ".." in name or len(name) > 150:
        raise JourneyError(JourneyCode.ATTACHMENT_NAME, name=raw[:80])
    return name


def check_upload(raw_name: str, data: bytes) -> CheckedFile:
    """Refuse bad names, empty or oversize files, and anything that is not really a PDF, PNG or JPEG."""
    name = clean_name(raw_name)
    if not data:
        raise JourneyError(JourneyCode.ATTACHMENT_EMPTY, name=name)
    if len(data) > max_bytes():
        raise JourneyError(JourneyCode.ATTACHMENT_TOO_LARGE, name=name, limit_mb=max_bytes() // (1024 * 1024))
    lower = name.lower()
    for magic, content_type, extensions in SIGNATURES:
        if data.startswith(magic) and lower.endswith(extensions):
            return CheckedFile(name, content_type, data, hashlib.sha256(data).hexdigest())
    raise JourneyError(JourneyCode.ATTACHMENT_TYPE, name=name)


def write_file(data: bytes) -> str:
    """Store the bytes under a fresh random name; return that name."""
    stored = secrets.token_hex(16)
    (storage_dir() / stored).write_bytes(data)
    return stored


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise JourneyError(JourneyCode.ATTACHMENT_NAME, name=stored_name)
    return storage_dir() / stored_name
