"""An API client: a learner with the demo bank and a personal access token, and no cookies."""

from __future__ import annotations

import pytest

from quiz.api import tokens
from quiz.core import clock


class Api:
    """Calls the API as one learner, with their token and nothing else."""

    def __init__(self, app, user, token: str):
        self.client = app.test_client(use_cookies=False)
        self.user, self.token = user, token

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(), **kwargs)

    def post(self, path: str, json: dict | None = None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers(), **kwargs)

    def start(self, **body) -> int:
        response = self.post("/sessions", {"kind": "bank", "bank_id": "demo", **body})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def shown(self, session_id: int) -> dict:
        response = self.get(f"/sessions/{session_id}/question")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["question"]

    def answer(self, session_id: int, question: dict, **response_fields):
        body = {key: question[key] for key in ("question_id", "seq", "offer")}
        return self.post(f"/sessions/{session_id}/answers", {**body, **response_fields})


def token_for(user) -> str:
    return tokens.create(user, "tests", clock.utcnow()).token


@pytest.fixture
def api(app, build) -> Api:
    """A learner (UTC) with the demo bank loaded, calling the API with a token."""
    build.banks()
    user = build.user(email="api@example.org")
    return Api(app, user, token_for(user))
