"""``qi-report serve``: a live preview. Builds the site into a private temporary folder, serves it
on 127.0.0.1 the way GitHub Pages would, rebuilds when a file changes and reloads the open page.

    Preview.start()       bind the port, first build, then an HTTP thread and a watcher thread
    watcher thread        every POLL_SECONDS: rebuild_if_changed()
    rebuild()             build_site(..., cache) into a new folder, served once it is complete
    __qi-serve/reload.js  added to every HTML page as it is served (never to the built files);
                          polls __qi-serve/status, reloads on a new build, shows problems

Each build goes to its own folder, so a page is always read from one complete build. A build
with problems changes nothing that is served: the problems are printed as ``check`` prints them
and listed in a banner on the page. The :class:`BuildCache` makes a rebuild after an edition edit
re-read the content and re-render the pages only.
"""

from __future__ import annotations

import contextlib
import errno
import html
import json
import mimetypes
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from qi_report.build import BuildCache, build_site, fingerprint
from qi_report.config import load_config
from qi_report.pages import TEMPLATES, base_path
from qi_report.problems import Problem, Problems, ProblemsFound, display_path

HOST = "127.0.0.1"
POLL_SECONDS = 0.25
SETTLE_SECONDS = 0.05
"""After a change is seen, how long the files must stay still before the rebuild starts (an
editor may write a file in more than one step)."""
Snapshot = tuple[tuple[tuple[str, int, int], ...], ...]
"""Each watched folder's files, with their modification times and sizes."""
SERVE_PATH = "__qi-serve/"
"""Under the base path: ``reload.js`` and ``status``. No page of the site can be named so."""

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webp": "image/webp",
}

RELOAD_JS = TEMPLATES / "serve" / "reload.js"
"""Live reload and the problems banner: served only by `serve`, never copied into a build."""


class Echo(Protocol):
    def __call__(self, message: str, *, err: bool = False) -> object: ...


class ServeError(Exception):
    """The server cannot start (the port is in use, say); the message says what to do."""


@dataclass(frozen=True)
class Served:
    """What is served: the folder of the last good build (None before the first), its number,
    its base path, and the problems of the latest attempt (none when it succeeded)."""

    root: Path | None
    build: int
    base: str
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


