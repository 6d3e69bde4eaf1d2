"""Steps shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PASSWORD = "browser-test-pw-2026"


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form (after dropping any earlier session) and wait for the menu."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".nav .who")).to_contain_text(username)


def upload_material(page: Page, kind: str, name: str, data: bytes) -> None:
    """On an application's page: choose the material kind, pick the file, upload, wait for it to be listed."""
    page.select_option("#kind", kind)
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    page.locator("#upload").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(f'#checklist tr[data-kind="{kind}"]')).to_contain_text(name)
