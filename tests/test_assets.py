"""Static files: fingerprinted names cached for a year, compressed pages, CSS and JS."""

from __future__ import annotations

import re


def asset_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_fingerprinted_names(client):
    links = asset_links(client.get("/").get_data(as_text=True))
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links} == {
        "/static/style.css", "/static/favicon.svg", "/static/app.js"}
    assert all(re.search(r"\.[0-9a-f]{12}\.", link) for link in links)


def test_a_fingerprinted_file_is_cached_for_a_year_and_immutable(client):
    for link in asset_links(client.get("/").get_data(as_text=True)):
        response = client.get(link)
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache


def test_a_plain_or_stale_name_is_served_but_revalidated(client):
    for path in ("/static/style.css", "/static/style.000000000000.css"):
        response = client.get(path)
        assert response.status_code == 200 and "immutable" not in response.headers.get(
            "Cache-Control", "")
        assert "no-cache" in response.headers["Cache-Control"]


def test_an_edited_file_gets_a_new_name(app, tmp_path):
    from quiz.assets import Assets

    (tmp_path / "site.css").write_text("a { color: red }")
    assets = Assets(tmp_path)
    before = assets.url_name("site.css")
    (tmp_path / "site.css").write_text("a { color: blue }")
    after = assets.url_name("site.css")
    assert before != after and assets.resolve(after) == ("site.css", True)
    assert assets.resolve(before) == ("site.css", False)
    assert assets.url_name("missing.css") == "missing.css"
    assert assets.digest("../secret_key") is None


def test_a_deployed_folder_is_fingerprinted_once_and_never_read_again(app, tmp_path):
    from quiz.assets import Assets

    (tmp_path / "site.css").write_text("a { color: red }")
    assets = Assets(tmp_path, watch=False)
    before = assets.url_name("site.css")
    (tmp_path / "site.css").unlink()  # not even a stat: the name stays what it was
    assert assets.url_name("site.css") == before
    assert assets.digest("../secret_key") is None


def test_pages_css_and_js_are_compressed_for_browsers_that_accept_it(client):
    page = client.get("/timeline", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    for link in asset_links(client.get("/").get_data(as_text=True)):
        if link.endswith((".css", ".js")):
            response = client.get(link, headers={"Accept-Encoding": "br"})
            assert response.headers["Content-Encoding"] == "br"
    plain = client.get("/timeline")
    assert "Content-Encoding" not in plain.headers
