"""Live preview: `python build.py serve`. Saving a file in content/ or charts/ (prose, chart
code or data) re-checks the inputs, re-renders only the charts whose inputs changed (the chart
cache), writes only the docs/ files whose bytes changed, rebuilds the site with MkDocs kept
warm (site/warm.py: forked per build from a server that imported it; only the changed pages when
nothing else changed, site/preview.py), and every open page reloads itself (site/preview.py: a script served from the preview's
own address, which the pages' Content-Security-Policy allows; the published site's policy is
unchanged). A broken input shows its problems in the terminal and at the top of every page,
which reloads by itself; the server keeps running. Nothing is rebuilt in a loop: only inputs are
watched, and outputs are written only when they change. The chart workers (charts/pool.py) stay
up, their engines warm, from one rebuild to the next; other languages' sites are built by
`mkdocs build` as in a build, forked from the same warm server, once the main language is live,
then swapped in. `serve -v` logs each step's time, from the saved file's mtime to the reload sent."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path

from ..site import mkdocs as site
from ..pipeline import prepare
from ..charts import pool as chart_pool
from ..site import preview as live
from ..common import stop
from ..common.memo import Memo
from ..common.problems import Collector, Problems
from ..site import warm

log = logging.getLogger("explainer.serve")  # per-step timings of each rebuild: `serve -v`

WATCHED = ("content", "charts", "mkdocs.yml")
QUIET_SECONDS = 0.05  # an editor's save is a burst of events (write, rename, several files): wait until it stops
PREVIEW_HOOK = str(Path(site.__file__).parent / "hooks" / "preview.py")


def _is_input(path: str) -> bool:
    """Only the editor's inputs trigger a rebuild; never docs/, site/ or caches (that would loop)."""
    parts = Path(path).parts
    if not parts or parts[0] not in WATCHED:
        return False
    return not any(p == "__pycache__" or p.startswith(".") for p in parts) and not path.endswith(("~", ".swp", ".tmp"))


def problems_page(problems: list, previous: dict | None) -> dict[str, str]:
    """The pages to show while the input is broken: the last good pages, each with the problems on top."""
    listing = "\n".join(f"    {p}" for p in problems)
    banner = f'!!! failure "The preview is out of date: fix these problems and save"\n\n{listing}\n\n'
    if not previous:
        return {"index.md": f"---\ntitle: Problems\n---\n\n# Problems\n\n{banner}"}
    pages = {}
    for name, content in previous.items():
        if not name.endswith(".md"):
            continue
        text = content if isinstance(content, str) else content.decode("utf-8")
        head, sep, body = text.partition("\n---\n\n") if text.startswith("---\n") else ("", "", text)
        pages[name] = f"{head}{sep}{banner}{body}" if sep else banner + text
    return pages


