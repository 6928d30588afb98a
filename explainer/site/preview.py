"""The live preview's web server and site builder (`build.py serve`).

`mkdocs serve` injects its live-reload code as an inline <script>, which the pages' own
Content-Security-Policy (postbuild.py: inline scripts by hash only) refuses to run, and it notices
changes by polling docs/ every half second. The preview does both itself instead:

- Each version of the site is built into a fresh folder by MkDocs' command line, forked from a
  server that imported MkDocs once (warm.py), with the theme's templates compiled once
  (hooks/preview.py gives Jinja a bytecode cache). When only pages changed, the new folder starts
  as a copy of the live one and `mkdocs build --dirty` rebuilds just those pages; the search index
  is merged so that it is the one a full build writes. The server switches to the new folder only
  once it is complete, so a half-built site is never served.
- Every HTML page is served with two extra tags in its <head>: `<meta name="explainer-preview">`
  naming the version it belongs to, and `<script src="/__explainer__/livereload.js">`, a file
  from the site's own address, which the policy's `script-src 'self'` allows. The published
  site's policy is not changed at all. The script asks `/__explainer__/reload?since=VERSION&page=PATH`,
  which answers as soon as a newer version of that page is live (or after 25 s, and it asks
  again), then reloads the page: no polling interval stands between the swap and the reload.
  The main language goes live first; the other languages' sites (fr/...) are then swapped in
  (`add`) as a version of their pages only, so an open page reloads once per change to it.
- Pages are never kept by the browser; assets (CSS, JavaScript, images) carry an ETag of their
  bytes and are answered 304 Not Modified while unchanged, so a reloaded page reuses them (and
  the code the browser compiled from them) instead of fetching them again.

MkDocs is driven only through its command line, as for publishing (site/mkdocs.py)."""

from __future__ import annotations

import hashlib
import http.server
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from ..common import stop
from . import dirty

LIVERELOAD_JS = Path(__file__).parent / "preview" / "livereload.js"
PREFIX = "/__explainer__/"
POLL_SECONDS = 25  # a waiting request is answered after this long even if nothing changed
log = logging.getLogger("explainer.serve")
KEEP = 3  # site folders kept: the live one and the two before (pages still loading their assets)


