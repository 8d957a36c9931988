"""A tiny static HTTP server for tests that follows GitHub Pages' rules for a project site.

A project site is published at ``https://org.github.io/repo/``, so everything lives under one
base path. This server reproduces what matters for testing links and assets there:

- ``/repo`` redirects (301) to ``/repo/``; any directory requested without a trailing slash
  redirects (301) to the same path with the slash (query string kept).
- ``dir/`` serves ``dir/index.html``; there are no directory listings.
- ``/repo/page`` serves ``page.html`` when ``page`` itself does not exist.
- Anything missing, outside the base path, or outside the served folder gets a 404 whose body is
  the site's own ``404.html`` when it has one (GitHub Pages serves it at any depth).

It binds 127.0.0.1 on a free port and runs in a background thread::

    with GhPagesServer(site_dir, "/repo/") as server:
        urllib.request.urlopen(server.base_url)  # http://127.0.0.1:PORT/repo/
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import quote, unquote, urlsplit

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".webmanifest": "application/manifest+json",
}
_DEFAULT_404 = b"<!DOCTYPE html><title>404</title><h1>404 Not Found</h1>\n"


def content_type(path: Path) -> str:
    """The Content-Type GitHub Pages would send for this file (with charset for text)."""
    ctype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    ctype = ctype or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/json", "application/xml"):
        ctype += "; charset=utf-8"
    return ctype


def normalise_base(base: str) -> str:
    """'/repo', 'repo/' or '/repo/' -> '/repo/'; '' or '/' -> '/'."""
    inner = base.strip("/")
    return f"/{inner}/" if inner else "/"


def resolve(root: Path, base: str, url_path: str) -> tuple[int, Path | str | None]:
    """Decide the answer for a decoded URL path.

    Returns ``(200, file)``, ``(301, new_url_path)`` or ``(404, None)``.
    """
    if url_path + "/" == base:
        return 301, base
    if not url_path.startswith(base):
        return 404, None
    relative = url_path[len(base) :]
    if "\x00" in relative:
        return 404, None
    target = (root / relative.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return 404, None
    if target.is_dir():
        if not url_path.endswith("/"):
            return 301, url_path + "/"
        target = target / "index.html"
    elif url_path.endswith("/"):
        return 404, None  # a file (or nothing) asked for as a folder
    elif not target.exists() and not target.suffix:
        target = target.with_name(target.name + ".html")
    if target.is_file():
        return 200, target
    return 404, None


class GhPagesServer:
    """Serve ``root`` under ``base`` on 127.0.0.1 (free port) in a daemon thread."""

    def __init__(self, root: Path | str, base: str = "/repo/") -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(self.root)
        self.base = normalise_base(base)
        self.requests: list[tuple[str, str, int]] = []  # (method, raw path, status)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- addresses -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/repo/``."""
        return self.origin + self.base

    def url(self, path: str = "") -> str:
        """Absolute URL of ``path`` relative to the base (``url('a/b.html')``)."""
        return self.base_url + path.lstrip("/")

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> GhPagesServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="ghpages-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> GhPagesServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request handling --------------------------------------------------------------------------
    def _record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, path, status))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "ghpages-test"
            sys_version = ""

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: tests inspect server.requests instead

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def _send(
                self,
                status: int,
                body: bytes,
                ctype: str,
                send_body: bool,
                location: str | None = None,
            ) -> None:
                server._record(self.command, self.path, status)
                self.send_response(status)
                if location is not None:
                    self.send_header("Location", location)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if send_body:
                    # the client may have gone away; nothing to do then
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

            def _answer(self, send_body: bool) -> None:
                parts = urlsplit(self.path)
                status, target = resolve(server.root, server.base, unquote(parts.path))
                if status == 301:
                    location = quote(str(target)) + (f"?{parts.query}" if parts.query else "")
                    body = b"<!DOCTYPE html><title>301</title><p>Moved permanently</p>\n"
                    self._send(301, body, "text/html; charset=utf-8", send_body, location)
                elif status == 200 and isinstance(target, Path):
                    self._send(200, target.read_bytes(), content_type(target), send_body)
                else:
                    page_404 = server.root / "404.html"
                    body = page_404.read_bytes() if page_404.is_file() else _DEFAULT_404
                    self._send(404, body, "text/html; charset=utf-8", send_body)

        return Handler
