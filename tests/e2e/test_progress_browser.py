"""End to end in headless Chromium: the dashboard, a question's page and "Your data" pass axe
in both themes and fit a phone's screen with every chart's table unfolded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import User
from tests.builders_history import History


@pytest.mark.parametrize(("width", "height", "label"),
                         [(360, 740, "phone"), (1280, 900, "desktop")])
def test_progress_pages_pass_axe_and_fit_the_screen(new_page, build, clock, theme, width,
                                                    height, label):
    build.banks()
    page = new_page(color_scheme=theme, width=width, height=height)
    email = f"progress-{theme}-{label}@example.org"
    page.sign_up(email)
    user = db.session.scalars(db.select(User).where(User.email == email)).one()
    now = clock.now
    history = History(user, clock)
    for days_ago, right in ((9, True), (8, False), (6, True), (2, True)):
        history.answer("demo-mc", right, at=now - timedelta(days=days_ago))
    history.test(now - timedelta(days=1), ["demo-tf", "demo-short"])
    history.answer("demo-tf", True, at=now - timedelta(days=1) + timedelta(minutes=1))
    history.end(now - timedelta(days=1) + timedelta(minutes=5))
    clock.set(now)
    for path in ("/dashboard", "/questions/demo-mc", "/questions/demo-card", "/account"):
        page.go(path)
        page.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.check(path)
        page.screenshot(f"{label}-{theme}-{path.strip('/').replace('/', '-')}")
    assert page.errors == []


def test_chart_labels_stay_legible_on_a_phone(new_page, build):
    build.banks()
    page = new_page(width=360, height=740)
    page.sign_up("phone-charts@example.org")
    page.go("/dashboard")
    heights = page.page.evaluate(
        "[...document.querySelectorAll('.chart svg text')].map(t => t.getBoundingClientRect()"
        ".height).filter(h => h > 0)")
    assert heights and min(heights) >= 10, f"smallest chart label {min(heights):.1f}px tall"
    overflow = page.page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow  # the charts scroll in their own regions, never the page
