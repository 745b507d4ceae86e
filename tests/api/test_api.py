"""The JSON API: every endpoint, the exactly-once rule, undo, access rules and errors."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from quiz.accounts import limits
from quiz.extensions import db
from quiz.models import Review
from tests.api.conftest import Api, token_for
from tests.conftest import Learner

# A right answer for every question of the demo bank, in the API's fields.
RIGHT = {
    "demo-mc": {"choice": "Washington"},
    "demo-tf": {"choice": "true"},
    "demo-card": {"rating": 3},
    "demo-ms": {"choices": ["CENTO", "SEATO"]},
    "demo-short": {"answer": "Gary Powers"},
    "demo-numeric": {"answer": "1100"},
    "demo-cloze": {"gaps": ["allied", "Asia"]},
    "demo-match": {"matches": {"CENTO": "Middle East", "SEATO": "Southeast Asia",
                               "NATO": "North Atlantic"}},
}


def test_banks_are_listed_with_their_counts(api):
    banks = api.get("/banks").get_json()["banks"]
    assert [(b["id"], b["questions"], b["due"], b["new"]) for b in banks] == [("demo", 9, 0, 9)]


def test_a_whole_bank_is_studied_through_the_api(api):
    session_id = api.start()
    seen = []
    while len(seen) < 9:  # each question once (learning steps would bring them back)
        question = api.shown(session_id)
        assert "answer" not in question and "back" not in question
        seen.append(question["question_id"])
        fields = RIGHT.get(question["question_id"], {"order": question["items"]})
        response = api.answer(session_id, question, **fields)
        assert response.status_code == 201, response.get_json()
        feedback = response.get_json()
        assert feedback["correct"] or question["type"] == "ordering", feedback
        assert feedback["explanation"] and feedback["citation"]
    assert len(set(seen)) == 9
    body = api.get(f"/sessions/{session_id}/question").get_json()
    assert body["summary"]["answered"] == 9
    assert api.get(f"/sessions/{session_id}").get_json()["progress"]["done"] == 9


def test_the_same_answer_twice_is_kept_once(api):
    session_id = api.start()
    question = api.shown(session_id)
    assert api.answer(session_id, question, choice="Washington").status_code == 201
    again = api.answer(session_id, question, choice="London")
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert "first answer was kept" in again.get_json()["detail"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1


def test_an_answer_needs_the_offer_the_session_made(api):
    session_id = api.start()
    question = api.shown(session_id)
    forged = api.answer(session_id, {**question, "offer": "x"}, choice="Washington")
    assert forged.status_code == 409
    other = api.answer(session_id, {**question, "question_id": "demo-tf"}, choice="true")
    assert other.status_code == 409
    unreadable = api.answer(session_id, question, choice="Paris")
    assert unreadable.status_code == 422 and "Pick one" in unreadable.get_json()["detail"]
    typo = api.post(f"/sessions/{session_id}/answers", {"question_id": "demo-mc", "sequ": 0})
    assert typo.status_code == 422 and typo.get_json()["title"] == "Unprocessable Entity"


def test_a_flashcard_shows_its_back_and_the_intervals(api):
    session_id = api.start()
    while (question := api.shown(session_id))["type"] != "flashcard":
        api.answer(session_id, question, **RIGHT.get(question["question_id"], {}))
    query = {key: question[key] for key in ("question_id", "seq", "offer")}
    back = api.get(f"/sessions/{session_id}/back", query_string=query).get_json()
    assert back["back"] == "Central Treaty Organization" and set(back["intervals"]) == {
        "1", "2", "3", "4"}
    assert api.get(f"/sessions/{session_id}/back",
                   query_string={**query, "seq": 5}).status_code == 409


def test_feedback_and_undo(api):
    session_id = api.start()
    question = api.shown(session_id)
    review_id = api.answer(session_id, question, choice="London").get_json()["review_id"]
    feedback = api.get(f"/sessions/{session_id}/reviews/{review_id}").get_json()
    assert not feedback["correct"] and feedback["expected"] == "Washington"
    assert feedback["can_undo"]
    undone = api.post(f"/sessions/{session_id}/reviews/{review_id}/undo")
    assert undone.status_code == 200 and undone.get_json() == {"question_id": "demo-mc"}
    assert api.shown(session_id)["seq"] == question["seq"]  # on offer again, same number
    assert api.post(f"/sessions/{session_id}/reviews/{review_id}/undo").status_code == 404


def test_due_and_practice_sessions(api):
    assert api.post("/sessions", {"kind": "due"}).status_code == 201
    practice = api.post("/sessions", {"kind": "practice", "eras": ["cold-war"]})
    assert practice.status_code == 201 and practice.get_json()["kind"] == "practice"
    assert api.post("/sessions", {"kind": "bank", "bank_id": "nope"}).status_code == 404
    assert api.post("/sessions", {"kind": "practice", "eras": ["nope"]}).status_code == 422


def test_dashboard_and_review_log(api):
    session_id = api.start()
    api.answer(session_id, api.shown(session_id), choice="Washington")
    figures = api.get("/dashboard").get_json()
    assert figures["reviews_today"] == 1 and figures["states"]["learning"] == 1
    log = api.get("/reviews").get_json()
    assert log["total"] == 1 and log["reviews"][0]["question_id"] == "demo-mc"
    assert api.get("/reviews?page=2").get_json()["reviews"] == []
    assert api.get("/reviews?page=0").status_code == 422


def test_the_lint_report_is_for_admins(api, build):
    assert api.get("/authoring/lint").status_code == 403
    admin = build.user(email="admin@example.org", admin=True)
    report = Api(api.client.application, admin, token_for(admin)).get("/authoring/lint")
    names = [f["name"] for f in report.get_json()["files"]]
    assert report.status_code == 200 and "demo.yaml" in names


def test_another_learners_session_and_answer_are_not_found(api, build):
    session_id = api.start()
    review_id = api.answer(session_id, api.shown(session_id), choice="Washington"
                           ).get_json()["review_id"]
    other = build.user(email="other@example.org")
    them = Api(api.client.application, other, token_for(other))
    for path in (f"/sessions/{session_id}", f"/sessions/{session_id}/question",
                 f"/sessions/{session_id}/reviews/{review_id}"):
        assert them.get(path).status_code == 404, path
    assert them.post(f"/sessions/{session_id}/reviews/{review_id}/undo").status_code == 404


def test_a_signed_in_browser_cookie_alone_is_refused(app, client, build):
    build.banks()
    user = build.user(email="cookie@example.org")
    browser = Learner(client)
    browser.login(user.email)
    assert browser.get("/dashboard").status_code == 200  # the cookie works for pages
    response = client.get("/api/v1/banks")
    assert response.status_code == 401 and response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert "Set-Cookie" not in response.headers
    # Nor does a form post with the page's CSRF token get through.
    assert browser.post("/api/v1/sessions", {"kind": "due"}).status_code == 401


def test_bad_tokens_are_refused(api):
    for header in ("Bearer pvt_nope", "Bearer " + api.token[:-1], "Basic " + api.token,
                   api.token, ""):
        response = api.client.get("/api/v1/banks", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["status"] == 401


def test_errors_are_problems_never_pages(api):
    broken_json = api.post("/sessions", None, data="{", content_type="application/json")
    for response, status in ((api.get("/nowhere"), 404), (api.get("/sessions/99"), 404),
                             (api.client.put("/api/v1/banks", headers=api.headers()), 405),
                             (broken_json, 422)):
        assert response.status_code == status
        assert response.content_type == "application/problem+json"
        body = response.get_json()
        assert set(body) == {"type", "title", "status", "detail"} and body["status"] == status


def test_calls_are_rate_limited_per_token(api, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "api_per_token", "3 per minute")
    assert [api.get("/banks").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = api.get("/banks")
    assert refused.content_type == "application/problem+json" and refused.headers["Retry-After"]


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    answers = document["paths"]["/api/v1/sessions/{session_id}/answers"]["post"]["responses"]
    assert "application/problem+json" in answers["409"]["content"]


def test_the_docs_page_works_offline(client):
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and re.search(r'<script src="/static/api-docs\.\w+\.js"', text)
    assert "<script>" not in text and "style=" not in text
    assert "://" not in text  # nothing from another site: no CDN
    assert client.get("/static/api-docs.js").status_code == 200
