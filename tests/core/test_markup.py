"""Question text Markdown renders to safe HTML (why bandit's B704 on it is allowed)."""

import re

from quiz.core.markup import render, render_inline


def test_raw_html_in_question_text_is_shown_as_text():
    html = render('Signed <script>alert("x")</script> at <img src=x onerror=alert(1)>')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_links_keep_only_safe_schemes_and_no_event_handlers():
    html = render_inline("[a](javascript:alert(1)) [b](https://example.org) "
                         '[c](https://example.org "t" onclick="x")')
    # Only the https link became a link; the others stay visible as plain text.
    assert html.count("<a ") == 1 and not re.search(r"<[^>]*(javascript:|onclick)", html)
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">b</a>' in html


def test_allowed_markdown_still_renders():
    assert render("*era* and **war**\n\n- one\n- two") == (
        "<p><em>era</em> and <strong>war</strong></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>")
