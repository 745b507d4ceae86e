"""End to end in headless Chromium: sign up, study every type by mouse and by keyboard alone,
flashcards, feedback and summary, the timeline, accessibility (axe) in both themes."""

from __future__ import annotations

import re

import pytest

from quiz.extensions import db
from quiz.models import Review, User

ORDER = ["Liaquat Ali Khan chooses Washington", "The Indo-Pakistani war",
         "The Indo-Soviet Treaty of Friendship"]
PAIRS = {"CENTO": "Middle East", "SEATO": "Southeast Asia", "NATO": "North Atlantic"}


def current_question(page) -> str:
    return page.page.locator("[data-question-id]").get_attribute("data-question-id") or ""


def answer_with_mouse(page, qid: str) -> None:
    p = page.page
    if qid == "demo-card":
        p.click("text=Show answer")
        p.click("button.rating:has-text('Good')")
        return
    if qid == "demo-mc":
        p.click("label.option:has-text('Washington')")
    elif qid == "demo-tf":
        p.click("label.option:has-text('True')")
    elif qid == "demo-ms":
        p.click("label.option:has-text('CENTO')")
        p.click("label.option:has-text('SEATO')")
    elif qid == "demo-short":
        p.click("#answer")
        p.keyboard.type("Gary Powrs")  # a typo: accepted, with the right spelling shown
    elif qid == "demo-numeric":
        p.fill("#answer", "1,100")
    elif qid == "demo-cloze":
        p.fill("input[name=gap-0]", "allied")
        p.fill("input[name=gap-1]", "Asia")
    elif qid == "demo-order":
        for index, wanted in enumerate(ORDER):
            items = p.locator(".order-item")
            if items.nth(index).inner_text().find(wanted) < 0:
                p.locator(f".order-item:has-text('{wanted}')").drag_to(items.nth(index))
        texts = [re.sub(r"^\d+|[↑↓]", "", t).strip() for t in
                 p.locator(".order-item").all_inner_texts()]
        assert texts == ORDER
    elif qid == "demo-match":
        for index, left in enumerate(PAIRS):
            p.select_option(f"#match-{index}", PAIRS[left])
    p.click("button:has-text('Check answer')")


def tab_until(page, predicate: str, limit: int = 40) -> None:
    """Press Tab until the focused element satisfies a JS predicate on `el`."""
    for _ in range(limit):
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"never focused: {predicate}")


def answer_with_keyboard(page, qid: str) -> None:
    p = page.page
    key = p.keyboard
    if qid == "demo-card":
        key.press(" ")
        p.wait_for_selector("form[data-keys=rate]")
        key.press("3")
        return
    if qid in ("demo-mc", "demo-tf", "demo-ms"):
        wanted = {"demo-mc": ["Washington"], "demo-tf": ["True"],
                  "demo-ms": ["CENTO", "SEATO"]}[qid]
        for text in wanted:
            number = p.locator(f"label.option:has-text('{text}') input").get_attribute(
                "data-key")
            key.press(number)
        key.press("Enter")
        return
    if qid in ("demo-short", "demo-numeric"):
        key.type("Gary Powers" if qid == "demo-short" else "1100")
        key.press("Enter")
        return
    if qid == "demo-cloze":
        key.type("allied")
        key.press("Tab")
        key.type("Asia")
        key.press("Enter")
        return
    if qid == "demo-order":
        for index, wanted in enumerate(ORDER):
            tab_until(p, f"el.classList.contains('order-item') && "
                         f"el.textContent.includes({wanted!r})")
            current = [t for t in p.locator(".order-item").all_inner_texts()]
            position = next(i for i, t in enumerate(current) if wanted in t)
            for _ in range(position - index):
                key.press("ArrowUp")
        tab_until(p, "el.type === 'submit'")
        key.press("Enter")
        return
    if qid == "demo-match":
        for index, left in enumerate(PAIRS):
            tab_until(p, f"el.id === 'match-{index}'")
            key.type(PAIRS[left][:5])
        tab_until(p, "el.type === 'submit'")
        key.press("Enter")
        return
    raise AssertionError(qid)


def study_demo_bank(page, answer) -> list[str]:
    """Study the whole demo bank with `answer`; returns the verdicts seen."""
    p = page.page
    p.click("button:has-text('Study Demo bank')")
    verdicts, seen = [], set()
    while len(seen) < 9:
        p.wait_for_selector("[data-question-id]")
        qid = current_question(page)
        assert qid not in seen, f"{qid} shown twice"
        seen.add(qid)
        answer(page, qid)
        p.wait_for_selector("h1.verdict")
        verdicts.append(p.inner_text("h1.verdict"))
        assert "Source:" in p.inner_text(".citation")
        if qid == "demo-short" and answer is answer_with_mouse:
            assert "Accepted, but it is spelled “Gary Powers”." in p.inner_text(".note")
        if answer is answer_with_keyboard:
            p.keyboard.press("Enter")
        else:
            p.click("text=Continue")
    return verdicts


