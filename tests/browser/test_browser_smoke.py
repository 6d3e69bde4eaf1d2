"""The home page renders in Simplified Chinese in a real browser, with nothing fetched from outside."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_chinese_text_without_outside_requests(
    page: Page, live_server: object, screenshot: Callable[[str], Path]
) -> None:
    origin = str(live_server.url)  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith((origin, "data:")) else outside.append(req.url))

    page.goto("/")

    expect(page.locator("body")).to_contain_text("梯度")
    assert page.evaluate("document.documentElement.lang").lower().startswith("zh")
    assert outside == [], f"the page fetched from outside the server: {outside}"
    assert screenshot("home").stat().st_size > 5_000
