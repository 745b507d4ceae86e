"""Every real question of every type fits a phone and a desktop screen: the page never scrolls
sideways and nothing spills out of the question's card (the demo bank's short items cannot
show this; the real banks' long matching pairs once did)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.extensions import db
from quiz.models import Question
from tests.conftest import PASSWORD

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
WIDTHS = [(1280, 900), (360, 740)]

# Whatever sticks out of the card or of the page, described for the failure message.
SPILLS = """() => {
  const page = document.documentElement;
  const out = [];
  if (page.scrollWidth > page.clientWidth) out.push(`page ${page.scrollWidth}px wide`);
  const card = document.querySelector('article.card');
  const edge = card.getBoundingClientRect().right + 0.5;
  for (const el of card.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > edge) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(box.right)}px`);
      break;
    }
  }
  return out;
}"""


@pytest.fixture
def real_banks(app, build):
    """The real banks, an author signed in to preview every question as a learner sees it."""
    app.config["QUESTIONS_DIR"] = str(QUESTIONS)
    build.banks(QUESTIONS)
    build.user(email="author@example.org", admin=True)
    return [(q.id, q.type) for q in db.session.scalars(
        db.select(Question).where(Question.retired_at.is_(None)).order_by(Question.id))]


def test_every_real_question_fits_a_phone_and_a_desktop_screen(new_page, real_banks):
    page = new_page(width=1280, height=900)
    page.go("/login")
    page.page.fill("#email", "author@example.org")
    page.page.fill("#password", PASSWORD)
    page.page.click("button:has-text('Sign in')")
    problems = []
    for question_id, kind in real_banks:
        paths = [f"/authoring/questions/{question_id}"]
        if kind == "flashcard":
            paths.append(f"/authoring/questions/{question_id}?flip=1")
        for path in paths:
            response = page.page.goto(page.base + path, wait_until="domcontentloaded")
            assert response is not None and response.status == 200, path
            # Each page is laid out at both widths: resizing costs far less than loading.
            for width, height in WIDTHS:
                page.page.set_viewport_size({"width": width, "height": height})
                spills = page.page.evaluate(SPILLS)
                if spills:
                    problems.append(f"{width}px {kind} {path}: {'; '.join(spills)}")
    assert problems == [], f"{len(problems)} do not fit:\n" + "\n".join(problems[:30])
    assert {kind for _id, kind in real_banks} >= {"matching", "ordering", "cloze", "flashcard"}
