"""Scale benchmark: how build time and memory grow with the rows of one CSV and the number of charts.

    .venv/bin/python bench/scale.py [--runs 3] [--rows 10000,100000,1000000] [--charts 1,10,50]

writes bench/SCALE.md. For each (rows, charts) pair it generates an explainer in a temporary
folder (seeded random data: one big CSV of daily readings plus a sources table; every chart
aggregates the big CSV by month and region), then times `build.py --root DIR` cold (no site/,
docs/ or cache) and records the peak resident memory of the build process (os.wait4 ru_maxrss).

`make_explainer()` is also used by tests/test_scale.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import timed  # noqa: E402  (one way to time a command and its peak memory, shared by the benches)

FAST_ROWS_TEXT = "50,000"  # explainer/data/fast_validate.py FAST_ROWS
REGIONS = ["central", "east", "north", "south", "west"]
DAYS = 1461  # four years of daily rows, 2020-01-01 .. 2023-12-31: 48 months
SOURCES = [
    ("gauges", "Gauge network daily readings", "The survey office", "https://example.org/gauges"),
    ("gauges_revised", "Gauge network: revised series", "The survey office", "https://example.org/gauges-revised"),
    ("manual", "Manual readings", "Station keepers", "https://example.org/manual"),
]

PACKAGE = {
    "name": "readings",
    "title": "Daily readings",
    "description": "Daily readings from many stations in five regions, generated for a benchmark.",
    "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
    "resources": [
        {
            "name": "readings",
            "path": "readings.csv",
            "title": "Daily readings",
            "description": "One reading per station per day.",
            "schema": {
                "fields": [
                    {"name": "date", "type": "date", "constraints": {"required": True}},
                    {"name": "region", "type": "string", "constraints": {"required": True, "enum": REGIONS}},
                    {"name": "station", "type": "string", "constraints": {"required": True, "pattern": "s[0-9]{4}"}},
                    {"name": "value", "type": "number", "constraints": {"required": True, "minimum": 0, "maximum": 10000}},
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["date", "station"],
                "foreignKeys": [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}}],
                "missingValues": [""],
            },
        },
        {
            "name": "sources",
            "path": "sources.csv",
            "title": "Sources",
            "schema": {
                "fields": [
                    {"name": "id", "type": "string", "constraints": {"required": True}},
                    {"name": "title", "type": "string", "constraints": {"required": True}},
                    {"name": "publisher", "type": "string", "constraints": {"required": True}},
                    {"name": "url", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["id"],
                "missingValues": [""],
            },
        },
    ],
}

# Chart k uses AGGREGATES[k % 5] and MARKS[k % 2]; every chart groups by month and region.
AGGREGATES = ["sum", "mean", "max", "min", "median"]
MARKS = ["line", "bar"]
CHART = '''"""Readings by month and region ({k})

The {agg} of the daily readings in each month, one series per region.
"""
import altair as alt


def chart(data):
    return alt.Chart(data["readings"]).mark_{mark}().encode(
        x=alt.X("yearmonth(date):T", title="Month"),
        y=alt.Y("{agg}(value):Q", title="Reading ({agg})"),
        color=alt.Color("region:N", title="Region"),
    ).properties(width=500, height=250)
'''


def readings_csv(rows: int, seed: int = 1) -> bytes:
    """`rows` daily readings (date, region, station, value, source_id), seeded, as CSV bytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    stations = max(1, math.ceil(rows / DAYS))
    i = np.arange(rows)
    day, station = i // stations, i % stations
    dates = np.datetime64("2020-01-01") + day.astype("timedelta64[D]")
    region = np.array(REGIONS)[station % len(REGIONS)]
    value = np.round(rng.gamma(2.0, 40.0, rows), 1)
    source = np.array([s[0] for s in SOURCES])[rng.choice(len(SOURCES), rows, p=[0.8, 0.15, 0.05])]
    table = pa.table(
        {
            "date": pa.array(np.datetime_as_string(dates, unit="D")),
            "region": pa.array(region),
            "station": pa.array(np.char.add("s", np.char.zfill(station.astype(str), 4))),
            "value": pa.array(value),
            "source_id": pa.array(source),
        }
    )
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue().to_pybytes().replace(b'"', b"")  # header names come quoted; no value needs quotes


