"""Article bodies: Markdown rendered by markdown-it-py with raw HTML off, so an editor's text cannot carry a
script. Images may only be the article's own uploads (`![说明](图1)`), never a third-party address: no
tracking pixels, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

_IMAGE_REF = re.compile(r"^(?:图|image|img)?\s*(\d{1,3})$", re.I)


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_body(text: str, images: Mapping[int, tuple[str, str]] | None = None) -> str:
    """HTML for an article body. `images` maps an image number to (URL, caption); unknown images render as
    their description only. Links get rel="nofollow noopener" and open outside only when absolute."""
    md = _md()
    images = images or {}

    def image(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = "".join(child.content for child in token.children or [])
        ref = _IMAGE_REF.match(unquote(str(token.attrGet("src") or "")).strip())
        found = images.get(int(ref.group(1))) if ref else None
        if found is None:
            return _escape(alt)
        url, caption = found
        text = alt or caption
        # a span, not <figure>: Markdown puts images inside a paragraph, where a figure is invalid HTML
        return (
            f'<span class="figure"><img src="{_escape(url)}" alt="{_escape(text)}" loading="lazy">'
            f"{f'<span class=caption>{_escape(caption)}</span>' if caption else ''}</span>"
        )

    def link_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if href.startswith(("http://", "https://")):
            token.attrSet("rel", "nofollow noopener")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("image", image)
    md.add_render_rule("link_open", link_open)
    return md.render(text or "")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
