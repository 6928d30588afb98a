"""Live preview: `python build.py serve`. Saving a file in content/ or charts/ (prose, chart
code or data) re-checks the inputs, re-renders only the charts whose inputs changed (the chart
cache), writes only the docs/ files whose bytes changed, and `mkdocs serve` reloads the browser.
A broken input shows its problems in the terminal and at the top of every page; the server
keeps running. Nothing is rebuilt in a loop: only inputs are watched, and outputs are written
only when they change. The chart workers (charts/pool.py) stay up, their engines warm, from one
rebuild to the next; other languages' sites are built by `mkdocs build` subprocesses."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..site import mkdocs as site
from ..pipeline import prepare
from ..common import stop
from ..common.problems import Collector, Problems

WATCHED = ("content", "charts", "mkdocs.yml")
QUIET_SECONDS = 0.3  # editors save several files at once; wait until saving stops


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
    def __init__(self, root: Path, strict: bool = False):
        self.root, self.strict = root, strict
        self.last_good: dict | None = None
        self.config: dict | None = None

    def rebuild(self) -> bool:
        started = time.perf_counter()
        try:
            prepared = prepare(self.root, self.strict)
        except Problems as e:
            for p in e.problems:
                print(p, file=sys.stderr)
            print(f"{len(e.problems)} problem(s); the preview shows them on every page.", file=sys.stderr, flush=True)
            files = dict(self.last_good or {})
            files.update(problems_page(e.problems, self.last_good))
            site.sync_docs(self.root / "docs", files)
            if self.config is None:
                self.config = {"site_name": "Preview", "docs_dir": str(self.root / "docs"), "theme": {"name": "material", "font": False}}
                site.write_config(self.root, self.config)
            return False
        for w in prepared.gathered.warnings:
            print(w, file=sys.stderr)
        problems = Collector(self.root)
        others = prepared.other_languages(problems)  # served as built pages under fr/ etc.
        if others is None:
            for p in problems.items:
                print(p, file=sys.stderr)
            print(f"{len(problems.items)} problem(s) in another language's site; the preview keeps its last good build.", file=sys.stderr, flush=True)
            return False
        written = site.sync_docs(self.root / "docs", {**prepared.files, **others})
        self.config = prepared.config
        site.write_config(self.root, prepared.config)
        self.last_good = prepared.files
        charts = prepared.gathered.charts
        rendered = sum(1 for c in charts.values() if not c.cached)
        print(f"Preview updated in {time.perf_counter() - started:.1f} s: {rendered} chart(s) rendered, "
              f"{len(charts) - rendered} from cache, {written} file(s) changed.", flush=True)
        return True


def serve(root: Path, port: int = 8000, strict: bool = False) -> int:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    root = root.resolve()
    preview = Preview(root, strict)
    preview.rebuild()
    changed = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type not in ("created", "modified", "deleted", "moved"):
                return  # reading a file (opened/closed events) is not a change; the rebuild itself reads them
            paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            if any(p and _is_input(os.path.relpath(p, root)) for p in paths):
                changed.set()

    observer = Observer()
    for name in WATCHED:
        target = root / name
        if target.is_dir():
            observer.schedule(Handler(), str(target), recursive=True)
    observer.schedule(Handler(), str(root), recursive=False)  # mkdocs.yml, and folders created later
    observer.start()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(root / site.GENERATED / "mkdocs.yml"),
                               "-a", f"127.0.0.1:{port}", "--quiet"], cwd=root)
    print(f"Previewing at http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        while server.poll() is None:
            stop.check()  # Ctrl-C, SIGTERM
            if changed.wait(stop.POLL):
                while changed.is_set():  # let a burst of saves finish
                    changed.clear()
                    time.sleep(QUIET_SECONDS)
                preview.rebuild()
        return server.returncode or 0
    except KeyboardInterrupt:  # common.stop.Stopped
        return 0
    finally:
        observer.stop()
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
