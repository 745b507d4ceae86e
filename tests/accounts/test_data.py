"""Your data: the review log CSV, the JSON export and its import, and deleting the account."""

import csv
import gzip
import io
import json
from datetime import UTC, datetime

import pytest

from quiz import jobs
from quiz.accounts import data as account
from quiz.accounts import export
from quiz.extensions import db
from quiz.models import Card, JobFile, Review, StudySession, User
from tests.builders_history import History

CARD_FIELDS = ("question_id", "phase", "step", "stability", "difficulty", "due", "last_review",
               "reps", "lapses", "answers", "revised")
REVIEW_FIELDS = ("seq", "scheduled", "rating", "score", "response", "phase_before",
                 "reviewed_at", "duration_ms", "due_after", "stability_after",
                 "difficulty_after")


def studied(learner, clock) -> History:
    """The signed-in learner's history: studied, practised, a finished test."""
    learner.user.time_zone = "Europe/Moscow"
    learner.user.desired_retention = 0.85
    db.session.commit()
    history = History(learner.user, clock)
    history.answer("demo-mc", True, at=datetime(2026, 3, 2, 12, 0, 0, 250000, tzinfo=UTC),
                   duration_ms=4200)
    history.answer("demo-card", False, at=datetime(2026, 3, 2, 12, 1, tzinfo=UTC))
    history.answer("demo-mc", True, at=datetime(2026, 3, 2, 12, 15, tzinfo=UTC))
    history.practice("demo-tf", True, at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    history.test(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), ["demo-short", "demo-mc"])
    history.answer("demo-short", False, at=datetime(2026, 3, 4, 9, 1, tzinfo=UTC))
    history.end(datetime(2026, 3, 4, 9, 5, tzinfo=UTC))
    clock.set(datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    return history


def exported(browser) -> dict:
    response = browser.get("/account/export.json.gz")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    return json.loads(gzip.decompress(response.get_data()))


def upload(browser, content: bytes | str, *, name: str = "export.json"):
    """Upload a file to import; once queued, the worker runs it and this returns the page
    of its job (else the refusal the upload got at once)."""
    raw = content.encode() if isinstance(content, str) else content
    response = browser.post("/account/import", {"file": (io.BytesIO(raw), name)},
                            token_from="/account", content_type="multipart/form-data")
    if response.status_code == 302 and "/jobs/" in response.headers["Location"]:
        jobs.run_pending()
        return browser.get(response.headers["Location"])
    return response


def imported(response) -> bool:
    """Whether the upload's job page says the import is done."""
    return response.status_code == 200 and "Done." in response.get_data(as_text=True)


def refused(response) -> bool:
    """Whether the upload's job page says the import failed (nothing was written)."""
    return response.status_code == 200 and "It failed." in response.get_data(as_text=True)


def switch_to_fresh_account(learner, build, email: str = "fresh@example.org") -> User:
    user = build.user(email=email)
    learner.post("/logout")
    learner.login(email)
    return user


def rows(model, user: User, fields, order) -> list[tuple]:
    items = db.session.scalars(db.select(model).where(model.user_id == user.id)
                               .order_by(*order)).all()
    return [tuple(getattr(item, f) for f in fields) for item in items]


def test_the_review_log_csv_has_the_fsrs_optimiser_columns_and_one_row_per_answer(
        learner, clock):
    studied(learner, clock)
    response = learner.get("/account/reviews.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(table[0]) == ["card_id", "review_time", "review_rating", "review_state",
                              "review_duration", "question_id", "scheduled"]
    mc = db.session.scalars(db.select(Card).where(Card.question_id == "demo-mc")).one()
    assert table[0] == {"card_id": str(mc.id), "review_time": "2026-03-02T12:00:00.250000+00:00",
                        "review_rating": "3", "review_state": "0", "review_duration": "4200",
                        "question_id": "demo-mc", "scheduled": "1"}
    assert [(r["question_id"], r["review_rating"], r["review_state"], r["scheduled"])
            for r in table] == [("demo-mc", "3", "0", "1"), ("demo-card", "1", "0", "1"),
                                ("demo-mc", "3", "1", "1"), ("demo-tf", "3", "0", "0"),
                                ("demo-short", "1", "0", "1")]


def test_the_json_export_holds_settings_cards_reviews_and_sessions_but_no_password(
        learner, clock):
    studied(learner, clock)
    data = exported(learner)
    assert (data["format"], data["version"]) == ("pivot-export", 1)
    assert data["exported_at"] == "2026-03-05T12:00:00+00:00"
    assert data["settings"] == {"time_zone": "Europe/Moscow", "new_per_day": 20,
                                "desired_retention": 0.85, "learning_steps": "1m 10m",
                                "relearning_steps": "10m", "maximum_interval": 36500,
                                "fsrs_parameters": None, "reviews_per_day": 200,
                                "study_order": "mixed", "leech_threshold": 8,
                                "leech_suspends": False, "exam_day": None, "exam_banks": [],
                                "exam_target": None}
    assert [c["question_id"] for c in data["cards"]] == ["demo-card", "demo-mc", "demo-short",
                                                         "demo-tf"]
    mc = next(c for c in data["cards"] if c["question_id"] == "demo-mc")
    assert mc["phase"] == 2 and mc["reps"] == 2 and mc["answers"] == 2
    assert mc["last_review"] == "2026-03-02T12:15:00+00:00"
    assert len(data["reviews"]) == 5 and len(data["sessions"]) == 3
    test = next(s for s in data["sessions"] if s["kind"] == "test")
    assert test["question_ids"] == ["demo-short", "demo-mc"]
    assert test["ended_at"] == "2026-03-04T09:05:00+00:00"
    assert data["reviews"][-1]["session"] == test["id"]
    assert "password" not in json.dumps(data) and "scrypt" not in json.dumps(data)


def test_an_export_imported_into_a_fresh_account_reproduces_its_cards_and_reviews(
        learner, clock, build):
    studied(learner, clock)
    first = learner.user
    original = exported(learner)
    fresh = switch_to_fresh_account(learner, build)
    response = upload(learner, json.dumps(original))
    assert imported(response)
    page = response.get_data(as_text=True)
    assert "Imported 4 cards, 5 answers and 3 sessions." in page
    db.session.expire_all()
    assert rows(Card, fresh, CARD_FIELDS, [Card.question_id]) == rows(
        Card, first, CARD_FIELDS, [Card.question_id])
    assert rows(Review, fresh, REVIEW_FIELDS, [Review.reviewed_at]) == rows(
        Review, first, REVIEW_FIELDS, [Review.reviewed_at])
    assert (fresh.time_zone, fresh.desired_retention) == ("Europe/Moscow", 0.85)
    # Exporting the copy gives the same file, but for who and when.
    again = exported(learner)
    for data in (original, again):
        del data["account"], data["exported_at"]
    assert again == original


def test_an_imported_account_goes_on_studying_where_the_export_left_off(
        learner, clock, build):
    studied(learner, clock)
    original = exported(learner)
    fresh = switch_to_fresh_account(learner, build)
    assert imported(upload(learner, json.dumps(original)))
    review = History(fresh, clock).answer("demo-mc", True, at=clock.advance(days=3))
    assert review.seq == 2 and review.phase_before == 2


def test_import_is_refused_into_an_account_that_has_already_studied(learner, clock, build):
    studied(learner, clock)
    data = exported(learner)
    response = upload(learner, json.dumps(data))
    assert response.status_code == 409
    assert "This account already has cards or answers" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 5


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe not text", "The file is not valid JSON"),
    ("{not json", "The file is not valid JSON"),
    ("[1, 2, 3]", "This is not a Pivot export"),
    ('{"format": "anki", "version": 1}', "This is not a Pivot export"),
    ('{"format": "pivot-export", "version": 2}', "this version of Pivot reads version 1"),
    ("[" * 100000, "The file is not valid JSON"),
    (gzip.compress(b"{}", mtime=0)[:-6], "The file is not a complete gzip file"),
    (b"\x1f\x8b not gzip at all", "The file is not a complete gzip file"),
])
def test_import_refuses_files_that_are_not_pivot_exports(learner, content, message):
    response = upload(learner, content)
    assert refused(response)
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["reviews"][0].update(rating=7),
     "reviews → 0 → rating: Input should be less than or equal to 4"),
    (lambda d: d["reviews"][0].update(reviewed_at="2026-03-02T12:00:00"),
     "reviews → 0 → reviewed_at: Input should have timezone info"),
    (lambda d: d["reviews"][0].update(question_id="demo-match"),
     "reviews → 0: no card in the file is for question &#39;demo-match&#39;"),
    (lambda d: d["reviews"][0].update(session=99), "no session in the file has id 99"),
    (lambda d: d["reviews"][1].update(question_id="demo-mc", seq=0),
     "question &#39;demo-mc&#39; has two answers numbered 0"),
    (lambda d: d["cards"][0].update(stability=None), "a studied card needs stability"),
    (lambda d: d["cards"][0].update(reps=2**40), "cards → 0 → reps"),
    (lambda d: d["cards"][0].update(phase=3, step=None), "a relearning card needs a step"),
    (lambda d: d["cards"][0].update(difficulty=0.5), "cards → 0 → difficulty"),
    (lambda d: d["cards"][0].update(stability=40000.0), "stability must be from"),
    (lambda d: d["settings"].update(learning_steps="1x"), "settings → learning_steps"),
    (lambda d: d["settings"].update(fsrs_parameters=[1.0] * 19),
     "FSRS-6 has 21 parameters, not 19"),
    (lambda d: d["settings"].update(maximum_interval=0), "settings → maximum_interval"),
    (lambda d: d["settings"].update(time_zone="Mars/Olympus"),
     "settings → time_zone: is not a time zone this server knows"),
    (lambda d: d["settings"].update(desired_retention=0.5), "settings → desired_retention"),
    (lambda d: d.update(surprise=True), "surprise: Extra inputs are not permitted"),
    (lambda d: d["cards"].append(dict(d["cards"][0])), "two cards are for the same question"),
])
def test_import_refuses_invalid_fields_and_broken_references_without_writing_anything(
        learner, clock, build, change, message):
    studied(learner, clock)
    data = exported(learner)
    change(data)
    fresh = switch_to_fresh_account(learner, build)
    response = upload(learner, json.dumps(data))
    assert refused(response)
    page = response.get_data(as_text=True)
    assert "The file has problems, nothing was imported" in page and message in page
    assert rows(Card, fresh, ("id",), [Card.id]) == []
    assert db.session.get(User, fresh.id).time_zone == "UTC"


