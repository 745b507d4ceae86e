"""The small Markdown subset question text may use, rendered to sanitised HTML. Pure.

Emphasis, strong, inline code, lists, links and paragraphs; raw HTML in the source is shown
as text, and the output passes through an allow-list sanitiser as a second line of defence.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = {"p", "em", "strong", "code", "ul", "ol", "li", "a", "br"}
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto"}

_md = (MarkdownIt("zero", {"html": False, "breaks": False})
       .enable(["emphasis", "list", "link", "backticks", "paragraph", "newline", "escape",
                "entity"]))


@lru_cache(maxsize=4096)
def render(text: str) -> Markup:
    """Render block Markdown (paragraphs and lists) to safe HTML."""
    return _clean(_md.render(text or ""))


@lru_cache(maxsize=4096)
def render_inline(text: str) -> Markup:
    """Render one line of Markdown (no paragraphs), for choices and short labels."""
    return _clean(_md.renderInline(text or ""))


def _clean(html: str) -> Markup:
    cleaned = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                        link_rel="noopener noreferrer nofollow")
    return Markup(cleaned.strip())  # noqa: S704 - sanitised by nh3 just above
