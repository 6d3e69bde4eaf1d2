"""Evidence files of change reports: checked exactly like the journey's attachments (`tidu.journey.storage`:
type by content, size limit, safe names) and kept under var/uploads/changes/ by the SHA-256 of their bytes.

A separate directory, because the journey releases its files when no application attachment names them any
more; evidence of a change to the register is never deleted (reports are not deletable), so nothing here
is ever released.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

from tidu.core.errors import ErrorCode, TiduError
from tidu.journey.storage import CheckedFile, check_upload, max_bytes

__all__ = ["CheckedFile", "check_upload", "max_bytes", "path_of", "store"]


def storage_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads" / "changes"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile) -> str:
    """Keep the bytes under their SHA-256 (written once, atomically); return that name."""
    path = storage_dir() / checked.sha256
    if not path.exists():
        partial = path.with_name(f".{checked.sha256}.{os.getpid()}.part")
        partial.write_bytes(checked.data)
        partial.replace(path)
    return checked.sha256


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", stored_name):
        raise TiduError(ErrorCode.NOT_FOUND)
    return storage_dir() / stored_name
