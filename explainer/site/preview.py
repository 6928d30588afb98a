"""The live preview's web server and site builder (`build.py serve`).

`mkdocs serve` injects its live-reload code as an inline <script>, which the pages' own
Content-Security-Policy (postbuild.py: inline scripts by hash only) refuses to run, and it notices
changes by polling docs/ every half second. The preview does both itself instead:

- MkDocs stays loaded in this process (as `mkdocs serve` keeps it) and builds each version of the
  site into a fresh folder, with the theme's templates compiled once (hooks/preview.py gives
  Jinja a bytecode cache); the server switches to the new folder only once it is complete, so a
  half-built site is never served.
- Every HTML page is served with two extra tags in its <head>: `<meta name="explainer-preview">`
  naming the version it belongs to, and `<script src="/__explainer__/livereload.js">`, a file
  from the site's own address, which the policy's `script-src 'self'` allows. The published
  site's policy is not changed at all. The script asks `/__explainer__/reload?since=VERSION`,
  which answers as soon as a newer version is live (or after 25 s, and it asks again), then
  reloads the page.

This is the one place that imports MkDocs (`mkdocs.config.load_config` and
`mkdocs.commands.build.build`, the two calls `mkdocs serve` itself makes); builds for publishing
still run it as a command (site/mkdocs.py)."""

from __future__ import annotations

import http.server
import logging
import os
import shutil
import sys
import tempfile
import threading
import urllib.parse
from pathlib import Path

LIVERELOAD_JS = Path(__file__).parent / "preview" / "livereload.js"
PREFIX = "/__explainer__/"
POLL_SECONDS = 25  # a waiting request is answered after this long even if nothing changed
KEEP = 3  # site folders kept: the live one and the two before (pages still loading their assets)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


class Site:
    """The live version of the preview: a folder of built HTML and a version string that
    changes with every build. Waiting requests are woken when it changes."""

    def __init__(self, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="preview-", dir=workdir))
        self.folder: Path | None = None
        self.version = "0"
        self._count = 0
        self._changed = threading.Condition()
        self._old: list[Path] = []

    def build(self, config_file: Path, serve_url: str) -> list[str] | None:
        """Build the site with MkDocs into a new folder and make it live. Returns MkDocs' warnings,
        or None if the build failed (the previous version stays live)."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        self._count += 1
        folder = self.workdir / f"v{self._count}"
        log = logging.getLogger("mkdocs")
        collect = _Collect()
        log.addHandler(collect)
        previous_level, log.propagate = log.level, False
        log.setLevel(logging.WARNING)
        try:
            config = load_config(config_file=str(config_file), site_dir=str(folder))
            config.site_url = serve_url
            build(config, serve_url=serve_url)
        except Exception as e:  # a theme or plugin error: keep serving the last good version
            collect.messages.append(f"ERROR: MkDocs could not build the preview: {type(e).__name__}: {e}")
            shutil.rmtree(folder, ignore_errors=True)
            for m in collect.messages:
                print(m, flush=True)
            return None
        finally:
            log.removeHandler(collect)
            log.setLevel(previous_level)
        from . import engine, postbuild

        collect.messages += [f"ERROR: {m}" for m in postbuild.finish(folder, engine.templates("mkdocs"))]  # the published policy
        self.publish(folder)
        return collect.messages

    def publish(self, folder: Path) -> None:
        with self._changed:
            if self.folder is not None:
                self._old.append(self.folder)
            self.folder, self.version = folder, f"{os.getpid()}.{self._count}"
            self._changed.notify_all()
        while len(self._old) > KEEP - 1:
            shutil.rmtree(self._old.pop(0), ignore_errors=True)

    def wait_newer(self, since: str, timeout: float = POLL_SECONDS) -> str:
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout=timeout)
            return self.version

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def inject(html: bytes, version: str) -> bytes:
    """The two tags that make a served page reload itself when a newer version is live."""
    tags = (f'<meta name="explainer-preview" content="{version}"><script src="{PREFIX}livereload.js" defer></script>').encode()
    at = html.find(b"</head>")
    return html[:at] + tags + html[at:] if at >= 0 else tags + html


class _Handler(http.server.SimpleHTTPRequestHandler):
    site: Site  # set on the subclass the server makes

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always gets the live version
        super().end_headers()

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path)
        if path.path == PREFIX + "reload":
            since = urllib.parse.parse_qs(path.query).get("since", [""])[0]
            return self._send(200, self.site.wait_newer(since).encode(), "text/plain; charset=utf-8")
        if path.path == PREFIX + "livereload.js":
            return self._send(200, LIVERELOAD_JS.read_bytes(), "text/javascript; charset=utf-8")
        folder, version = self.site.folder, self.site.version  # one version for the whole request
        if folder is None:
            return self._send(503, b"The preview is being built; this page reloads by itself.", "text/plain; charset=utf-8")
        file = self._file(folder, urllib.parse.unquote(path.path))
        if file is not None and file.name == "index.html" and not path.path.endswith(("/", "index.html")):
            self.send_response(302)  # pages/ links are relative to the folder
            self.send_header("Location", path.path + "/")
            self.end_headers()
            return None
        status = 200
        if file is None:
            status, file = 404, folder / "404.html"
            if not file.is_file():
                return self._send(404, b"Not found", "text/plain; charset=utf-8")
        body = file.read_bytes()
        if file.suffix == ".html":
            body = inject(body, version)
        return self._send(status, body, self.guess_type(str(file)))

    def _file(self, folder: Path, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            return None
        target = folder.joinpath(*parts)
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _send(self, status: int, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, port: int):
        handler = type("Handler", (_Handler,), {"site": site})
        super().__init__(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that left mid-answer is not an error
            super().handle_error(request, client_address)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
