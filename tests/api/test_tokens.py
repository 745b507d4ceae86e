"""Settings → API tokens: made and shown once, stored hashed, revoked, gone with the account."""

from __future__ import annotations

import hashlib
import re

from quiz.accounts.data import delete_account
from quiz.extensions import db
from quiz.models import ApiToken
from tests.conftest import PASSWORD, Learner

TOKEN = re.compile(r'<code id="new-token">(pvt_[A-Za-z0-9_-]+)</code>')


def _make(learner, name: str = "my script"):
    return learner.post("/settings/tokens", {"name": name}, token_from="/settings/tokens")


def test_a_token_is_shown_once_and_stored_hashed(learner):
    page = _make(learner)
    assert page.status_code == 201
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    assert len(token) >= 40
    row = db.session.scalars(db.select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.name == "my script"
    listing = learner.get("/settings/tokens").get_data(as_text=True)
    assert "my script" in listing and token not in listing
    response = learner.client.get("/api/v1/banks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert db.session.get(ApiToken, row.id).last_used_at is not None


def test_a_revoked_token_is_refused(learner):
    token = TOKEN.search(_make(learner).get_data(as_text=True)).group(1)
    row = db.session.scalars(db.select(ApiToken)).one()
    revoked = learner.post(f"/settings/tokens/{row.id}/revoke", token_from="/settings/tokens")
    assert revoked.status_code == 302
    assert "my script" not in learner.get("/settings/tokens").get_data(as_text=True)
    response = learner.client.get("/api/v1/banks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    again = learner.post(f"/settings/tokens/{row.id}/revoke", token_from="/settings/tokens")
    assert again.status_code == 404


def test_only_their_owner_can_revoke_a_token(learner, build, app):
    _make(learner)
    row = db.session.scalars(db.select(ApiToken)).one()
    other = build.user(email="other@example.org")
    them = Learner(app.test_client())
    them.login(other.email)
    assert them.post(f"/settings/tokens/{row.id}/revoke",
                     token_from="/settings/tokens").status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_a_token_needs_a_name_and_a_csrf_token(learner):
    assert _make(learner, "").status_code == 422
    assert learner.client.post("/settings/tokens", data={"name": "x"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_tokens_die_with_the_account(learner):
    token = TOKEN.search(_make(learner).get_data(as_text=True)).group(1)
    delete_account(learner.user, PASSWORD)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0
    response = learner.client.get("/api/v1/banks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
