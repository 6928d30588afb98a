"""Re-run the deliberate bugs of issue 18 against the tests that must catch them.

    .venv/bin/python tests/mutate.py [--only NAME ...] [--list] [--why]

Each Mutation is a one-place edit of the generator (`old` -> `new`, `old` found exactly once) that
a reader or editor would notice. The script first runs every listed test on the unchanged code
(and stops if one fails), then, for each mutation: applies it, runs its tests with
`pytest -x`, and always writes the file's original bytes back (also on Ctrl-C or SIGTERM). A
mutation is caught when pytest exits 1 (a test failed); exit 0 means it SURVIVED, any other exit
(the run itself broke: 2 interrupted or usage, 3 internal, 4 bad usage, 5 nothing collected) is
an error. Exits 1 if any mutation survived or errored.

To add a mutation, append a Mutation to MUTATIONS; tests/test_mutations.py checks that its `old`
is still in the file exactly once and that its tests exist.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str  # short id, e.g. "cache-ignores-shared-helper"
    bug: str  # one line: what the bug does to a reader/editor
    path: str  # file relative to the repo root
    old: str  # must occur exactly once in the file
    new: str
    tests: tuple[str, ...]  # pytest node ids that must catch it


KEY_TEST = "tests/test_cache.py::test_each_cache_key_input_redraws_exactly_its_charts"

MUTATIONS: list[Mutation] = [
    # --- 3: the chart cache ignoring shared chart helpers
    Mutation(
        "cache-ignores-shared-helper",
        "a colour changed in charts/_*.py leaves the old chart on the site (taken from the cache)",
        "explainer/charts/cache.py",
        '        for helper in sorted(source.path.parent.glob("_*.py")):  # shared chart helpers, e.g. charts/_style.py\n'
        '            h.update(helper.name.encode() + b"\\0" + helper.read_bytes())\n',
        "",
        ("tests/test_cache.py::test_a_shared_helper_change_redraws_the_chart_that_uses_it", f"{KEY_TEST}[shared-helper]"),
    ),
    # --- 4: the Content-Security-Policy
    Mutation(
        "csp-script-src-allows-https",
        "every page lets any script served over https run (script-src https:)",
        "explainer/site/postbuild.py",
        """"script-src " + " ".join(["'self'", *hashes]),""",
        """"script-src " + " ".join(["'self'", *hashes, "https:"]),""",
        ("tests/test_channel_build.py::test_every_page_carries_exactly_the_content_security_policy",),
    ),
    # --- 5: the publish guard
    Mutation(
        "publish-touches-other-editions",
        "a publish may rewrite files of an edition already published (or outside any edition)",
        "explainer/commands/publish.py",
        '    stray = [p for st, p in changed_with if p not in MIKE_FILES and p.split("/", 1)[0] not in ours and not (st == "A" and p.startswith(SHARED + "/"))]\n',
        "    stray: list[str] = []\n",
        ("tests/test_publish.py::test_publish_writing_into_another_edition_is_refused",),
    ),
    # --- weak spot A: the atomic swap into site/
    Mutation(
        "site-built-in-place",
        "MkDocs builds straight into site/: a failing build leaves readers a broken or missing site",
        "explainer/site/mkdocs.py",
        '        built = root / GENERATED / f"build-{Path(name).stem}"\n',
        '        built = root / "site"\n',
        ("tests/test_interrupt.py::test_mkdocs_failing_after_writing_the_site_leaves_site_as_it_was",),
    ),
    Mutation(
        "failed-mkdocs-swapped-in",
        "a site MkDocs failed to finish is swapped into site/ and the build reports success",
        "explainer/site/mkdocs.py",
        "        failed = build.proc.returncode != 0\n",
        "        failed = False\n",
        ("tests/test_interrupt.py::test_mkdocs_failing_after_writing_the_site_leaves_site_as_it_was",),
    ),
    # --- weak spot B: each input of the chart cache key
    Mutation(
        "cache-ignores-chart-file",
        "an edited chart file keeps showing the old chart",
        "explainer/charts/cache.py",
        "        h.update(source.path.read_bytes())\n",
        "",
        ("tests/test_cache.py::test_cache_rerenders_exactly_what_changed",),
    ),
    Mutation(
        "cache-ignores-data-bytes",
        "a corrected number in a CSV does not reach the chart",
        "explainer/charts/cache.py",
        '            h.update(name.encode() + b"\\0" + self._file_digest(package.paths[name]))\n',
        "            h.update(name.encode())\n",
        ("tests/test_cache.py::test_cache_rerenders_exactly_what_changed",),
    ),
    Mutation(
        "cache-ignores-resource-schema",
        "a changed field type or constraint in datapackage.json keeps the chart drawn from the old schema",
        "explainer/charts/cache.py",
        'for k in ("schema", "sources")]',
        'for k in ("sources",)]',
        (f"{KEY_TEST}[resource-schema]",),
    ),
    Mutation(
        "cache-ignores-resource-sources",
        "a source added to a resource in datapackage.json is missing from its charts",
        "explainer/charts/cache.py",
        'for k in ("schema", "sources")]',
        'for k in ("schema",)]',
        (f"{KEY_TEST}[resource-sources]",),
    ),
    Mutation(
        "cache-ignores-sources-table",
        "a corrected source in sources.csv stays wrong under the charts that do not plot it",
        "explainer/charts/cache.py",
        'for name in sorted(set(resources) | {"sources"}):',
        "for name in sorted(set(resources)):",
        (f"{KEY_TEST}[sources-table]",),
    ),
    Mutation(
        "cache-ignores-chart-font",
        "charts measured with another font are kept after the font changes (labels cut or overlapping)",
        "explainer/charts/cache.py",
        "self.versions.encode() + typeface + bytes([FORMAT])",
        "self.versions.encode() + bytes([FORMAT])",
        (f"{KEY_TEST}[chart-font]",),
    ),
    Mutation(
        "cache-ignores-tool-versions",
        "charts drawn by the old Altair/vl-convert are kept after an upgrade",
        "explainer/charts/cache.py",
        "self.versions.encode() + typeface + bytes([FORMAT])",
        "typeface + bytes([FORMAT])",
        (f"{KEY_TEST}[tool-versions]",),
    ),
    # --- 1, 2, 6: what a chart's table and caption say
    Mutation(
        "french-tables-english-separators",
        "French data tables print 1,843 (one point eight in French) for 1 843",
        "explainer/charts/render.py",
        "        format_rows(table, language.locale),\n",
        "        format_rows(table),\n",
        (
            "tests/test_channel_build.py::test_table_cells_read_as_the_plotted_values_in_each_language",
            "tests/test_golden.py::test_channel_explainer_matches_golden",
        ),
    ),
    Mutation(
        "table-decimals-rounded-away",
        "a data table prints 4 where the chart plotted 3.60",
        "explainer/charts/tables.py",
        'format_decimal(value, "#,##0.00", locale=locale)',
        'format_decimal(value, "#,##0", locale=locale)',
        (
            "tests/test_channel_build.py::test_table_cells_read_as_the_plotted_values_in_each_language",
            "tests/test_golden.py::test_channel_explainer_matches_golden",
        ),
    ),
    Mutation(
        "caption-cites-the-whole-data-file",
        "a filtered chart's caption cites sources of rows it does not plot",
        "explainer/pages/figure_block.py",
        "    source_ids = chart.source_ids or list(",
        "    source_ids = list(",
        ("tests/test_sources.py::test_a_filtered_charts_caption_cites_only_the_rows_it_plotted", "tests/test_golden.py::test_channel_explainer_matches_golden"),
    ),
    # --- issue 19: shared files under _shared/ are never overwritten by a later edition
    Mutation(
        "shared-file-overwritten",
        "a later edition overwrites a shared file an older edition loads (the old edition changes)",
        "explainer/editions/gh_pages_shared.py",
        "    if differ:\n",
        "    if False:\n",
        ("tests/test_edition_cost.py::test_a_shared_file_is_never_overwritten",),
    ),
    # --- the "nothing changed" early exit noticing the machine (found while writing the above)
    Mutation(
        "stamp-ignores-machine",
        "after an upgrade or a font change, the build exits as 'nothing changed' and keeps the old charts",
        "explainer/common/stamp.py",
        "    h.update(_machine().encode())\n",
        "",
        (f"{KEY_TEST}[chart-font]", f"{KEY_TEST}[tool-versions]"),
    ),
    # --- Ctrl-C in a terminal reaches every process of the group, the forkserver included
    Mutation(
        "forkserver-hears-ctrl-c",
        "Ctrl-C while the chart workers start prints a KeyboardInterrupt traceback from inside Altair",
        "explainer/charts/pool.py",
        "            _start_forkserver()\n",
        "",
        ("tests/test_interrupt.py::test_interrupted_builds_lose_nothing[SIGINT]",),
    ),
]


def pytest(tests: list[str]) -> tuple[int, str]:
    """Run the tests (first failure stops them); the exit code and the first assertion line."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests], cwd=REPO, capture_output=True, text=True)
    first = next((line.strip() for line in proc.stdout.splitlines() if line.startswith("E ")), "")
    return proc.returncode, first


