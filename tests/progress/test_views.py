"""The dashboard and per-question pages, in the browser."""

import re
from datetime import UTC, datetime

import yaml

from quiz.extensions import db
from tests.builders_history import History
from tests.conftest import TEST_BANKS


def studied(learner, clock):
    """The signed-in learner (in Karachi) answers a few questions over three days."""
    learner.user.time_zone = "Asia/Karachi"
    db.session.commit()
    history = History(learner.user, clock)
    history.answer("demo-mc", True, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC), duration_ms=4200)
    history.answer("demo-tf", False, at=datetime(2026, 3, 2, 12, 1, tzinfo=UTC))
    history.answer("demo-mc", True, at=datetime(2026, 3, 2, 12, 15, tzinfo=UTC))
    history.answer("demo-mc", False, at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
                   duration_ms=9000)  # forgotten in review: a lapse
    history.test(datetime(2026, 3, 5, 13, 0, tzinfo=UTC), ["demo-tf", "demo-short"])
    history.answer("demo-tf", True, at=datetime(2026, 3, 5, 13, 1, tzinfo=UTC))
    history.end(datetime(2026, 3, 5, 13, 5, tzinfo=UTC))
    clock.set(datetime(2026, 3, 5, 18, 0, tzinfo=UTC))
    return history


def test_the_dashboard_shows_every_chart_with_its_table(learner, clock):
    studied(learner, clock)
    response = learner.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Heatmap, accuracy, forecast, mastery by era and by theme, test scores.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 6
    assert page.count('role="img"') == 6
    assert page.count("<details class=\"chart-table\">") == 6
    assert 'aria-label="Answers per day over the last year: 5 answers on 2 days."' in page
    assert "<th scope=\"row\">Mon 2 Mar 2026</th><td>3 answers</td>" in page
    assert "<th scope=\"row\">Thu 5 Mar 2026</th><td>2 answers</td>" in page
    assert "Test finished Thu 05 Mar 2026, 18:05" in page  # local (Karachi) time
    assert "50% (1 of 2)" in page
    assert '<th scope="row">Review</th><td>' in page
    assert "Streak</dt><dd>1 <span class=\"unit\">day</span>" in page  # Monday, then Thursday


def test_the_dashboard_links_the_most_forgotten_questions_to_their_pages(learner, clock):
    studied(learner, clock)
    page = learner.get("/dashboard").get_data(as_text=True)
    lapsed = re.search(r'<ol class="lapsed">(.*?)</ol>', page, re.S).group(1)
    assert 'href="/questions/demo-mc"' in lapsed and "forgotten 1 time" in lapsed
    assert "Which capital did Liaquat Ali Khan visit in 1950?" in lapsed


def test_the_dashboard_of_a_new_learner_invites_them_to_study(learner):
    page = learner.get("/dashboard").get_data(as_text=True)
    assert "Study a bank and your progress will show here." in page
    assert "No finished practice tests yet." in page
    assert "Nothing forgotten yet" in page


