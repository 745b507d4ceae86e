"""Author tools: admin-only pages, previews, the starter file and live reload."""

import shutil

import pytest

from quiz import create_app
from quiz.extensions import db
from quiz.models import Question, Review
from tests.conftest import TEST_BANKS, Learner


@pytest.fixture
def admin(client, build):
    build.user(email="admin@example.org", admin=True)
    browser = Learner(client)
    browser.login("admin@example.org")
    return browser


def test_author_pages_need_an_admin(client, build, browser):
    assert client.get("/authoring/").status_code == 302  # anonymous: sign in first
    build.user(email="learner@example.org")
    browser.login("learner@example.org")
    assert browser.get("/authoring/").status_code == 403
    assert browser.get("/authoring/questions/demo-mc").status_code == 403


def test_author_page_lists_banks_with_their_lint_status(admin, build, tmp_path):
    broken = build.bank_dir({"good.yaml": (TEST_BANKS / "demo.yaml").read_text(),
                             "bad.yaml": "title: Bad\ndescription: x\nquestions:\n  - id: X\n"})
    admin.client.application.config["QUESTIONS_DIR"] = str(broken)
    page = admin.get("/authoring/").get_data(as_text=True)
    assert "good.yaml" in page and "clean" in page
    assert "bad.yaml:4:9</code> error: id: &#39;X&#39; must be lowercase" in page


def test_author_page_lists_shared_files_then_banks_in_era_order_then_broken_ones(admin, build):
    demo = (TEST_BANKS / "demo.yaml").read_text()
    directory = build.bank_dir({"a-late.yaml": demo.replace("era: cold-war", "era: rapprochement"),
                                "b-broken.yaml": "title: Bad\n",
                                "c-early.yaml": demo.replace("id: demo-", "id: early-")})
    admin.client.application.config["QUESTIONS_DIR"] = str(directory)
    page = admin.get("/authoring/").get_data(as_text=True)
    names = ("sources.yaml", "events.yaml", "c-early.yaml", "a-late.yaml", "b-broken.yaml")
    places = [page.index(f"<h2>{name}") for name in names]
    assert max(places[:2]) < places[2] < places[3] < places[4]


def test_preview_shows_a_question_as_a_learner_sees_it_and_grades_without_recording(admin):
    page = admin.get("/authoring/questions/demo-mc").get_data(as_text=True)
    assert "Which capital did Liaquat Ali Khan visit" in page and "preview" in page
    assert "Source: Pakistan-Russia, The New Best Friends? — On Opposite Sides" in page
    fields = admin.shown("/authoring/questions/demo-mc")
    response = admin.post("/authoring/questions/demo-mc", {**fields, "choice": "Moscow"},
                          token_from="/authoring/questions/demo-mc")
    feedback = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not quite" in feedback and "He cancelled that invitation." in feedback
    assert "Pakistan-Russia, The New Best Friends? — On Opposite Sides of the Cold War" in feedback
    assert db.session.scalars(db.select(Review)).first() is None


def test_preview_resolves_chronology_from_events_and_flips_flashcards(admin):
    page = admin.get("/authoring/questions/demo-order").get_data(as_text=True)
    assert "Liaquat Ali Khan chooses Washington" in page
    card = admin.get("/authoring/questions/demo-card", query_string={"flip": "1"})
    assert "Central Treaty Organization" in card.get_data(as_text=True)


def test_preview_of_an_unknown_question_is_a_404(admin):
    assert admin.get("/authoring/questions/nope").status_code == 404


def test_questions_new_writes_a_starter_that_lints_clean(app, tmp_path):
    for name in ("sources.yaml", "events.yaml"):
        shutil.copy(TEST_BANKS.parents[2] / "questions" / name, tmp_path / name)
    app.config["QUESTIONS_DIR"] = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questions", "new", "arms-deals"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "arms-deals.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=schema.json")
    lint = runner.invoke(args=["questions", "lint"])
    assert lint.exit_code == 0 and "arms-deals.yaml:" not in lint.output, lint.output
    again = runner.invoke(args=["questions", "new", "arms-deals"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert runner.invoke(args=["questions", "new", "Bad Id"]).exit_code != 0


def test_live_reload_syncs_edited_yaml_without_a_restart(app, build, client):
    directory = build.bank_dir({"demo.yaml": (TEST_BANKS / "demo.yaml").read_text()})
    live = create_app({**app.config, "QUESTIONS_DIR": str(directory),
                       "QUESTIONS_LIVE_RELOAD": True})
    with live.test_client() as live_client:
        assert "Demo bank" in live_client.get("/").get_data(as_text=True)
        text = (directory / "demo.yaml").read_text().replace("title: Demo bank",
                                                             "title: Renamed bank")
        (directory / "demo.yaml").write_text(text)
        from quiz.authoring import live as live_reload

        live_reload.RELOAD_INTERVAL = 0
        try:
            assert "Renamed bank" in live_client.get("/").get_data(as_text=True)
        finally:
            live_reload.RELOAD_INTERVAL = 1.0
    assert db.session.get(Question, "demo-mc") is not None
