"""Benchmarks for the build, recorded as ratios to a floor measured in the same run.

    .venv/bin/python bench/run.py [--runs 5]      # writes bench/RESULTS.md

The floor is plain `mkdocs build` of the same generated docs/ (what any MkDocs site pays), one
build per language.
Scenarios, each the median of --runs runs on a copy of the default explainer:
cold build (empty project cache), warm build (nothing changed), rebuild after editing one
section, rebuild after editing one CSV row, and `check`. Also: peak memory, time per chart,
and the bytes (gzip) each page transfers before any interaction.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.weights import page_weights  # noqa: E402  (the tests keep the same budget with it)


def adopt_orphans() -> None:
    """Linux: become the child subreaper, so that processes a command leaves behind (the chart
    workers' forkserver and the workers it forked) are reaped here and their CPU time counted."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass  # elsewhere the CPU column counts the processes the command waits for


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds, peak resident memory (KiB) and CPU seconds (user+sys) of one command and every
    process it started (a loaded machine stretches wall time; CPU time much less)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    while True:  # what it left running (the forkserver ends once the build has gone)
        try:
            os.wait()
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, usage.ru_maxrss, cpu


def scenario(name, runs, prepare, cmd, root):
    times, peak, cpus = [], 0, []
    for i in range(runs):
        prepare(i)
        seconds, rss, cpu = timed(cmd, root)
        times.append(seconds)
        cpus.append(cpu)
        peak = max(peak, rss)
    return name, statistics.median(times), peak, times, statistics.median(cpus)


def chart_times() -> list[tuple[str, float]]:
    """Seconds per chart: its code, then its rendering (the engine already started)."""
    from explainer.charts import chartfile, compile as charts_compile
    from explainer.charts import render as charts
    from explainer.data import load as data
    from explainer.common.problems import Collector

    problems = Collector(REPO)
    package = data.load(REPO, problems)
    sources = chartfile.discover(REPO, problems)
    charts.warm_up()
    out = []
    for slug, source in sources.items():
        started = time.perf_counter()
        built = charts_compile._build_spec(source, package, problems)
        charts._render_spec(source, *built)
        out.append((slug, time.perf_counter() - started))
    return out


STAGES = [
    ("data", "load", "validate the data package"),
    ("figures", "load", "compute the figures"),
    ("", "_draw_charts", "run and draw the charts (workers)"),
    ("pages", "render", "render the pages"),
    ("spelling", "finish", "wait for the spelling check"),
    ("site", "sync_docs", "write docs/"),
    ("site", "finish_build", "wait for mkdocs build (every language) + swap into site/"),
]


def profile_child(root: Path) -> None:
    """In a fresh interpreter: a cold build of ROOT, timed stage by stage (printed as JSON)."""
    import json

    started = time.perf_counter()
    from explainer import pipeline

    spent = {"import the generator (pandas, Frictionless, Jinja2...)": time.perf_counter() - started}
    for module, name, label in STAGES:
        mod = getattr(pipeline, module) if module else pipeline
        original = getattr(mod, name)

        def timed_stage(*a, _f=original, _label=label, **k):
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                spent[_label] = spent.get(_label, 0) + time.perf_counter() - t

        setattr(mod, name, timed_stage)
    t = time.perf_counter()
    pipeline.build(root)
    spent["total build (after imports)"] = time.perf_counter() - t
    print(json.dumps(spent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_child:
        return profile_child(args.profile_child)
    py = sys.executable
    adopt_orphans()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "explainer"
        root.mkdir()
        for name in ("content", "charts", "mkdocs.yml"):
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
        build = [py, str(REPO / "build.py"), "--root", str(root)]
        subprocess.run(build, check=True, capture_output=True)  # user-level Vega bundle cache, once
        section = root / "content" / "01-the-patrol.md"
        csv = root / "charts" / "data" / "uk_arrivals_by_month.csv"
        section_text, csv_text = section.read_text(), csv.read_text()

        def cold(i):
            for d in ("site", "docs", ".cache"):
                shutil.rmtree(root / d, ignore_errors=True)

        def nothing(i):
            pass

        def edit_section(i):
            section.write_text(section_text + f"\nAn added sentence, version {i}.\n")

        def edit_row(i):  # January 2021's people count, nudged by 1 or 2: a change on every run
            lines = csv_text.splitlines()
            idx = next(n for n, line in enumerate(lines) if line.startswith("2021-01,"))
            cells = lines[idx].split(",")
            cells[1] = str(int(cells[1]) + i % 2 + 1)
            lines[idx] = ",".join(cells)
            csv.write_text("\n".join(lines) + "\n")

        results = []
        results.append(scenario("cold build (empty project cache)", args.runs, cold, build, root))
        results.append(scenario("warm build (nothing changed)", args.runs, nothing, build, root))
        results.append(scenario("rebuild after editing one section", args.runs, edit_section, build, root))
        results.append(scenario("rebuild after editing one CSV row", args.runs, edit_row, build, root))
        csv.write_text(csv_text)
        section.write_text(section_text)
        subprocess.run(build, check=True, capture_output=True)
        results.append(scenario("check", args.runs, nothing, [py, str(REPO / "build.py"), "check", "--root", str(root)], root))
        floor_site = Path(tmp) / "floor"
        # Each language is its own MkDocs site (French first: the main site carries it under fr/).
        configs = sorted((root / ".cache" / "explainer").glob("mkdocs-*.yml")) + [root / ".mkdocs.generated.yml"]
        mkdocs = " && ".join(f"{py} -m mkdocs build --quiet -f {c} -d {floor_site / c.stem}" for c in configs)
        floor = scenario(
            f"floor: mkdocs build of the same docs/ ({len(configs)} languages)",
            args.runs,
            lambda i: shutil.rmtree(floor_site, ignore_errors=True),
            ["sh", "-c", mkdocs],
            root,
        )
        # The same explainer in its main language only, against its own floor: what the ratio is
        # without a second language's site to build alongside.
        single = Path(tmp) / "single"
        shutil.copytree(root, single, ignore=shutil.ignore_patterns("site", "docs", ".cache"))
        shutil.rmtree(single / "content" / "fr")
        import yaml

        settings = yaml.safe_load((single / "mkdocs.yml").read_text(encoding="utf-8"))
        settings.pop("languages", None)
        (single / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        single_build = [py, str(REPO / "build.py"), "--root", str(single)]
        results.append(
            scenario(
                "cold build, main language only (empty project cache)",
                args.runs,
                lambda i: [shutil.rmtree(single / d, ignore_errors=True) for d in ("site", "docs", ".cache")],
                single_build,
                single,
            )
        )
        single_floor = scenario(
            "floor, main language only: mkdocs build of its docs/",
            args.runs,
            lambda i: shutil.rmtree(floor_site, ignore_errors=True),
            [py, "-m", "mkdocs", "build", "--quiet", "-f", str(single / ".mkdocs.generated.yml"), "-d", str(floor_site)],
            single,
        )
        weights = page_weights(root / "site")
        cold(0)
        profile = json.loads(
            subprocess.run([py, __file__, "--profile-child", str(root)], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        )
    per_chart = chart_times()

    out = [
        "# Benchmark results",
        "",
        f"Measured with `.venv/bin/python bench/run.py --runs {args.runs}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; median of {args.runs} runs each. "
        "Ratios are to the floor measured in the same run. CPU: user+sys seconds of the command and every "
        f"process it started (median). Load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| scenario | median s | ratio to floor | CPU s | CPU ratio | peak memory MiB | runs (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, med, peak, times, cpu in results + [floor, single_floor]:
        own = single_floor if "main language only" in name else floor  # each against its own floor
        out.append(
            f"| {name} | {med:.2f} | {med / own[1]:.2f}× | {cpu:.2f} | {cpu / own[4]:.2f}× | {peak / 1024:.0f} | {', '.join(f'{t:.2f}' for t in times)} |"
        )
    out += [
        "",
        "The explainer is built in English and French. The floor builds the two MkDocs sites one after the "
        "other, as plain MkDocs would; the generator draws the charts of both languages in a pool of worker "
        "processes and runs the two `mkdocs build` at once, so a cold build overlaps them. The main-language-only rows give the "
        "ratio with nothing to overlap.",
        "",
        "## Where a cold build's time goes",
        "",
        "One cold build in a fresh interpreter, timed stage by stage in the main process (`bench/run.py "
        "--profile-child`). The chart workers (one per core, forked from a forkserver that preloads Altair and "
        "vl-convert) start their engines while the data is checked, then draw one chart in one language each at "
        "a time; the two `mkdocs build` run as concurrent subprocesses.",
        "",
        "| stage | seconds |",
        "|---|---|",
    ]
    out += [f"| {stage} | {sec:.2f} |" for stage, sec in profile.items()]
    out += ["", "## Render time per chart (engine already started)", "", "| chart | seconds |", "|---|---|"]
    out += [f"| {slug} | {sec:.3f} |" for slug, sec in per_chart]
    out += [
        "",
        "## Bytes transferred per page before any interaction (gzip)",
        "",
        "HTML plus the CSS and scripts it loads; the Vega runtime and chart specs load only when a chart nears the viewport.",
        "",
        "| page | KB |",
        "|---|---|",
    ]
    out += [f"| {page} | {b / 1024:.1f} |" for page, b in weights]
    results = REPO / "bench" / "RESULTS.md"
    (results).write_text("\n".join(out) + "\n" + kept_sections(results, out), encoding="utf-8")
    print("\n".join(out))


def kept_sections(results: Path, out: list[str]) -> str:
    """The sections of RESULTS.md this script does not write (Lighthouse, readers, ...), kept as they
    were, so that a benchmark run does not erase figures measured by other commands."""
    ours = {line for line in out if line.startswith("## ")}
    text = results.read_text(encoding="utf-8") if results.is_file() else ""
    sections = text.split("\n## ")[1:]
    return "".join(f"\n## {section.rstrip()}\n" for section in sections if f"## {section.splitlines()[0]}" not in ours)


if __name__ == "__main__":
    main()
