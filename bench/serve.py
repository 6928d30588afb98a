"""Save-to-visible latency of the live preview, in an open Chromium page.

    .venv/bin/python bench/serve.py [--runs 5] [--root DIR]     # writes bench/SERVE.md

On a copy of the default explainer (or --root), each run saves a file and times how long it
takes until an already open page shows the change, without anyone reloading it:

- `build.py serve`, prose: a sentence appended to a section (content/01-...md);
- `build.py serve`, data: one number changed in a CSV, waited for as the figure it prints;
- the floor, plain `mkdocs serve` of the same generated docs/ (its own live reload, with the
  generator's Content-Security-Policy hook left out, since that policy blocks MkDocs' inline
  reload script): the same sentence appended to the generated page in docs/.

Figures are medians of --runs runs, as seconds and as ratios to the floor, with the CPU time
(user + system) the server's process tree spent per edit, from the save until the page showed it
and settled (what the machine's load cannot inflate as it does the seconds).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
LOG = Path(tempfile.gettempdir()) / "explainer-bench-serve.log"  # the preview's output, kept for a failed run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 300, proc=None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text() if log else ''}")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered: {log.read_text() if log else ''}")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants, with the children each
    has waited for (the fork server reaps the builds it forked), from /proc."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))  # ppid; utime stime cutime cstime
    tree, total = {pid}, 0
    for _ in range(10):  # descendants, generation by generation
        tree |= {p for p, (ppid, _) in stats.items() if ppid in tree}
    for p in tree:
        total += stats.get(p, (0, 0))[1]
    return total / os.sysconf("SC_CLK_TCK")


def visible_after(page, save, expected, timeout: float = 60) -> tuple[float, float]:
    """Seconds from save() until the page shows `expected` (a list: the text save() appended), and
    until the browser asked for the reloaded page (the server's part; the rest is the browser's)."""
    asked: list[float] = []

    def on_request(request) -> None:
        if request.is_navigation_request() and not asked:
            asked.append(time.monotonic())

    page.on("request", on_request)
    started = time.monotonic()
    save()
    print(f"saved; waiting for {expected!r}", file=sys.stderr, flush=True)
    text = expected[0] if isinstance(expected, list) else expected
    try:
        page.wait_for_function("t => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout * 1000, polling=10)
    finally:
        page.remove_listener("request", on_request)
    shown = time.monotonic()
    return shown - started, (asked[0] if asked else shown) - started


def settle(page) -> None:
    """Let the page finish loading (and its reload script connect) before the next save."""
    print("settling", file=sys.stderr, flush=True)
    page.wait_for_load_state("load")
    time.sleep(1.0)


def appender(path: Path, text: str):
    def save():
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

    return save


def first_section(root: Path) -> tuple[Path, str]:
    files = sorted(p for p in (root / "content").glob("*.md") if p.name != "index.md")
    path = files[0]
    return path, re.sub(r"^\d+[-_]", "", path.name)[:-3]


def data_edit(root: Path):
    """A figure the first section prints (one row's number, or a sum of rows), and a save that
    adds 1 to a row it reads; gives (figure name, save function, the text it then prints)."""
    import csv as csvlib
    import json

    figures = yaml.safe_load((root / "charts" / "figures.yml").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in json.loads((root / "charts" / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    section, _ = first_section(root)
    for name in re.findall(r"\{\{\s*fig\.([a-z0-9_]+)\s*\}\}", section.read_text(encoding="utf-8")):
        spec = figures.get(name) or {}
        if spec.get("format", "number") != "number" or spec.get("agg", "sum") != "sum":
            continue
        path = root / "charts" / "data" / resources[spec["resource"]]["path"]
        rows = list(csvlib.reader(path.read_text(encoding="utf-8").splitlines()))
        header, field = rows[0], spec["field"]
        matching = [i for i, r in enumerate(rows[1:], 1) if all(r[header.index(k)] == str(v) for k, v in (spec.get("where") or {}).items())]
        if not matching or not all(rows[i][header.index(field)].isdigit() for i in matching):
            continue

        def save(rows=rows, i=matching[0], col=header.index(field), path=path):
            rows[i][col] = str(int(rows[i][col]) + 1)
            with open(path, "w", encoding="utf-8", newline="") as f:
                csvlib.writer(f, lineterminator="\n").writerows(rows)
            return f"{sum(int(rows[j][col]) for j in matching):,}"

        return name, save
    raise SystemExit("no number figure in the first section to change")


def run(root: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    section, slug = first_section(root)
    name, save_data = data_edit(root)
    results: dict[str, list[float]] = {
        k: [] for k in ("prose", "data", "floor", "prose cpu", "data cpu", "floor cpu", "prose asked", "data asked", "floor asked")
    }

    def timed(kind: str, page, save, expected) -> None:
        shown, asked = visible_after(page, save, expected)
        results[kind].append(shown)
        results[f"{kind} asked"].append(asked)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        # build.py serve
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "-v", "--root", str(root), "--port", str(port)],  # -v: each step's time, in LOG
            cwd=REPO,
            env=ENV,
            stdout=open(LOG, "w"),
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/{slug}/"
            wait_http(url, proc=proc, log=LOG)
            page = browser.new_page()
            page.goto(url)
            for i in range(runs):
                settle(page)
                marker = f"Preview bench sentence {i}."
                cpu = tree_cpu(proc.pid)
                timed("prose", page, appender(section, f"\n{marker}\n"), marker)
                settle(page)
                results["prose cpu"].append(tree_cpu(proc.pid) - cpu)
            for i in range(runs):
                settle(page)
                expected: list[str] = []
                cpu = tree_cpu(proc.pid)
                timed("data", page, lambda: expected.append(save_data()), expected)
                settle(page)
                results["data cpu"].append(tree_cpu(proc.pid) - cpu)
        finally:
            proc.terminate()
            proc.wait(30)
        # plain mkdocs serve of the same docs/
        generated = (root / ".mkdocs.generated.yml").read_text(encoding="utf-8")  # docs_dir, site_dir relative to root
        docs = root / "plain-docs"
        shutil.rmtree(docs, ignore_errors=True)
        shutil.copytree(root / "docs", docs)
        floor_cfg = root / "mkdocs-floor.yml"
        floor_cfg.write_text(generated.replace("docs_dir: docs\n", f"docs_dir: {docs.name}\n"), encoding="utf-8")
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(floor_cfg), "-a", f"127.0.0.1:{port}"],
            cwd=root,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/{slug}/"
            wait_http(url)
            page = browser.new_page()
            page.goto(url)
            for i in range(runs):
                settle(page)
                marker = f"Floor bench sentence {i}."
                cpu = tree_cpu(proc.pid)
                timed("floor", page, appender(docs / f"{slug}.md", f"\n{marker}\n"), marker)
                settle(page)
                results["floor cpu"].append(tree_cpu(proc.pid) - cpu)
        finally:
            proc.terminate()
            proc.wait(30)
        browser.close()
    results["figure"] = name
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--root", type=Path, default=None, help="an explainer folder (default: this repository's)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "SERVE.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "explainer"
        source = (args.root or REPO).resolve()
        root.mkdir()
        for name in ("content", "charts", "mkdocs.yml"):
            src = source / name
            if src.is_dir():
                shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, root / name)
        built = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root)], cwd=REPO, env=ENV, capture_output=True, text=True)
        if built.returncode:
            raise SystemExit(built.stderr)
        r = run(root, args.runs)
    floor = statistics.median(r["floor"])
    rows = [
        ("`build.py serve`, prose edit", r["prose"], r["prose cpu"], r["prose asked"]),
        (f"`build.py serve`, CSV edit (figure `{r['figure']}`)", r["data"], r["data cpu"], r["data asked"]),
        ("plain `mkdocs serve`, same docs/ page edited", r["floor"], r["floor cpu"], r["floor asked"]),
    ]
    load = os.getloadavg()[0]
    lines = [
        "# Live preview: save-to-visible latency",
        "",
        f"Written by `bench/serve.py --runs {args.runs}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} when it finished; explainer: "
        f"{'this repository' if args.root is None else args.root}.",
        "Seconds from saving a file until an open Chromium page shows the change by itself (median of the runs; "
        'ratio to the floor, plain `mkdocs serve` of the same generated page); "reload asked": seconds from the save until '
        "the page asked for its new version (the server's share; the rest is the browser loading it).",
        "",
        "| scenario | median s | ratio | runs (s) | reload asked, median s | CPU s per edit (median) |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for label, times, cpu, asked in rows:
        med = statistics.median(times)
        lines.append(
            f"| {label} | {med:.2f} | {med / floor:.2f} | {', '.join(f'{t:.2f}' for t in times)} | {statistics.median(asked):.2f} | {statistics.median(cpu):.2f} |"
        )
    lines.append("")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