class Preview:
    """A live preview of the site: ``start()``, open ``url``, ``stop()``.

    Tests may start it with ``watch=False`` and call :meth:`rebuild_if_changed` themselves.
    """

    def __init__(
        self,
        content_dir: Path,
        data_dir: Path,
        *,
        port: int = 8000,
        drafts: bool = False,
        echo: Echo | None = None,
    ) -> None:
        self.content_dir = content_dir
        self.data_dir = data_dir
        self.port = port
        self.drafts = drafts
        self.echo: Echo = echo or (lambda message, *, err=False: None)
        self.cache = BuildCache()
        self.state = Served(None, 0, _configured_base(content_dir))
        self.folder: Path | None = None
        self.last_build_ms: float | None = None
        self._attempts = 0
        self._seen: Snapshot | None = None
        self._warnings: tuple[Problem, ...] = ()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    @property
    def watched(self) -> tuple[Path, ...]:
        return (self.content_dir, self.data_dir, TEMPLATES)

    @property
    def url(self) -> str:
        """The address of the site's home page."""
        return f"http://{HOST}:{self.port}{self.state.base}"

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, watch: bool = True) -> Preview:
        """Bind the port (ServeError when it cannot), build, then serve and watch."""
        try:
            self._server = ThreadingHTTPServer((HOST, self.port), _handler(self))
        except OSError as error:
            raise ServeError(_bind_message(self.port, error)) from None
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.folder = Path(tempfile.mkdtemp(prefix="qi-report-serve-"))
        self.rebuild()
        self._thread(self._server.serve_forever, "qi-serve-http")
        if watch:
            self._thread(self._watch, "qi-serve-watch")
        return self

    def wait(self) -> None:
        """Block until stop() is called (Ctrl-C raises KeyboardInterrupt here)."""
        while not self._stopping.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving and watching, and remove the temporary folder. Safe to call twice."""
        self._stopping.set()
        if self._server is not None:
            if self._threads:  # serve_forever is running: shutdown() waits for it to return
                self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []
        with self._lock:  # a rebuild in progress finishes first
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None

    def __enter__(self) -> Preview:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _thread(self, target: Callable[[], object], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            try:
                self.rebuild_if_changed()
            except Exception:  # a bug: show it, and keep watching
                traceback.print_exc()

    # -- building --------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return tuple(fingerprint(folder) for folder in self.watched)

    def rebuild_if_changed(self) -> bool:
        """Rebuild when a watched file was added, changed or removed since the last build."""
        current = self.snapshot()
        if current == self._seen:
            return False
        for _ in range(20):  # wait for the files to stay still, for at most a second
            time.sleep(SETTLE_SECONDS)
            again = self.snapshot()
            if again == current:
                break
            current = again
        self.rebuild()
        return True

    def rebuild(self) -> bool:
        """Build now. True when the build succeeded and is now served; on problems, they are
        printed and reported by the status, and the last good build stays served."""
        with self._lock:
            if self.folder is None:
                raise RuntimeError("the preview is not started")
            before, self._seen = self._seen, self.snapshot()
            changed = _changed(before, self._seen)
            self._attempts += 1
            out = self.folder / str(self._attempts) / "site"  # with what the writer leaves beside
            started = time.perf_counter()
            try:
                report = build_site(
                    self.content_dir, self.data_dir, out, drafts=self.drafts, cache=self.cache
                )
            except ProblemsFound as found:
                self._failed(found.problems)
                return False
            except Exception as bug:  # a bug, not bad input: its traceback, and keep serving
                traceback.print_exc()
                message = f"internal error: {type(bug).__name__}: {bug} (traceback in the terminal)"
                self._failed([Problem("qi-report", message=message)])
                return False
            self.last_build_ms = (time.perf_counter() - started) * 1000
            previous = self.state
            self.state = Served(out, previous.build + 1, _configured_base(self.content_dir))
            keep = {out.parent, previous.root.parent if previous.root else None}
            for old in self.folder.iterdir():  # the previous build is kept for requests in flight
                if old not in keep:
                    shutil.rmtree(old, ignore_errors=True)
        took = f"in {self.last_build_ms:.0f} ms"
        if before is None:
            self.echo(f"{_now()} Built {report.pages} pages {took}.")
        else:
            self.echo(f"{_now()} Rebuilt {took} ({changed}).")
        if report.warnings != self._warnings:
            for warning in report.warnings:
                self.echo(f"Warning: {warning}", err=True)
            self._warnings = report.warnings
        if self.state.base != previous.base:
            self.echo(f"The site's address is now {self.url}")
        return True

    def _failed(self, problems: list[Problem]) -> None:
        ordered = tuple(sorted(problems, key=lambda p: (p.path, p.row or 0, p.line or 0)))
        self.state = replace(self.state, problems=ordered)
        for problem in ordered:
            self.echo(str(problem), err=True)
        count = len(ordered)
        kept = "the last good site is still served" if self.state.root else "no site to serve yet"
        self.echo(f"{_now()} {count} problem{'s' if count != 1 else ''} found; {kept}.", err=True)

    # -- answering requests ----------------------------------------------------------------------
    def status(self) -> dict[str, object]:
        state = self.state
        return {
            "build": state.build,
            "problems": [asdict(p) | {"text": str(p)} for p in state.problems],
        }

    def respond(self, raw_path: str) -> Response:
        """The answer to a GET of ``raw_path`` (path and query, as in the request line)."""
        state = self.state
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        base = state.base
        if path == base + SERVE_PATH + "status":
            body = json.dumps(self.status()).encode()
            return Response(200, TYPES[".json"], body)
        if path == base + SERVE_PATH + "reload.js":
            return Response(200, TYPES[".js"], RELOAD_JS.read_bytes())
        if path != base and base.startswith(path.rstrip("/") + "/"):  # '/', or '/repo'
            return Response(302, TYPES[".html"], b"", location=base)
        if state.root is None:
            return Response(503, TYPES[".html"], _inject(state, _no_site_page(state.problems)))
        status, target = _resolve(state.root, base, path)
        if status == 301:
            location = quote(str(target)) + (f"?{parts.query}" if parts.query else "")
            return Response(301, TYPES[".html"], b"", location=location)
        if not isinstance(target, Path):
            status, target = 404, state.root / "404.html"
            if not target.is_file():
                return Response(404, TYPES[".html"], _inject(state, b"<h1>Not found</h1>"))
        body = target.read_bytes()
        kind = TYPES.get(target.suffix.lower())
        kind = kind or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() == ".html":
            body = _inject(state, body)
        return Response(status, kind, body)


def _inject(state: Served, page: bytes) -> bytes:
    """The page with the reload script before its ``</body>``; the script knows the number of
    the build the page comes from, so that it reloads as soon as another one is served."""
    src = f"{state.base}{SERVE_PATH}reload.js?build={state.build}"
    tag = f'<script src="{html.escape(src)}" defer></script>\n'.encode()
    end = page.rfind(b"</body>")
    return page + tag if end < 0 else page[:end] + tag + page[end:]


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "qi-report-serve"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:
            pass  # the page polls its status several times a second

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            answer = preview.respond(self.path)
            self.send_response(answer.status)
            if answer.location is not None:
                self.send_header("Location", answer.location)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:  # the browser may have gone away (a reload, say): nothing to do
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer.body)

    return Handler


def _resolve(root: Path, base: str, path: str) -> tuple[int, Path | str | None]:
    """GitHub Pages' rules: ``dir`` -> 301 ``dir/``; ``dir/`` -> ``dir/index.html``; ``page``
    -> ``page.html``; anything else missing, or outside the site, is (404, None)."""
    if not path.startswith(base) or "\x00" in path:
        return 404, None
    folder = root.resolve()
    target = (folder / path[len(base) :]).resolve()
    if not target.is_relative_to(folder):
        return 404, None
    if target.is_dir():
        if not path.endswith("/"):
            return 301, path + "/"
        target = target / "index.html"
    elif path.endswith("/"):
        return 404, None
    elif not target.exists() and not target.suffix:
        target = target.with_name(target.name + ".html")
    return (200, target) if target.is_file() else (404, None)


def _configured_base(content_dir: Path) -> str:
    """The base path of ``site_url`` in site.yaml ('/' without one, or when it cannot be read)."""
    return base_path(load_config(content_dir, Problems()), None)


def _no_site_page(problems: tuple[Problem, ...]) -> bytes:
    items = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>No site yet</title>'
        "</head><body><main><h1>The site could not be built</h1><p>Fix these problems and this "
        f"page will reload by itself:</p><ul>{items}</ul></main></body></html>\n"
    ).encode()


def _changed(before: Snapshot | None, after: Snapshot) -> str:
    """'content/editions/a.yaml changed' (or '3 files changed'): for the terminal."""
    old = {entry for folder in before or () for entry in folder}
    new = {entry for folder in after for entry in folder}
    paths = sorted({entry[0] for entry in old ^ new})
    if len(paths) == 1:
        return f"{display_path(paths[0])} changed"
    return f"{len(paths)} files changed"


def _bind_message(port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        reason = f"port {port} is in use (another server?)"
    else:
        reason = error.strerror or str(error)
    return (
        f"cannot serve on {HOST}:{port}: {reason}; choose another --port, "
        "or --port 0 for any free one"
    )


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside, SIGTERM (from a process manager, an editor's stop button) stops like Ctrl-C."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _now() -> str:
    return time.strftime("%H:%M:%S")
