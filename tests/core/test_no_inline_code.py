"""The templates stay free of inline code the Content-Security-Policy refuses (decision 0104): no <script> without
src, no on* handler, no javascript: URL, no hx-on / js: values (htmx would need eval), no <style> block and
no style attribute. Behaviour lives in static files (tidu/tidu.js: `data-autosubmit`), looks in CSS classes.
A template that slipped one in would work in the developer's head and fail silently in every browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tidu"
TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))

COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)  # never sent
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
FORBIDDEN_IN_TAGS = {
    "on* handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "hx-on attribute": re.compile(r"\shx-on", re.I),
    "js: value (htmx eval)": re.compile(r"\shx-(?:vals|vars)\s*=\s*['\"]\s*(?:js|javascript):", re.I),
}


def offences(text: str) -> list[str]:
    text = COMMENT.sub("", text)
    found = [f"{what}: {m.group(0)[:80]!r}" for what, rx in FORBIDDEN.items() for m in rx.finditer(text)]
    for tag in TAG.finditer(text):
        found += [f"{what}: {tag.group(0)[:80]!r}" for what, rx in FORBIDDEN_IN_TAGS.items() if rx.search(tag.group(0))]
    return found


def test_the_scan_sees_every_kind_of_inline_code() -> None:
    """The patterns catch what was removed (base.html's language switcher, the progress bars, the style blocks)."""
    removed = [
        '<select name="language" onchange="this.form.submit()">',
        '<progress max="100" value="3" style="width:min(100%,28rem)">',
        "<style>\n.question p { margin:0 }\n</style>",
        "<script>document.title = 1</script>",
        '<a href="javascript:history.back()">返回</a>',
        '<button hx-on:click="alert(1)">x</button>',
        "<div hx-vals='js:{a: 1}'></div>",
    ]
    for snippet in removed:
        assert offences(snippet), snippet
    allowed = ('<script src="/static/tidu/tidu.js" defer></script><select data-autosubmit name="status">'
               '<div class="note">onward = 前进</div><p>style="x" 在正文里</p>{# an inline <style> is refused #}')
    assert offences(allowed) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_carries_inline_code(template: Path) -> None:
    assert offences(template.read_text(encoding="utf-8")) == []


def test_the_templates_were_found() -> None:
    assert len(TEMPLATES) > 100 and SRC / "templates" / "base.html" in TEMPLATES


def test_the_events_qr_code_draws_with_attributes_not_style() -> None:
    """The one SVG drawn by a library (reportlab) keeps its transparent background under the policy."""
    from tidu.events.documents import qr_svg

    svg = qr_svg("https://tidu.example/events/checkin/abc/")
    assert "<rect" in svg and " style=" not in svg
    assert 'fill="none"' in svg and 'fill="rgb(0%,0%,0%)"' in svg
