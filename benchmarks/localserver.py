"""A folder served on 127.0.0.1 for the benchmarks that open pages in a browser.

The folder holds ``repo/``, so pages are at ``/repo/`` as on a GitHub Pages project site. Options:
hold plotly.js back ``delay`` seconds (to see the text paint first), and gzip text files as
Pages does (``compress``).
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TEXT = {".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt"}


class Server:
    def __init__(self, root: Path, *, delay: float = 0.0, compress: bool = False) -> None:
        class Handler(SimpleHTTPRequestHandler):
            def send_head(self) -> Any:
                if delay and "/plotly" in self.path:
                    time.sleep(delay)
                path = Path(self.translate_path(self.path))
                if path.is_dir():
                    if not self.path.split("?")[0].endswith("/"):
                        return super().send_head()  # the redirect to the folder's URL
                    path = path / "index.html"
                wants = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (compress and wants and path.is_file() and path.suffix in TEXT):
                    return super().send_head()
                body = gzip.compress(path.read_bytes(), 6, mtime=0)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return _Body(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/repo/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        chunk, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return chunk

    def close(self) -> None:
        pass
