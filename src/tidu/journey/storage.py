"""Attachment files: type by content (never by name or browser), size-limited, stored under var/ by the
SHA-256 of their bytes, so nothing the firm sends decides where or as what a file lands, and the same
bytes attached to several applications are kept once.

A stored file is shared by every attachment row naming it; `release` removes it only when no row does.
Writers and releasers take one file lock around "is it still referenced / is it still there", so a file
released by one request while another attaches the same bytes is written back, never lost
(docs/decisions/0079-lock-print-stamp-submit.md). Files stored before content addressing keep their
32-hex random names and are read and released the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

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


def read_upload(upload: UploadedFile) -> bytes:
    """An upload's bytes; one declared larger than the limit is refused before a byte is read
    (`check_upload` still measures what was read, for a client that under-declares)."""
    if upload.size is not None and upload.size > max_bytes():
        raise JourneyError(JourneyCode.ATTACHMENT_TOO_LARGE, name=upload.name or "",
                           limit_mb=max_bytes() // (1024 * 1024))
    return upload.read(max_bytes() + 1)


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


@contextlib.contextmanager
def _store_lock() -> Iterator[None]:
    with (storage_dir() / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_if_missing(checked: CheckedFile) -> None:
    path = storage_dir() / checked.sha256
    if path.exists():
        return
    partial = path.with_name(f".{checked.sha256}.{os.getpid()}.part")
    partial.write_bytes(checked.data)
    partial.replace(path)  # atomic: a reader never sees half a file


def store(checked: CheckedFile) -> str:
    """Keep the bytes under their SHA-256 (once, however many attachments share them); return that name."""
    with _store_lock():
        _write_if_missing(checked)
    return checked.sha256


def ensure_stored(checked: CheckedFile) -> None:
    """Run after the attachment row is committed: puts the bytes back if a concurrent `release` of the
    last other reference removed them between `store` and the commit."""
    with _store_lock():
        _write_if_missing(checked)


# Other owners of stored files (tidu.policy_filings attachments) register how to tell that a file is still
# theirs, so releasing a journey attachment never removes bytes another app's row still names, and back.
_REFERENCE_CHECKS: list[Callable[[str], bool]] = []


def register_reference(check: Callable[[str], bool]) -> None:
    """Called once per owner at start-up (its AppConfig.ready)."""
    if check not in _REFERENCE_CHECKS:
        _REFERENCE_CHECKS.append(check)


def referenced_elsewhere(stored_name: str) -> bool:
    """Whether any registered owner other than the caller still names the file."""
    return any(check(stored_name) for check in _REFERENCE_CHECKS)


def release(stored_name: str, still_referenced: Callable[[], bool]) -> None:
    """Run after a deletion is committed: remove the file unless some attachment still names it."""
    path = path_of(stored_name)
    with _store_lock():
        if not still_referenced() and not referenced_elsewhere(stored_name):
            path.unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    """64 hex digits: a content-addressed file; 32: a file stored under a random name before that."""
    if not re.fullmatch(r"[0-9a-f]{64}|[0-9a-f]{32}", stored_name):
        raise JourneyError(JourneyCode.ATTACHMENT_NAME, name=stored_name)
    return storage_dir() / stored_name
