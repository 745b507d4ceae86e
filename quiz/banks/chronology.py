"""The order of events: by date as far as both dates go, then by `after:` links. Pure.

A date is only as precise as its source, so "1971" says nothing about whether it came before
"1971-08", and two events dated "1971" are not ordered at all. Two events are ordered by date
when their dates differ at the precision both have ("1971-08" before "1972"), and otherwise
only by `after:` (an event names the events it came after), followed through chains of links
and dates. One total order serves the timeline and the orderings generated from `events:`:
it keeps every date and every link, and breaks the remaining ties by the date as text, then
by the id, so an order the sources do not give is at least stable.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field


def before_by_date(first: str, second: str) -> bool:
    """Whether date `first` is surely earlier than `second`: earlier at the precision both
    have ("1971-08" is before "1972" but not before "1971")."""
    common = min(len(first), len(second))
    return first[:common] < second[:common]


@dataclass
class Chronology:
    """Events in their one total order, and what was wrong with their `after:` links."""

    dates: dict[str, str]
    links: dict[str, list[str]]  # event id -> the ids it came after (sound links only)
    order: list[str]
    # (event id, message) for each link that had to be ignored, reported at its `after:`.
    problems: list[tuple[str, str]] = field(default_factory=list)
    position: dict[str, int] = field(init=False)
    _reach: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.position = {event_id: index for index, event_id in enumerate(self.order)}

    def sort(self, event_ids: Iterable[str]) -> list[str]:
        """The given events in the chronology's order."""
        return sorted(event_ids, key=self.position.__getitem__)

    def surely_before(self, first: str, second: str) -> bool:
        """Whether the sources put `first` before `second`: through dates, links or both."""
        if first not in self._reach:
            self._reach[first] = self._later_than(first)
        return second in self._reach[first]

    def _later_than(self, start: str) -> set[str]:
        children = _children(self.links)
        seen: set[str] = set()
        todo = [start]
        while todo:
            current = todo.pop()
            date = self.dates[current]
            for following in (*children.get(current, ()),
                              *(e for e, d in self.dates.items() if before_by_date(date, d))):
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return seen


def build(dates: dict[str, str], links: dict[str, list[str]]) -> Chronology:
    """Order events given their dates (id -> date) and `after:` links (id -> earlier ids, all
    known); links that go round in a circle or contradict the dates are reported and left
    out."""
    links = {event_id: list(earlier) for event_id, earlier in links.items() if earlier}
    problems = _break_circles(dates, links)
    problems += _drop_contradictions(dates, links)
    return Chronology(dates, links, _topological(dates, links), problems)


def _children(links: dict[str, list[str]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for event_id, earlier in links.items():
        for parent in earlier:
            children.setdefault(parent, []).append(event_id)
    return children


def _break_circles(dates: dict[str, str], links: dict[str, list[str]]) -> list[tuple[str, str]]:
    problems = []
    state: dict[str, bool] = {}  # False while on the current path, True once done

    def visit(event_id: str, path: list[str]) -> None:
        state[event_id] = False
        path.append(event_id)
        for earlier in list(links.get(event_id, ())):
            if state.get(earlier) is False:
                circle = [*path[path.index(earlier):], earlier]
                problems.append((event_id, "`after` links go round in a circle: "
                                 + " after ".join(repr(e) for e in circle)))
                links[event_id].remove(earlier)
            elif earlier not in state:
                visit(earlier, path)
        path.pop()
        state[event_id] = True

    for event_id in dates:
        if event_id not in state:
            visit(event_id, [])
    return problems


def _drop_contradictions(dates: dict[str, str],
                         links: dict[str, list[str]]) -> list[tuple[str, str]]:
    problems = []
    for event_id in dates:
        for earlier in list(links.get(event_id, ())):
            reached = [earlier, *_ancestors(earlier, links)]
            later = next((e for e in reached if before_by_date(dates[event_id], dates[e])), None)
            if later is not None:
                through = "" if later == earlier else f" (through {earlier!r})"
                problems.append((event_id, f"{event_id!r} is dated {dates[event_id]}, before "
                                 f"{later!r} ({dates[later]}), so it cannot come after it"
                                 f"{through}"))
                links[event_id].remove(earlier)
    return problems


def _ancestors(event_id: str, links: dict[str, list[str]]) -> list[str]:
    """Every event `event_id` came after through links, nearest first."""
    found: dict[str, None] = {}
    todo = list(links.get(event_id, ()))
    while todo:
        earlier = todo.pop(0)
        if earlier not in found:
            found[earlier] = None
            todo += links.get(earlier, ())
    return list(found)


def _topological(dates: dict[str, str], links: dict[str, list[str]]) -> list[str]:
    # Kahn's algorithm, taking the earliest date as text (then id) among the events whose
    # links are all placed. With no event linked after one dated later (checked above), this
    # keeps every date order too: whatever holds back an earlier-dated event is itself dated
    # no later than it, and so sorts, as text, before anything dated after it.
    children = _children(links)
    waiting = {event_id: len(earlier) for event_id, earlier in links.items() if earlier}
    ready = [(date, event_id) for event_id, date in dates.items() if event_id not in waiting]
    heapq.heapify(ready)
    order = []
    while ready:
        _, event_id = heapq.heappop(ready)
        order.append(event_id)
        for child in children.get(event_id, ()):
            waiting[child] -= 1
            if not waiting[child]:
                heapq.heappush(ready, (dates[child], child))
    return order