class Preview:
    def __init__(self, root: Path, strict: bool = False, port: int = 8000):
        self.root, self.strict = root, strict
        self.last_good: dict | None = None  # the main language's docs/ files of the last sound input
        self.others: dict = {}  # other languages' built sites (fr/...), as last built
        self.config: dict | None = None
        self.memo = Memo()  # the data package and figures, kept while their files do not change
        self.site = live.Site(root / site.GENERATED / "preview")
        self.serve_url = f"http://127.0.0.1:{port}/"
        # as a build's (site/mkdocs.py start_build): dates from the commit, a fixed hash seed
        self.saved_at: float | None = None  # the saved file's modification time (time.time), for `serve -v`
        self.env = {**os.environ, "SOURCE_DATE_EPOCH": site.source_date_epoch(root), "PYTHONHASHSEED": "0"}

    def rebuild(self) -> bool:
        started = time.perf_counter()
        try:
            # codespell starts a process of its own (~0.3 s): the preview checks spelling once the
            # page is live, unless warnings are errors (--strict), when it must block the preview.
            prepared = prepare(self.root, self.strict, spell=self.strict, memo=self.memo)
            log.debug("checked and composed the docs in %.3f s", time.perf_counter() - started)
        except Problems as e:
            for p in e.problems:
                print(p, file=sys.stderr)
            print(f"{len(e.problems)} problem(s); the preview shows them on every page.", file=sys.stderr, flush=True)
            files = {**(self.last_good or {}), **self.others}
            files.update(problems_page(e.problems, self.last_good))
            site.sync_docs(self.root / "docs", files)
            if self.config is None:
                self.config = {
                    "site_name": "Preview",
                    "docs_dir": str(self.root / "docs"),
                    "theme": {"name": "material", "font": False},
                    "markdown_extensions": ["admonition"],
                }
            self._publish(started, "Problems shown")
            return False
        for w in prepared.gathered.warnings:
            print(w, file=sys.stderr)
        # The main language goes live first, with the other languages' sites as last built (fr/...
        # in docs/ is left as it is); they are then built and swapped in (_other_languages).
        prefixes = [loc.language.prefix for loc in prepared.gathered.languages[1:]]
        clock = time.perf_counter()
        written = site.sync_docs(self.root / "docs", prepared.files, keep=prefixes)
        log.debug("docs/ written in %.3f s", time.perf_counter() - clock)
        self.config, self.last_good = prepared.config, prepared.files
        charts = prepared.gathered.charts
        rendered = sum(1 for c in charts.values() if not c.cached)
        self._publish(started, "Preview updated", f": {rendered} chart(s) rendered, {len(charts) - rendered} from cache, {written} file(s) changed")
        ok = self._other_languages(prepared, prefixes)
        if not self.strict:
            self._spelling(prepared)
        return ok

    def _other_languages(self, prepared, prefixes: list[str]) -> bool:
        """Build the other languages' sites (only those whose docs changed: Prepared.other_languages)
        and, if one changed, put them in a copy of the live site, which goes live: the main site's
        MkDocs run copies them from docs/ as they are (and its post-build step skips pages that
        carry the policy), so the result is the site a single build writes. Until then, the other
        languages' pages show their last build, which is all that differs."""
        if not prefixes:
            return True
        clock = time.perf_counter()
        problems = Collector(self.root)
        others = prepared.other_languages(problems, update=True)  # served as built pages under fr/ etc.
        log.debug("other languages' sites in %.3f s", time.perf_counter() - clock)
        if others is None:
            for p in problems.items:
                print(p, file=sys.stderr)
            print(f"{len(problems.items)} problem(s) in another language's site; its pages keep their last good build.", file=sys.stderr, flush=True)
            return False
        site.sync_docs(self.root / "docs", {**prepared.files, **others})
        if others != self.others:
            self.site.add(others, prefixes, self.root / "docs")
            print(f"Other languages updated in {time.perf_counter() - clock:.2f} s.", flush=True)
        self.others = others
        return True

    def _spelling(self, prepared) -> None:
        from ..pages import spelling
        from ..pipeline import spelled_files

        langs = [loc.language for loc in prepared.gathered.languages]
        files = spelled_files(langs, {loc.language.code: loc.pages for loc in prepared.gathered.languages})
        problems = Collector(self.root)
        spelling.finish(spelling.start(self.root, files), problems)
        for p in problems.items:
            print(p, file=sys.stderr, flush=True)

    def _publish(self, started: float, what: str, detail: str = "") -> None:
        """Build the site from docs/ with MkDocs (kept warm) and make it live: open pages reload."""
        config = dict(self.config or {})  # set before any publish
        hooks = list(config.get("hooks") or [])
        config["hooks"] = hooks + [PREVIEW_HOOK]
        config["site_url"] = self.serve_url  # canonical links and the sitemap point at the preview
        path = site.write_config(self.root, config, "mkdocs-preview.yml", beside_docs=False)
        prepared_in = time.perf_counter() - started
        messages = self.site.build(path, self.root / "docs", self.root, self.env)
        log.debug("MkDocs (%s): %s", "--dirty" if self.site.dirty else "full", ", ".join(f"{k} {v:.3f} s" for k, v in self.site.timings.items()))
        for m in messages or []:
            print(m, file=sys.stderr)
        if messages is None:
            print("The preview keeps its last good version.", file=sys.stderr, flush=True)
            return
        if self.saved_at is not None:
            log.debug("live %.3f s after the file's mtime", time.time() - self.saved_at)
        print(
            f"{what} in {time.perf_counter() - started:.2f} s ({prepared_in:.2f} s checking, "
            f"{time.perf_counter() - started - prepared_in:.2f} s MkDocs){detail}.",
            flush=True,
        )


