"""Static files under fingerprinted names, so browsers may keep them for a year.

`url_for('static', filename='style.css')` gives `/static/style.<hash>.css`, where the hash is
taken from the file's content: a changed file gets a new name, so a response can say
`immutable` and a page costs no conditional requests for its CSS and JS. The plain name still
works (revalidated each time), for anything that links to it directly.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, send_from_directory
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[^./]+)$")


class Assets:
    """The static folder's files and the fingerprint of each (recomputed if a file changes,
    when `watch` is on: in development; a deployed folder changes only with a restart, so
    each fingerprint is then worked out once rather than with a stat on every page)."""

    def __init__(self, folder: Path, *, watch: bool = True):
        self.folder = folder
        self.watch = watch
        self._digests: dict[str, tuple[tuple[int, int], str]] = {}

    def digest(self, filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, or None if there is no such file."""
        if not self.watch and filename in self._digests:
            return self._digests[filename][1]
        path = self.folder / filename
        try:
            stat = path.stat()
        except (OSError, ValueError):
            return None
        if not path.is_file() or self.folder.resolve() not in path.resolve().parents:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._digests.get(filename)
        if known is None or known[0] != stamp:
            known = (stamp, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._digests[filename] = known
        return known[1]

    def url_name(self, filename: str) -> str:
        """`filename` with its fingerprint before the extension (unchanged if unknown)."""
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        return f"{stem}.{digest}.{suffix}" if dot else f"{filename}.{digest}"

    def resolve(self, requested: str) -> tuple[str, bool]:
        """The file a requested name stands for, and whether it carried its current
        fingerprint (only then may the response be cached for good). A page cached from before
        a file changed still gets the file, today's version, revalidated."""
        match = _FINGERPRINTED.match(requested)
        if match:
            filename = match["stem"] + match["suffix"]
            digest = self.digest(filename)
            if digest is not None:
                return filename, digest == match["digest"]
        return requested, False


def init_assets(app: Flask) -> None:
    """Serve `static/` under fingerprinted names and make `url_for` produce them."""
    assets = Assets(Path(app.static_folder or "static"), watch=app.debug or app.testing)
    app.extensions["assets"] = assets

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.url_name(values["filename"])

    def static(filename: str) -> Response:
        real, fingerprinted = assets.resolve(filename)
        response = send_from_directory(assets.folder, real, max_age=YEAR if fingerprinted else 0)
        if fingerprinted:
            response.cache_control.public = True
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response

    app.view_functions["static"] = static