def mutated(mutation: Mutation, original: bytes) -> bytes:
    """The file's bytes with the mutation applied."""
    text = original.decode("utf-8")
    if text.count(mutation.old) != 1:
        raise ValueError(f"{mutation.path}: `old` occurs {text.count(mutation.old)} times, not once")
    return text.replace(mutation.old, mutation.new).encode("utf-8")


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM too runs the finally that writes the file back


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutations")
    parser.add_argument("--list", action="store_true", help="list the mutations and their tests, run nothing")
    parser.add_argument("--why", action="store_true", help="show the first failure line of each caught mutation")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    unknown = set(args.only or []) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"no mutation named {', '.join(sorted(unknown))}")
    if args.list:
        for m in chosen:
            print(f"{m.name}: {m.bug}\n    {m.path}\n" + "".join(f"    {t}\n" for t in m.tests))
        return 0
    signal.signal(signal.SIGTERM, _interrupt)

    tests = list(dict.fromkeys(t for m in chosen for t in m.tests))
    start = time.monotonic()
    code, first = pytest(tests)
    if code != 0:
        print(f"the tests fail on the unchanged code (pytest exit {code}): {first}\nfix them before mutating", file=sys.stderr)
        return 2
    print(f"unmutated: {len(tests)} tests pass ({time.monotonic() - start:.0f} s)")

    rows: list[tuple[str, str, float, str]] = []
    for m in chosen:
        start, path = time.monotonic(), REPO / m.path
        try:
            original = path.read_bytes()
            bug = mutated(m, original)
        except (OSError, ValueError) as e:
            rows.append((m.name, "error", 0.0, str(e)))
            continue
        try:
            path.write_bytes(bug)
            code, first = pytest(list(m.tests))
        finally:  # also on Ctrl-C: the original bytes, whatever happened
            path.write_bytes(original)
        outcome = "caught" if code == 1 else "SURVIVED" if code == 0 else "error"
        rows.append((m.name, outcome, time.monotonic() - start, first if code == 1 else f"pytest exit {code}"))
        print(f"  {m.name}: {outcome}", flush=True)

    width = max(len(r[0]) for r in rows)
    print(f"\n{'mutation':<{width}}  {'result':<8}  seconds")
    for name, outcome, seconds, detail in rows:
        print(f"{name:<{width}}  {outcome:<8}  {seconds:7.1f}")
        if detail and (args.why or outcome != "caught"):
            print(f"{'':<{width}}    {detail[:200]}")
    return 1 if any(r[1] != "caught" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