class Site:
    """The live version of the preview: a folder of built HTML and a version string that
    changes with every build. Waiting requests are woken when it changes."""

    def __init__(self, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="preview-", dir=workdir))
        self.folder: Path | None = None
        self.version = "0"
        self.parts: dict[str, str] = {}  # another language's folder (fr/) -> the version its pages belong to
        self.digest = ""  # inputs_digest of the live folder's build
        self.config_file: Path | None = None  # the configuration the live version was built with
        self.dirty = False  # whether the last build updated the previous one in place (--dirty)
        self.timings: dict[str, float] = {}  # seconds per step of the last build, for serve's debug log
        self.published = 0.0  # when the live version went live (perf_counter), for serve's debug log
        self._count = 0
        self._changed = threading.Condition()
        self._old: list[Path] = []

    def build(self, config_file: Path, docs: Path, cwd: Path, env: dict[str, str]) -> list[str] | None:
        """Build the site with MkDocs' command line into a new folder and make it live. Returns
        MkDocs' warnings, or None if the build failed (the previous version stays live).

        When the configuration and the set of docs/ files are those of the live version, the new
        folder starts as a copy of it (modification times kept) and `mkdocs build --dirty` rebuilds
        only the pages whose docs/ file is newer than their HTML; the search index is then merged."""
        from . import engine, postbuild

        self._count += 1
        folder = self.workdir / f"v{self._count}"
        clock = time.perf_counter()
        digest = dirty.inputs_digest(config_file, docs)
        index = dirty.start(self.folder, folder, digest, self.digest)
        self.dirty = index is not None
        self.timings = {"copy": time.perf_counter() - clock}
        clock = time.perf_counter()
        argv = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config_file), "--site-dir", str(folder)]
        proc = engine.start_command(argv + (["--dirty"] if self.dirty else []), cwd, env)
        try:
            _, stderr = stop.wait_for(proc, communicate=True)
        except BaseException:  # stopped: no MkDocs run outlives the preview
            proc.kill()
            proc.wait()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self.timings["mkdocs"] = time.perf_counter() - clock
        messages = [line.strip() for line in dirty.without_notice(stderr).splitlines() if line.startswith(("WARNING", "ERROR"))]
        if proc.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            tail = stderr.strip().splitlines()[-1:] or ["no output"]
            for m in messages or [f"ERROR: MkDocs could not build the preview (exit code {proc.returncode}): {tail[0]}"]:
                print(m, flush=True)
            return None
        clock = time.perf_counter()
        if index is not None and not dirty.finish(folder, index):  # a page's place in the index is unknown: build it whole
            shutil.rmtree(folder, ignore_errors=True)
            self.digest = ""
            return self.build(config_file, docs, cwd, env)
        # the published policy; pages kept from the last version have theirs and are skipped
        messages += [f"ERROR: {m}" for m in postbuild.finish(folder, engine.templates("mkdocs"))]
        self.timings["postbuild"] = time.perf_counter() - clock
        self.digest, self.config_file = digest, config_file
        self.publish(folder)
        return messages

    def add(self, files: dict[str, bytes], prefixes: list[str], docs: Path) -> None:
        """Replace the `prefixes` folders (the other languages' built sites, fr/...) of the live
        version with `files`, in a copy that then goes live. The main build would copy them from
        docs/ unchanged: `docs` already holds them, and the next update in place starts from here."""
        if self.folder is None:
            return
        self._count += 1
        folder = self.workdir / f"v{self._count}"
        shutil.copytree(self.folder, folder, symlinks=True)  # copy2: modification times kept, which --dirty compares
        for prefix in prefixes:
            shutil.rmtree(folder / prefix, ignore_errors=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if self.digest and self.config_file is not None:
            self.digest = dirty.inputs_digest(self.config_file, docs)  # the names of the docs/ files changed with them
        self.publish(folder, prefixes)

    def version_of(self, path: str) -> str:
        """The version a page at `path` belongs to: the other languages' pages change only when
        their sites are swapped in (add), so a page open in one language reloads once per change
        to it, and not when another language's site is swapped in."""
        for prefix, version in self.parts.items():
            if path.lstrip("/").startswith(prefix):
                return version
        return self.version

    def publish(self, folder: Path, prefixes: list[str] | None = None) -> None:
        """Make `folder` live: as a new version of every page, or of the pages under `prefixes` only."""
        with self._changed:
            if self.folder is not None:
                self._old.append(self.folder)
            self.folder, version = folder, f"{os.getpid()}.{self._count}"
            if prefixes is None:
                self.version = version
            else:
                self.parts.update(dict.fromkeys(prefixes, version))
            self.published = time.perf_counter()
            self._changed.notify_all()
        while len(self._old) > KEEP - 1:
            shutil.rmtree(self._old.pop(0), ignore_errors=True)

    def wait_newer(self, since: str, page: str = "/", timeout: float = POLL_SECONDS) -> str:
        with self._changed:
            self._changed.wait_for(lambda: self.version_of(page) != since, timeout=timeout)
            return self.version_of(page)

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

    etag = ""  # of the file being answered: the browser may keep it, and asks again each time

    def end_headers(self):
        if self.etag:  # an asset: the browser keeps it (and the code it compiled from it) and checks it is current
            self.send_header("ETag", self.etag)
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Cache-Control", "no-store")  # a reload always gets the live version
        super().end_headers()

    def do_GET(self):
        self.etag = ""
        path = urllib.parse.urlsplit(self.path)
        if path.path == PREFIX + "reload":
            query = urllib.parse.parse_qs(path.query)
            since, page = query.get("since", [""])[0], query.get("page", ["/"])[0]
            live = self.site.wait_newer(since, page)
            self._send(200, live.encode(), "text/plain; charset=utf-8")
            if live != since:
                log.debug("reload sent to a page %.3f s after the version went live", time.perf_counter() - self.site.published)
            return None
        if path.path == PREFIX + "livereload.js":
            return self._send(200, LIVERELOAD_JS.read_bytes(), "text/javascript; charset=utf-8")
        folder, version = self.site.folder, self.site.version_of(path.path)  # one version for the whole request
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
        elif status == 200:
            self.etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            if self.headers.get("If-None-Match") == self.etag:
                return self._send(304, b"", None)
        return self._send(status, body, self.guess_type(str(file)))

    def _file(self, folder: Path, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            return None
        target = folder.joinpath(*parts)
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _send(self, status: int, body: bytes, content_type: str | None):
        self.send_response(status)
        if content_type is not None:  # not for 304 Not Modified
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