def recorded_answers() -> int:
    """The answers recorded for the one learner who signed up."""
    user = db.session.scalars(db.select(User)).one()
    return db.session.scalar(db.select(db.func.count()).select_from(Review)
                             .where(Review.user_id == user.id))


def first_question(page) -> str:
    """Start the demo bank from the home page and wait for its first question; its id."""
    page.page.click("button:has-text('Study Demo bank')")
    page.page.wait_for_selector("[data-question-id]")
    return current_question(page)


def give(page, qid: str, answer=answer_with_mouse) -> None:
    """Answer the question on screen and wait for its feedback."""
    answer(page, qid)
    page.page.wait_for_selector("h1.verdict")


@pytest.fixture
def demo(build):
    build.banks()


def test_sign_up_and_study_every_type_with_the_mouse(new_page, demo, app):
    page = new_page()
    page.sign_up("e2e@example.org")
    verdicts = study_demo_bank(page, answer_with_mouse)
    assert verdicts == ["Right"] * 8 + ["Rated Good"] or sorted(verdicts) == sorted(
        ["Right"] * 8 + ["Rated Good"])
    page.page.click("button:has-text('End session')")
    page.page.wait_for_selector("h1:has-text('Session ended')")
    assert "<dt>Answered</dt><dd>9</dd>" in page.page.content()
    assert page.errors == []
    assert recorded_answers() == 9


def test_study_every_type_with_the_keyboard_alone(new_page, demo):
    page = new_page()
    page.sign_up("keys@example.org")
    verdicts = study_demo_bank(page, answer_with_keyboard)
    assert sorted(verdicts) == sorted(["Right"] * 8 + ["Rated Good"])
    assert page.errors == []


def test_continue_shows_the_next_question_in_place_and_back_and_reload_stay_safe(new_page,
                                                                                  demo):
    page = new_page()
    page.sign_up("next@example.org")
    p = page.page
    first = first_question(page)
    session_url = p.url
    give(page, first)
    # The feedback's address is a GET of it: reloading or coming back never posts again.
    assert re.search(r"/sessions/\d+/reviews/\d+$", p.url), p.url
    feedback_url = p.url
    requests: list[str] = []
    p.on("request", lambda request: requests.append(request.url))
    p.click("text=Continue")
    p.wait_for_selector("[data-question-id]")
    second = current_question(page)
    assert second != first
    # Shown from the feedback page without asking the server (the browser may look at its
    # icon again for the new address).
    assert [url for url in requests if "/static/" not in url] == []
    assert p.url == session_url and p.title() == "Question · Pivot"
    assert p.locator("h1.verdict").count() == 0
    p.click("button:has-text('Keys (?)')")  # the session bar's button works in place too
    assert p.locator("#keys-help").is_visible()
    p.keyboard.press("Escape")
    p.reload()  # the session's page shows the very question that was on screen
    p.wait_for_selector("[data-question-id]")
    assert current_question(page) == second
    p.go_back()
    p.wait_for_selector("h1.verdict")
    assert p.url == feedback_url
    p.go_forward()
    p.wait_for_selector("[data-question-id]")
    give(page, second)
    assert page.errors == []
    assert recorded_answers() == 2


def test_keys_work_on_a_question_shown_in_place_and_it_has_the_focus(new_page, demo):
    page = new_page()
    page.sign_up("focus@example.org")
    p = page.page
    give(page, first_question(page), answer_with_keyboard)
    p.keyboard.press("Enter")  # Continue
    p.wait_for_selector("[data-question-id]")
    # demo-mc is learning now; the true/false question comes next, with nothing to type in.
    assert current_question(page) == "demo-tf"
    # The question has the focus, so a screen reader reads it (labelled by its prompt).
    assert p.evaluate("document.activeElement.matches('article[data-question-id]')")
    p.keyboard.press("?")
    assert p.locator("#keys-help").is_visible()
    p.keyboard.press("Escape")
    give(page, "demo-tf", answer_with_keyboard)
    assert page.errors == []


def test_a_modified_click_on_continue_opens_the_session_page_in_a_new_tab(new_page, demo):
    page = new_page()
    page.sign_up("tabs@example.org")
    p = page.page
    give(page, first_question(page))
    with p.context.expect_page() as opened:
        p.click("text=Continue", modifiers=["Control"])
    tab = opened.value
    tab.wait_for_selector("[data-question-id]")
    assert tab.locator("[data-question-id]").get_attribute("data-question-id") == "demo-tf"
    assert p.locator("h1.verdict").count() == 1  # this tab keeps its feedback


