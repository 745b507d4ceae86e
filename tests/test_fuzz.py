"""Property-based fuzzing of every route and form: whatever arrives, no server error, and every
refusal is a 4xx page that says what went wrong.

Routes come from the app's url map and field names from every form class, so new ones are
fuzzed without being listed here. Hypothesis runs derandomized: the same examples each run.
"""

from __future__ import annotations

import importlib
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app
from wtforms.fields.core import UnboundField

from quiz.classes import service as classes
from quiz.core import clock
from tests.conftest import Browser, IsolatedClient, Learner, body_text

FORM_MODULES = ("quiz.forms", "quiz.accounts.forms", "quiz.study.forms", "quiz.classes.forms")
# Fields the answer form reads straight from the request, beyond its declared ones.
ANSWER_FIELDS = ["choice", "answer", "rating", "gap-0", "gap-1", "match-0", "match-1",
                 "position-0123456789"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=10,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def form_fields() -> list[str]:
    """The name of every field of every form class the app defines."""
    names = set(ANSWER_FIELDS)
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, FlaskForm):
                names.update(name for klass in form.__mro__ for name, value in vars(klass).items()
                             if isinstance(value, UnboundField))
    return sorted(names)


SAMPLES = ["", " ", "0", "-1", "1", "3", "10", "1e309", "NaN", "-0", "99999999999999999999",
           "true", "y", "UTC", "Asia/Karachi", "cold-war", "diplomacy", "demo", "demo-tf",
           "Washington", "\x00", "<script>", "../../etc/passwd", "%ff", "١٢٣", "😀",
           "Robert'); DROP TABLE user;--", "\ud800".encode("utf-8", "surrogatepass")]
text = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=40), st.integers().map(str),
                 # Longer than any field accepts (the longest takes 500 characters); a body over
                 # the app's request limit is the "huge" body below.
                 st.text(min_size=1, max_size=2).map(lambda s: s * 400))
raw = st.binary(max_size=40)  # mostly not UTF-8
value = st.one_of(text, raw)
FILES = [b"{}", b"[]", b"null", b'{"format": "pivot-export", "version": 1}',
         b'{"format": "pivot-export", "version": 1, "cards": [{}], "reviews": "x"}']


def _segment(piece: str | bytes | int) -> str:
    return quote(piece if isinstance(piece, bytes) else str(piece), safe="")


@st.composite
def paths(draw, rule, known: dict[str, list[str]]) -> str:
    """A path `rule` matches, with its parts good, odd or hostile, and maybe a query string."""
    path = rule.rule
    for name in rule.arguments:
        piece = draw(st.one_of(st.sampled_from(known.get(name, ["1"])), text, raw,
                               st.integers(min_value=-2**70, max_value=2**70)))
        path = re.sub(rf"<(?:[^>:]+:)?{name}>", _segment(piece).replace("\\", "\\\\"), path)
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(st.one_of(st.sampled_from(["next", "flip"]), text),
                                        value), max_size=4))
        path += "?" + draw(st.one_of(st.just(urlencode(pairs)), raw.map(_segment),
                                     st.sampled_from(["%ff=%fe", "&&=&", "next=//evil.example",
                                                      "flip=1&flip=0", "a=%00"])))
    return path


@dataclass(frozen=True)
class Body:
    """What to post: a form, an upload, bytes of any type, or more than the app accepts."""

    kind: str
    pairs: list
    token: bool
    raw: bytes = b""
    content_type: str = ""
    file: tuple = ()

    def request(self, csrf: str) -> dict:
        """Keyword arguments for the test client, with `csrf` as the token if it has one."""
        pairs = self.pairs + ([("csrf_token", csrf)] if self.token else [])
        if self.kind == "form":
            return dict(data=urlencode(pairs), content_type="application/x-www-form-urlencoded")
        if self.kind == "upload":
            data = {key if isinstance(key, str) else "x": v for key, v in pairs}
            data["file"] = (io.BytesIO(self.file[0]), self.file[1])
            return dict(data=data, content_type="multipart/form-data")
        if self.kind == "raw":
            return dict(data=self.raw, content_type=self.content_type)
        return dict(data=urlencode([*pairs, ("x", "y" * 600 * 1024)]),
                    content_type="application/x-www-form-urlencoded")


@st.composite
def bodies(draw, fields: list[str]) -> Body:
    """Any of the fields any form reads, each present or not, a few of no form at all; mostly
    with a valid CSRF token, so that most posts get past that check to the view."""
    pairs = [(field, draw(value)) for field in fields if draw(st.integers(0, 2)) == 0]
    pairs += draw(st.lists(st.tuples(text, value), max_size=2))
    kind = draw(st.sampled_from(["form", "form", "form", "upload", "raw", "huge"]))
    return Body(kind, pairs, token=draw(st.integers(0, 9)) > 0, raw=draw(raw),
                content_type=draw(st.sampled_from([
                    "application/x-www-form-urlencoded", "multipart/form-data",
                    "multipart/form-data; boundary=x", "application/json", "text/plain",
                    "%ff/%fe"])),
                file=(draw(st.one_of(raw, st.sampled_from(FILES))),
                      draw(st.sampled_from(["export.json", "", "../x.json", "x\x00.json"]))))


