"""Command line: `explainer [build] [--root DIR] [-v]` (installed), or `python build.py ...` in this
repository. Messages name the command as it was run.

Exit codes: 0 success, 1 content or data problems, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from .common import stop
from .common.problems import Problems


def program_name() -> str:
    """How the user ran us: `build.py` (this repository's entry point), `python -m explainer`, or the
    installed `explainer` command."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if name == "build.py":
        return "build.py"
    if name == "__main__.py":
        return "python -m explainer"
    return "explainer"


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    # The options are accepted before or after the command: build.py --root X check == build.py check --root X
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks for unexpected errors")
    common.add_argument("--strict", action="store_true", default=argparse.SUPPRESS, help="treat warnings (such as typed-in numbers the data holds) as problems")
    common.add_argument(
        "--root", type=Path, default=argparse.SUPPRESS, help="the explainer folder (holds content/, charts/, mkdocs.yml); default: current folder"
    )
    p = argparse.ArgumentParser(
        prog=prog or program_name(), parents=[common], description="Build a data-driven explainer into a static Material for MkDocs site."
    )
    sub = p.add_subparsers(dest="command")
    sub.add_parser("build", parents=[common], help="check every input and build the site into site/ (the default)")
    sub.add_parser("check", parents=[common], help="check every input a build would, without building the site")
    serve = sub.add_parser("serve", parents=[common], help="live preview on 127.0.0.1: rebuilds what changed and reloads the browser")
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    diff = sub.add_parser("diff", parents=[common], help="list sentences, figures, data rows, charts and pages that changed since a git ref")
    diff.add_argument("ref", help="a commit, branch or tag, e.g. origin/main")
    diff.add_argument(
        "--format", choices=["markdown", "text"], default="markdown", help="markdown (default: for a pull request's summary) or text (for a terminal)"
    )
    add_data = sub.add_parser("add-data", parents=[common], help="add a CSV in charts/data/ to the data package, its schema inferred")
    add_data.add_argument("csv", type=Path, help="the CSV file, e.g. charts/data/arrivals_by_port.csv")
    add_data.add_argument("--source", help="id in charts/data/sources.csv of the source of all its rows (if it has no source_id column)")
    add_data.add_argument("--name", help="the resource's name (default: from the file name)")
    add_data.add_argument("--title", help="the resource's title, shown on the sources page")
    add_data.add_argument("--description", help="what the data measures, shown on the sources page")
    publish = sub.add_parser("publish", parents=[common], help="build and publish the site as an edition on the gh-pages branch (mike)")
    publish.add_argument("edition", help="the edition's name, e.g. 2021-10 or 2026.1")
    publish.add_argument("--alias", action="append", default=[], help="also point this alias at the edition (e.g. latest); repeatable")
    publish.add_argument("--push", action="store_true", help="push gh-pages to the remote (default: commit locally only)")
    publish.add_argument("--remote", default="origin", help="the remote to push to (default: origin)")
    publish.add_argument("--allow-dirty", action="store_true", help="publish even with uncommitted changes")
    publish.add_argument("--force", action="store_true", help="replace an edition already published from another commit")
    new = sub.add_parser("new", help="write a minimal explainer into a new or empty folder (a section, data with its source, a chart, the CI workflows)")
    new.add_argument("dir", type=Path, help="the folder to create; refused if it exists and is not empty")
    new.add_argument("--title", help="the site's name (default: from the folder's name)")
    new.add_argument(
        "--generator",
        metavar="SPEC",
        help="pip requirement the new explainer's CI installs the generator with, written to "
        "requirements.txt, e.g. 'explainer @ git+https://github.com/OWNER/explainer@v1.0' "
        "(default: where this generator was installed from, if pip recorded a git commit)",
    )
    return p


def _start_chart_workers(root: Path) -> None:
    """Start the chart workers first, when some chart will likely be drawn: their process imports
    Altair and starts its engines while this one imports the build and checks the data."""
    from .charts import pool

    if pool.likely_needed(root):
        pool.shared()


def main(argv: list[str] | None = None) -> int:
    stop.install()  # Ctrl-C and SIGTERM stop the command at its next safe point (common/stop.py)
    prog = program_name()
    args = parser(prog).parse_args(argv)
    command = args.command or "build"
    if command == "new":
        from .commands.new import NewError, create

        try:
            lines = create(args.dir, title=args.title, generator=args.generator, prog=prog)
        except NewError as e:
            print(f"{prog}: error: new: {e}", file=sys.stderr)
            return 2
        print("\n".join(lines))
        return 0
    root = getattr(args, "root", Path("."))
    args.verbose = getattr(args, "verbose", False)
    strict = getattr(args, "strict", False)
    if not root.is_dir():
        print(f"{prog}: error: --root {root}: no such folder", file=sys.stderr)
        return 2
    try:
        if command == "build":
            from .site.mkdocs import source_date_epoch
            from .common.stamp import record, up_to_date

            resolved, epoch = root.resolve(), source_date_epoch(root.resolve())
            if up_to_date(resolved, strict, epoch):
                print(f"Nothing changed since the last build: {root / 'site'} is up to date.")
                return 0
            _start_chart_workers(resolved)
            from .pipeline import build

            result = build(root, strict=strict)
            if not result.warnings:  # a build with warnings re-reports them next time
                record(resolved, strict, epoch)
            for w in result.warnings:
                print(w, file=sys.stderr)
            print(
                f"Built {result.pages} pages and {result.charts} charts ({result.charts - result.charts_cached} rendered, "
                f"{result.charts_cached} from cache) into {root / 'site'} in {result.seconds:.1f} s; "
                f"{result.docs_written} files changed in docs/, {len(result.warnings)} warnings."
            )
        elif command == "check":
            _start_chart_workers(root.resolve())
            from .pipeline import gather

            g = gather(root.resolve(), strict)
            for w in g.warnings:
                print(w, file=sys.stderr)
            warned = f"; {len(g.warnings)} warning{'s' if len(g.warnings) != 1 else ''}" if g.warnings else ""
            n_pages, n_charts = sum(len(loc.pages) for loc in g.languages), sum(len(loc.charts) for loc in g.languages)
            langs = f" in {len(g.languages)} languages ({', '.join(loc.language.english_name for loc in g.languages)})" if len(g.languages) > 1 else ""
            print(f"No problems: {n_pages} pages, {len(g.figures)} figures, {n_charts} charts checked{langs}{warned}.")
        elif command == "serve":
            from .commands.serve import serve

            return serve(root, args.port, strict, args.verbose)
        elif command == "diff":
            from .commands.diff import UsageError, report

            try:
                print(report(root, args.ref, args.format), end="")
            except UsageError as e:
                print(f"build.py diff: error: {e}", file=sys.stderr)
                return 2
        elif command == "add-data":
            from .commands.add_data import UsageError as AddDataUsageError, add

            try:
                print(add(root, args.csv, args.source, args.name, args.title, args.description))
            except AddDataUsageError as e:
                print(f"build.py add-data: error: {e}", file=sys.stderr)
                return 2
        elif command == "publish":
            from .commands.publish import run_publish

            print(run_publish(root.resolve(), args, strict=strict))
        return 0
    except Problems as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        n = len(e.problems)
        if command == "build":
            print(f"Build stopped: {n} problem{'s' if n != 1 else ''}; site/ was left as it was.", file=sys.stderr)
        else:
            print(f"{n} problem{'s' if n != 1 else ''} found.", file=sys.stderr)
        return 1  # problems in the input are not bugs: no traceback, even with -v
    except KeyboardInterrupt:  # common.stop.Stopped
        print("Interrupted; site/ was left as it was.", file=sys.stderr)
        return 130
    except Exception as e:  # a bug in the generator, not in the editor's input
        if args.verbose:
            traceback.print_exc()
        else:
            print(f"{prog}: internal error: {type(e).__name__}: {e} (run with -v for the traceback)", file=sys.stderr)
        return 70
    finally:
        pool = sys.modules.get("explainer.charts.pool")  # the chart workers, if this command started them
        if pool is not None:
            pool.close_shared()