def test_the_last_answers_feedback_has_a_get_address_too(new_page, demo):
    page = new_page()
    page.sign_up("last@example.org")
    user = db.session.scalars(db.select(User)).one()
    user.new_per_day = 1
    db.session.commit()
    p = page.page
    give(page, first_question(page))
    p.click("text=Continue")
    p.wait_for_selector("[data-question-id]")
    assert current_question(page) == "demo-mc"  # the day's one new question, ten minutes on
    give(page, "demo-mc")  # it graduates: nothing is left, nothing is carried
    assert p.locator("template#next-question").count() == 0
    assert re.search(r"/sessions/\d+/reviews/\d+$", p.url), p.url
    p.reload()  # a GET of the feedback: the answer is not posted again
    p.wait_for_selector("h1.verdict")
    assert recorded_answers() == 2
    assert page.errors == []


def test_the_help_overlay_lists_the_keys(new_page, demo):
    page = new_page()
    page.sign_up("help@example.org")
    page.page.click("button:has-text('Study Demo bank')")
    page.page.wait_for_selector("[data-question-id]")
    page.page.keyboard.press("?")
    dialog = page.page.locator("#keys-help")
    assert dialog.is_visible() and "Rate a flipped flashcard" in dialog.inner_text()
    page.page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_the_timeline_groups_events_by_era(new_page, demo):
    page = new_page()
    page.go("/timeline")
    assert page.page.inner_text("h1") == "Timeline"
    eras = page.page.locator("section.era h2").all_inner_texts()
    assert eras == ["The Cold War (1947-1991)"]
    assert page.page.locator(".event").count() == 3
    assert "August 1971" in page.page.inner_text("#event-indo-soviet-treaty")


def pages_to_check(page) -> list[str]:
    """Visit the main pages as a signed-in admin; returns their paths."""
    return ["/", "/timeline", "/practice", "/tests", "/settings", "/authoring/",
            "/authoring/questions/demo-order", "/authoring/questions/demo-match",
            "/authoring/questions/demo-cloze", "/authoring/questions/demo-card?flip=1"]


@pytest.mark.parametrize("width,height,label", [(360, 740, "phone"), (1280, 900, "desktop")])
def test_axe_finds_no_violations_and_pages_fit_the_screen(new_page, demo, theme, width,
                                                           height, label):
    page = new_page(color_scheme=theme, width=width, height=height)
    for path in ("/", "/signup", "/login", "/timeline"):
        page.go(path)
        page.check(path)
    page.sign_up(f"axe-{theme}-{label}@example.org")
    user = db.session.scalars(db.select(User).where(User.email.like("axe-%"))).one()
    user.is_admin = True
    db.session.commit()
    for path in pages_to_check(page):
        page.go(path)
        page.check(path)
        page.screenshot(f"{label}-{theme}-{_slug(path)}")
    page.go("/")
    page.page.click("button:has-text('Study Demo bank')")
    for _ in range(3):
        page.screenshot(f"{label}-{theme}-question-{current_question(page)}")
        page.check("question")
        answer_with_mouse(page, current_question(page))
        page.page.wait_for_selector("h1.verdict")
        page.check("feedback")
        page.page.click("text=Continue")
    page.page.click("button:has-text('End session')")
    page.page.wait_for_selector("h1:has-text('Session ended')")
    page.check("summary")
    page.screenshot(f"{label}-{theme}-summary")
    assert page.errors == []


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"



def test_ordering_buttons_name_their_item_and_a_move_announces_what_moved(new_page, demo):
    page = new_page()
    page.sign_up("reader@example.org")
    p = page.page
    p.click("button:has-text('Study Demo bank')")
    while current_question(page) != "demo-order":
        answer_with_mouse(page, current_question(page))
        p.click("text=Continue")
        p.wait_for_selector("[data-question-id]")
    items = p.locator(".order-item")
    second = items.nth(1).locator(".item-text").inner_text().strip()
    labels = p.locator(".order-item button.move").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label'))")
    assert len(labels) == 6 and all(label.split(": ", 1)[1] for label in labels)
    assert f"Move up: {second}" in labels
    p.click(f"button[aria-label='Move up: {second}']")
    live = p.locator("[aria-live=polite]").inner_text()
    assert live == f"{second} moved to position 1 of 3."
    assert items.nth(0).locator(".item-text").inner_text().strip() == second
    assert page.errors == []


def test_sign_up_takes_the_browsers_time_zone_and_settings_offer_it(new_page, demo):
    page = new_page(timezone_id="Asia/Karachi")
    page.go("/signup")
    assert "Asia/Karachi" in page.page.inner_text("[data-browser-zone-note]")
    page.sign_up("karachi@example.org")
    user = db.session.scalars(db.select(User).where(User.email == "karachi@example.org")).one()
    assert user.time_zone == "Asia/Karachi"
    user.time_zone = "UTC"
    db.session.commit()
    page.go("/settings")
    offer = page.page.locator("[data-use-browser-zone] button")
    assert offer.is_visible() and "Asia/Karachi" in offer.inner_text()
    offer.click()
    assert page.page.input_value("#time_zone") == "Asia/Karachi"
    assert page.errors == []