def assert_clear(status: int, body: str, what: str) -> None:
    assert status < 500, f"{what}: server error {status}"
    assert "Traceback" not in body, what
    if status >= 400:
        # A page with a heading that says what happened, the plain refusal of a bad host, or
        # for the API a problem (RFC 9457) that says it.
        problem = body.startswith("{") and json.loads(body).get("status") == status
        assert "<h1" in body or body.startswith("Bad Request:") or problem, (
            f"{what}: {status} {body!r}")


class Visitor(Browser):
    """A browser that signs in again (a fuzzed post may have signed it out) and keeps its
    current CSRF token."""

    def __init__(self, client, email: str | None):
        super().__init__(client)
        self.email, self.csrf = email, ""

    def refresh(self) -> None:
        if self.email and self.get("/settings").status_code != 200:
            assert self.login(self.email, remember=False).status_code == 302
        self.csrf = self.token("/login")


@pytest.fixture
def visitors(app, build):
    """An anonymous browser, a learner with a session and an answer, and an admin; and the
    ids their URLs can name."""
    build.banks()
    app.test_client_class = IsolatedClient
    learner = Learner(app.test_client())
    learner.user = build.user(email="learner@example.org")
    learner.login(learner.user.email)
    session_url = learner.start()
    learner.answer(session_url, learner.shown(session_url), choice="Washington")
    review_id = learner.feedback_url().rsplit("/", 1)[1]
    admin = build.user(email="admin@example.org", admin=True)
    # The learner teaches a class the admin is in, with a test set: the class pages have data.
    classes.set_teacher(learner.user, True, by="test")
    school_class = classes.create_class(learner.user, "9B", clock.utcnow())
    classes.join(admin, school_class, clock.utcnow())
    test = classes.add_assignment(school_class, kind="test", title="Quiz", bank_ids=[], eras=[],
                                  tags=[], target_day=None, length=3, time_limit_s=None,
                                  opens_at=None, closes_at=None, attempts=2,
                                  now=clock.utcnow())
    found = {"anonymous": Visitor(app.test_client(), None),
             "learner": Visitor(learner.client, "learner@example.org"),
             "admin": Visitor(app.test_client(), "admin@example.org")}
    for visitor in found.values():
        visitor.refresh()
    known = {"session_id": [session_url.rsplit("/", 1)[1]],
             "review_id": [review_id],
             "bank_id": ["demo"], "question_id": ["demo-tf", "demo-card", "demo-mc"],
             "job_id": ["1"], "token": ["not-a-token"], "report_id": ["1"], "token_id": ["1"],
             "action": ["suspend", "forget", "due-today"],
             "filename": ["style.css", "app.js", "../app.py"],
             "class_id": [str(school_class.id)], "user_id": [str(admin.id)],
             "assignment_id": [str(test.id)], "code": [school_class.join_code, "nosuchcode"]}
    return found, known


def _rules(app) -> list:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def _fuzz_route(rule, method: str, browsers: dict[str, Visitor], known: dict) -> None:
    @FUZZ
    @given(who=st.sampled_from(sorted(browsers)), path=paths(rule, known),
           body=bodies(form_fields()))
    def fuzz(who: str, path: str, body: Body) -> None:
        visitor = browsers[who]
        kwargs = body.request(visitor.csrf) if method != "GET" else {}
        response = visitor.client.open(path, method=method, **kwargs)
        assert_clear(response.status_code, body_text(response),
                     f"{method} {path[:200]} as {who}")

    fuzz()


def test_any_request_to_any_route_gets_a_page_or_a_clear_refusal(app, visitors):
    browsers, known = visitors
    for rule in _rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            _fuzz_route(rule, method, browsers, known)
            for visitor in browsers.values():
                visitor.refresh()


# A header cannot carry a line break (the request would not parse), so no host holds one.
HOSTS = st.one_of(st.text(max_size=80).filter(lambda host: not set(host) & set("\r\n")),
                  st.sampled_from(
    ["x" * 64, "x" * 300, "a." * 140, "xn--zz", "local host", "a:99999999", "[::1",
     "example.org:80:80", "ex%61mple.org", "localhost\x00", "é" * 70, "localhost"]))


def _fuzz_host(app, rule, known: dict) -> None:
    method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]

    @settings(FUZZ, max_examples=6)
    @given(host=HOSTS, path=paths(rule, known))
    def fuzz(host: str, path: str) -> None:
        # Straight to the WSGI app: the test client itself trips on some hosts.
        environ = EnvironBuilder(path=path, method=method, headers={"Host": host}).get_environ()
        body, status, _headers = run_wsgi_app(app, environ, buffered=True)
        assert_clear(int(status.split()[0]), b"".join(body).decode("utf-8", "replace"),
                     f"{method} {path[:200]} with Host {host[:100]!r}")

    fuzz()


def test_a_bad_host_header_gets_a_clear_400_on_every_route(app, visitors):
    _browsers, known = visitors
    for rule in _rules(app):
        _fuzz_host(app, rule, known)


def test_every_route_refuses_the_methods_it_does_not_take(app, visitors):
    browsers, known = visitors
    allowed: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():  # a path may be served by several rules
        allowed.setdefault(rule.rule, set()).update(rule.methods)
    learner = browsers["learner"]
    for rule_path, methods in allowed.items():
        path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: known[m.group(1)][0], rule_path)
        for method in sorted(set(METHODS) - methods):
            response = learner.client.open(path, method=method, data={"csrf_token": learner.csrf})
            assert response.status_code == 405, (method, path)
            assert "Method Not Allowed" in response.get_data(as_text=True)
