"""Walking the demo platform as each role: no internal code reaches a reader, and the menu holds only
pages that open.

The visible text (tags, scripts and `<code>` stripped; titles, placeholders and aria-labels kept) of every
page a role reaches from its menu must not show a standard's id (`specialized_sme`), an edition code
(`innovative_sme/2022`), an internal key (`national:1`), an audit kind (`journey.review.reject`), a
registry abbreviation (`SP22`), a research-note reference (`tiers.md`) or one of the English words that
used to leak. Code-like text that users do read (credit codes, certificate numbers, file names, hashes,
GB/T codes, the API's own page) is not English prose and is allowed.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any

import pypdfium2
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tidu.accounts.demo import DEMO_USERS

pytestmark = pytest.mark.django_db

STANDARD_IDS = re.compile(r"\b(innovative_sme|specialized_sme|little_giant|tech_sme|size_class|digital_level)\b")
EDITION_CODE = re.compile(r"\b[a-z_]+/20\d\d\b")
INTERNAL_KEY = re.compile(r"\b[a-z_]+:\d+\b")
AUDIT_KIND = re.compile(r"\b[a-z_]+\.[a-z_]+\.[a-z_.]+\b")
REGISTRY_ABBREVIATION = re.compile(r"\b(SP22|SP26|LG22|LG26)\b|用于：[^；。]*\b(SC|TS|IN|DL)\b")
NOTE_REFERENCE = re.compile(r"\b\w+\.md\b")
LEAKED_WORDS = re.compile(
    r"\b(manufacturing|producer_services|below_city|provincial|national|county|city|province|none|true|false|"
    r"unknown|approved|returned|rejected|recognised|publicity|indicator|editions?|display|statistics|"
    r"Unauthorized|Forbidden|Field required|Not Found)\b")
CHECKS = {"standard id": STANDARD_IDS, "edition code": EDITION_CODE, "internal key": INTERNAL_KEY,
          "audit kind": AUDIT_KIND, "registry abbreviation": REGISTRY_ABBREVIATION,
          "research note": NOTE_REFERENCE, "leaked English": LEAKED_WORDS}
SKIP = ("/admin", "/api/v1/docs", "/static/", "/media/", "/logout", "/i18n/")
PAGES_PER_ROLE = 80


class VisibleText(HTMLParser):
    """Text a reader sees or hears (aria-label, title, placeholder) and the page's links."""

    # a textarea holds what the user types (a policy's conditions are written in the packs' expression
    # language by the officials who edit them), not the platform's own words
    HIDDEN = frozenset({"script", "style", "code", "pre", "template", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name):
                self.parts.append(str(a[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def code_like_removed(text: str) -> str:
    """Drop what users read as codes, not words: e-mail addresses, file names, hashes, user names."""
    text = re.sub(r"\S+@\S+|\b(?:[a-z0-9-]+\.)+(?:gov\.cn|com|cn|org)\b", " ", text)  # mail, web addresses
    text = re.sub(r"\b[0-9a-f]{32,}\b", " ", text)
    text = re.sub(r"[\w\u4e00-\u9fff（）()-]+\.(pdf|png|jpe?g|xlsx|csv)\b", " ", text)
    return re.sub(r"\bdemo-[a-z-]+\b", " ", text)


def leaks(text: str) -> list[str]:
    text = code_like_removed(text)
    found = []
    for what, pattern in CHECKS.items():
        for m in pattern.finditer(text):
            found.append(f"{what}: {m.group(0)!r} in …{text[max(0, m.start() - 30):m.end() + 30]}…")
    return found


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def crawl(client: Client, seen: set[str] | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """{url: leaks} of the pages (and PDFs) reached from the home page, and the URLs that failed;
    `seen` collects the URLs visited."""
    seen = set() if seen is None else seen
    per_pattern: dict[str, int] = {}
    queue = deque(["/"])
    problems: dict[str, list[str]] = {}
    failed: list[str] = []
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            continue
        if response.status_code != 200:
            failed.append(f"{url} → {response.status_code}")
            continue
        kind = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "pdf" in kind:
            text = pdf_text(body)
        elif "html" in kind:
            parser = VisibleText()
            parser.feed(body.decode())
            text = "\n".join(parser.parts)
            for link in parser.links:
                if not link.startswith("/") or link.startswith(SKIP) or link.endswith((".xlsx", ".csv")):
                    continue
                # one pattern per kind of page: numbers, credit codes and slugs (ns-digital-subsidy) vary
                pattern = re.sub(r"\d+|[0-9A-Z]{18}|(?<=/)[a-z0-9]+(?:-[a-z0-9]+)+(?=/)", "N", link.split("?")[0])
                if per_pattern.get(pattern, 0) < 2:
                    per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
                    queue.append(link)
        else:
            continue
        if found := leaks(text):
            problems[url] = found
    return problems, failed


def client_of(username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", firms=20, verbosity=0)


def test_the_leak_patterns_catch_what_used_to_leak() -> None:
    for text in ("national:1 province:1 returned:1", "journey.review.reject {'status': ['county']}",
                 "（specialized_sme/2026）", "用于：SP22 (indicator 12)", "用于：SC, TS", "manufacturing",
                 "innovative_sme", "Field required", "tiers.md §3"):
        assert leaks(text), text
    assert leaks("企业 demo-firm@tidu.example 上传了 盖章申报书.pdf（91440300MA5F1234XY，44-ZJTX-2025-00001）") == []


def test_every_roles_pages_and_pdfs_speak_chinese_without_internal_codes(demo: Any) -> None:
    report: dict[str, Any] = {}
    visited: dict[str, set[str]] = {}
    for username in [u[0] for u in DEMO_USERS] + [None]:
        visited[username or "anonymous"] = seen = set()
        problems, failed = crawl(client_of(username), seen)
        if problems or failed:
            report[username or "anonymous"] = {"leaks": problems, "failed": failed}
    firm, county = visited["demo-firm"], visited["demo-county"]
    assert any(u.startswith("/firm/years/") for u in firm) and "/ladder/" in firm  # field help, what-if
    assert any(u.endswith(".pdf") or u.endswith("/pdf/") for u in firm)  # the PDFs are read too
    assert "/journey/audit/" in county and any(re.match(r"/enterprises/\d+/years/", u) for u in county)
    assert report == {}, "\n".join(f"{who}: {url}: {x}" for who, r in report.items()
                                    for url, xs in {**r["leaks"], "failed": r["failed"]}.items() for x in xs)


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS] + [None])
def test_every_menu_link_of_each_role_opens(demo: Any, username: str | None) -> None:
    client = client_of(username)
    page = client.get("/").content.decode()
    nav = re.search(r'<nav class="nav">(.*?)</nav>', page, re.S)
    assert nav is not None
    links = [href for href in re.findall(r'<a href="([^"]+)"', nav.group(1)) if not href.startswith("/api/")]
    assert links, username
    for href in links:
        assert client.get(href).status_code == 200, (username, href)
    labels = re.findall(r">([^<>]+)</a>", nav.group(1))
    if username in {"demo-county", "demo-city"}:
        assert "申报批次" not in labels  # rounds are run by provinces and the nation
    if username in {"demo-province", "demo-national", "demo-admin"}:
        assert "申报批次" in labels


def test_the_language_menu_names_each_language_in_itself(demo: Any) -> None:
    page = Client().get("/").content.decode()
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', page)
    assert ("zh-hans", "简体中文") in options and ("en", "English") in options
    assert "英语" not in page
