"""Where a page's main-thread time goes, the way Lighthouse's mobile run sees it: a Chromium
performance trace (devtools.timeline) at a 412 px viewport with the CPU slowed 4x, summed by
kind of work (script by file, style, layout, paint, parsing), and the number of restyles of
the whole page (a count the load does not change). Compare totals taken in the same
run (ratios): on a loaded machine the absolute times are noisy.

    .venv/bin/python bench/trace.py SITE_DIR /figures/ [/the-statistics/ ...] [--runs N] [--save DIR]
"""

from __future__ import annotations

import collections
import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lighthouse import GzipHandler  # noqa: E402  (served as Lighthouse is: gzip like GitHub Pages)

CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing,loading"
# Kinds of work as DevTools names them; anything else counts as "other".
KIND = {
    "UpdateLayoutTree": "style",
    "RecalculateStyles": "style",
    "ParseAuthorStyleSheet": "style",
    "Layout": "layout",
    "Paint": "paint",
    "PrePaint": "paint",
    "Layerize": "paint",
    "UpdateLayer": "paint",
    "ParseHTML": "parse html",
    "EvaluateScript": "script",
    "FunctionCall": "script",
    "v8.compile": "script",
    "v8.compileModule": "script",
    "TimerFire": "script",
    "EventDispatch": "script",
    "FireAnimationFrame": "script",
    "RunMicrotasks": "script",
    "v8.evaluateModule": "script",
    "GCEvent": "gc",
    "MajorGC": "gc",
    "MinorGC": "gc",
    "V8.GC_SCAVENGER": "gc",
}


def main_thread(events: list[dict]) -> tuple[int, int]:
    names = {(e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"}
    # The page's renderer is the one with the most complete events on its main thread.
    counts = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) in names)
    return counts.most_common(1)[0][0]


def self_times(events: list[dict]) -> dict[str, float]:
    """Self time (ms) per kind of work on the main thread, script split by file; the main
    thread's total; and the long tasks' excess over 50 ms (Lighthouse's total blocking time,
    without its first-contentful-paint to interactive window)."""
    pid, tid = main_thread(events)
    spans = sorted(
        (e for e in events if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid and "dur" in e),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    totals: collections.Counter[str] = collections.Counter()
    stack: list[list] = []  # [event, kind, children's time]
    tasks = []

    def close(item):
        e, kind, kids = item
        totals[kind] += e["dur"] - kids

    for e in spans:
        while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= e["ts"]:
            close(stack.pop())
        name = e["name"]
        parent_kind = stack[-1][1] if stack else "other"
        kind = KIND.get(name)
        if kind == "script":
            url = e.get("args", {}).get("data", {}).get("url", "")
            kind = "script " + url.rsplit("/", 1)[-1].split("?")[0] if url else (parent_kind if parent_kind.startswith("script") else "script ?")
        elif kind is None:
            kind = parent_kind if stack else "other"
        if stack:
            stack[-1][2] += e["dur"]
        else:
            tasks.append(e["dur"])
        stack.append([e, kind, 0])
    while stack:
        close(stack.pop())
    result = {k: v / 1000 for k, v in totals.items()}
    # Restyles of (nearly) every element: a count, which the machine's load does not change.
    counts = [e.get("args", {}).get("elementCount", 0) for e in spans if e["name"] == "UpdateLayoutTree"]
    result["full restyles (count)"] = sum(1 for c in counts if counts and c >= 0.9 * max(counts))
    result["TOTAL main thread"] = sum(tasks) / 1000
    result["long-task excess over 50 ms"] = sum(max(0, d / 1000 - 50) for d in tasks)
    return result


def trace(browser, url: str, save: Path | None) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    events: list[dict] = []
    done = threading.Event()
    cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    cdp.on("Tracing.tracingComplete", lambda p: done.set())
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    page.goto(url, wait_until="load")
    page.wait_for_timeout(3000)  # the work after load: Material's bundle, the search worker, charts.js
    cdp.send("Tracing.end")
    while not done.is_set():
        page.wait_for_timeout(100)
    context.close()
    if save:
        save.mkdir(parents=True, exist_ok=True)
        (save / (url.rstrip("/").rsplit("/", 1)[-1] or "home")).with_suffix(".json").write_text(json.dumps({"traceEvents": events}))
    return self_times(events)


def main() -> None:
    args = [a for a in sys.argv[1:]]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    save = Path(args[args.index("--save") + 1]) if "--save" in args else None
    positional = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] not in ("--runs", "--save"))]
    site, pages = Path(positional[0]).resolve(), positional[1:] or ["/figures/"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for page in pages:
                samples = [trace(browser, base + page, save) for _ in range(runs)]
                keys = sorted({k for s in samples for k in s}, key=lambda k: -statistics.median(s.get(k, 0) for s in samples))
                print(f"## {page} (median of {runs}, ms, CPU x4)")
                for k in keys:
                    med = statistics.median(s.get(k, 0) for s in samples)
                    if med >= 5 or k.endswith("(count)"):
                        print(f"  {k:40s} {med:8.0f}")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
