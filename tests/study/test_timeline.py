"""The timeline: events synced from events.yaml, grouped by era, linked to their questions."""

from quiz.extensions import db
from quiz.models import Event
from quiz.study.timeline import TimelineEvent, era_of_date, timeline
from tests.conftest import TEST_BANKS


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