def test_import_skips_questions_that_no_longer_exist_and_says_how_many(learner, clock, build):
    studied(learner, clock)
    data = exported(learner)
    for item in data["cards"] + data["reviews"]:
        if item["question_id"] == "demo-mc":
            item["question_id"] = "removed-question"
    fresh = switch_to_fresh_account(learner, build)
    page = upload(learner, json.dumps(data)).get_data(as_text=True)
    assert ("Imported 3 cards, 3 answers and 3 sessions. Skipped 1 questions that no longer "
            "exist (with 2 answers).") in page
    assert [r[0] for r in rows(Card, fresh, ("question_id",), [Card.question_id])] == [
        "demo-card", "demo-short", "demo-tf"]


def test_import_accepts_an_export_larger_than_the_usual_request_limit(
        learner, clock, build, app):
    studied(learner, clock)
    data = exported(learner)
    data["account"]["note"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1000)
    switch_to_fresh_account(learner, build)
    assert imported(upload(learner, json.dumps(data)))
    assert "holds 4 cards" in learner.get("/account").get_data(as_text=True)


def test_import_without_a_file_or_without_a_csrf_token_is_a_400(learner):
    response = learner.post("/account/import", {}, token_from="/account",
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose the export file to import." in response.get_data(as_text=True)
    forged = learner.client.post("/account/import",
                                 data={"file": (io.BytesIO(b"{}"), "export.json")},
                                 content_type="multipart/form-data")
    assert forged.status_code == 400
    assert "This form has expired" in forged.get_data(as_text=True)


def test_the_account_page_shows_what_the_account_holds_and_links_the_exports(learner, clock):
    studied(learner, clock)
    page = learner.get("/account").get_data(as_text=True)
    assert "Your account holds 4 cards, 5 answers and 3 study sessions." in page
    assert 'href="/account/reviews.csv"' in page and 'href="/account/export.json.gz"' in page
    assert 'enctype="multipart/form-data"' in page


def test_deleting_the_account_needs_the_current_password(learner, clock):
    studied(learner, clock)
    response = learner.post("/account/delete", {"password": "not my password"},
                            token_from="/account")
    assert response.status_code == 422
    assert "That is not your password. Nothing was deleted." in response.get_data(as_text=True)
    empty = learner.post("/account/delete", {"password": ""}, token_from="/account")
    assert empty.status_code == 422
    assert "Enter your password to delete your account." in empty.get_data(as_text=True)
    assert db.session.get(User, learner.user.id) is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 5


def test_deleting_the_account_removes_all_its_data_and_signs_out(learner, clock, build):
    studied(learner, clock)
    other = build.user(email="other@example.org")
    History(other, clock).answer("demo-mc", True)
    user_id = learner.user.id
    response = learner.post("/account/delete", {"password": "correct horse battery"},
                            token_from="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your account and all its data have been deleted." in learner.get("/").get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    for model in (Card, Review, StudySession):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)
                                 .where(model.user_id == user_id)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(model)
                                 .where(model.user_id == other.id)) == 1
    assert learner.get("/dashboard").status_code == 302  # signed out
    assert learner.login("learner@example.org").status_code == 422


