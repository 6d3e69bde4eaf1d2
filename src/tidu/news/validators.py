"""Images editors upload: a real JPEG, PNG or WebP of sane size, checked by Pillow, not by the file name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 6000  # pixels; also keeps a decompression bomb out
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def validate_news_image(file: Any) -> None:
    """Refuse, in Chinese, a file over 2 MB, one Pillow cannot read, another format, or a huge canvas."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(file, "size", None)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("图片不能超过 2 MB（当前 {mb:.1f} MB），请压缩后再上传。").format(mb=size / 1024 / 1024),
            code="image_too_large",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("无法识别的图片文件，请上传 JPEG、PNG 或 WebP 图片。"), code="image_unreadable"
        ) from exc
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("只接受 JPEG、PNG 或 WebP 图片（这张是 {f}）。").format(f=image_format or _("未知格式")),
            code="image_format",
        )
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise ValidationError(
            _("图片尺寸过大（{w}×{h} 像素），长边不能超过 {m} 像素。").format(
                w=width, h=height, m=MAX_IMAGE_SIDE
            ),
            code="image_dimensions",
        )
