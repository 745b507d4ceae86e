"""The benchmark's runner: the light and the heavy learner are measured alike."""

import json
from pathlib import Path

from bench import load
from bench.run import _probe_history


class _Learner:
    """A signed-in learner as `_probe_history` uses one: it notes each probe it asks for, and
    the probe's result appears as the server would write it."""

    def __init__(self, probed: list[str], probes: Path):
        self.probed, self.probes = probed, probes

    def get(self, path: str, *, probe: str | None = None) -> load.Reply:
        if probe:
            self.probed.append(probe)
            (self.probes / f"{probe}.json").write_text(json.dumps(
                {"name": probe, "cpu_ms": 2.0, "wall_ms": 3.0, "statements": 4, "bytes": 5}))
        return load.Reply(200, {}, "")


def test_the_learners_take_turns_and_the_exports_come_after_every_page(tmp_path):
    probed: list[str] = []
    extremes = {who: _Learner(probed, tmp_path) for who in ("light", "heavy")}

    result = _probe_history(None, extremes, {"light": "q-1", "heavy": "q-2"}, tmp_path,
                            repeat=3)

    kinds = [name.split("-")[1] for name in probed]
    pages = kinds.index("csv")
    # The heavy learner's export chills the worker's caches: no page is measured after one.
    assert set(kinds[:pages]) == {"dashboard", "question"}
    assert set(kinds[pages:]) == {"csv", "csvmemory"}
    # One learner then the other, page by page, so a drift of the machine falls on both.
    assert [name.split("-")[0] for name in probed[:pages]] == ["light", "heavy"] * (pages // 2)
    assert kinds[:pages].count("dashboard") == 2 * 3
    assert result["heavy"]["dashboard"] == {"cpu_ms": 2.0, "wall_ms": 3.0, "statements": 4,
                                            "bytes": 5}
