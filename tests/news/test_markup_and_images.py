"""Bodies are Markdown without raw HTML (no script reaches a reader) and pictures only from the article's
own uploads; uploads are checked by Pillow for type, size and dimensions, with reasons in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tidu.news.demo import picture
from tidu.news.markup import render_body
from tidu.news.validators import validate_news_image


def test_html_written_in_a_body_is_shown_as_text_not_run() -> None:
    html = render_body('正文 <script>alert("x")</script> <img src=x onerror=alert(1)>')
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_javascript_link_is_not_made_a_link_and_outside_links_are_nofollow() -> None:
    html = render_body("[点我](javascript:alert(1)) 与 [工信部](https://www.miit.gov.cn/)")
    assert 'href="javascript' not in html
    assert '<a href="https://www.miit.gov.cn/" rel="nofollow noopener">工信部</a>' in html


def test_images_come_from_the_article_s_numbered_uploads_only() -> None:
    html = render_body(
        "![台阶示意](图1)\n\n![外站图片](https://tracker.example/p.gif)\n\n![未上传](图2)",
        {1: ("/news/media/news/2026/12/a.png", "示意图")},
    )
    assert '<img src="/news/media/news/2026/12/a.png" alt="台阶示意"' in html
    assert "示意图" in html
    assert "tracker.example" not in html
    assert html.count("<img") == 1 and "未上传" in html and "外站图片" in html  # alt text kept as words


def upload(data: bytes, name: str = "x.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def encoded(fmt: str, size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_are_accepted(fmt: str) -> None:
    validate_news_image(upload(encoded(fmt)))


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"%PDF-1.4 not a picture", "image_unreadable", "无法识别"),
        (encoded("GIF"), "image_format", "GIF"),
        (encoded("PNG", (6001, 10)), "image_dimensions", "6001×10"),
    ],
)
def test_other_files_are_refused_with_the_reason(data: bytes, code: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_news_image(upload(data))
    assert caught.value.code == code and words in caught.value.messages[0]


def test_a_file_over_two_megabytes_is_refused() -> None:
    big = upload(picture(1) + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        validate_news_image(big)
    assert caught.value.code == "image_too_large" and "2 MB" in caught.value.messages[0]