def _log_save(seen: dict[str, float]) -> float:
    """For `serve -v`: how long after the saved file's modification time the watcher saw it, and
    the burst was over; gives the latest modification time (when the editor saved)."""
    now, mtimes = time.time(), []
    for path in seen:
        with contextlib.suppress(OSError):
            mtimes.append(os.stat(path).st_mtime)
    mtime = max(mtimes, default=min(seen.values(), default=now))
    log.debug("save seen %.3f s after the file's mtime, rebuild starts %.3f s after it", min(seen.values(), default=now) - mtime, now - mtime)
    return mtime


def serve(root: Path, port: int = 8000, strict: bool = False, verbose: bool = False) -> int:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    if verbose:
        logging.basicConfig(format="%(relativeCreated)9.0f ms %(message)s")
        logging.getLogger("explainer").setLevel(logging.DEBUG)  # this module's, the stages' and the server's
    warm.start()  # MkDocs and the chart engines imported once, in the background; before any build
    root = root.resolve()
    preview = Preview(root, strict, port)
    try:
        server = live.Server(preview.site, port)
    except OSError as e:
        print(f"build.py serve: cannot listen on 127.0.0.1:{port}: {e.strerror} (choose another with --port)", file=sys.stderr)
        return 2
    changed = threading.Event()
    saved: dict[str, float] = {}  # changed input -> when the watcher saw it (time.time), for `serve -v`

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type not in ("created", "modified", "deleted", "moved"):
                return  # reading a file (opened/closed events) is not a change; the rebuild itself reads them
            paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            inputs = [p for p in paths if p and _is_input(os.path.relpath(p, root))]
            if inputs:
                for p in inputs:
                    saved.setdefault(p, time.time())
                changed.set()

    observer = None
    try:
        preview.rebuild()
        # Watch before serving: an edit saved as soon as the first page is shown must not be missed.
        observer = Observer()
        for name in WATCHED:
            target = root / name
            if target.is_dir():
                observer.schedule(Handler(), str(target), recursive=True)
        observer.schedule(Handler(), str(root), recursive=False)  # mkdocs.yml, and folders created later
        observer.start()
        server.start()
        chart_pool.shared()  # the chart workers start now (in the background), not on the first edit to data
        import frictionless  # the first edit to a CSV validates with it (data/load.py): imported now, not then (~0.5 s)

        frictionless.system.methods  # noqa: B018  # and its plugins found now (~0.1 s; they are looked for on first use)

        print(f"Previewing at {preview.serve_url} (Ctrl-C to stop)", flush=True)
        while True:
            stop.check()  # Ctrl-C, SIGTERM (they only set the stop flag: common/stop.py)
            if not changed.wait(stop.POLL):
                continue
            while True:  # let a burst of saves finish
                changed.clear()
                if not changed.wait(QUIET_SECONDS):
                    break
            preview.saved_at = _log_save(dict(saved))
            saved.clear()
            preview.rebuild()
    except KeyboardInterrupt:  # common.stop.Stopped
        return 0
    finally:
        if observer is not None:
            observer.stop()
        server.stop()
        preview.site.close()
