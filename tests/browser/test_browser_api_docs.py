"""The API reference at /api/v1/docs works offline: Swagger UI comes from our own static files."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_reference_lists_operations_with_nothing_fetched_from_outside(
    page: Page, live_server: object
) -> None:
    origin = str(live_server.url)  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith((origin, "data:")) else outside.append(req.url))

    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("梯度 Tidu API")
    # Operations are grouped per router; the public recognition list is one of them.
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/journey/recognitions").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert outside == [], f"the API reference fetched from outside the server: {outside}"
