"""The bank page and its downloads, and a practice test's Moodle XML for its owner only."""

from __future__ import annotations

from datetime import timedelta

from defusedxml.ElementTree import fromstring

from quiz.extensions import db
from quiz.models import StudySession
from tests.builders_history import History
from tests.conftest import Browser


def test_the_bank_page_links_every_download_and_each_is_served(app, build, client):
    build.banks()
    visitor = Browser(client)
    page = visitor.get("/banks/demo").get_data(as_text=True)
    for link in ("/banks/demo/anki.apkg", "/banks/demo/moodle.xml", "/banks/demo/gift.txt"):
        assert link in page
    assert "anki-with-my-schedule" not in page  # only for a signed-in learner
    assert "demo-order" in page and "demo-cloze" in page  # what GIFT leaves out
    apkg = visitor.get("/banks/demo/anki.apkg")
    assert apkg.status_code == 200 and apkg.data[:2] == b"PK"
    assert 'filename="pivot-demo.apkg"' in apkg.headers["Content-Disposition"]
    xml = visitor.get("/banks/demo/moodle.xml")
    assert xml.mimetype == "application/xml" and len(fromstring(xml.data)) == 10
    assert b"::demo-mc::" in visitor.get("/banks/demo/gift.txt").data
    assert visitor.get("/banks/nope").status_code == 404
    assert visitor.get("/banks/nope/moodle.xml").status_code == 404
    scheduled = visitor.get("/banks/demo/anki-with-my-schedule.apkg")
    assert scheduled.status_code == 302 and "/login" in scheduled.headers["Location"]


def test_a_signed_in_learner_downloads_a_package_with_their_schedule(learner):
    page = learner.get("/banks/demo").get_data(as_text=True)
    assert "/banks/demo/anki-with-my-schedule.apkg" in page and "/account/anki" in page
    assert 'href="/banks/demo"' in learner.get("/").get_data(as_text=True)
    response = learner.get("/banks/demo/anki-with-my-schedule.apkg")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_a_tests_questions_as_moodle_xml_only_once_it_is_over_and_only_for_its_owner(
        app, build, clock, client):
    build.banks()
    owner, other = build.user(email="owner@example.org"), build.user()
    history = History(owner, clock)
    session = history.test(clock.now, ["demo-tf", "demo-mc", "demo-cloze"])
    history.answer("demo-tf", right=True)
    browser = Browser(client)
    browser.login(owner.email)
    url = f"/sessions/{session.id}/moodle.xml"
    refused = browser.get(url)
    assert refused.status_code == 409 and b"still open" in refused.data
    history.end(clock.now + timedelta(minutes=5))
    response = browser.get(url)
    assert response.status_code == 200
    root = fromstring(response.data)
    assert [q.findtext("idnumber") for q in root.findall("question")[1:]] == [
        "demo-tf", "demo-mc", "demo-cloze"]
    assert "Practice test" in root.find("question/category/text").text
    assert "/moodle.xml" in browser.get("/tests").get_data(as_text=True)
    stranger = Browser(app.test_client())
    stranger.login(other.email)
    assert stranger.get(url).status_code == 404
    bank_session = StudySession(user_id=owner.id, kind="bank", bank_id="demo")
    db.session.add(bank_session)
    db.session.commit()
    assert browser.get(f"/sessions/{bank_session.id}/moodle.xml").status_code == 404
