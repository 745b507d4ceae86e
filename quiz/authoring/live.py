"""Author tools: the current state of the YAML banks, cached, and live reload in development."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask, current_app

from quiz.authoring.sync import sync_directory
from quiz.banks.loader import Catalog, load_catalog
from quiz.core import clock

# How often, at most, a development request checks the YAML files for changes.
RELOAD_INTERVAL = 1.0

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Catalog]] = {}


def fingerprint(directory: Path) -> tuple:
    """What changes when any YAML file is added, removed or edited (names, sizes, mtimes)."""
    entries = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def current_catalog(directory: Path) -> Catalog:
    """The banks as they are on disk now, linted; re-read only when a file changed."""
    key = str(directory)
    stamp = fingerprint(directory)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    catalog = load_catalog(directory)
    with _lock:
        _cache[key] = (stamp, catalog)
    return catalog


def enable_live_reload(app: Flask) -> None:
    """In development, sync the banks before a request whenever a YAML file has changed."""
    state = {"checked": 0.0, "stamp": None}

    @app.before_request
    def _reload_changed_banks() -> None:
        now = time.monotonic()
        if now - state["checked"] < RELOAD_INTERVAL:
            return
        state["checked"] = now
        directory = Path(current_app.config["QUESTIONS_DIR"])
        stamp = fingerprint(directory)
        if stamp == state["stamp"]:
            return
        with _lock:
            report = sync_directory(directory, now=clock.utcnow())
        state["stamp"] = stamp
        changed = [b.bank_id for b in report.banks if b.added or b.updated or b.revised
                   or b.retired]
        if changed or report.skipped:
            current_app.logger.info("reloaded banks %s; skipped %s", changed,
                                    list(report.skipped))