def test_your_data_pages_need_a_signed_in_learner(client):
    for path in ("/account", "/account/reviews.csv", "/account/export.json.gz"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_parse_export_rejects_nan_and_infinity(learner, clock):
    studied(learner, clock)
    text = export.export_json(learner.user, clock.now).replace('"score": 1.0', '"score": NaN', 1)
    with pytest.raises(account.ImportRefused, match="not valid JSON"):
        account.parse_export(text.encode())


def test_nul_characters_in_an_import_never_cause_a_server_error(learner, clock, build):
    # PostgreSQL refuses NUL in text columns; JSON columns keep it escaped.
    studied(learner, clock)
    data = exported(learner)
    data["reviews"][0]["response"] = "Wash\u0000ington"
    data["sessions"][0]["bank_id"] = "demo\u0000"
    for item in data["cards"] + data["reviews"]:
        if item["question_id"] == "demo-card":
            item["question_id"] = "demo-card\u0000"
    switch_to_fresh_account(learner, build)
    response = upload(learner, json.dumps(data))
    assert imported(response)
    assert "Skipped 1 questions" in response.get_data(as_text=True)


def test_an_import_with_an_unknown_era_or_a_far_future_time_is_refused(learner, clock, build):
    studied(learner, clock)
    data = exported(learner)
    data["sessions"][0]["eras"] = ["bronze-age"]
    switch_to_fresh_account(learner, build)
    assert refused(upload(learner, json.dumps(data)))
    data["sessions"][0]["eras"] = []
    data["reviews"][0]["reviewed_at"] = "9999-12-31T23:00:00+00:00"
    assert refused(upload(learner, json.dumps(data)))


def test_the_review_log_is_streamed_in_batches_with_every_row(learner, build, monkeypatch):
    monkeypatch.setattr(export, "CSV_BATCH", 100)
    build.bulk_history(learner.user, reviews=950, days=100)
    chunks = list(export.reviews_csv(learner.user))
    assert len(chunks) >= 10  # a chunk a batch: never the whole log in memory at once
    assert max(len(chunk) for chunk in chunks) < 100 * 120
    response = learner.get("/account/reviews.csv")
    assert response.get_data(as_text=True) == "".join(chunks)
    table = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(table) == 950
    assert [row["review_time"] for row in table] == sorted(row["review_time"] for row in table)
def card_of(data: dict, question_id: str) -> dict:
    return next(card for card in data["cards"] if card["question_id"] == question_id)


@pytest.mark.parametrize(("change", "message"), [
    (dict(phase=3, step=None), "a relearning card needs a step from 0 to"),
    (dict(phase=1, step=None), "a learning card needs a step from 0 to"),
    (dict(phase=1, step=99), "a learning card needs a step from 0 to"),
    (dict(phase=2, step=0), "a review card has no learning step"),
    (dict(phase=0, step=None), "a new card has no step, stability, difficulty or last review"),
    (dict(due="2026-02-01T00:00:00+00:00"), "a card cannot be due before its last review"),
    (dict(lapses=9), "a studied card has at least one answer, and no more lapses than answers"),
])
def test_an_imported_card_is_held_to_the_schedulers_invariants_row_by_row(
        learner, clock, build, change, message):
    studied(learner, clock)
    data = exported(learner)
    card = card_of(data, "demo-mc")
    card.update(change)
    fresh = switch_to_fresh_account(learner, build)
    response = upload(learner, json.dumps(data))
    assert refused(response)
    page = response.get_data(as_text=True)
    index = data["cards"].index(card)
    assert f"cards → {index}: the card for question &#39;demo-mc&#39;: {message}" in page
    assert rows(Card, fresh, ("id",), [Card.id]) == []


def test_each_bad_card_gets_its_own_message(learner, clock, build):
    studied(learner, clock)
    data = exported(learner)
    card_of(data, "demo-mc").update(phase=3, step=None)
    card_of(data, "demo-card").update(phase=2, step=1)
    switch_to_fresh_account(learner, build)
    page = upload(learner, json.dumps(data)).get_data(as_text=True)
    assert "&#39;demo-mc&#39;: a relearning card needs a step" in page
    assert "&#39;demo-card&#39;: a review card has no learning step" in page


def test_an_imported_relearning_card_with_its_step_can_be_answered(learner, clock, build):
    studied(learner, clock)
    data = exported(learner)
    card_of(data, "demo-mc").update(phase=3, step=0)
    fresh = switch_to_fresh_account(learner, build)
    assert imported(upload(learner, json.dumps(data)))
    review = History(fresh, clock).answer("demo-mc", True, at=clock.advance(days=3))
    assert review.phase_before == 3


def test_a_learners_own_export_of_many_answers_can_always_be_imported_again(
        learner, build, app):
    build.bulk_history(learner.user, reviews=900, days=60)
    response = learner.get("/account/export.json.gz")
    packed = response.get_data()
    plain = gzip.decompress(packed)
    assert len(packed) * 5 < len(plain)
    # The limit lowered so that this export, as JSON, is over it, as a 35,000-answer export
    # (12.7 MB) was over the old 10 MiB limit.
    app.config["IMPORT_MAX_UPLOAD"] = len(plain) - 1
    fresh = switch_to_fresh_account(learner, build)
    too_large = upload(learner, plain)
    assert too_large.status_code == 413
    assert "too large" in too_large.get_data(as_text=True)
    response = upload(learner, packed, name="pivot-export.json.gz")
    assert imported(response)
    assert "Imported 9 cards, 900 answers and 61 sessions." in response.get_data(as_text=True)
    assert len(rows(Review, fresh, ("id",), [Review.id])) == 900
    again = exported(learner)
    original = json.loads(plain)
    for data in (original, again):
        del data["account"], data["exported_at"]
    assert again == original


def test_an_upload_waits_in_the_database_for_the_worker_and_is_deleted_after(
        learner, clock, build):
    studied(learner, clock)
    raw = gzip.compress(json.dumps(exported(learner)).encode())
    switch_to_fresh_account(learner, build)
    first = learner.post("/account/import", {"file": (io.BytesIO(raw), "x.json.gz")},
                         token_from="/account", content_type="multipart/form-data")
    assert first.status_code == 302
    assert "Waiting for a worker" in learner.get(first.headers["Location"]).get_data(
        as_text=True)
    assert db.session.scalars(db.select(JobFile.content)).all() == [raw]
    # Uploading again before the worker got to it shows the same job.
    again = learner.post("/account/import", {"file": (io.BytesIO(raw), "x.json.gz")},
                         token_from="/account", content_type="multipart/form-data")
    assert again.headers["Location"] == first.headers["Location"]
    assert jobs.run_pending() == 1
    page = learner.get(first.headers["Location"]).get_data(as_text=True)
    assert "Done." in page and "Imported 4 cards" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(JobFile)) == 0


def test_a_compressed_file_that_unpacks_beyond_the_limit_is_refused_unread(learner, app):
    app.config["IMPORT_MAX_JSON"] = 100_000
    bomb = gzip.compress(b" " * 50_000_000)  # 50 MB of spaces in 50 kB
    response = upload(learner, bomb, name="export.json.gz")
    assert refused(response)
    assert "too large to be a Pivot export" in response.get_data(as_text=True)


def test_the_json_export_is_streamed_in_batches(learner, build, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_BATCH", 100)
    build.bulk_history(learner.user, reviews=950, days=30)
    chunks = list(export.export_chunks(learner.user, datetime(2026, 3, 2, tzinfo=UTC)))
    assert len(chunks) >= 10  # a chunk a batch: never the whole history in memory at once
    assert max(len(chunk) for chunk in chunks) < 100 * 600
    assert len(json.loads("".join(chunks))["reviews"]) == 950
