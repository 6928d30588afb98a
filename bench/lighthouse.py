"""Lighthouse scores (mobile) for every page of the built site, served the way GitHub Pages
serves it (gzip for text). Needs Node.js: `make bench-lighthouse` installs lighthouse@12.2.3
into .cache/npm and runs this with CHROME_PATH=/usr/bin/chromium.

    .venv/bin/python bench/lighthouse.py [SITE_DIR]    # prints a Markdown table; --write adds it to bench/RESULTS.md
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / ".cache" / "npm" / "node_modules" / ".bin" / "lighthouse"
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync"
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text types when the browser accepts it (as GitHub Pages)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix in TEXT and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Body(body)
        return super().send_head()


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def pages(site: Path) -> list[str]:
    return sorted(
        "/" + str(p.parent.relative_to(site)).strip(".") + "/" for p in site.rglob("index.html") if "assets" not in p.parts and "search" not in p.parts
    )


def main() -> None:
    site = Path(next((a for a in sys.argv[1:] if not a.startswith("--")), REPO / "site")).resolve()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = ["| page | performance | accessibility | best practices | SEO |", "|---|---|---|---|---|"]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages(site):
            out = Path(tmp) / "report.json"
            subprocess.run(
                [
                    str(LIGHTHOUSE),
                    base + page.replace("//", "/"),
                    "--quiet",
                    f"--chrome-flags={FLAGS}",
                    "--output=json",
                    f"--output-path={out}",
                    "--form-factor=mobile",
                ],
                check=True,
                env=env,
                timeout=300,
            )
            cats = json.loads(out.read_text())["categories"]
            rows.append(
                f"| {page.replace('//', '/')} | "
                + " | ".join(str(round(100 * (cats[c]["score"] or 0))) for c in ("performance", "accessibility", "best-practices", "seo"))
                + " |"
            )
    server.shutdown()
    table = "\n".join(rows)
    print(table)
    if "--write" in sys.argv:
        results = REPO / "bench" / "RESULTS.md"
        text = results.read_text(encoding="utf-8") if results.is_file() else ""
        # Only this section is rewritten: the sections after it (the readers' figures) stay.
        before, _, rest = text.partition("\n## Lighthouse")
        after = rest.partition("\n## ")[2] if rest else ""
        text = (
            before.rstrip()
            + "\n\n## Lighthouse (mobile, lighthouse@12.2.3, gzip as on GitHub Pages)\n\n"
            + "Measured with `make bench-lighthouse`.\n\n"
            + table
            + "\n"
            + (f"\n## {after}" if after else "")
        )
        results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
