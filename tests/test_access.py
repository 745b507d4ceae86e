"""The access-control matrix: every route, tried by every kind of visitor, gets the status
that tests/access_matrix.yaml declares for it, and shows no one the owner's data."""

from __future__ import annotations

from pathlib import Path

import yaml

from quiz import create_app
from quiz.classes import service as classes
from quiz.core import clock
from quiz.extensions import db
from quiz.models import Review, User
from tests.conftest import Browser, IsolatedClient, Learner, body_text

MATRIX = yaml.safe_load(Path(__file__).with_name("access_matrix.yaml").read_text())
OWNER_EMAIL = "owner@example.org"
# How each actor comes to be: who they are, before signing in. None: never signs in.
ACTORS = {
    "anonymous": None,
    "owner": dict(email=OWNER_EMAIL),
    "other": dict(email="other@example.org"),
    "admin": dict(email="admin@example.org", admin=True),
    "teacher": dict(email="teacher@example.org"),
}


def routes(app) -> set[str]:
    """Every endpoint and method the app serves, as `flask routes` lists them."""
    return {f"{rule.endpoint} {method}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_and_every_actor_is_in_the_matrix():
    served = routes(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}))
    declared = set(MATRIX["routes"])
    assert not served - declared, (f"declare who may use {sorted(served - declared)} in "
                                   "access_matrix.yaml")
    assert not declared - served, f"{sorted(declared - served)} name no route any more"
    assert set(MATRIX["actors"]) == set(ACTORS)
    for key, entry in MATRIX["routes"].items():
        assert set(ACTORS) <= set(entry), f"{key} gives no status for {set(ACTORS) - set(entry)}"


def _classes(visitors: dict) -> dict:
    """The owner's class (taught by a teacher who is none of the actors) with a bank
    assignment and a test, and a class of the teacher actor's own; the names URLs use."""
    now = clock.utcnow()
    owner, teacher = (db.session.get(User, visitors[name].account.id)
                      for name in ("owner", "teacher"))
    classes.set_teacher(teacher, True, by="test")
    classes.create_class(teacher, "Another class", now)
    their_teacher = User(email="classteacher@example.org", password_hash="x")
    db.session.add(their_teacher)
    db.session.commit()
    classes.set_teacher(their_teacher, True, by="test")
    school_class = classes.create_class(their_teacher, "9B history", now)
    classes.join(owner, school_class, now)
    common = dict(bank_ids=["demo"], eras=[], tags=[], length=3, time_limit_s=None,
                  opens_at=None, closes_at=None, attempts=3, now=now)
    banks = classes.add_assignment(school_class, kind="banks", title="Demo",
                                   target_day=None, **common)
    test = classes.add_assignment(school_class, kind="test", title="Quiz", target_day=None,
                                  **common)
    return {"class": school_class.id, "assignment": banks.id, "test": test.id,
            "code": school_class.join_code, "owner_id": owner.id}


class Visitor(Browser):
    """One actor's browser, keeping its CSRF token between posts."""

    def __init__(self, client, account):
        super().__init__(client)
        self.account, self.csrf = account, None

    def sign_in(self) -> None:
        if self.account is not None:
            response = self.login(self.account.email, remember=False)
            assert response.status_code == 302, f"{self.account.email} could not sign in"
        self.csrf = self.token("/login" if self.account is None else "/")


def _expected(value) -> tuple[int, str | None]:
    status, _, location = str(value).partition(" ")
    return int(status), location or None


def test_every_route_gives_each_actor_the_declared_status(app, build):
    build.banks()
    app.test_client_class = IsolatedClient
    visitors = {}
    for name, who in ACTORS.items():
        client = app.test_client()
        account = build.user(**who) if who is not None else None
        visitors[name] = Visitor(client, account)
        visitors[name].sign_in()
    # The owner's objects: a bank session with one answer in it.
    owner = Learner(visitors["owner"].client)
    session_url = owner.start()
    fields = owner.shown(session_url)
    assert fields["question_id"] == "demo-mc"
    owner.answer(session_url, fields, choice="Washington")
    review = db.session.scalars(db.select(Review.id)).one()
    names = dict(session=session_url.rsplit("/", 1)[1], review=review,
                 question=fields["question_id"], seq=fields["seq"], offer=fields["offer"],
                 **_classes(visitors))

    wrong = []
    for key, entry in MATRIX["routes"].items():
        _endpoint, method = key.split(" ")
        url = entry["url"].format(**names)
        for actor, visitor in visitors.items():
            data = {field: str(value).format(**names)
                    for field, value in (entry.get("data") or {}).items()}
            if method == "POST":
                response = visitor.client.post(url, data={**data, "csrf_token": visitor.csrf})
            else:
                response = visitor.client.get(url)
            status, location = _expected(entry[actor])
            got = response.status_code
            if got != status or (location and not response.headers.get(
                    "Location", "").startswith(location)):
                wrong.append(f"{key} {url} as {actor}: expected {entry[actor]}, got {got} "
                             f"{response.headers.get('Location', '')}")
            if actor != "owner" and OWNER_EMAIL in body_text(response):
                wrong.append(f"{key} {url} as {actor}: shows the owner's e-mail address")
        if entry.get("signs_out"):
            for visitor in visitors.values():
                visitor.sign_in()
    assert not wrong, "\n".join(wrong)
