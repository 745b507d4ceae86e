"""The benchmark's WSGI module: its bare route and its probes (the benchmark reads both)."""

import json

from bench.wsgi import instrument
from tests.conftest import Browser


def test_the_bare_route_answers_from_one_indexed_select_and_a_probe_counts_it(
        app, client, build, tmp_path):
    instrument(app, str(tmp_path / "probes"))
    user = build.user()

    response = client.get(f"/_bench/bare?id={user.id}", headers={"X-Bench-Probe": "bare-1"},
                          buffered=True)

    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    probe = json.loads((tmp_path / "probes" / "bare-1.json").read_text())
    assert probe["statements"] == 1 and probe["status"] == 200 and probe["cpu_ms"] > 0


def test_a_memory_probe_measures_a_page_to_its_last_byte(app, client, tmp_path):
    instrument(app, str(tmp_path / "probes"))

    response = client.get("/", headers={"X-Bench-Probe": "home-memory"}, buffered=True)

    probe = json.loads((tmp_path / "probes" / "home-memory.json").read_text())
    assert probe["bytes"] == len(response.get_data()) > 0
    assert probe["python_peak_kib"] > 0 and probe["statements"] >= 1


def test_requests_without_a_probe_leave_no_trace(app, client, tmp_path):
    instrument(app, str(tmp_path / "probes"))

    assert client.get("/_bench/bare?id=99").get_data(as_text=True) == "none"
    assert list((tmp_path / "probes").iterdir()) == []


def test_the_layout_route_is_an_empty_signed_in_page_and_sends_others_to_sign_in(
        app, client, build, tmp_path):
    instrument(app, str(tmp_path / "probes"))
    user = build.user()

    assert client.get("/_bench/layout").status_code == 302  # signed out: to the sign-in page
    Browser(client).login(user.email)
    response = client.get("/_bench/layout", headers={"X-Bench-Probe": "layout-1"},
                          buffered=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Layout</h1>" in page
    assert 'href="/dashboard"' in page  # the navigation every signed-in page carries
    probe = json.loads((tmp_path / "probes" / "layout-1.json").read_text())
    assert probe["status"] == 200 and probe["statements"] >= 1  # the learner is loaded
