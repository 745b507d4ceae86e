"""End to end in headless Chromium: a teacher sets up a class, a learner joins with the code,
studies and takes the assigned test, and the teacher reads the gradebook and the question
statistics; every page passes axe."""

from __future__ import annotations

from datetime import timedelta

from quiz.classes import service
from quiz.extensions import db
from quiz.models import User
from tests.e2e.test_browser import answer_with_mouse, current_question


def test_a_class_from_its_creation_to_the_gradebook(new_page, build, clock):
    build.banks()
    teacher = new_page()
    teacher.sign_up("teacher@example.org")
    service.set_teacher(db.session.scalars(db.select(User).where(
        User.email == "teacher@example.org")).one(), True, by="test")
    t = teacher.page
    teacher.go("/classes")
    teacher.check("classes")
    t.fill("#name", "9B history")
    t.click("button:has-text('Create the class')")
    t.wait_for_selector("h1:has-text('9B history')")
    code = t.inner_text(".join-code")
    t.fill("#title", "Demo bank")
    t.check("input[name=bank_ids][value=demo]")
    t.fill("#target_day", (clock.now + timedelta(days=30)).date().isoformat())
    t.click("button:has-text('Add the assignment')")
    t.wait_for_selector("text=Assignment added.")
    t.check("input[name=kind][value=test]")
    t.fill("#title", "Quiz 1")
    t.check("input[name=bank_ids][value=demo]")
    t.fill("#length", "2")
    t.click("button:has-text('Add the assignment')")
    t.wait_for_selector("text=Question statistics for Quiz 1")
    teacher.check("class page")

    learner = new_page()
    learner.sign_up("learner@example.org")
    p = learner.page
    learner.go("/classes")
    p.fill("#code", code.lower())
    p.click("button:has-text('Join a class')")
    p.wait_for_selector("text=What your teacher will see")
    learner.check("join page")
    p.click("button:has-text('Join 9B history')")
    p.wait_for_selector("text=Your assignments")
    learner.check("home with assignments")
    p.click("button:has-text('Plan my reviews for')")
    p.wait_for_selector("text=Your exam plan aims at this date")
    learner.check("home with the target date planned")

    p.click("button:has-text('Study Demo bank')")
    p.wait_for_selector("[data-question-id]")
    answer_with_mouse(learner, current_question(learner))
    p.wait_for_selector("h1.verdict")
    learner.go("/")
    p.click("button:has-text('Take Quiz 1')")
    for _ in range(2):
        p.wait_for_selector("[data-question-id]")
        answer_with_mouse(learner, current_question(learner))
    p.wait_for_selector("text=Score")
    learner.check("test summary")
    learner.go("/")
    assert "0 attempts left" in p.inner_text("main")

    teacher.go("/classes")
    t.click("text=9B history")
    t.click("text=Gradebook")
    gradebook = t.inner_text("table.gradebook")
    assert "learner@example.org" in gradebook and "best 100%" in gradebook
    teacher.check("gradebook")
    t.click("text=learner@example.org")
    t.wait_for_selector("text=Only what this class covers is shown.")
    teacher.check("learner page")
    teacher.go("/classes")
    t.click("text=9B history")
    t.click("text=Question statistics for Quiz 1")
    statistics = t.inner_text("table.statistics")
    assert "100%" in statistics
    teacher.check("question statistics")
    assert teacher.errors == [] and learner.errors == []