def make_explainer(root: Path, rows: int, charts: int, seed: int = 1) -> Path:
    """Write a complete explainer into `root`: content/, charts/ (data package + chart files), mkdocs.yml."""
    data = root / "charts" / "data"
    data.mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    (data / "datapackage.json").write_text(json.dumps(PACKAGE, indent=2) + "\n", encoding="utf-8")
    (data / "readings.csv").write_bytes(readings_csv(rows, seed))
    (data / "sources.csv").write_text("id,title,publisher,url\n" + "".join(f"{i},{t},{p},{u}\n" for i, t, p, u in SOURCES), encoding="utf-8")
    slugs = []
    for k in range(1, charts + 1):
        slug = f"readings_{k:02d}"
        (root / "charts" / f"{slug}.py").write_text(CHART.format(k=k, agg=AGGREGATES[k % 5], mark=MARKS[k % 2]), encoding="utf-8")
        slugs.append(slug)
    body = "\n\n".join(f'{{{{ chart("{s}") }}}}' for s in slugs)
    (root / "content" / "index.md").write_text(
        f"---\ntitle: Readings\ndescription: Daily readings, month by month.\n---\nReadings from many stations, month by month.\n\n{body}\n", encoding="utf-8"
    )
    (root / "mkdocs.yml").write_text("site_name: Readings\n", encoding="utf-8")
    return root


