"""The live preview: an edit to data or prose shows up, a broken input shows its problems on the
page without stopping the server, and the preview never rebuilds in a loop."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import FIXTURES, REPO, copy_explainer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float = 30) -> str:
    deadline, body = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            body = urllib.request.urlopen(url, timeout=2).read().decode("utf-8")
            if text in body:
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared at {url}; last body had {len(body)} chars")


@contextlib.contextmanager
def _serving(root, log):
    """`build.py serve` on a free port, its output in `log`; yields (base URL, process)."""
    port = _free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)],
                                cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_preview_follows_edits_shows_problems_and_never_loops(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    log = tmp_path / "serve.log"
    with _serving(root, log) as (base, proc):
        page = f"{base}/pears/"
        _wait_for(page, "In all, 922 pears")

        csv = root / "charts" / "data" / "harvest.csv"
        csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
        _wait_for(page, "In all, 925 pears")

        prose = root / "content" / "01-pears.md"
        good = prose.read_text()
        prose.write_text(good + "\n{{ fig.nope }}\n")
        body = _wait_for(page, "The preview is out of date")
        assert "unknown figure" in body and "nope" in body
        assert proc.poll() is None, "the server keeps running after a broken input"

        prose.write_text(good)
        _wait_for(f"{base}/", "15,250")
        time.sleep(1.5)
        settled = log.read_text().count("Preview updated")
        time.sleep(3)
        assert log.read_text().count("Preview updated") == settled, "nothing changed, so nothing may rebuild"
        assert "Traceback" not in log.read_text()


def test_preview_serves_every_language_and_follows_edits_in_each(tmp_path):
    from test_languages import add_french

    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    log = tmp_path / "serve.log"
    with _serving(root, log) as (base, proc):
        french = f"{base}/fr/pears/"
        _wait_for(french, "poires ont été cueillies")
        page = root / "content" / "fr" / "01-pears.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée pendant l’aperçu.\n", encoding="utf-8")
        _wait_for(french, "Une phrase ajoutée pendant l’aperçu.")
        csv = root / "charts" / "data" / "harvest.csv"
        csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
        _wait_for(french, "925 poires")  # a figure, in the French format, from the new data
        assert proc.poll() is None and "Traceback" not in log.read_text()
