"""The order of events: dates as far as both go, then `after:` links, without a database."""

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.banks.chronology import before_by_date, build

DATES_1971 = {"war-1965": "1965", "treaty": "1971-08", "intervenes": "1971",
              "enterprise": "1971", "vessels": "1971", "invasion": "1979"}
LINKS_1971 = {"intervenes": ["treaty"], "enterprise": ["intervenes"], "vessels": ["enterprise"]}


def test_dates_order_events_only_as_far_as_both_are_precise():
    assert before_by_date("1971-08", "1972")
    assert before_by_date("1971-08", "1971-12-01")
    assert not before_by_date("1971", "1971-08") and not before_by_date("1971-08", "1971")
    assert not before_by_date("2015-10-16", "2015-10")


def test_without_links_a_bare_year_comes_first_and_ties_go_by_id():
    assert build(DATES_1971, {}).order == [
        "war-1965", "enterprise", "intervenes", "vessels", "treaty", "invasion"]


def test_after_links_put_same_year_events_in_the_articles_order():
    chronology = build(DATES_1971, LINKS_1971)
    assert chronology.order == [
        "war-1965", "treaty", "intervenes", "enterprise", "vessels", "invasion"]
    assert chronology.sort(["vessels", "invasion", "treaty"]) == [
        "treaty", "vessels", "invasion"]
    assert chronology.problems == []


def test_an_event_can_come_after_several():
    dates = {"janjua": "2018", "bajwa": "2018", "sco": "2018", "tweet": "2018"}
    links = {"bajwa": ["janjua"], "tweet": ["bajwa", "sco"]}
    assert build(dates, links).order == ["janjua", "bajwa", "sco", "tweet"]


def test_an_order_is_sure_only_through_dates_and_links():
    dates = {**DATES_1971, "march": "1971-03", "december": "1971-12"}
    chronology = build(dates, LINKS_1971)
    assert chronology.surely_before("march", "vessels")  # a date, then links
    assert chronology.surely_before("intervenes", "invasion")
    assert not chronology.surely_before("intervenes", "december")
    assert not chronology.surely_before("vessels", "intervenes")


def test_a_circle_of_links_is_reported_and_broken():
    chronology = build({"a": "1971", "b": "1971", "c": "1971"}, {"a": ["b"], "b": ["c"],
                                                                  "c": ["a"]})
    assert chronology.problems == [
        ("c", "`after` links go round in a circle: 'a' after 'b' after 'c' after 'a'")]
    assert chronology.order == ["c", "b", "a"]


def test_a_link_against_the_dates_is_reported_and_left_out():
    dates = {"spring": "1971-05", "year": "1971", "autumn": "1971-09"}
    chronology = build(dates, {"year": ["autumn"], "spring": ["year"]})
    assert chronology.problems == [("spring", "'spring' is dated 1971-05, before 'autumn' "
                                    "(1971-09), so it cannot come after it (through 'year')")]
    assert chronology.order == ["spring", "autumn", "year"]


# Few distinct dates, so that ties, prefixes and links between them are common.
DATE = st.sampled_from(["1970", "1971", "1971-03", "1971-08", "1971-08-10", "1971-08-20",
                        "1972", "1972-03"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(DATE, min_size=1, max_size=8), st.data())
def test_the_order_keeps_every_date_and_every_link_it_keeps(dates, data):
    events = {f"e{i}": date for i, date in enumerate(dates)}
    ids = sorted(events)
    links = {e: data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
             for e in ids}
    chronology = build(events, links)
    assert sorted(chronology.order) == ids
    place = chronology.position
    for later, earlier in ((e, p) for e, parents in chronology.links.items() for p in parents):
        assert place[earlier] < place[later]
    for a in ids:
        for b in ids:
            if before_by_date(events[a], events[b]):
                assert place[a] < place[b]
                assert chronology.surely_before(a, b)