def measure(rows: int, charts: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_explainer(Path(tmp) / "explainer", rows, charts)
        cmd = [sys.executable, str(REPO / "build.py"), "--root", str(root)]
        times, peak = [], 0
        for _ in range(runs):
            for d in ("site", "docs", ".cache"):  # cold: nothing from an earlier build
                shutil.rmtree(root / d, ignore_errors=True)
            seconds, rss = timed(cmd, REPO)
            times.append(seconds)
            peak = max(peak, rss)
        specs = sorted((root / "docs" / "assets" / "charts").glob("*.vg.json"))
        largest = max(p.stat().st_size for p in specs)
        csv_mb = (root / "charts" / "data" / "readings.csv").stat().st_size / 1e6
    return {
        "rows": rows,
        "charts": charts,
        "median": statistics.median(times),
        "times": times,
        "peak_mib": peak / 1024,
        "largest_spec": largest,
        "csv_mb": csv_mb,
    }


def validation_times(rows: int) -> tuple[float, float]:
    """Seconds to load and validate the data package of a `rows`-row explainer: the vectorised path,
    and frictionless row by row (what every file used before; still used for small files)."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from pathlib import Path; from explainer.data import load as data, fast_validate; "
        "from explainer.common.problems import Collector; import frictionless; "
        "fast_validate.FAST_ROWS = int(sys.argv[3]); t = time.perf_counter(); p = Collector(Path(sys.argv[2])); "
        "assert data.load(Path(sys.argv[2]), p) is not None, p.items; print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = make_explainer(Path(tmp) / "explainer", rows, 1)
        out = []
        for fast_rows in ("50000", str(10**12)):
            shutil.rmtree(root / ".cache", ignore_errors=True)  # no validation stamp: validate both times
            run = subprocess.run([sys.executable, "-c", code, str(REPO), str(root), fast_rows], capture_output=True, text=True, check=True)
            out.append(float(run.stdout))
    return out[0], out[1]


def growth(results: list[dict], key: str, fixed: str) -> list[str]:
    """For each value of `fixed`, the cost ratio of each step of `key` against the ratio of sizes."""
    out = []
    for value in sorted({r[fixed] for r in results}):
        series = sorted((r for r in results if r[fixed] == value), key=lambda r: r[key])
        for a, b in zip(series, series[1:]):
            size, cost = b[key] / a[key], b["median"] / a["median"]
            verdict = "better than linear" if cost < size * 0.9 else ("linear" if cost <= size * 1.1 else "WORSE than linear")
            out.append(f"| {fixed} = {value:,} | {key} {a[key]:,} → {b[key]:,} (×{size:g}) | ×{cost:.2f} | {verdict} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", default="10000,100000,1000000")
    parser.add_argument("--charts", default="1,10,50")
    parser.add_argument("--out", default=str(REPO / "bench" / "SCALE.md"))
    args = parser.parse_args()
    rows = [int(x) for x in args.rows.split(",")]
    counts = [int(x) for x in args.charts.split(",")]
    # One build first: the user-level Vega JavaScript cache is filled once, as on any real machine.
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(make_explainer(Path(tmp), 1000, 1))], check=True, capture_output=True, cwd=REPO)
    results = []
    for n in rows:
        for c in counts:
            r = measure(n, c, args.runs)
            print(f"{n:>9,} rows {c:>3} charts: {r['median']:.2f} s, {r['peak_mib']:.0f} MiB, largest spec {r['largest_spec'] / 1e3:.1f} KB", flush=True)
            results.append(r)
    fast, slow = validation_times(max(rows))
    print(f"validation of {max(rows):,} rows: {fast:.2f} s vectorised, {slow:.2f} s frictionless row by row", flush=True)
    command = (
        "python bench/scale.py"
        + (f" --runs {args.runs}" if args.runs != 3 else "")
        + (f" --rows {args.rows}" if args.rows != "10000,100000,1000000" else "")
        + (f" --charts {args.charts}" if args.charts != "1,10,50" else "")
    )
    out = [
        "# Scale: build time and memory against rows and charts",
        "",
        f"Measured with `.venv/bin/python {command.removeprefix('python ')}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}: a cold `build.py --root DIR` (no site/, docs/ or chart cache), median of {args.runs} runs; "
        "peak memory is the build process's maximum resident set (os.wait4). The explainer is generated with seeded random data "
        "(bench/scale.py `make_explainer`): one CSV of daily readings (`date,region,station,value,source_id`, validated in full "
        "against its Table Schema: types, required, enum, pattern, minimum/maximum, primary key, foreign key to `sources`) and N "
        "charts, each aggregating it by month and region (sum, mean, max, min or median of `value`; line or bar).",
        "",
        "Target (issue 6): 1,000,000 rows build in ≤ 10 s with ≤ 1 GB peak memory; every shipped chart spec ≤ 50 KB.",
        "",
        "| rows | CSV MB | charts | median s | peak MiB | largest spec KB | runs (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        out.append(
            f"| {r['rows']:,} | {r['csv_mb']:.1f} | {r['charts']} | {r['median']:.2f} | {r['peak_mib']:.0f} | "
            f"{r['largest_spec'] / 1e3:.1f} | {', '.join(f'{t:.2f}' for t in r['times'])} |"
        )
    out += [
        "",
        "## Validating the big CSV",
        "",
        f"Loading and validating the data package of {max(rows):,} rows (in one process, after importing pandas and frictionless): "
        f"**{fast:.2f} s** with the vectorised checks (pyarrow; explainer/data/fast_validate.py `FastResource`, used from "
        f"{FAST_ROWS_TEXT} rows), **{slow:.2f} s** with frictionless reading row by row, as every file was validated before. "
        "Both give the same problems, word for word (tests/test_scale.py compares them on every bad-input case and on "
        "randomly broken files).",
        "",
        "## Growth",
        "",
        "Each step's cost ratio against its size ratio (within ±10 % of it counts as linear).",
        "",
        "| held fixed | step | cost | verdict |",
        "|---|---|---|---|",
    ]
    out += growth(results, "rows", "charts") + growth(results, "charts", "rows")
    Path(args.out).write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
