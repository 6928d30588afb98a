"""A build stopped by SIGTERM or Ctrl-C at any point leaves the previous site/ and the cache
usable, and the next build succeeds."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, REPO, copy_explainer, run_build, tree_hashes


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
    # Stop builds at many points: importing, validating, rendering, inside mkdocs, around the swap.
    for n, delay in enumerate([0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.2]):
        csv.write_text(re.sub(r"^2022,pear,\d+,", f"2022,pear,{300 + n},", csv.read_text(), flags=re.M))
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        site = tree_hashes(root / "site")
        assert site, "site/ must never be missing"
        assert "index.html" in site and "pears/index.html" in site
        if site != old_site:
            # The signal came after the swap: then site/ must be the complete new site, exactly
            # what an uninterrupted build of the same inputs gives.
            assert run_build(root).returncode == 0
            assert tree_hashes(root / "site") == site, f"after {delay} s: site/ is neither the old nor a complete new site"
            old_site = site
        assert not list(root.glob(".site.*")), "no half-built folders are left behind"
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    # A language's process stopped mid-build left its MkDocs folder; the next build clears it.
    assert not list((root / ".cache" / "explainer").glob(".site-*.tmp-*"))
    assert "309" in (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text()


def test_an_interrupt_inside_python_callbacks_is_not_lost():
    """Ctrl-C landing inside one of Python's own callbacks (here a weak reference's) would be
    printed as "Exception ignored" and lost if it raised there; it only sets the stop flag, and
    the command stops at its next safe point."""
    code = ("import os, signal, sys, weakref; sys.path.insert(0, sys.argv[1]); from explainer.common import stop\n"
            "stop.install()\n"
            "class A: pass\n"
            "a = A()\n"
            "r = weakref.ref(a, lambda ref: os.kill(os.getpid(), signal.SIGINT))\n"
            "del a\n"
            "try:\n    stop.check(); print('not interrupted')\n"
            "except KeyboardInterrupt:\n    print('interrupted')\n")
    result = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "interrupted" and "Exception ignored" not in result.stderr, (result.stdout, result.stderr)