def test_progress_pages_need_a_signed_in_learner(client, build):
    build.banks()
    for path in ("/dashboard", "/questions/demo-mc"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_progress_pages_have_no_inline_scripts_or_styles(learner, clock):
    studied(learner, clock)
    for path in ("/dashboard", "/questions/demo-mc"):
        page = learner.get(path).get_data(as_text=True)
        assert "<script>" not in page and "<style" not in page and " style=" not in page


def test_the_navigation_links_to_the_dashboard_and_your_data(learner):
    page = learner.get("/").get_data(as_text=True)
    assert '<a href="/dashboard">Dashboard</a>' in page
    assert '<a href="/account">Your data</a>' in page
    assert '<a href="/settings">Settings</a>' in page


def test_a_question_page_shows_the_answer_the_learners_history_and_memory(learner, clock):
    studied(learner, clock)
    page = learner.get("/questions/demo-mc").get_data(as_text=True)
    assert "Which capital did Liaquat Ali Khan visit in 1950?" in page
    assert "<dt>Correct answer</dt><dd>Washington</dd>" in page
    assert "He chose Washington over Moscow." in page
    # Times in the learner's zone: 12:00 UTC is 17:00 in Karachi.
    rows = re.findall(r"<tr class=\"(\w+)\">\s*<th scope=\"row\">(.*?)</th>\s*"
                      r"<td class=\"verdict-small\">(.*?)</td>\s*<td>(.*?)</td>\s*"
                      r"<td>(.*?)</td>\s*<td>(.*?)</td>", page)
    assert rows == [("wrong", "Thu 05 Mar 2026, 17:00", "Wrong", "Again", "9.0 s", "Moscow"),
                    ("right", "Mon 02 Mar 2026, 17:15", "Right", "Good", "4.0 s", "Washington"),
                    ("right", "Mon 02 Mar 2026, 17:00", "Right", "Good", "4.2 s", "Washington")]
    assert "<dt>State</dt><dd>Relearning</dd>" in page
    assert "<dt>Lapses</dt><dd>1</dd>" in page
    assert "<dt>Chance of recall now</dt><dd>100%</dd>" in page  # answered today
    assert "<dt>Next due</dt><dd>Thu 05 Mar 2026, 17:10 (Asia/Karachi)</dd>" in page


def test_a_question_never_studied_has_a_page_too(learner):
    page = learner.get("/questions/demo-card").get_data(as_text=True)
    assert "CENTO" in page and "Central Treaty Organization" in page
    assert "Not studied yet." in page and "You have not answered this question yet." in page


def test_a_retired_question_keeps_its_page_and_history(learner, clock, build):
    studied(learner, clock)
    bank = yaml.safe_load((TEST_BANKS / "demo.yaml").read_text())
    bank["questions"] = [q for q in bank["questions"] if q["id"] != "demo-mc"]
    build.banks(build.bank_dir({"demo.yaml": yaml.safe_dump(bank, allow_unicode=True)}))
    page = learner.get("/questions/demo-mc").get_data(as_text=True)
    assert "This question was retired" in page
    assert "not scheduled (retired)" in page
    assert page.count("<td>Washington</td>") == 2


def test_an_unknown_question_is_a_404(learner):
    response = learner.get("/questions/no-such-question")
    assert response.status_code == 404
    assert "There is no such question." in response.get_data(as_text=True)


def test_another_learner_sees_none_of_the_first_learners_answers(learner, clock, build):
    studied(learner, clock)
    other = build.user(email="other@example.org")
    learner.post("/logout")
    learner.login(other.email)
    question = learner.get("/questions/demo-mc").get_data(as_text=True)
    assert "You have not answered this question yet." in question
    assert "Moscow</td>" not in question
    dashboard = learner.get("/dashboard").get_data(as_text=True)
    assert "Study a bank and your progress will show here." in dashboard
    assert 'href="/questions/demo-mc"' not in dashboard


def test_a_question_id_that_cannot_exist_is_a_4xx_not_a_database_error(learner):
    # PostgreSQL refuses NUL bytes in text outright (refused for every URL with a 400); other
    # ids that break the bank format's pattern cannot exist.
    assert learner.get("/questions/%00").status_code == 400
    for path in ("/questions/" + "x" * 500, "/questions/DEMO-MC"):
        assert learner.get(path).status_code == 404, path


def test_a_long_history_is_shown_twenty_five_answers_a_page_newest_first(learner, build):
    build.bulk_history(learner.user, reviews=9 * 120, days=200)  # 120 answers to demo-mc
    first = learner.get("/questions/demo-mc").get_data(as_text=True)
    assert first.count('<td class="verdict-small">') == 25
    assert 'href="/questions/demo-mc?page=2">Older answers' in first
    assert "Newer answers" not in first
    last = learner.get("/questions/demo-mc?page=5").get_data(as_text=True)
    assert last.count('<td class="verdict-small">') == 20 and "Older answers" not in last
    assert 'href="/questions/demo-mc?page=4">Newer answers' in last
    beyond = learner.get("/questions/demo-mc?page=9").get_data(as_text=True)
    assert "No answers on this page." in beyond
    assert learner.get("/questions/demo-mc?page=0").status_code == 404
    assert learner.get("/questions/demo-mc?page=x").status_code == 404
