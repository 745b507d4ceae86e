"""The study controls in Chromium: undo with the keyboard, the flip staying on its card when
another comes due, suspend and unsuspend, an exam plan; and axe on the pages they add, at
both widths in both themes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Card, Review, User
from tests.e2e.test_browser import answer_with_mouse, current_question


@pytest.fixture
def demo(build):
    build.banks()


def start_demo(page) -> None:
    page.page.click("button:has-text('Study Demo bank')")
    page.page.wait_for_selector("[data-question-id]")


def answer_until(page, wanted: str) -> None:
    """Answer right, with the mouse, every question shown before `wanted`."""
    while current_question(page) != wanted:
        answer_with_mouse(page, current_question(page))
        page.page.click("text=Continue")
        page.page.wait_for_selector("[data-question-id]")


def test_z_on_the_feedback_page_undoes_the_answer_and_shows_the_question_again(new_page, demo):
    page = new_page()
    page.sign_up("undo@example.org")
    start_demo(page)
    first = current_question(page)
    answer_with_mouse(page, first)
    page.page.wait_for_selector("h1.verdict")
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1
    page.page.keyboard.press("z")
    page.page.wait_for_selector("[data-question-id]")
    assert current_question(page) == first
    assert "Answer undone" in page.page.inner_text("body")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0
    assert page.errors == []


def test_the_flip_stays_on_the_card_shown_when_another_comes_due(new_page, demo, clock):
    page = new_page()
    page.sign_up("flip@example.org")
    start_demo(page)
    first = current_question(page)
    assert first == "demo-mc"
    page.page.click("label.option:has-text('Moscow')")  # wrong: due again in a minute
    page.page.click("button:has-text('Check answer')")
    page.page.click("text=Continue")
    page.page.wait_for_selector("[data-question-id]")
    answer_until(page, "demo-card")
    clock.advance(seconds=65)  # demo-mc is due again while the card is on screen
    page.page.keyboard.press(" ")
    page.page.wait_for_selector("form[data-keys=rate]")
    assert current_question(page) == "demo-card"
    assert page.page.locator("button.rating").count() == 4
    assert page.errors == []


def test_suspend_from_a_questions_page_lists_it_and_unsuspend_brings_it_back(new_page, demo):
    page = new_page()
    page.sign_up("suspend@example.org")
    page.go("/questions/demo-tf")
    page.page.click("button:has-text('Suspend')")
    page.page.wait_for_selector("text=Suspended: it is not shown until you unsuspend it.")
    page.go("/dashboard")
    suspended = page.page.locator("section[aria-labelledby=suspended-heading]")
    assert suspended.locator("a[href='/questions/demo-tf']").count() == 1
    page.go("/")
    start_demo(page)
    seen = set()
    while page.page.locator("[data-question-id]").count():
        seen.add(current_question(page))
        answer_with_mouse(page, current_question(page))
        page.page.click("text=Continue")
        page.page.wait_for_load_state()
        if len(seen) > 12:
            break
    assert "demo-tf" not in seen and len(seen) == 8
    page.go("/questions/demo-tf")
    page.page.click("button:has-text('Unsuspend')")
    page.go("/dashboard")
    assert "Nothing suspended" in page.page.inner_text(
        "section[aria-labelledby=suspended-heading]")
    assert page.errors == []


def test_an_exam_plan_is_saved_and_the_dashboard_predicts_recall_on_the_day(new_page, demo,
                                                                           clock):
    page = new_page()
    page.sign_up("exam@example.org")
    start_demo(page)
    answer_until(page, "demo-card")  # a few questions studied, so recall can be predicted
    page.go("/")
    page.page.click("text=Plan for an exam")
    day = (clock.now + timedelta(days=30)).date()
    page.page.fill("#day", day.isoformat())
    page.page.click("label:has-text('Demo bank')")
    page.page.click("button:has-text('Save the plan')")
    page.page.wait_for_selector("#outlook-heading")
    user = db.session.scalars(db.select(User).where(User.email == "exam@example.org")).one()
    db.session.refresh(user)
    assert user.exam_day == day and user.exam_banks == ["demo"]
    page.go("/dashboard")
    heading = page.page.inner_text("#exam-heading")
    assert day.strftime("%d %b %Y") in heading
    recall = page.page.locator("section[aria-labelledby=exam-heading] td").first.inner_text()
    assert recall.endswith("%")
    assert page.errors == []


@pytest.mark.parametrize("width,height,label", [(360, 740, "phone"), (1280, 900, "desktop")])
def test_the_controls_pages_pass_axe_and_fit_the_screen(new_page, demo, theme, clock, width,
                                                        height, label):
    page = new_page(color_scheme=theme, width=width, height=height)
    page.sign_up(f"controls-{theme}-{label}@example.org")
    start_demo(page)
    page.page.click("label.option:has-text('Moscow')")
    page.page.click("button:has-text('Check answer')")
    page.page.wait_for_selector("h1.verdict")
    page.check("feedback with undo and report")
    first = db.session.scalars(db.select(Review)).one()
    page.page.click("text=Continue")
    page.page.wait_for_selector("[data-question-id]")
    answer_until(page, "demo-short")
    page.page.fill("#answer", "Khrushchev")
    page.page.click("button:has-text('Check answer')")
    page.page.wait_for_selector("button:has-text('I was right')")
    page.check("feedback with I was right")
    page.go("/questions/demo-tf")
    page.page.click("button:has-text('Suspend')")
    user = db.session.scalars(db.select(User).where(User.email.like("controls-%"))).one()
    db.session.execute(db.update(Card).where(Card.user_id == user.id,
                                             Card.question_id == "demo-mc")
                       .values(leech=True))
    db.session.commit()
    page.go("/exam")
    page.page.fill("#day", (clock.now + timedelta(days=20)).date().isoformat())
    page.page.click("button:has-text('Save the plan')")
    page.page.wait_for_selector("#outlook-heading")
    for path in ("/exam", "/search", "/search?q=Washington", "/questions/demo-mc",
                 "/questions/demo-tf", "/questions/demo-mc/reports/new", "/dashboard",
                 "/settings"):
        page.go(path)
        page.check(path)
    page.go(f"/sessions/{first.session_id}/reviews/{first.id}")
    page.check("feedback seen again")
    assert page.errors == []
