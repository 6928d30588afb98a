"""Stage 5 (with config.py, the configuration): write docs/ (only files whose bytes changed), generate the MkDocs configuration
(beside its docs, with its site_dir), build it with the site engine (engine.py: MkDocs, or
Zensical) and swap the result into site/ only on success.

The engine is driven as a command, never imported: moving to MkDocs' successor stays a small change.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from ..common import settings, stop
from ..common.problems import Collector
from ..common.files import CACHE_DIR, write_if_changed
from . import dirty, engine
from .config import THEME, _Dumper, _Loader, _merge, for_language, mkdocs_config, read_user_config  # noqa: F401 (the stage's entry names)

ASSETS = Path(__file__).parent / "assets"
GENERATED = CACHE_DIR


def sync_docs(docs: Path, files: dict[str, bytes | str], keep: Sequence[str] = ()) -> int:
    """Make docs/ hold exactly `files` (and whatever is under the `keep` folders, such as fr/);
    touch only what changed. Returns how many were written."""
    written = sum(write_if_changed(docs / name, content) for name, content in sorted(files.items()))
    kept = {str(Path(n)) for n in files} | {".gitkeep"}
    for path in sorted(docs.rglob("*"), reverse=True) if docs.is_dir() else []:
        rel = str(path.relative_to(docs))
        if any(rel == k.rstrip("/") or rel.startswith(k) for k in keep):
            continue
        if path.is_file() and rel not in kept:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def source_date_epoch(root: Path) -> str:
    """Dates in the site (sitemap) come from the commit, never from the build clock."""
    epoch = settings.environment().SOURCE_DATE_EPOCH
    if epoch:
        return epoch
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "315532800"  # 1980-01-01: fixed, so a build outside git is reproducible too


MAIN_CONFIG = ".mkdocs.generated.yml"  # the main language's, beside docs/ (in the explainer's folder)


def write_config(root: Path, config: dict, name: str = "mkdocs.yml", beside_docs: bool = True) -> Path:
    """Write the generated configuration (only if it changed) and return its path. Beside its docs
    folder, with docs_dir and site_dir relative to it: Zensical wants both under the config's folder
    and has no `-d`. The site is built into .cache/explainer/build-<name>/ (config_site_dir)."""
    if not beside_docs:  # the preview's (MkDocs only, which takes any folder)
        cfg = root / GENERATED / name
    else:
        docs = Path(config["docs_dir"])
        cfg = root / MAIN_CONFIG if docs.parent == root else docs.parent / name
        built = root / GENERATED / f"build-{Path(name).stem}"
        config = {**config, "docs_dir": docs.name, "site_dir": os.path.relpath(built, cfg.parent)}
    cfg.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(cfg, yaml.dump(config, Dumper=_Dumper, sort_keys=True, allow_unicode=True))
    return cfg


def read_site_dir(cfg: Path) -> Path:
    """The site_dir a generated configuration names (relative to its folder)."""
    config = yaml.load(cfg.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return (cfg.parent / str(config.get("site_dir") or "site")).resolve()


def build_digest(root: Path, config: dict, files: dict[str, bytes | str]) -> str:
    """A digest of everything `mkdocs build` turns into a site: the docs, the configuration, the
    theme overrides and hooks, the commit date and the MkDocs and Material versions."""
    import hashlib

    h = hashlib.sha256()
    for name, content in sorted(files.items()):
        h.update(name.encode() + b"\0" + (content.encode("utf-8") if isinstance(content, str) else content) + b"\0")
    h.update(yaml.dump(config, Dumper=_Dumper, sort_keys=True, allow_unicode=True).encode())
    for path in sorted(THEME.rglob("*")) + [Path(h_) for h_ in config.get("hooks", []) if isinstance(h_, str)]:
        if path.is_file():
            h.update(str(path).encode() + b"\0" + path.read_bytes())
    h.update(f"{source_date_epoch(root)};{engine.versions(engine.chosen())}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):  # the engine module and the post-build step
        h.update(path.read_bytes())
    return h.hexdigest()


WARNING = re.compile(r"^(WARNING|ERROR)\s+-\s+(.*)$")
DOC_FILE = re.compile(r"Doc file '([^']+)'")


@dataclass
class SiteBuild:
    """The site engine running as a subprocess into the config's site_dir (`built`), to be moved
    beside `site` and swapped in."""

    root: Path
    proc: subprocess.Popen
    built: Path
    tmp: Path
    site: Path
    env: dict
    inputs: str = ""  # dirty.inputs_digest of this build, kept beside `site` once it is swapped in
    index: bytes | None = None  # with --dirty: the last build's search index, to be merged


def start_build(root: Path, config: dict, site_dir: Path | None = None, config_name: str = "mkdocs.yml", update: bool = False) -> SiteBuild:
    """Start the engine (strict) on the generated config; finish_build waits for it. With `update`
    (serve), MkDocs updates a copy of the last build when only pages changed (dirty.py)."""
    site = site_dir or root / "site"
    cfg = write_config(root, config, config_name)
    built = read_site_dir(cfg)
    tmp = site.with_name(f".{site.name}.tmp-{os.getpid()}")
    _remove_abandoned(site)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(built, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(root), "PYTHONHASHSEED": "0"}
    stamp = _inputs_stamp(site)
    kept = stamp.read_text(encoding="utf-8") if stamp.is_file() else ""
    stamp.unlink(missing_ok=True)  # written again once this build is swapped in
    inputs = dirty.inputs_digest(cfg, cfg.parent / config["docs_dir"]) if update and engine.chosen() == "mkdocs" else ""
    index = dirty.start(site if site.is_dir() else None, built, inputs, kept)
    if index is None:
        proc = engine.start(cfg, root, env)
    else:  # not --strict, which counts MkDocs' notice of a dirty build: finish_build applies its rule
        proc = engine.start_command([sys.executable, "-m", "mkdocs", "build", "--dirty", "-f", str(cfg)], root, env)
    return SiteBuild(root, proc, built, tmp, site, env, inputs, index)


def _inputs_stamp(site: Path) -> Path:
    return site.with_name(f".{site.name}.inputs")


def abandon(build: SiteBuild | None) -> None:
    """Stop a build that will not be swapped in (stopped, or another part failed): no MkDocs run
    outlives the command, and no half-built folder is left behind."""
    if build is None:
        return
    if build.proc.poll() is None:
        build.proc.kill()
    build.proc.wait()
    for stream in (build.proc.stdout, build.proc.stderr):
        if stream:
            stream.close()
    shutil.rmtree(build.built, ignore_errors=True)
    shutil.rmtree(build.tmp, ignore_errors=True)


def finish_build(build: SiteBuild, page_sources: dict[str, Path], problems: Collector, before_swap=None) -> bool:
    """Wait for the build, report its problems, then swap the new folder in.
    `before_swap(folder)` may add to the new site first; returning False abandons it."""
    root, tmp, site = build.root, build.tmp, build.site
    try:
        stdout, stderr = stop.wait_for(build.proc, communicate=True)
        failed = build.proc.returncode != 0
        if build.index is not None:  # --dirty without --strict: its rule (no warning) applied here
            stdout, stderr = dirty.without_notice(stdout), dirty.without_notice(stderr)
            failed = failed or any(WARNING.match(line.strip()) for line in (stdout + stderr).splitlines())
            if not failed and not dirty.finish(build.built, build.index):
                stderr += "\nERROR    -  the search index of an updated build could not be merged; it is built in full next time"
                failed = True
        if not failed:
            errors = engine.finish(build.built, build.env)  # the CSP and hreflang, over the finished HTML
            stderr += "".join(f"\nERROR    -  {e}" for e in errors)
            if not errors:
                shutil.move(build.built, tmp)  # a rename on the same disk; publishing builds into /tmp
    except BaseException:  # stopped (Ctrl-C, SIGTERM): no engine run outlives us, no half-built folder left
        abandon(build)
        raise
    if failed or not tmp.exists():
        shutil.rmtree(build.built, ignore_errors=True)
        reported = False
        for line in (stdout + stderr).splitlines():
            m = WARNING.match(line.strip())
            if m and "Aborted with" not in m.group(2):
                doc = DOC_FILE.search(m.group(2))
                where = page_sources.get(doc.group(1), root / "mkdocs.yml") if doc else root / "mkdocs.yml"
                problems.add(where, f"mkdocs: {m.group(2)}")
                reported = True
        if not reported:
            tail = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
            problems.add(root / "mkdocs.yml", f"mkdocs build failed: {tail[0]}")
        return False
    try:
        if before_swap is not None and not before_swap(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            return False
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # The swap is two renames. Ctrl-C and SIGTERM only set the stop flag (common/stop.py), so
    # nothing interrupts them: site/ never goes missing.
    old = site.with_name(f".{site.name}.old-{os.getpid()}")
    if site.exists():
        os.replace(site, old)
    os.replace(tmp, site)
    shutil.rmtree(old, ignore_errors=True)
    if build.inputs:
        write_if_changed(_inputs_stamp(site), build.inputs)
    return True


def _remove_abandoned(site: Path) -> None:
    """Temporary folders of builds whose process is gone (a language's process stopped with the
    build it belonged to); a build still running elsewhere keeps its own."""
    for tmp in site.parent.glob(f".{site.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def asset_files(vega_js: bytes) -> dict[str, bytes]:
    files = {f"assets/explainer/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir()) if p.is_file()}
    files["assets/explainer/vega.js"] = vega_js
    return files


def chart_files(charts) -> dict[str, bytes | str]:
    files: dict[str, bytes | str] = {}
    for slug, chart in charts.items():
        files[f"assets/charts/{slug}.vg.json"] = json.dumps(chart.vega, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if chart.narrow_vega:
            files[f"assets/charts/{slug}.narrow.vg.json"] = json.dumps(chart.narrow_vega, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        files[f"assets/charts/{slug}.csv"] = chart.csv
        if chart.png:
            files[f"assets/charts/{slug}.png"] = base64.b64decode(chart.png)
    return files
