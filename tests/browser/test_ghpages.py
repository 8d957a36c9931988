"""The test server follows GitHub Pages' rules for a project site under /repo/.

These tests use a small hand-written site and plain HTTP (no browser), so they always run.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from ghpages import GhPagesServer, normalise_base

NOT_FOUND_BODY = "<!DOCTYPE html><title>Not found</title><p>Custom 404</p>\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "index.html", "home page")
    write(root / "about.html", "about page")
    write(root / "news" / "index.html", "news index")
    write(root / "news" / "2020-01.html", "january edition")
    write(root / "assets" / "style.css", "body { color: #212b32; }")
    write(root / "assets" / "app.js", "console.log('hi');")
    write(root / "data" / "m1.csv", "month,value\n2019-12,63.0\n")
    write(root / "My Folder" / "index.html", "spaced folder")
    (root / "empty").mkdir()
    write(root / "404.html", NOT_FOUND_BODY)
    write(tmp_path / "secret.txt", "outside the site")
    return root


@pytest.fixture
def server(site: Path) -> Iterator[GhPagesServer]:
    with GhPagesServer(site, "/repo/") as srv:
        yield srv


def get(server: GhPagesServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Send one raw request (redirects are not followed); return status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        body = resp.read().decode("utf-8")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def test_binds_loopback_on_a_free_port(server: GhPagesServer) -> None:
    assert server.origin == f"http://127.0.0.1:{server.port}"
    assert server.base_url == f"http://127.0.0.1:{server.port}/repo/"
    assert server.url("news/") == server.base_url + "news/"


@pytest.mark.parametrize(
    ("given", "expected"), [("repo", "/repo/"), ("/repo", "/repo/"), ("/a/b/", "/a/b/"), ("", "/")]
)
def test_base_path_is_normalised(given: str, expected: str) -> None:
    assert normalise_base(given) == expected


def test_base_without_slash_redirects_to_base(server: GhPagesServer) -> None:
    status, headers, _ = get(server, "/repo")
    assert (status, headers["location"]) == (301, "/repo/")


def test_base_serves_index_html(server: GhPagesServer) -> None:
    status, headers, body = get(server, "/repo/")
    assert (status, body) == (200, "home page")
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_folder_without_slash_redirects_keeping_the_query(server: GhPagesServer) -> None:
    status, headers, _ = get(server, "/repo/news")
    assert (status, headers["location"]) == (301, "/repo/news/")
    status, headers, _ = get(server, "/repo/news?x=1")
    assert (status, headers["location"]) == (301, "/repo/news/?x=1")


def test_folder_with_slash_serves_its_index(server: GhPagesServer) -> None:
    assert get(server, "/repo/news/")[::2] == (200, "news index")
    assert get(server, "/repo/news/index.html")[::2] == (200, "news index")


def test_percent_encoded_paths_are_decoded(server: GhPagesServer) -> None:
    status, headers, _ = get(server, "/repo/My%20Folder")
    assert (status, headers["location"]) == (301, "/repo/My%20Folder/")
    assert get(server, "/repo/My%20Folder/")[::2] == (200, "spaced folder")


def test_extensionless_path_serves_the_html_file(server: GhPagesServer) -> None:
    assert get(server, "/repo/about")[::2] == (200, "about page")
    assert get(server, "/repo/news/2020-01")[::2] == (200, "january edition")


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/repo/assets/style.css", "text/css; charset=utf-8"),
        ("/repo/assets/app.js", "text/javascript; charset=utf-8"),
        ("/repo/data/m1.csv", "text/csv; charset=utf-8"),
    ],
)
def test_assets_have_their_content_type(server: GhPagesServer, path: str, ctype: str) -> None:
    status, headers, _ = get(server, path)
    assert (status, headers["content-type"]) == (200, ctype)


@pytest.mark.parametrize(
    "path",
    [
        "/repo/missing",
        "/repo/a/b/c/missing",
        "/repo/assets/nope.css",
        "/repo/empty/",  # a folder without index.html: no listing
        "/repo/about.html/",  # a file asked for as a folder
        "/",  # outside the base path
        "/index.html",
        "/repository/",
        "/other/repo/",
        "/repo/../secret.txt",  # outside the served folder
        "/repo/%2e%2e/secret.txt",
    ],
)
def test_missing_or_outside_answers_404_with_the_sites_404_page(
    server: GhPagesServer, path: str
) -> None:
    status, headers, body = get(server, path)
    assert (status, body) == (404, NOT_FOUND_BODY)
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_empty_folder_without_slash_still_redirects_then_404s(server: GhPagesServer) -> None:
    assert get(server, "/repo/empty")[0] == 301
    assert get(server, "/repo/empty/")[0] == 404


def test_without_a_404_page_a_plain_404_is_served(tmp_path: Path) -> None:
    write(tmp_path / "index.html", "home")
    with GhPagesServer(tmp_path, "/repo/") as srv:
        status, _, body = get(srv, "/repo/missing")
    assert status == 404
    assert "404" in body


def test_head_sends_headers_without_a_body(server: GhPagesServer) -> None:
    status, headers, body = get(server, "/repo/assets/style.css", method="HEAD")
    assert (status, body) == (200, "")
    assert headers["content-length"] == str(len("body { color: #212b32; }"))


def test_requests_are_recorded(server: GhPagesServer) -> None:
    get(server, "/repo/")
    get(server, "/repo/missing")
    assert server.requests == [("GET", "/repo/", 200), ("GET", "/repo/missing", 404)]


def test_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        GhPagesServer(tmp_path / "nope")
