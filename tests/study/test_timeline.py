"""The timeline: events synced from events.yaml, grouped by era, linked to their questions."""

from pathlib import Path

from quiz.extensions import db
from quiz.models import Event
from quiz.study.timeline import TimelineEvent, era_of_date, timeline
from tests.conftest import TEST_BANKS

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"


def test_events_are_synced_and_linked_to_the_questions_about_them(build):
    build.banks()
    assert db.session.get(Event, "indo-soviet-treaty").date == "1971-08"
    (group,) = timeline()
    assert group.era == "cold-war"
    assert [item.event.id for item in group.events] == [
        "liaquat-washington", "indo-pak-war-1965", "indo-soviet-treaty"]
    assert all([q.id for q in item.questions] == ["demo-order"] for item in group.events)


def test_an_event_removed_from_events_yaml_leaves_the_timeline(build, clock):
    build.banks()
    events = (TEST_BANKS / "events.yaml").read_text().splitlines()
    directory = build.bank_dir({})
    (directory / "events.yaml").write_text("\n".join(events[:3]) + "\n")  # header + 2 events
    build.banks(directory)
    assert db.session.get(Event, "indo-soviet-treaty").retired_at == clock.now
    assert [item.event.id for group in timeline() for item in group.events] == [
        "liaquat-washington", "indo-pak-war-1965"]


def test_dates_are_shown_only_as_precisely_as_the_source_gives_them():
    assert TimelineEvent(Event(id="a", date="1971", title="t")).display_date == "1971"
    assert TimelineEvent(Event(id="a", date="1971-08", title="t")).display_date == "August 1971"
    assert TimelineEvent(Event(id="a", date="2015-10-16", title="t")).display_date == (
        "16 October 2015")


def test_unlinked_events_fall_into_eras_by_date():
    assert [era_of_date(d) for d in ("1947", "1991-12", "2003-11", "2011-05", "2012")] == [
        "cold-war", "cold-war", "post-cold-war", "rupture-2011", "rapprochement"]


# The order the articles give, where dates alone cannot (review of the banks, section 5).
ARTICLES_ORDER = {
    "1971": ["indo-soviet-treaty-of-friendship", "india-intervenes-east-pakistan",
             "uss-enterprise-bay-of-bengal", "soviet-vessels-counter-us-navy"],
    "2003": ["india-russia-joint-statement-2003", "musharraf-visits-russia-2003"],
    "2011": ["cia-officer-kills-two-in-lahore", "us-raid-reportedly-kills-bin-laden",
             "us-officials-media-leaks-2011", "salala-attack", "nato-supply-route-closed"],
    "2012": ["pakistani-envoys-conference-2012", "khar-visits-moscow-2012",
             "kayani-visits-moscow-2012", "putin-pakistan-visit-cancelled"],
    "2015": ["mi35-initial-sale-finalised", "pipeline-agreement-signed",
             "steel-mills-privatisation-target"],
    "2018": ["gb-asif-lavrov-military-commission", "gb-strategic-stability-consultative-group",
             "gb-popov-visits-pakistan", "gb-shoigu-dastgir-talks",
             "gb-janjua-moscow-security-talks", "gb-bajwa-moscow-visit",
             "gb-faisal-active-week-tweet"],
}


def test_the_real_timeline_follows_the_articles_order(build):
    build.banks(QUESTIONS)
    shown = [item.event.id for group in timeline() for item in group.events]
    for year, expected in ARTICLES_ORDER.items():
        assert [event for event in shown if event in expected] == expected, year


def test_an_inferred_year_is_labelled_on_the_timeline(build, client):
    build.banks(QUESTIONS)
    page = client.get("/timeline").get_data(as_text=True)
    bajwa = page[page.index('id="event-gb-bajwa-moscow-visit"'):]
    assert "(year inferred)" in bajwa[:bajwa.index("</li>")]
    treaty = page[page.index('id="event-indo-soviet-treaty-of-friendship"'):]
    assert "(year inferred)" not in treaty[:treaty.index("</li>")]
