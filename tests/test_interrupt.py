"""A build stopped by SIGTERM or Ctrl-C at any point leaves the previous site/ and the cache
usable, and the next build succeeds."""
from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, copy_explainer, run_build, tree_hashes, wait_until


def _points(root, pid: int, value: int, languages: int) -> dict:
    """Points in a build's life, in order, each a test of whether the build has reached it (or a
    later one): the test waits for the point, then signals. Seen from outside: the libraries it
    loaded, the cache and docs/ files it wrote, MkDocs' temporary folders, the new site/."""
    cache, row = root / ".cache" / "explainer", f"2022,pear,{value}\n"
    data_before = set((cache / "data").glob("valid-*"))
    chart = cache / "charts" / "harvest_by_year.en.json"
    chart_before = chart.stat().st_mtime_ns if chart.exists() else 0

    def loaded(name):
        with contextlib.suppress(OSError):
            return f"/{name}/" in Path(f"/proc/{pid}/maps").read_text()

    def holds(path):
        with contextlib.suppress(OSError):
            return row in path.read_text()

    def chart_written():
        with contextlib.suppress(OSError):
            return chart.stat().st_mtime_ns != chart_before

    points = {
        "starting": lambda: True,
        "libraries loaded": lambda: loaded("pandas"),
        "data checked": lambda: bool(set((cache / "data").glob("valid-*")) - data_before),
        "chart rendered": chart_written,
        "docs written": lambda: holds(root / "docs" / "assets" / "charts" / "harvest_by_year.csv"),
        "in mkdocs": lambda: any(root.glob(".site.tmp-*")),
        "swapped": lambda: holds(root / "site" / "assets" / "charts" / "harvest_by_year.csv"),
    }
    if languages == 2:  # the other language's site is built in a process of its own
        points = {**dict(list(points.items())[:-2]), "in the French mkdocs": lambda: any(cache.glob(".site-*.tmp-*")),
                  **dict(list(points.items())[-2:])}
    return points


@pytest.mark.parametrize("sig, languages", [(signal.SIGTERM, 1), (signal.SIGINT, 1), (signal.SIGTERM, 2)],
                         ids=["SIGTERM", "SIGINT", "SIGTERM-bilingual"])
def test_interrupted_builds_lose_nothing(tmp_path, sig, languages):
    """Also with a second language, whose site is built in a process of its own."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    if languages == 2:
        from test_languages import add_french

        add_french(root)
    assert run_build(root).returncode == 0
    old_site = tree_hashes(root / "site")
    csv = root / "charts" / "data" / "harvest.csv"
    # Stop one build at each point of its life: importing, validating, rendering, writing, inside
    # mkdocs, around the swap. A point passed before it was seen counts as the next one reached.
    names = list(_points(root, 0, 0, languages))
    stopped = []
    for n, name in enumerate(names):
        csv.write_text(re.sub(r"^2022,pear,\d+,", f"2022,pear,{300 + n},", csv.read_text(), flags=re.M))
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        later = list(_points(root, proc.pid, 300 + n, languages).items())[n:]
        reached = wait_until(lambda: next((p for p, test in later if test()), None) or (proc.poll() is not None and "exit"),
                             timeout=300, what=f"the build reaching {name!r}")
        proc.send_signal(sig)
        stopped.append(f"{name}: {reached}")
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (name, err)
        site = tree_hashes(root / "site")
        assert site, "site/ must never be missing"
        assert "index.html" in site and "pears/index.html" in site
        if site != old_site:
            # The signal came after the swap: then site/ must be the complete new site, exactly
            # what an uninterrupted build of the same inputs gives.
            assert run_build(root).returncode == 0
            assert tree_hashes(root / "site") == site, f"stopped at {name!r}: site/ is neither the old nor a complete new site"
            old_site = site
        assert not list(root.glob(".site.*")), "no half-built folders are left behind"
    print("stopped at", stopped)
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    # A language's process stopped mid-build left its MkDocs folder; the next build clears it.
    assert not list((root / ".cache" / "explainer").glob(".site-*.tmp-*"))
    last = 300 + len(names) - 1
    assert f"2022,pear,{last}\n" in (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text()


def test_an_interrupt_python_would_drop_is_delivered_again():
    """Ctrl-C landing inside one of Python's own callbacks (here a weak reference's) is normally
    printed as "Exception ignored" and lost; the command line delivers it again, cleanly."""
    code = ("import sys, time, weakref; sys.path.insert(0, sys.argv[1]); from explainer import cli; "
            "sys.unraisablehook = cli._interrupt_again\n"
            "class A: pass\n"
            "a = A()\n"
            "def cb(ref): raise KeyboardInterrupt\n"
            "r = weakref.ref(a, cb)\n"
            # The child's own deadline: the interrupt ends this sleep at once; 2 s means it never came.
            "try:\n    del a; time.sleep(2); print('not interrupted')\n"
            "except KeyboardInterrupt:\n    print('interrupted')\n")
    result = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "interrupted" and "Traceback" not in result.stderr, (result.stdout, result.stderr)
