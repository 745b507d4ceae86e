"""Bad input of any kind gets a clear 4xx, never a 500 or a traceback."""

import pytest

JUNK = ["", " ", "x" * 5000, "-1", "99999999999999999999", "1e309", "NaN", "\x00", "<script>",
        "../../etc/passwd", "Robert'); DROP TABLE user;--", "١٢٣", "😀"]


@pytest.mark.parametrize("value", JUNK)
def test_junk_in_every_answer_field_never_causes_a_server_error(learner, value):
    url = learner.start()
    fields = learner.shown(url)
    for name in ("question_id", "seq", "shown_at"):
        response = learner.answer(url, {**fields, name: value}, choice="Washington")
        assert response.status_code < 500, (name, value)
        assert "Traceback" not in response.get_data(as_text=True)
    for name in ("choice", "answer", "rating", "gap-0", "match-0", "order"):
        response = learner.answer(url, fields, **{name: value})
        assert response.status_code < 500, (name, value)


@pytest.mark.parametrize("value", JUNK)
def test_junk_in_account_and_study_forms_never_causes_a_server_error(learner, value):
    posts = {
        "/settings": {"time_zone": value, "new_per_day": value},
        "/practice": {"eras": value, "tags": value},
        "/tests": {"length": value, "time_limit": value, "bank_ids": value, "eras": value},
        "/signup": {"email": value, "password": value, "confirm": value},
        "/login": {"email": value, "password": value, "next": value},
        f"/banks/{value or 'x'}/sessions": {},
    }
    for path, data in posts.items():
        response = learner.post(path, data)
        assert response.status_code < 500, (path, value)
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/sessions/0", "/sessions/abc", "/sessions/1/reviews/9",
                                  "/banks/nope/sessions", "/authoring/questions/x", "/%00",
                                  "/static/../app.py"])
def test_odd_urls_get_a_4xx(learner, path):
    response = learner.get(path)
    assert 400 <= response.status_code < 500 or response.status_code in (302, 308)


def test_an_oversized_request_is_refused_with_413(learner):
    response = learner.post("/settings", {"time_zone": "x" * (600 * 1024)})
    assert response.status_code == 413
